import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {elasticIp} from '../../../src/resources/ec2/elastic-ip.js'
import {internetGateway} from '../../../src/resources/ec2/internet-gateway.js'
import {natGateway} from '../../../src/resources/ec2/nat-gateway.js'
import {securityGroup} from '../../../src/resources/ec2/security-group.js'
import {securityGroupRules} from '../../../src/resources/ec2/security-group-rules.js'
import {subnet} from '../../../src/resources/ec2/subnet.js'
import {vpcEndpoint} from '../../../src/resources/ec2/vpc-endpoint.js'
import {vpc} from '../../../src/resources/ec2/vpc.js'
import {routeTable} from '../../../src/resources/ec2/route-table.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/**
 * Reconcilers against the stateful fake EC2: what only shows when several
 * calls meet AWS's rules (references between groups, an address held by a
 * deleting NAT gateway…).
 */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

/** A fresh create meta: every object gets its own token, as the engine gives it. */
function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
})

afterEach(() => {
  cloud.restore()
})

async function newVpc(): Promise<string> {
  return (await vpc.create(ctx, {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}, meta('vpc'))).id
}

async function group(vpcId: string, name: string, stack = 'teststack') {
  return securityGroup.create({...ctx, stack}, {vpcId, namePrefix: `${stack}-${name}`, description: name}, meta(`security-group/${name}`, stack))
}

describe('security group teardown without state (rules between groups carry no tags)', () => {
  it('revokes the rules of the stack’s other groups that reference a group, then deletes it', async () => {
    const vpcId = await newVpc()
    const alb = await group(vpcId, 'alb')
    const tasks = await group(vpcId, 'tasks')
    await securityGroupRules.create(ctx, {groupId: tasks.id, ingress: [{protocol: 'tcp', fromPort: 8000, toPort: 8000, sourceGroupId: alb.id}], egress: []}, meta('rules/tasks'))
    await securityGroupRules.create(ctx, {groupId: alb.id, ingress: [], egress: [{protocol: 'tcp', fromPort: 8000, toPort: 8000, sourceGroupId: tasks.id}]}, meta('rules/alb'))

    // Teardown with the state lost: groups only, in any order.
    await securityGroup.delete(ctx, alb, keepData)
    await securityGroup.delete(ctx, tasks, keepData)

    expect(cloud.ec2.resourceCount()).toBe(1) // the VPC
  })

  it("leaves another stack's group alone and reports it", async () => {
    const vpcId = await newVpc()
    const alb = await group(vpcId, 'alb')
    const other = await group(vpcId, 'web', 'otherstack')
    await securityGroupRules.create(ctx, {groupId: other.id, ingress: [{protocol: 'tcp', fromPort: 80, toPort: 80, sourceGroupId: alb.id}], egress: []}, meta('rules/web', 'otherstack'))

    await expect(securityGroup.delete(ctx, alb, keepData)).rejects.toThrow(`is referenced by rules of ${other.id} (${other.groupName}, stack otherstack), outside stack teststack`)
    expect((await securityGroupRules.read(ctx, [other.id])).get(other.id)?.ingress).toHaveLength(1)
  })
})

describe('security group replacement (create-before-delete)', () => {
  it('makes the new group while the old one exists, moves the rules that name it, then deletes the old one', async () => {
    const vpcId = await newVpc()
    const old = await group(vpcId, 'alb')
    const tasks = await group(vpcId, 'tasks')
    const tasksRules = await securityGroupRules.create(ctx, {groupId: tasks.id, ingress: [{protocol: 'tcp', fromPort: 8000, toPort: 8000, sourceGroupId: old.id}], egress: []}, meta('rules/tasks'))

    // A description change: replace. Same prefix, same VPC: AWS accepts the second group because its name differs.
    const desired = {vpcId, namePrefix: 'teststack-alb', description: 'new description'}
    expect(securityGroup.diff(desired, old)).toEqual([{field: 'description', before: 'alb', after: 'new description', replace: true}])
    const replacement = await securityGroup.create(ctx, desired, meta('security-group/alb'))
    expect(replacement.groupName).not.toBe(old.groupName)
    expect(securityGroup.diff(desired, replacement)).toEqual([])
    // The dependent rule follows the new id in place (the engine resolves the ref to the replacement).
    const moved = {groupId: tasks.id, ingress: [{protocol: 'tcp' as const, fromPort: 8000, toPort: 8000, sourceGroupId: replacement.id}], egress: []}
    await securityGroupRules.update(ctx, moved, tasksRules, securityGroupRules.diff(moved, tasksRules))
    await securityGroup.delete(ctx, old, keepData)

    expect((await securityGroup.read(ctx, [old.id, replacement.id])).has(old.id)).toBe(false)
    expect((await securityGroupRules.read(ctx, [tasks.id])).get(tasks.id)?.ingress.map((rule) => rule.sourceGroupId)).toEqual([replacement.id])
  })
})

