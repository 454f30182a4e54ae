import {afterEach, describe, expect, it} from 'vitest'
import {plan, up} from '../../src/app/up.js'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {EXAMPLE_CREATED, EXAMPLE_FOUND, EXAMPLE_RESOURCES, exampleEdited, exampleWith, stackHarness, stackParameters} from '../helpers/stack.js'

// The example network: vpc, 4 subnets, internet gateway, 1 EIP, 1 NAT gateway,
// 3 route tables (public + one private per AZ), 3 security groups and their 3 rule sets;
// its front door: the hosted zone (the user's, looked up), 3 target groups, the load balancer,
// the certificate, its validation records and its validation, 2 listeners, the listener rules
// and 3 alias records; its containers: 4 repositories, 3 log groups, 3 roles and an instance
// profile, the ECS-optimised AMI (AWS's, looked up), 2 clusters, the runner's instance and
// 3 task definitions and services.

describe('whole stack against the fake cloud', () => {
  let harness: ReturnType<typeof stackHarness>
  afterEach(() => harness?.cloud.restore())

  it('up on empty creates everything, and a second up makes zero mutating calls', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    const first = await up(await open(), yes)
    expect(first.errors).toEqual([])
    expect(first.ok).toBe(true)
    expect(first.summary).toMatchObject({create: EXAMPLE_CREATED, noop: EXAMPLE_FOUND})
    expect(first.resources.every((r) => r.status === 'done' && r.physicalId)).toBe(true)
    const created = cloud.resourceCount()
    expect(created).toBeGreaterThanOrEqual(EXAMPLE_CREATED)

    cloud.resetCalls()
    const second = await up(await open(), yes)
    expect(second.ok).toBe(true)
    expect(second.summary.noop).toBe(EXAMPLE_RESOURCES)
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
    // Only the lock put and its release touch SSM; the state is not rewritten when nothing changed.
    expect(
      cloud
        .mutatingCalls()
        .map((call) => call.operation)
        .sort(),
    ).toEqual(['DeleteParameter', 'PutParameter'])
    // Reads are batched per kind, plus the state read and the lock check before release. Some AWS APIs
    // answer for one object only, at most once per object: the VPC's two DNS attributes, each target
    // group's attributes and target health, the tags of each ELBv2 kind, each record's name in the zone,
    // each certificate kind's describe; each repository's tags, lifecycle policy and first image page,
    // each log group (by its name) and its tags, each role and its policies (only the task-execution
    // role has an inline one), each task-definition family, each cluster's services.
    const reads = cloud.calls.filter((call) => !call.mutating)
    const perObject: Record<string, number> = {
      DescribeVpcAttribute: 2,
      DescribeTargetGroupAttributes: 3,
      DescribeTargetHealth: 3,
      DescribeTags: 3,
      ListResourceRecordSets: 4,
      DescribeCertificate: 2,
      GetParametersByPath: 1,
      ListTagsForResource: 4 + 3,
      GetLifecyclePolicy: 4,
      DescribeImages: 4,
      DescribeLogGroups: 3,
      GetRole: 3,
      ListRolePolicies: 3,
      ListAttachedRolePolicies: 3,
      GetRolePolicy: 1,
      DescribeTaskDefinition: 3,
      DescribeServices: 2,
    }
    const batched = reads.filter((call) => !(call.operation in perObject)).map((call) => call.operation)
    expect(batched).toEqual([...new Set(batched)])
    for (const [operation, most] of Object.entries(perObject)) {
      expect(reads.filter((call) => call.operation === operation).length, operation).toBeLessThanOrEqual(most)
    }
    expect(cloud.resourceCount()).toBe(created)
  })

  it('status is honest about a subnet deleted out of band, and up recreates it', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    await up(await open(), yes)
    const before = await status(await open())
    expect(before.resources.every((r) => r.condition === 'ok')).toBe(true)
    const subnetId = before.resources.find((r) => r.id === 'subnet/private-b')!.physicalId!

    // The route table association goes with the subnet, as in AWS.
    cloud.ec2.deleteOutOfBand(subnetId)
    const after = await status(await open())
    expect(after.resources.find((r) => r.id === 'subnet/private-b')).toMatchObject({condition: 'missing'})

    const repair = await up(await open(), yes)
    expect(repair.ok).toBe(true)
    const recreated = repair.resources.find((r) => r.id === 'subnet/private-b')!
    expect(recreated.action).toBe('create')
    expect(recreated.physicalId).not.toBe(subnetId)
    // The private route table of that AZ re-associates the new subnet in place.
    expect(repair.resources.find((r) => r.id === 'route-table/private-us-east-1b')!.action).toBe('update')
    const healed = await status(await open())
    expect(healed.resources.filter((r) => r.condition !== 'ok')).toEqual([])
  })

  it('a changed security-group rule is updated in place, the group kept', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    const first = await up(await open(), yes)
    const groupId = first.resources.find((r) => r.id === 'security-group/ecs-tasks-sg')!.physicalId
    const file = exampleWith('{protocol: tcp, port: 8000, securityGroup: alb-sg', '{protocol: tcp, port: 8001, securityGroup: alb-sg')

    const preview = await plan(await open({file}), {offline: false})
    const changing = preview.resources.filter((r) => r.action !== 'noop')
    expect(changing.map((r) => [r.id, r.action])).toEqual([['security-group-rules/ecs-tasks-sg', 'update']])

    cloud.resetCalls()
    const applied = await up(await open({file}), yes)
    expect(applied.ok).toBe(true)
    expect(applied.summary).toMatchObject({update: 1, replace: 0, create: 0, delete: 0})
    expect(applied.resources.find((r) => r.id === 'security-group/ecs-tasks-sg')!.physicalId).toBe(groupId)
    const ec2Mutations = cloud
      .mutatingCalls()
      .filter((call) => call.service === 'ec2')
      .map((call) => call.operation)
    expect(ec2Mutations.sort()).toEqual(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress'])
    const again = await plan(await open({file}), {offline: false})
    expect(again.changes).toBe(false)
  })

  it('teardown leaves the fake cloud empty and the state parameters gone', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    await up(await open(), yes)
    expect(stackParameters(cloud).length).toBeGreaterThan(0)
    const report = await teardown(await open(), {confirm: yes})
    expect(report.errors).toEqual([])
    // Everything but the user's hosted zone, which stays (and with none of our records in it).
    expect(report.summary.delete).toBe(EXAMPLE_CREATED)
    expect(cloud.resourceCount()).toBe(0)
    expect(cloud.route53.zoneIds()).toHaveLength(1)
    expect(stackParameters(cloud)).toEqual([])
    // A second teardown has nothing to do and still succeeds.
    const again = await teardown(await open(), {confirm: yes})
    expect(again.ok).toBe(true)
    expect(again.summary.delete).toBe(0)
  })

  it('an offline plan makes no AWS call and plans every resource as a create', async () => {
    harness = stackHarness()
    const {cloud, open} = harness
    const report = await plan(await open(), {offline: true})
    // The hosted zone is looked up, never made: offline, whether it exists is not known.
    expect(report.summary).toMatchObject({create: EXAMPLE_CREATED, noop: EXAMPLE_FOUND})
    expect(cloud.calls).toEqual([])
  })

  it('survives injected throttling and ids that answer NotFound right after create', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    cloud.faults.throttle('*', 6)
    cloud.faults.throttle('CreateSubnet', 2)
    cloud.faults.consistencyDelayMs = 4_000
    const report = await up(await open(), yes)
    expect(report.errors).toEqual([])
    expect(cloud.calls.some((call) => call.error === 'RequestLimitExceeded')).toBe(true)
    expect(cloud.calls.some((call) => call.error?.endsWith('NotFound'))).toBe(true)
    cloud.resetCalls()
    const second = await up(await open(), yes)
    expect(second.summary.noop).toBe(EXAMPLE_RESOURCES)
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
  })
})

