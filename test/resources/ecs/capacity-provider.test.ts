import {type CapacityProvider, CreateCapacityProviderCommand, DescribeCapacityProvidersCommand, DescribeClustersCommand, ListClustersCommand, UpdateCapacityProviderCommand} from '@aws-sdk/client-ecs'
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest'
import {capacityProvider, diffCapacityProvider} from '../../../src/resources/ecs/capacity-provider.js'
import {cluster} from '../../../src/resources/ecs/cluster.js'
import type {CapacityProviderDesired} from '../../../src/resources/ecs/desired.js'
import {inUseBy} from '../../../src/resources/types.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {clusterArn, ecsMock, ecsTags} from './ecs-mock.js'

const asgArn = 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1f2e3d4c-0000-4000-8000-000000000001:autoScalingGroupName/teststack-runners'
const desired: CapacityProviderDesired = {
  name: 'teststack-runners',
  autoScalingGroupArn: asgArn,
  managedScaling: {status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 2},
  managedTerminationProtection: 'DISABLED',
}
const meta = (logicalId = 'capacity-provider/runners') => ({logicalId, token: '0123456789abcdef0123456789abcdef', tags: ownershipTags(logicalId)})

describe('ecs.capacity-provider with a mocked client', () => {
  const {ecs, inputs, mutations} = ecsMock()
  beforeEach(() => ecs.reset())
  // Restored before the fake's tests below: a mocked client class bypasses the fake.
  afterAll(() => ecs.restore())

  it('creates with its Auto Scaling group, managed scaling and ECS-style tags', async () => {
    ecs.on(DescribeCapacityProvidersCommand).resolves({capacityProviders: [], failures: [{arn: 'x', reason: 'MISSING'}]})
    ecs.on(CreateCapacityProviderCommand).resolves({
      capacityProvider: {
        name: desired.name,
        capacityProviderArn: 'arn:aws:ecs:us-east-1:123456789012:capacity-provider/teststack-runners',
        status: 'ACTIVE',
        updateStatus: 'CREATE_COMPLETE',
        autoScalingGroupProvider: {autoScalingGroupArn: asgArn, managedScaling: desired.managedScaling, managedTerminationProtection: 'DISABLED'},
      },
    })

    const made = await capacityProvider.create(testContext(), desired, meta())

    expect(inputs(CreateCapacityProviderCommand)).toEqual([
      {name: desired.name, autoScalingGroupProvider: {autoScalingGroupArn: asgArn, managedScaling: desired.managedScaling, managedTerminationProtection: 'DISABLED'}, tags: ecsTags('capacity-provider/runners')},
    ])
    expect(diffCapacityProvider(desired, made)).toEqual([])
    expect(capacityProvider.outputs(made)).toEqual({id: desired.name, arn: 'arn:aws:ecs:us-east-1:123456789012:capacity-provider/teststack-runners', name: desired.name})
  })

  it('changes managed scaling in place; another Auto Scaling group is a new provider', async () => {
    ecs
      .on(UpdateCapacityProviderCommand)
      .resolves({capacityProvider: {name: desired.name, status: 'ACTIVE', autoScalingGroupProvider: {autoScalingGroupArn: asgArn, managedScaling: {...desired.managedScaling, targetCapacity: 80}}}})
    const observed = {
      id: desired.name,
      name: desired.name,
      arn: '',
      status: 'ACTIVE',
      updateStatus: 'CREATE_COMPLETE',
      autoScalingGroupArn: asgArn,
      managedScaling: desired.managedScaling,
      managedTerminationProtection: 'DISABLED' as const,
    }
    const next = {...desired, managedScaling: {...desired.managedScaling, targetCapacity: 80}}

    expect(diffCapacityProvider(next, observed)).toEqual([{field: 'managedScaling.targetCapacity', before: 100, after: 80, replace: false}])
    expect(diffCapacityProvider({...desired, autoScalingGroupArn: `${asgArn}-2`}, observed).map((change) => change.replace)).toEqual([true])
    await capacityProvider.update(testContext(), next, observed, [])
    expect(mutations()).toEqual(['UpdateCapacityProvider'])
  })

  it("finds by name: the names the spec wants and the providers the stack's clusters list, never every provider (moto answers that 500)", async () => {
    ecs.on(ListClustersCommand).resolves({clusterArns: [clusterArn(), clusterArn('other')]})
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [
        {clusterArn: clusterArn(), clusterName: 'teststack', status: 'ACTIVE', capacityProviders: ['FARGATE', 'teststack-lost'], tags: ecsTags('cluster')},
        {clusterArn: clusterArn('other'), clusterName: 'other', status: 'ACTIVE', capacityProviders: ['other-runners'], tags: ecsTags('cluster', 'other')},
      ],
    })
    const provider = (name: string, tags?: ReturnType<typeof ecsTags>): CapacityProvider => ({name, status: 'ACTIVE', autoScalingGroupProvider: {autoScalingGroupArn: asgArn}, ...(tags ? {tags} : {})})
    ecs
      .on(DescribeCapacityProvidersCommand)
      .resolves({capacityProviders: [provider('teststack-runners', ecsTags('capacity-provider/runners')), provider('FARGATE'), provider('teststack-lost', ecsTags('capacity-provider/lost'))]})

    const found = await capacityProvider.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'capacity-provider/runners', desired}, {logicalId: 'capacity-provider/lost'}]})

    expect(inputs(DescribeCapacityProvidersCommand)).toEqual([{capacityProviders: ['teststack-runners', 'FARGATE', 'teststack-lost'], include: ['TAGS']}])
    expect(found.map((observed) => [observed.logicalId, observed.id])).toEqual([
      ['capacity-provider/runners', 'teststack-runners'],
      ['capacity-provider/lost', 'teststack-lost'],
    ])
  })

  it('describes no provider when the spec wants none and the stack has no cluster', async () => {
    ecs.on(ListClustersCommand).resolves({clusterArns: []})

    expect(await capacityProvider.find(testContext(), findQuery)).toEqual([])
    expect(inputs(DescribeCapacityProvidersCommand)).toEqual([])
  })
})