describe('NAT gateway deleted by hand', () => {
  it('is recreated once the old one lets go of its Elastic IP (it holds it until deleted)', async () => {
    const vpcId = await newVpc()
    await internetGateway.create(ctx, {vpcId}, meta('internet-gateway'))
    const subnetId = (await subnet.create(ctx, {vpcId, cidr: '10.0.0.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: true}, meta('subnet/public-a'))).id
    const allocationId = (await elasticIp.create(ctx, {domain: 'vpc'}, meta('elastic-ip/nat-us-east-1a'))).id
    const desired = {subnetId, allocationId}
    const first = await natGateway.waitReady!(ctx, await natGateway.create(ctx, desired, meta('nat-gateway/us-east-1a')))
    expect(first.state).toBe('available')

    cloud.ec2.deleteOutOfBand(first.id)
    // The next run: the old gateway is `deleting`, so read no longer shows it, and the engine creates anew.
    expect((await natGateway.read(ctx, [first.id])).size).toBe(0)
    ctx.messages.length = 0
    const second = await natGateway.waitReady!(ctx, await natGateway.create(ctx, desired, meta('nat-gateway/us-east-1a')))

    expect(second.state).toBe('available')
    expect(second.id).not.toBe(first.id)
    expect(ctx.messages[0]).toBe(`waiting for ${allocationId} to be released by ${first.id} (deleting): associated, 0s`)
  })
})

describe('VPC endpoint policy', () => {
  it('is the default when not given, whatever its spelling; drift is seen and undone; a service without policies reports none', async () => {
    const vpcId = await newVpc()
    const table = await routeTable.create(ctx, {vpcId, routes: [], subnetIds: []}, meta('route-table/private'))
    const subnetId = (await subnet.create(ctx, {vpcId, cidr: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false}, meta('subnet/app-a'))).id
    const s3 = {vpcId, serviceName: 'com.amazonaws.us-east-1.s3', type: 'Gateway' as const, routeTableIds: [table.id], subnetIds: [], securityGroupIds: [], privateDnsEnabled: false}
    const ecr = {vpcId, serviceName: 'com.amazonaws.us-east-1.ecr.api', type: 'Interface' as const, routeTableIds: [], subnetIds: [subnetId], securityGroupIds: [], privateDnsEnabled: true}
    cloud.ec2.servicesWithoutPolicies.add('com.amazonaws.us-east-1.logs')
    const logs = {
      ...ecr,
      serviceName: 'com.amazonaws.us-east-1.logs',
      subnetIds: [(await subnet.create(ctx, {vpcId, cidr: '10.0.2.0/24', availabilityZone: 'us-east-1b', mapPublicIpOnLaunch: false}, meta('subnet/app-b'))).id],
    }

    const endpoints = await Promise.all([s3, ecr, logs].map(async (desired, i) => (await vpcEndpoint.create(ctx, desired, meta(`vpc-endpoint/${i}`))).id))
    const read = await vpcEndpoint.read(ctx, endpoints)
    expect([s3, ecr, logs].map((desired, i) => vpcEndpoint.diff(desired, read.get(endpoints[i]!)!))).toEqual([[], [], []])
    expect(read.get(endpoints[2]!)!.policyDocument).toBeUndefined()

    // Someone narrows the S3 endpoint's policy in the console: drift, undone by ResetPolicy.
    const narrowed = JSON.stringify({Statement: [{Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*'}]})
    const drifted = await vpcEndpoint.update(ctx, {...s3, policyDocument: narrowed}, read.get(endpoints[0]!)!, [])
    const seen = (await vpcEndpoint.read(ctx, [drifted.id])).get(drifted.id)!
    const changes = vpcEndpoint.diff(s3, seen)
    expect(changes).toEqual([expect.objectContaining({field: 'policyDocument', after: '(default: full access)', replace: false})])
    await vpcEndpoint.update(ctx, s3, seen, changes)
    expect(vpcEndpoint.diff(s3, (await vpcEndpoint.read(ctx, [drifted.id])).get(drifted.id)!)).toEqual([])
  })
})

describe('find when the server ignores tag filters (as moto does on DescribeNatGateways)', () => {
  it("keeps only the stack's objects, by their tags", async () => {
    ;(cloud.faults as {ignoreTagFilters?: Set<string>}).ignoreTagFilters = new Set(['DescribeSecurityGroups', 'DescribeVpcs'])
    const vpcId = await newVpc()
    await vpc.create({...ctx, stack: 'otherstack'}, {cidr: '10.1.0.0/16', enableDnsSupport: true, enableDnsHostnames: false}, meta('vpc', 'otherstack'))
    const mine = await group(vpcId, 'alb')
    await group(vpcId, 'alb', 'otherstack')

    expect((await securityGroup.find(ctx, {stack: 'teststack', wanted: []})).map((found) => found.id)).toEqual([mine.id])
    expect((await vpc.find(ctx, {stack: 'teststack', wanted: []})).map((found) => found.id)).toEqual([vpcId])
  })
})

describe('deletions held by network interfaces (network-interfaces.ts)', () => {
  it("a deleting NAT gateway's and an endpoint's interfaces are named; the subnet and group go once their owners are gone", async () => {
    const vpcId = await newVpc()
    await internetGateway.create(ctx, {vpcId}, meta('internet-gateway'))
    const public_ = await subnet.create(ctx, {vpcId, cidr: '10.0.0.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: true}, meta('subnet/public-a'))
    const endpoints = await group(vpcId, 'endpoints')
    const allocationId = (await elasticIp.create(ctx, {domain: 'vpc'}, meta('elastic-ip/nat'))).id
    const nat = await natGateway.create(ctx, {subnetId: public_.id, allocationId}, meta('nat-gateway/a'))
    const endpoint = await vpcEndpoint.create(
      ctx,
      {vpcId, serviceName: 'com.amazonaws.us-east-1.ecr.api', type: 'Interface', routeTableIds: [], subnetIds: [public_.id], securityGroupIds: [endpoints.id], privateDnsEnabled: true},
      meta('vpc-endpoint/ecr'),
    )
    // Their deletions were asked for, and are not through yet (a run that stopped there).
    cloud.ec2.deleteOutOfBand(nat.id)
    await cloud.ec2
      .handlers()
      .find((handler) => handler.operation === 'DeleteVpcEndpoints')!
      .handle({VpcEndpointIds: [endpoint.id]})

    await expect(subnet.delete(ctx, public_, keepData)).rejects.toMatchObject({
      name: 'DependencyViolation',
      message: `2 network interfaces still in ${public_.id}: NAT gateway ${nat.id} (1 in use), VPC endpoint ${endpoint.id} (1 in use)`,
    })
    await expect(securityGroup.delete(ctx, endpoints, keepData)).rejects.toMatchObject({message: `1 network interface still using security group ${endpoints.id}: VPC endpoint ${endpoint.id} (1 in use)`})

    ctx.clock.advance(60_000)
    await securityGroup.delete(ctx, endpoints, keepData)
    await subnet.delete(ctx, public_, keepData)
    expect((await subnet.read(ctx, [public_.id])).size).toBe(0)
  })

  it("deletes the stack's own detached interface (tagged, not a service's) and then the subnet; never another's", async () => {
    const vpcId = await newVpc()
    const private_ = await subnet.create(ctx, {vpcId, cidr: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false}, meta('subnet/private-a'))
    const own = cloud.env.networkInterfaces!.add({subnetId: private_.id, description: 'left by a crashed run', tags: ownershipTags('eni/x')}).id
    const theirs = cloud.env.networkInterfaces!.add({subnetId: private_.id, description: 'someone else’s', tags: ownershipTags('eni/x', 'otherstack')}).id

    const error = (await subnet.delete(ctx, private_, keepData).catch((caught: unknown) => caught)) as Error
    expect(error.message).toMatch(new RegExp(`^1 network interface still in ${private_.id}: ${theirs} "someone else’s" \\(1 detached\\); `))
    expect(cloud.env.networkInterfaces!.has(own)).toBe(false)
    expect(cloud.env.networkInterfaces!.has(theirs)).toBe(true)
    expect(ctx.messages).toContain(`deleted network interface ${own}: detached, and tagged with stack teststack`)

    cloud.env.networkInterfaces!.remove(theirs)
    await subnet.delete(ctx, private_, keepData)
    expect((await subnet.read(ctx, [private_.id])).size).toBe(0)
  })
})
