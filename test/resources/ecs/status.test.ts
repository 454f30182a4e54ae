import {ClusterNotFoundException, type ContainerInstance, DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, type Task} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'
import type {ClusterObserved} from '../../../src/resources/ecs/cluster.js'
import {cluster} from '../../../src/resources/ecs/cluster.js'
import {service, type DeploymentObserved, type ServiceObserved} from '../../../src/resources/ecs/service.js'
import {testContext} from '../../helpers/context.js'
import {clusterArn, ecsError, ecsMock, serviceArn, taskDefinitionArn} from './ecs-mock.js'

const {ecs, inputs} = ecsMock()

beforeEach(() => {
  ecs.reset()
})

const deployment = (overrides: Partial<DeploymentObserved> = {}): DeploymentObserved => ({
  id: 'ecs-svc/1111111111111111111',
  status: 'PRIMARY',
  taskDefinitionArn: taskDefinitionArn('teststack-api', 3),
  rolloutState: 'COMPLETED',
  desired: 2,
  running: 2,
  pending: 0,
  failedTasks: 0,
  ...overrides,
})

const observedService = (name: string, overrides: Partial<ServiceObserved> = {}, clusterName = 'teststack'): ServiceObserved => ({
  id: serviceArn(name, clusterName),
  arn: serviceArn(name, clusterName),
  name,
  clusterArn: clusterArn(clusterName),
  status: 'ACTIVE',
  taskDefinitionArn: taskDefinitionArn(`teststack-${name}`, 3),
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  capacityProviderStrategy: [],
  loadBalancers: [],
  deployment: {circuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
  enableExecuteCommand: false,
  deployments: [deployment({taskDefinitionArn: taskDefinitionArn(`teststack-${name}`, 3)})],
  events: [],
  ...overrides,
})

const taskArn = (id: string, clusterName = 'teststack') => `arn:aws:ecs:us-east-1:123456789012:task/${clusterName}/${id}`

const stoppedTask = (id: string, group: string, reason: string, stoppedAt: string, overrides: Partial<Task> = {}): Task => ({
  taskArn: taskArn(id),
  group,
  taskDefinitionArn: taskDefinitionArn(`teststack-${group.split(':')[1]}`, 4),
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stoppedReason: reason,
  stopCode: 'TaskFailedToStart',
  stoppedAt: new Date(stoppedAt),
  containers: [],
  ...overrides,
})

describe('ecs.service health', () => {
  it('says running/pending/desired, the revision and the rollout; ready once done', () => {
    expect(service.health!(observedService('api'))).toEqual({state: 'running 2/2, pending 0', ready: true, detail: 'teststack-api:3, deployment COMPLETED'})
  })

  it('a deployment under way is pending (not ready), not degraded', () => {
    const health = service.health!(observedService('api', {runningCount: 1, pendingCount: 1, deployments: [deployment({rolloutState: 'IN_PROGRESS', running: 1, pending: 1})]}))
    expect(health).toEqual({state: 'running 1/2, pending 1', ready: false, detail: 'teststack-api:3, deployment IN_PROGRESS'})
  })

  it('a deployment the circuit breaker failed is degraded, with its reason', () => {
    const failed = deployment({
      id: 'ecs-svc/2',
      status: 'ACTIVE',
      taskDefinitionArn: taskDefinitionArn('teststack-api', 4),
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      desired: 0,
      running: 0,
    })
    const health = service.health!(observedService('api', {deployments: [deployment({rolloutState: 'IN_PROGRESS'}), failed]}))
    expect(health).toMatchObject({ready: false, detail: 'teststack-api:3, deployment FAILED: ECS deployment circuit breaker: tasks failed to start.'})
    expect(health.degraded).toBe('the deployment of teststack-api:4 failed: ECS deployment circuit breaker: tasks failed to start.')
  })

  it('a finished deployment running fewer tasks than desired is degraded', () => {
    const health = service.health!(observedService('api', {runningCount: 1, deployments: [deployment({running: 1})]}))
    expect(health).toMatchObject({state: 'running 1/2, pending 0', ready: false, degraded: '1 of 2 tasks running'})
  })
})

describe('ecs.service statusDetails', () => {
  it('one ListTasks (STOPPED) per cluster and one DescribeTasks for what it lists; failures by service, newest first, alike ones counted; routine stops left out', async () => {
    ecs.on(ListTasksCommand, {cluster: clusterArn()}).resolves({taskArns: [taskArn('a'), taskArn('b'), taskArn('c'), taskArn('d'), taskArn('e')]})
    ecs.on(ListTasksCommand, {cluster: clusterArn('runner')}).resolves({taskArns: []})
    const pull = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:nope: not found'
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        stoppedTask('a', 'service:api', pull, '2026-11-01T10:00:00Z'),
        stoppedTask('b', 'service:api', pull, '2026-11-01T10:01:00Z'),
        stoppedTask('c', 'service:api', 'Essential container in task exited', '2026-11-01T10:02:00Z', {stopCode: 'EssentialContainerExited', containers: [{name: 'api', reason: 'exit 1', exitCode: 1}]}),
        // A deployment replacing an old revision's task: routine, not shown.
        stoppedTask('d', 'service:web', 'Scaling activity initiated by (deployment ecs-svc/123)', '2026-11-01T10:03:00Z', {stopCode: 'ServiceSchedulerInitiated'}),
        stoppedTask('e', 'service:web', 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1)', '2026-11-01T10:04:00Z', {
          stopCode: 'ServiceSchedulerInitiated',
        }),
      ],
    })
    const services = [observedService('api'), observedService('web'), observedService('runner', {}, 'runner')]

    const details = await service.statusDetails!(testContext(), services)

    expect(inputs(ListTasksCommand)).toEqual([
      {cluster: clusterArn(), desiredStatus: 'STOPPED', maxResults: 100},
      {cluster: clusterArn('runner'), desiredStatus: 'STOPPED', maxResults: 100},
    ])
    expect(inputs(DescribeTasksCommand)).toEqual([{cluster: clusterArn(), tasks: ['a', 'b', 'c', 'd', 'e'].map((id) => taskArn(id))}])
    const api = details.get(serviceArn('api'))!
    expect(api.lines).toEqual(['stopped recently: 1 task of teststack-api:4: Essential container in task exited; container api: exit 1', `stopped recently: 2 tasks of teststack-api:4: ${pull}`])
    expect(api.fields).toMatchObject({running: 2, pending: 0, desired: 2, revision: 'teststack-api:3', lastDeployment: {rolloutState: 'COMPLETED', revision: 'teststack-api:3'}})
    expect(api.fields.stoppedTasks).toEqual([
      {
        task: 'c',
        revision: 'teststack-api:4',
        stoppedAt: '2026-11-01T10:02:00.000Z',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{name: 'api', reason: 'exit 1', exitCode: 1}],
      },
      expect.objectContaining({task: 'b', stoppedReason: pull}),
      expect.objectContaining({task: 'a'}),
    ])
    expect(details.get(serviceArn('web'))!.lines).toEqual([expect.stringMatching(/^stopped recently: 1 task of teststack-web:4: Task failed ELB health checks/)])
    expect(details.get(serviceArn('runner', 'runner'))).toEqual({fields: expect.objectContaining({stoppedTasks: []}), lines: []})
  })

  it('names the deployments other than the last (a rollback under way) and bounds the reasons shown', async () => {
    ecs.on(ListTasksCommand).resolves({taskArns: ['1', '2', '3', '4'].map((id) => taskArn(id))})
    ecs.on(DescribeTasksCommand).resolves({tasks: ['1', '2', '3', '4'].map((id) => stoppedTask(id, 'service:api', `reason ${id}`, `2026-11-01T10:0${id}:00Z`))})
    const failed = deployment({id: 'ecs-svc/2', status: 'ACTIVE', taskDefinitionArn: taskDefinitionArn('teststack-api', 4), rolloutState: 'FAILED', desired: 0, running: 0})
    const rollback = deployment({id: 'ecs-svc/3', rolloutState: 'IN_PROGRESS', running: 1})

    const details = (await service.statusDetails!(testContext(), [observedService('api', {deployments: [rollback, failed]})])).get(serviceArn('api'))!

    expect(details.lines).toEqual([
      'deployment ecs-svc/3 (primary, teststack-api:3): IN_PROGRESS, running 1/2',
      'stopped recently: 1 task of teststack-api:4: reason 4',
      'stopped recently: 1 task of teststack-api:4: reason 3',
      'stopped recently: 1 task of teststack-api:4: reason 2',
      'stopped recently: 1 other reason (see --json)',
    ])
    expect(details.fields.lastDeployment).toMatchObject({id: 'ecs-svc/2', rolloutState: 'FAILED'})
    expect(details.fields.stoppedTasks).toHaveLength(4)
  })

  it('no stopped task: ListTasks only; a cluster gone meanwhile has none', async () => {
    ecs.on(ListTasksCommand, {cluster: clusterArn()}).resolves({taskArns: []})
    ecs.on(ListTasksCommand, {cluster: clusterArn('gone')}).rejects(ecsError(ClusterNotFoundException))

    const details = await service.statusDetails!(testContext(), [observedService('api'), observedService('web', {}, 'gone')])

    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0)
    expect([...details.values()].map((detail) => detail.lines)).toEqual([[], []])
  })
})

