import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {securityGroup} from '../../../src/resources/ec2/security-group.js'
import {subnet} from '../../../src/resources/ec2/subnet.js'
import {vpc} from '../../../src/resources/ec2/vpc.js'
import {cluster, diffCluster} from '../../../src/resources/ecs/cluster.js'
import type {ClusterDesired, ServiceDesired, TaskDefinitionDesired} from '../../../src/resources/ecs/desired.js'
import {DeploymentFailedError, diffService, service} from '../../../src/resources/ecs/service.js'
import {diffTaskDefinition, taskDefinition} from '../../../src/resources/ecs/task-definition.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/**
 * The ECS reconcilers against the stateful fake: a Fargate service deployed
 * and waited for, converged runs that change nothing, a new image rolled out,
 * a failing image rolled back and reported as the failure it is, teardown.
 */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

let net: {vpcId: string; subnetIds: string[]; groupId: string}
const clusterDesired: ClusterDesired = {name: 'teststack', containerInsights: false, capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultStrategy: [{capacityProvider: 'FARGATE', weight: 1, base: 0}]}
const parameter = 'arn:aws:ssm:us-east-1:123456789012:parameter/containrlab/teststack/DATABASE_URL'

function apiDefinition(image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:1.0.0'): TaskDefinitionDesired {
  return {
    family: 'teststack-api',
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    runtimePlatform: {cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX'},
    executionRoleArn: 'arn:aws:iam::123456789012:role/teststack-execution',
    containerDefinitions: [
      {
        name: 'api',
        image,
        portMappings: [{containerPort: 8080}],
        environment: [
          {name: 'PORT', value: '8080'},
          {name: 'LOG_LEVEL', value: 'info'},
        ],
        secrets: [{name: 'DATABASE_URL', valueFrom: parameter}],
        logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': '/containrlab/teststack/api', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'api'}},
        healthCheck: {command: ['CMD-SHELL', 'curl -f http://localhost:8080/healthz || exit 1']},
      },
    ],
  }
}

function serviceDesired(clusterArn: string, taskDefinitionArn: string): ServiceDesired {
  return {
    name: 'api',
    clusterArn,
    taskDefinitionArn,
    desiredCount: 2,
    launchType: 'FARGATE',
    network: {subnetIds: net.subnetIds, securityGroupIds: [net.groupId], assignPublicIp: false},
    loadBalancers: [],
    deployment: {circuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
    enableExecuteCommand: false,
  }
}

beforeEach(async () => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
  cloud.iam.seedRole('teststack-execution')
  const vpcId = (await vpc.create(ctx, {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}, meta('vpc'))).id
  const subnetIds = []
  for (const [zone, cidr] of [
    ['us-east-1a', '10.0.1.0/24'],
    ['us-east-1b', '10.0.2.0/24'],
  ]) {
    subnetIds.push((await subnet.create(ctx, {vpcId, cidr: cidr!, availabilityZone: zone!, mapPublicIpOnLaunch: false}, meta(`subnet/${zone}`))).id)
  }
  const groupId = (await securityGroup.create(ctx, {vpcId, namePrefix: 'teststack-api', description: 'api'}, meta('security-group/api'))).id
  net = {vpcId, subnetIds, groupId}
})

afterEach(() => {
  cloud.restore()
})

/** Cluster, task definition and service, the service waited for: what `up` does for them. */
async function deploy() {
  const madeCluster = await cluster.create(ctx, clusterDesired, meta('cluster'))
  const definition = await taskDefinition.create(ctx, apiDefinition(), meta('task-definition/api'))
  const created = await service.create(ctx, serviceDesired(madeCluster.arn, definition.arn), meta('service/api'))
  const ready = await service.waitReady!(ctx, created)
  return {madeCluster, definition, ready}
}

/** What `up` does with one task definition and its service on a later run: read, diff, update what differs, wait. */
async function converge(definitionDesired: TaskDefinitionDesired, clusterArn: string) {
  const definition = (await taskDefinition.read(ctx, ['teststack-api'])).get('teststack-api')!
  const definitionChanges = diffTaskDefinition(definitionDesired, definition)
  const nextDefinition = definitionChanges.length > 0 ? await taskDefinition.update(ctx, definitionDesired, definition, definitionChanges) : definition
  const current = [...(await service.read(ctx, [`arn:aws:ecs:us-east-1:123456789012:service/teststack/api`])).values()][0]!
  const desired = serviceDesired(clusterArn, nextDefinition.arn)
  const serviceChanges = diffService(desired, current)
  const updated = serviceChanges.length > 0 ? await service.update(ctx, desired, current, serviceChanges) : current
  const ready = serviceChanges.length > 0 || !service.health!(updated).ready ? await service.waitReady!(ctx, updated) : updated
  return {definitionChanges, serviceChanges, nextDefinition, ready}
}

describe('a Fargate service on the fake', () => {
  it('is deployed and waited for, reporting running/desired as tasks start', async () => {
    const started = ctx.clock.now()
    const {ready, definition} = await deploy()

    expect(ready).toMatchObject({runningCount: 2, desiredCount: 2, taskDefinitionArn: definition.arn})
    expect(ready.deployments).toEqual([expect.objectContaining({status: 'PRIMARY', rolloutState: 'COMPLETED', running: 2})])
    expect(service.health!(ready)).toMatchObject({state: 'running 2/2, pending 0', ready: true})
    // PROVISIONING 10 s, PENDING 20 s: running after 30 s of the fake's clock.
    expect(ctx.clock.now() - started).toBeGreaterThanOrEqual(30_000)
    expect(ctx.messages).toContain('waiting for service api deployment: running 0/2 (pending 2) in progress, 0s')
    expect(ctx.messages.some((message) => message.startsWith('waiting for service api deployment: running 0/2 (pending 2) in progress, 25s'))).toBe(true)
    // One network interface per awsvpc task, described as ECS describes them.
    const interfaces = (cloud.ec2.snapshot() as {networkInterfaces: {description: string; requesterManaged: boolean}[]}).networkInterfaces
    expect(interfaces).toHaveLength(2)
    expect(interfaces[0]).toMatchObject({description: expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:attachment\/[0-9a-f-]{36}$/), requesterManaged: true})
  })

  it('reads back as made: a second run registers nothing and updates nothing', async () => {
    const {madeCluster, definition} = await deploy()
    cloud.resetCalls()

    const {definitionChanges, serviceChanges, nextDefinition} = await converge(apiDefinition(), madeCluster.arn)

    expect(definitionChanges).toEqual([])
    expect(serviceChanges).toEqual([])
    expect(nextDefinition.arn).toBe(definition.arn)
    expect(diffCluster(clusterDesired, (await cluster.read(ctx, [madeCluster.arn])).get(madeCluster.arn)!)).toEqual([])
    expect(cloud.mutatingCalls()).toEqual([])
    // A retried create of the definition registers no second revision either.
    expect((await taskDefinition.create(ctx, apiDefinition(), {...meta('task-definition/api'), logicalId: 'task-definition/api'})).arn).toBe(definition.arn)
  })

  it('finds what the stack made by its tags when the state is lost', async () => {
    const {madeCluster, definition, ready} = await deploy()

    expect((await cluster.find(ctx, findQuery)).map((found) => [found.logicalId, found.id])).toEqual([['cluster', madeCluster.arn]])
    expect((await service.find(ctx, findQuery)).map((found) => [found.logicalId, found.id])).toEqual([['service/api', ready.arn]])
    const wanted = [{logicalId: 'task-definition/api', desired: apiDefinition()}]
    expect((await taskDefinition.find(ctx, {stack: 'teststack', wanted})).map((found) => [found.logicalId, found.arn])).toEqual([['task-definition/api', definition.arn]])
    expect(await taskDefinition.find(ctx, {stack: 'otherstack', wanted})).toEqual([])
    expect(await cluster.find(ctx, {stack: 'otherstack', wanted: []})).toEqual([])
  })

  it('rolls a new image out as a new revision and a new deployment', async () => {
    const {madeCluster, definition} = await deploy()

    const {definitionChanges, serviceChanges, nextDefinition, ready} = await converge(apiDefinition('123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:1.1.0'), madeCluster.arn)

    expect(definitionChanges.map((change) => change.field)).toEqual(['containerDefinitions.api.image'])
    expect(nextDefinition.arn).toBe(definition.arn.replace(/:1$/, ':2'))
    expect(serviceChanges).toEqual([{field: 'taskDefinitionArn', before: definition.arn, after: nextDefinition.arn, replace: false}])
    expect(ready).toMatchObject({taskDefinitionArn: nextDefinition.arn, runningCount: 2})
    expect(ready.deployments).toHaveLength(1)
    expect(ready.events[0]?.message).toBe('(service api) has reached a steady state.')
  })

  it('fails a deployment the circuit breaker rolled back, with the stopped tasks’ reasons and the service events', async () => {
    const {madeCluster, definition} = await deploy()
    const badImage = '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:missing'
    cloud.ecs.failTasks({image: badImage}, 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ' + badImage + ': not found', 'CannotPullContainerError: failed to resolve ref')

    const attempt = converge(apiDefinition(badImage), madeCluster.arn)

    await expect(attempt).rejects.toThrow(DeploymentFailedError)
    const error = (await attempt.catch((caught: unknown) => caught)) as Error
    expect(error.message).toMatch(/^service api: the deployment of teststack-api:2 failed: ECS deployment circuit breaker: tasks failed to start\./)
    expect(error.message).toContain('stopped tasks:\n  task ')
    expect(error.message).toContain(': CannotPullContainerError: pull image manifest has been retried 5 time(s)')
    expect(error.message).toContain('container api: CannotPullContainerError: failed to resolve ref')
    expect(error.message).toMatch(/last events:\n .*rolling back to deployment ecs-svc\//)
    // The rollback itself goes on: the first revision runs again.
    ctx.clock.advance(120_000)
    const after = [...(await service.read(ctx, [`arn:aws:ecs:us-east-1:123456789012:service/teststack/api`])).values()][0]!
    expect(after).toMatchObject({taskDefinitionArn: definition.arn, runningCount: 2})
  })

  it('tears down: the service scaled to 0 and deleted with its tasks stopped, every revision, the cluster', async () => {
    const {madeCluster, definition, ready} = await deploy()
    await converge(apiDefinition('123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:1.1.0'), madeCluster.arn)

    // The cluster cannot go while the service is in it: in-use, naming the service.
    const refused = await cluster.delete(ctx, madeCluster, keepData).catch((caught: unknown) => caught)
    expect(cluster.classifyError(refused)).toBe('in-use')
    expect(refused).toMatchObject({inUseBy: 'service api'})

    await service.delete(ctx, ready, keepData)
    expect((await service.read(ctx, [ready.arn])).size).toBe(0)
    expect(ctx.messages.some((message) => message.startsWith('waiting for service api to be deleted: draining, 2 tasks not stopped'))).toBe(true)
    await taskDefinition.delete(ctx, definition, keepData)
    await cluster.delete(ctx, madeCluster, keepData)

    expect(cloud.ecs.resourceCount()).toBe(0)
    expect((await taskDefinition.read(ctx, ['teststack-api'])).size).toBe(0)
    // The tasks' interfaces are gone with them: the subnets and group can go.
    for (const subnetId of net.subnetIds) await subnet.delete(ctx, {id: subnetId} as never, keepData)
    await securityGroup.delete(ctx, {id: net.groupId} as never, keepData)
  })
})
