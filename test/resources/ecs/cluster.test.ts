import {
  type Cluster,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  UpdateClusterSettingsCommand,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'
import {cluster, type ClusterObserved, diffCluster} from '../../../src/resources/ecs/cluster.js'
import type {ClusterDesired} from '../../../src/resources/ecs/desired.js'
import {inUseBy} from '../../../src/resources/types.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {clusterArn, ecsError, ecsMock, ecsTags, serviceArn} from './ecs-mock.js'

const {ecs, inputs, mutations} = ecsMock()

const meta = {logicalId: 'cluster', token: '0123456789abcdef0123456789abcdef', tags: ownershipTags('cluster')}
const desired: ClusterDesired = {name: 'teststack', containerInsights: true, capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultStrategy: [{capacityProvider: 'FARGATE', weight: 1, base: 1}]}
const awsCluster = (overrides: Partial<Cluster> = {}): Cluster => ({
  clusterArn: clusterArn(),
  clusterName: 'teststack',
  status: 'ACTIVE',
  settings: [{name: 'containerInsights', value: 'enabled'}],
  capacityProviders: ['FARGATE_SPOT', 'FARGATE'],
  defaultCapacityProviderStrategy: [{capacityProvider: 'FARGATE', weight: 1, base: 1}],
  tags: ecsTags('cluster'),
  activeServicesCount: 0,
  runningTasksCount: 0,
  pendingTasksCount: 0,
  registeredContainerInstancesCount: 0,
  ...overrides,
})
const observed: ClusterObserved = {
  id: clusterArn(),
  arn: clusterArn(),
  name: 'teststack',
  status: 'ACTIVE',
  containerInsights: true,
  capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
  defaultStrategy: [{capacityProvider: 'FARGATE', weight: 1, base: 1}],
  activeServices: 0,
  runningTasks: 0,
  pendingTasks: 0,
  containerInstances: 0,
  logicalId: 'cluster',
  stack: 'teststack',
}

beforeEach(() => {
  ecs.reset()
})

describe('ecs.cluster read and find', () => {
  it('reads a cluster with its tags and settings; INACTIVE and MISSING ones are gone', async () => {
    ecs.on(DescribeClustersCommand).resolves({clusters: [awsCluster(), awsCluster({clusterArn: clusterArn('old'), clusterName: 'old', status: 'INACTIVE'})], failures: [{arn: clusterArn('gone'), reason: 'MISSING'}]})

    const found = await cluster.read(testContext(), [clusterArn(), clusterArn('old'), clusterArn('gone')])

    expect([...found.keys()]).toEqual([clusterArn()])
    expect(found.get(clusterArn())).toEqual({...observed, capacityProviders: ['FARGATE_SPOT', 'FARGATE']})
    expect(inputs(DescribeClustersCommand)[0]).toEqual({clusters: [clusterArn(), clusterArn('old'), clusterArn('gone')], include: ['TAGS', 'SETTINGS']})
  })

  it("finds the stack's clusters among every cluster listed, by their tags", async () => {
    ecs.on(ListClustersCommand).resolves({clusterArns: [clusterArn(), clusterArn('other')]})
    ecs.on(DescribeClustersCommand).resolves({clusters: [awsCluster(), awsCluster({clusterArn: clusterArn('other'), clusterName: 'other', tags: ecsTags('cluster', 'otherstack')})]})

    expect((await cluster.find(testContext(), findQuery)).map((found) => found.id)).toEqual([clusterArn()])
  })
})

describe('ecs.cluster diff', () => {
  it('sees nothing when only the order of providers differs', () => {
    expect(diffCluster(desired, {...observed, capacityProviders: ['FARGATE_SPOT', 'FARGATE']})).toEqual([])
  })

  it('changes insights, providers and strategy in place; a new name is a new cluster', () => {
    const changes = diffCluster({...desired, name: 'renamed', containerInsights: false, capacityProviders: ['FARGATE'], defaultStrategy: [{capacityProvider: 'FARGATE', weight: 2, base: 0}]}, observed)
    expect(changes.map((change) => [change.field, change.replace])).toEqual([
      ['name', true],
      ['containerInsights', false],
      ['capacityProviders', false],
      ['defaultStrategy', false],
    ])
  })
})

describe('ecs.cluster create', () => {
  it('creates with its settings, providers, strategy and ECS-style tags', async () => {
    ecs.on(DescribeClustersCommand).resolves({clusters: [], failures: [{arn: clusterArn(), reason: 'MISSING'}]})
    ecs.on(CreateClusterCommand).resolves({cluster: awsCluster({tags: undefined})})

    const made = await cluster.create(testContext(), desired, meta)

    expect(inputs(CreateClusterCommand)).toEqual([
      {
        clusterName: 'teststack',
        settings: [{name: 'containerInsights', value: 'enabled'}],
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategy: [{capacityProvider: 'FARGATE', weight: 1, base: 1}],
        tags: ecsTags('cluster'),
      },
    ])
    expect(made).toMatchObject({arn: clusterArn(), logicalId: 'cluster', stack: 'teststack'})
  })

  it('adopts its own cluster of that name (a retried create) and brings it to the desired settings', async () => {
    ecs.on(DescribeClustersCommand).resolves({clusters: [awsCluster({settings: [{name: 'containerInsights', value: 'disabled'}]})]})
    ecs.on(UpdateClusterSettingsCommand).resolves({})

    const made = await cluster.create(testContext(), desired, meta)

    expect(mutations()).toEqual(['UpdateClusterSettings'])
    expect(made.containerInsights).toBe(true)
  })

  it("refuses a cluster of that name that is another stack's", async () => {
    ecs.on(DescribeClustersCommand).resolves({clusters: [awsCluster({tags: ecsTags('cluster', 'otherstack')})]})

    await expect(cluster.create(testContext(), desired, meta)).rejects.toThrow('ECS cluster teststack already exists and is cluster of stack otherstack, not cluster of stack teststack')
    expect(mutations()).toEqual([])
  })
})

describe('ecs.cluster update', () => {
  it('puts the full provider list and strategy together', async () => {
    ecs.on(PutClusterCapacityProvidersCommand).resolves({})

    await cluster.update(testContext(), {...desired, capacityProviders: ['FARGATE'], defaultStrategy: undefined}, observed, [])

    expect(inputs(PutClusterCapacityProvidersCommand)).toEqual([{cluster: clusterArn(), capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: []}])
    expect(mutations()).toEqual(['PutClusterCapacityProviders'])
  })
})

describe('ecs.cluster delete', () => {
  it('deletes; a cluster already gone counts as deleted', async () => {
    ecs.on(DeleteClusterCommand).resolvesOnce({}).rejectsOnce(ecsError(ClusterNotFoundException))

    await cluster.delete(testContext(), observed, keepData)
    await cluster.delete(testContext(), observed, keepData)

    expect(mutations()).toEqual(['DeleteCluster', 'DeleteCluster'])
  })

  it('is in-use while services are in it, naming them', async () => {
    ecs.on(DeleteClusterCommand).rejects(ecsError(ClusterContainsServicesException, 'The Cluster cannot be deleted while Services are active.'))
    ecs.on(ListServicesCommand).resolves({serviceArns: [serviceArn('api'), serviceArn('web')]})

    const error = await cluster.delete(testContext(), observed, keepData).catch((caught: unknown) => caught)

    expect(cluster.classifyError(error)).toBe('in-use')
    expect(inUseBy(error)).toBe('service api, service web')
  })

  it('is in-use while tasks run in it, counting them', async () => {
    ecs.on(DeleteClusterCommand).rejects(ecsError(ClusterContainsTasksException))
    ecs.on(ListTasksCommand).resolves({taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/teststack/1', 'arn:aws:ecs:us-east-1:123456789012:task/teststack/2']})

    const error = await cluster.delete(testContext(), observed, keepData).catch((caught: unknown) => caught)

    expect(inUseBy(error)).toBe('2 tasks')
  })
})