const observedCluster = (name: string, overrides: Partial<ClusterObserved> = {}): ClusterObserved => ({
  id: clusterArn(name),
  arn: clusterArn(name),
  name,
  status: 'ACTIVE',
  containerInsights: false,
  capacityProviders: [],
  defaultStrategy: [],
  activeServices: 1,
  runningTasks: 1,
  pendingTasks: 0,
  containerInstances: 1,
  ...overrides,
})

const containerInstance = (id: string, ec2InstanceId: string, overrides: Partial<ContainerInstance> = {}): ContainerInstance => ({
  containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/teststack-runner/${id}`,
  ec2InstanceId,
  status: 'ACTIVE',
  agentConnected: true,
  runningTasksCount: 1,
  pendingTasksCount: 0,
  registeredResources: [
    {name: 'CPU', type: 'INTEGER', integerValue: 2048},
    {name: 'MEMORY', type: 'INTEGER', integerValue: 3904},
  ],
  remainingResources: [
    {name: 'CPU', type: 'INTEGER', integerValue: 1024},
    {name: 'MEMORY', type: 'INTEGER', integerValue: 1856},
  ],
  ...overrides,
})

describe('ecs.cluster health and statusDetails', () => {
  it('health counts services, tasks and container instances', () => {
    expect(cluster.health!(observedCluster('teststack-runner', {runningTasks: 2, pendingTasks: 1, containerInstances: 2}))).toEqual({
      state: 'active',
      ready: true,
      detail: '1 services, 2 running tasks, 1 pending, 2 container instances',
    })
  })

  it('an EC2 cluster: ListContainerInstances and DescribeContainerInstances, each instance’s agent and free capacity; a Fargate one: no call', async () => {
    ecs.on(ListContainerInstancesCommand).resolves({containerInstanceArns: ['arn:1', 'arn:2']})
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [containerInstance('2222', 'i-0bbbbbbbbbbbbbbbb', {agentConnected: false, runningTasksCount: 0}), containerInstance('1111', 'i-0aaaaaaaaaaaaaaaa')],
    })
    const runner = observedCluster('teststack-runner', {containerInstances: 2})
    const fargate = observedCluster('teststack', {capacityProviders: ['FARGATE'], containerInstances: 0})

    const details = await cluster.statusDetails!(testContext(), [runner, fargate])

    expect(inputs(ListContainerInstancesCommand)).toEqual([{cluster: runner.arn, maxResults: 100}])
    expect(inputs(DescribeContainerInstancesCommand)).toEqual([{cluster: runner.arn, containerInstances: ['arn:1', 'arn:2']}])
    const ec2 = details.get(runner.id)!
    expect(ec2.lines).toEqual([
      'container instance i-0aaaaaaaaaaaaaaaa: ACTIVE, agent connected; tasks 1 running, 0 pending; CPU 1024/2048 free, memory 1856/3904 MiB free',
      'container instance i-0bbbbbbbbbbbbbbbb: ACTIVE, agent DISCONNECTED; tasks 0 running, 0 pending; CPU 1024/2048 free, memory 1856/3904 MiB free',
    ])
    expect(ec2.degraded).toBe('ECS agent disconnected on i-0bbbbbbbbbbbbbbbb')
    expect(ec2.fields).toMatchObject({launch: 'EC2', registeredContainerInstances: 2, capacity: {cpu: {registered: 4096, remaining: 2048}, memoryMiB: {registered: 7808, remaining: 3712}}})
    expect((ec2.fields.containerInstances as unknown[])[0]).toEqual({
      id: '1111',
      ec2InstanceId: 'i-0aaaaaaaaaaaaaaaa',
      status: 'ACTIVE',
      agentConnected: true,
      runningTasks: 1,
      pendingTasks: 0,
      cpu: {registered: 2048, remaining: 1024},
      memoryMiB: {registered: 3904, remaining: 1856},
    })
    expect(details.get(fargate.id)).toEqual({fields: {activeServices: 1, runningTasks: 1, pendingTasks: 0, registeredContainerInstances: 0, launch: 'FARGATE'}, lines: []})
  })

  it('an EC2 cluster with no instance registered says so, in one call', async () => {
    ecs.on(ListContainerInstancesCommand).resolves({containerInstanceArns: []})

    const details = (await cluster.statusDetails!(testContext(), [observedCluster('teststack-runner', {containerInstances: 0})])).get(clusterArn('teststack-runner'))!

    expect(ecs.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0)
    expect(details.lines).toEqual(['no container instances registered: tasks of the EC2 launch type cannot be placed'])
    expect(details.degraded).toBeUndefined()
  })
})