describe('an interrupted up (SIGINT/SIGTERM abort the run)', () => {
  it('stops starting resources, saves what was made, releases the lock, and the next up finishes the job', async () => {
    const harness = stackHarness()
    const {cloud, open, yes} = harness
    try {
      const abort = new AbortController()
      const session = await open({
        signal: abort.signal,
        // Interrupt as soon as the VPC exists.
        emit: (event) => {
          if (event.type === 'node-done' && event.id === 'vpc') abort.abort(new Error('interrupted by SIGINT'))
        },
      })
      const report = await up(session, yes)
      expect(report.ok).toBe(false)
      expect(report.resources.find((r) => r.id === 'vpc')!.status).toBe('done')
      expect(report.resources.filter((r) => r.status === 'blocked').length).toBeGreaterThan(0)
      // An interrupt is not a failure: no errors, and what was not started is listed as such.
      expect(report.errors).toEqual([])
      expect(report).toMatchObject({interrupted: true, stopped: 'the run was interrupted'})
      expect(report.notStarted).toEqual(report.resources.filter((r) => r.status === 'blocked').map((r) => r.id))
      // The lock is released and what was made is in the state.
      expect(stackParameters(cloud).some((name) => name.endsWith('/lock'))).toBe(false)
      const saved = await (await open()).store.load()
      expect(saved!.resources.vpc!.id).toBe(report.resources.find((r) => r.id === 'vpc')!.physicalId)

      const resumed = await up(await open(), yes)
      expect(resumed.errors).toEqual([])
      expect(resumed.resources.find((r) => r.id === 'vpc')!.action).toBe('noop')
      expect(resumed.summary.create).toBeGreaterThan(0)
    } finally {
      cloud.restore()
    }
  })
})