describe('ecs.capacity-provider on the fake', () => {
  let cloud: FakeCloud
  let ctx: ReturnType<typeof testContext>
  beforeEach(() => {
    ctx = testContext()
    cloud = new FakeCloud({clock: ctx.clock}).install()
  })
  afterEach(() => cloud.restore())

  it('serves a cluster, refuses to go while the cluster lists it (naming it), then goes and is waited for', async () => {
    const made = await capacityProvider.create(ctx, desired, meta())
    const madeCluster = await cluster.create(
      ctx,
      {name: 'teststack', containerInsights: false, capacityProviders: ['FARGATE', desired.name], defaultStrategy: [{capacityProvider: desired.name, weight: 1, base: 0}]},
      meta('cluster'),
    )
    expect((await capacityProvider.find(ctx, findQuery)).map((found) => [found.logicalId, found.id])).toEqual([['capacity-provider/runners', desired.name]])

    const refused = await capacityProvider.delete(ctx, made, keepData).catch((caught: unknown) => caught)
    expect(capacityProvider.classifyError(refused)).toBe('in-use')
    expect(inUseBy(refused)).toBe('cluster teststack')

    await cluster.update(ctx, {name: 'teststack', containerInsights: false, capacityProviders: ['FARGATE']}, madeCluster, [])
    await capacityProvider.delete(ctx, made, keepData)

    expect(ctx.messages).toContain('waiting for capacity provider teststack-runners to be deleted: delete_in_progress, 0s')
    expect((await capacityProvider.read(ctx, [desired.name])).size).toBe(0)
    expect(cloud.calls.filter((call) => call.operation === 'DeleteCapacityProvider')).toHaveLength(2)
    expect(cloud.ecs.resourceCount()).toBe(1) // the cluster
  })
})