describe('a security group whose description changes', () => {
  it('is replaced and the stack converges: the plan shows it, up applies it, a second plan is empty', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      const first = await up(await open(), yes)
      const deployed = cloud.resourceCount()
      const oldGroup = first.resources.find((r) => r.id === 'security-group/alb-sg')!.physicalId
      // The description is immutable in EC2: a new one means a new group.
      const file = exampleWith('description: Internet-facing load balancer', 'description: Public load balancer')
      const preview = await plan(await open({file}), {offline: false})
      expect(preview.resources.find((r) => r.id === 'security-group/alb-sg')).toMatchObject({action: 'replace'})
      const report = await up(await open({file}), yes)
      expect(report.errors).toEqual([])
      const replaced = report.resources.find((r) => r.id === 'security-group/alb-sg' && !r.partOf)!
      expect(replaced.action).toBe('replace')
      expect(replaced.physicalId).not.toBe(oldGroup)
      expect(report.summary).toMatchObject({replace: preview.summary.replace, create: preview.summary.create, delete: preview.summary.delete})
      const again = await plan(await open({file}), {offline: false})
      expect(again.changes).toBe(false)
      // The old group is gone: as many objects as before.
      expect(cloud.resourceCount()).toBe(deployed)
      const after = await status(await open({file}))
      expect(after.resources.filter((r) => r.condition !== 'ok')).toEqual([])
    } finally {
      cloud.restore()
    }
  })
})

describe('a VPC CIDR change (the VPC must be deleted before its replacement exists)', () => {
  it('plans the cascade (everything in the VPC is replaced with it, in order) and up converges', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      await up(await open(), yes)
      const deployed = cloud.resourceCount()
      const file = exampleEdited((text) => text.replaceAll('10.0.', '10.1.'))
      const preview = await plan(await open({file}), {offline: false})
      const replaced = preview.resources.filter((r) => r.action === 'replace').map((r) => r.id)
      // Everything but the Elastic IP and the certificate lives in the VPC (or in what does, or points at
      // the load balancer: its records); the hosted zone is the user's.
      // The runner's instance and the services (their tasks sit in the subnets) go with it; the
      // repositories, logs, roles, clusters and task definitions are outside the VPC.
      expect(replaced).toHaveLength(30)
      expect(replaced).toEqual(expect.arrayContaining(['instance/runner-ec2-1', 'service/api', 'service/web', 'service/runner']))
      expect(preview.resources.filter((r) => r.action === 'noop').map((r) => r.id)).toEqual(
        expect.arrayContaining(['elastic-ip/nat-us-east-1a', 'hosted-zone', 'certificate', 'certificate/validation-records', 'certificate/validation', 'cluster/cluster', 'task-definition/api', 'role/task-execution']),
      )
      expect(preview.resources.find((r) => r.id === 'subnet/public-a')!.reason).toMatch(/replaced with vpc, which must be deleted before its replacement is made/)
      expect(preview.unsafe).toBeUndefined()

      cloud.resetCalls()
      const report = await up(await open({file}), yes)
      expect(report.errors).toEqual([])
      expect(report.summary).toMatchObject({replace: 30, noop: 22, create: 0, delete: 0})
      // Dependents went before the VPC, and the new VPC came before its subnets.
      const ops = cloud.mutatingCalls().map((call) => call.operation)
      expect(ops.indexOf('DeleteVpc')).toBeGreaterThan(ops.lastIndexOf('DeleteSubnet'))
      expect(ops.indexOf('CreateVpc')).toBeGreaterThan(ops.indexOf('DeleteVpc'))
      expect(ops.indexOf('CreateSubnet')).toBeGreaterThan(ops.indexOf('CreateVpc'))
      expect(cloud.resourceCount()).toBe(deployed)
      expect((await plan(await open({file}), {offline: false})).changes).toBe(false)
      const after = await status(await open({file}))
      expect(after.resources.filter((r) => r.condition !== 'ok')).toEqual([])
    } finally {
      cloud.restore()
    }
  })
})

describe('a rule added by hand in the console', () => {
  it('shows as drift in status and is revoked by the next up', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      const first = await up(await open(), yes)
      const runnerSg = first.resources.find((r) => r.id === 'security-group/runner-sg')!.physicalId!
      const authorize = cloud.ec2.handlers().find((handler) => handler.operation === 'AuthorizeSecurityGroupIngress')!
      await authorize.handle({GroupId: runnerSg, IpPermissions: [{IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{CidrIp: '0.0.0.0/0', Description: 'debug ssh'}]}]})

      const report = await status(await open())
      const rules = report.resources.find((r) => r.id === 'security-group-rules/runner-sg')!
      expect(rules.condition).toBe('drifted')
      expect(rules.changes).toEqual([{field: 'ingress', before: 'tcp 22 from 0.0.0.0/0', replace: false}])

      cloud.resetCalls()
      const repaired = await up(await open(), yes)
      expect(repaired.summary).toMatchObject({update: 1, create: 0, replace: 0, delete: 0})
      expect(
        cloud
          .mutatingCalls()
          .filter((call) => call.service === 'ec2')
          .map((call) => call.operation),
      ).toEqual(['RevokeSecurityGroupIngress'])
      const healed = await status(await open())
      expect(healed.resources.filter((r) => r.condition !== 'ok')).toEqual([])
    } finally {
      cloud.restore()
    }
  })
})
