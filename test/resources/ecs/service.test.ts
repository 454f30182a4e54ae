import {
  CreateServiceCommand,
  DeleteServiceCommand,
  type Deployment,
  DescribeServicesCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  type Service,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'
import type {ServiceDesired} from '../../../src/resources/ecs/desired.js'
import {clusterOfServiceArn, DeploymentFailedError, diffService, service, type ServiceObserved, updateInput} from '../../../src/resources/ecs/service.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {clusterArn, ecsError, ecsMock, ecsTags, serviceArn, taskDefinitionArn} from './ecs-mock.js'

const {ecs, inputs, mutations} = ecsMock()

const token = '0123456789abcdef0123456789abcdef'
const meta = {logicalId: 'service/api', token, tags: ownershipTags('service/api')}
const tgArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/teststack-api-1a2b3c4d/73e2d6bc24d8a067'
const desired: ServiceDesired = {
  name: 'api',
  clusterArn: clusterArn(),
  taskDefinitionArn: taskDefinitionArn('teststack-api', 1),
  desiredCount: 2,
  launchType: 'FARGATE',
  network: {subnetIds: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-1'], assignPublicIp: false},
  loadBalancers: [{targetGroupArn: tgArn, containerName: 'api', containerPort: 8080}],
  deployment: {circuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
  healthCheckGracePeriodSeconds: 30,
}
const deployment = (overrides: Partial<Deployment> = {}): Deployment => ({
  id: 'ecs-svc/1111111111111111111',
  status: 'PRIMARY',
  taskDefinition: taskDefinitionArn('teststack-api', 1),
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  failedTasks: 0,
  rolloutState: 'COMPLETED',
  ...overrides,
})
const awsService = (overrides: Partial<Service> = {}): Service => ({
  serviceArn: serviceArn(),
  serviceName: 'api',
  clusterArn: clusterArn(),
  status: 'ACTIVE',
  taskDefinition: taskDefinitionArn('teststack-api', 1),
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  launchType: 'FARGATE',
  networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-2', 'subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED'}},
  loadBalancers: [{targetGroupArn: tgArn, containerName: 'api', containerPort: 8080}],
  deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
  healthCheckGracePeriodSeconds: 30,
  enableExecuteCommand: false,
  deployments: [deployment()],
  events: [{id: 'e1', createdAt: new Date('2026-11-01T10:00:00Z'), message: '(service api) has reached a steady state.'}],
  tags: ecsTags('service/api'),
  ...overrides,
})

/** The service as `read` makes it from `awsService(overrides)`; the mock is reset after, for the test's own answers. */
async function observedOf(overrides: Partial<Service> = {}): Promise<ServiceObserved> {
  ecs.on(DescribeServicesCommand).resolvesOnce({services: [awsService(overrides)]})
  const observed = (await service.read(testContext(), [serviceArn()])).get(serviceArn())!
  ecs.reset()
  return observed
}

beforeEach(() => {
  ecs.reset()
})

describe('ecs.service read and diff', () => {
  it('reads by ARN, grouped by cluster, with tags; reads back as desired with no change', async () => {
    ecs.on(DescribeServicesCommand).resolves({services: [awsService()]})
    const observed = (await service.read(testContext(), [serviceArn()])).get(serviceArn())!

    expect(inputs(DescribeServicesCommand)[0]).toEqual({cluster: clusterArn(), services: [serviceArn()], include: ['TAGS']})
    expect(observed).toMatchObject({logicalId: 'service/api', stack: 'teststack', runningCount: 2})
    expect(diffService(desired, observed)).toEqual([])
    expect(service.health!(observed)).toEqual({state: 'running 2/2, pending 0', ready: true, detail: 'teststack-api:1, deployment COMPLETED'})
  })

  it('counts a DRAINING service (being deleted, no longer listed or updatable) as gone', async () => {
    ecs.on(DescribeServicesCommand).resolves({services: [awsService({status: 'DRAINING'})]})

    expect((await service.read(testContext(), [serviceArn()])).size).toBe(0)
  })

  it('takes the cluster from a service ARN', () => {
    expect(clusterOfServiceArn(serviceArn('api', 'teststack'))).toBe(clusterArn())
    expect(clusterOfServiceArn('arn:aws:ecs:us-east-1:123456789012:service/api')).toBeUndefined()
  })

  it('updates a new revision, count, network and deployment settings in place; a new name or cluster replaces', async () => {
    const observed = await observedOf()
    const next: ServiceDesired = {
      ...desired,
      taskDefinitionArn: taskDefinitionArn('teststack-api', 2),
      desiredCount: 3,
      network: {...desired.network!, assignPublicIp: true},
      deployment: {...desired.deployment, minimumHealthyPercent: 50},
    }

    expect(updateInput(next, observed)).toEqual({
      cluster: clusterArn(),
      service: 'api',
      taskDefinition: taskDefinitionArn('teststack-api', 2),
      desiredCount: 3,
      networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED'}},
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 50, maximumPercent: 200},
    })
    expect(diffService({...desired, name: 'api2', clusterArn: clusterArn('other')}, observed).map((change) => [change.field, change.replace])).toEqual([
      ['name', true],
      ['clusterArn', true],
    ])
  })

  it('compares only the fields DescribeServices returned: one it left out is no change (moto 5.2.2 drops four that CreateService took)', async () => {
    const wanted: ServiceDesired = {
      ...desired,
      launchType: undefined,
      capacityProviderStrategy: [{capacityProvider: 'teststack-runners', weight: 1, base: 0}],
      deployment: {circuitBreaker: {enable: false, rollback: false}, minimumHealthyPercent: 50, maximumPercent: 150},
      healthCheckGracePeriodSeconds: 60,
      enableExecuteCommand: true,
    }
    const dropped = {launchType: undefined, capacityProviderStrategy: undefined, deploymentConfiguration: undefined, healthCheckGracePeriodSeconds: undefined, enableExecuteCommand: undefined}

    expect(diffService(wanted, await observedOf(dropped))).toEqual([])
    expect(updateInput(wanted, await observedOf(dropped))).toBeUndefined()
    // Returned (as AWS always does), each is compared.
    expect(diffService(wanted, await observedOf({launchType: undefined, capacityProviderStrategy: [{capacityProvider: 'FARGATE', weight: 1, base: 0}]})).map((change) => change.field)).toEqual([
      'capacityProviderStrategy',
      'deployment.circuitBreaker',
      'deployment.minimumHealthyPercent',
      'deployment.maximumPercent',
      'healthCheckGracePeriodSeconds',
      'enableExecuteCommand',
    ])
  })
})

describe('ecs.service create', () => {
  it('creates with the client token, tags propagated to tasks, and the circuit breaker', async () => {
    ecs.on(CreateServiceCommand).resolves({service: awsService({tags: undefined})})

    const made = await service.create(testContext(), desired, meta)

    expect(inputs(CreateServiceCommand)[0]).toMatchObject({
      cluster: clusterArn(),
      serviceName: 'api',
      launchType: 'FARGATE',
      clientToken: token,
      propagateTags: 'SERVICE',
      tags: ecsTags('service/api'),
      deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
      networkConfiguration: {awsvpcConfiguration: {subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED'}},
    })
    expect(made).toMatchObject({arn: serviceArn(), logicalId: 'service/api', stack: 'teststack'})
  })

  it("adopts its own service of that name made with another token; refuses another stack's", async () => {
    ecs.on(CreateServiceCommand).rejects(ecsError(InvalidParameterException, 'Creation of service was not idempotent.'))
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({services: [awsService({desiredCount: 1})]})
      .resolvesOnce({services: [awsService({tags: ecsTags('service/api', 'otherstack')})]})
    ecs.on(UpdateServiceCommand).resolves({service: awsService()})

    const adopted = await service.create(testContext(), desired, meta)
    expect(adopted.desiredCount).toBe(2)
    expect(inputs(UpdateServiceCommand)).toEqual([{cluster: clusterArn(), service: 'api', desiredCount: 2}])

    await expect(service.create(testContext(), desired, meta)).rejects.toThrow('ECS service api already exists and is service/api of stack otherstack')
  })
})

describe('ecs.service waitReady', () => {
  it('waits for the rollout to complete, saying running/desired and pending', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({services: [awsService({runningCount: 0, pendingCount: 2, deployments: [deployment({runningCount: 0, pendingCount: 2, rolloutState: 'IN_PROGRESS'})]})]})
      .resolvesOnce({services: [awsService({runningCount: 1, pendingCount: 1, deployments: [deployment({runningCount: 1, pendingCount: 1, rolloutState: 'IN_PROGRESS'})]})]})
      .resolves({services: [awsService()]})
    const ctx = testContext()
    const created = await (async () => {
      ecs.on(CreateServiceCommand).resolves({service: awsService({runningCount: 0, deployments: [deployment({runningCount: 0, rolloutState: 'IN_PROGRESS'})]})})
      return service.create(ctx, desired, meta)
    })()

    const ready = await service.waitReady!(ctx, created)

    expect(ready.runningCount).toBe(2)
    expect(ctx.messages).toEqual(['waiting for service api deployment: running 0/2 (pending 2) in progress, 0s', 'waiting for service api deployment: running 1/2 (pending 1) in progress, 5s'])
  })

  it('fails a rolled-back deployment with its stopped tasks’ reasons and the last events', async () => {
    const updated = {...(await observedOf()), taskDefinitionArn: taskDefinitionArn('teststack-api', 2)}
    const failed = deployment({
      id: 'ecs-svc/2222222222222222222',
      status: 'ACTIVE',
      taskDefinition: taskDefinitionArn('teststack-api', 2),
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      runningCount: 0,
      failedTasks: 3,
    })
    const rollback = deployment({id: 'ecs-svc/3333333333333333333', rolloutState: 'IN_PROGRESS'})
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        awsService({
          deployments: [rollback, failed],
          events: [
            {createdAt: new Date('2026-11-01T10:05:00Z'), message: '(service api) (deployment ecs-svc/2222222222222222222) deployment failed: tasks failed to start.'},
            {createdAt: new Date('2026-11-01T10:04:00Z'), message: '(service api) has started 2 tasks: (task aaa) (task bbb).'},
          ],
        }),
      ],
    })
    ecs.on(ListTasksCommand).resolves({taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/teststack/aaa', 'arn:aws:ecs:us-east-1:123456789012:task/teststack/old']})
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/teststack/aaa',
          taskDefinitionArn: taskDefinitionArn('teststack-api', 2),
          stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm',
          containers: [{name: 'api', reason: 'CannotPullContainerError: pull access denied'}],
        },
        // A task of another revision (scaled in long ago) is not this failure's.
        {taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/teststack/old', taskDefinitionArn: taskDefinitionArn('teststack-api', 1), stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)'},
      ],
    })

    const error = (await service.waitReady!(testContext(), updated).catch((caught: unknown) => caught)) as Error

    expect(error).toBeInstanceOf(DeploymentFailedError)
    expect(error.message).toBe(
      [
        'service api: the deployment of teststack-api:2 failed: ECS deployment circuit breaker: tasks failed to start. (rolled back to teststack-api:1)',
        'stopped tasks:',
        '  task aaa: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm; container api: CannotPullContainerError: pull access denied',
        'last events:',
        '  2026-11-01T10:05:00.000Z (service api) (deployment ecs-svc/2222222222222222222) deployment failed: tasks failed to start.',
        '  2026-11-01T10:04:00.000Z (service api) has started 2 tasks: (task aaa) (task bbb).',
      ].join('\n'),
    )
    expect(inputs(ListTasksCommand)).toEqual([{cluster: clusterArn(), serviceName: 'api', desiredStatus: 'STOPPED'}])
  })

  it("takes a service steady on the new revision when no deployment is of it (moto 5.2.2's UpdateService starts none; AWS always does)", async () => {
    const revision2 = taskDefinitionArn('teststack-api', 2)
    // What moto's UpdateService answers: the service's taskDefinition moved, its one deployment still of revision 1.
    const updated = {...(await observedOf()), taskDefinitionArn: revision2}
    // Not steady: fewer running than desired, tasks pending, or the old deployment still draining beside another.
    const unsteady: ServiceObserved[] = []
    for (const overrides of [{runningCount: 1}, {pendingCount: 1}, {deployments: [deployment(), deployment({id: 'ecs-svc/2', status: 'ACTIVE'})]}])
      unsteady.push(await observedOf({taskDefinition: revision2, ...overrides}))
    ecs.on(DescribeServicesCommand).resolves({services: [awsService({taskDefinition: revision2})]})

    const ready = await service.waitReady!(testContext(), updated)

    expect(ready.taskDefinitionArn).toBe(revision2)
    expect(service.health!(ready).ready).toBe(true)
    expect(unsteady.map((observed) => service.health!(observed).ready)).toEqual([false, false, false])
  })

  it('fails when the deployment it saw is gone and another revision is PRIMARY (a rollback finished between polls)', async () => {
    const updated = {...(await observedOf()), taskDefinitionArn: taskDefinitionArn('teststack-api', 2)}
    ecs.on(DescribeServicesCommand).resolves({services: [awsService()]})
    ecs.on(ListTasksCommand).resolves({taskArns: []})
    updated.deployments = [{...updated.deployments[0]!, taskDefinitionArn: taskDefinitionArn('teststack-api', 2), rolloutState: 'IN_PROGRESS'}]

    await expect(service.waitReady!(testContext(), updated)).rejects.toThrow('service api: the deployment of teststack-api:2 failed (rolled back to teststack-api:1)')
  })
})

describe('ecs.service delete', () => {
  it('scales to 0, deletes with force, and waits until it is INACTIVE and its tasks STOPPED', async () => {
    const observed = await observedOf()
    const task = 'arn:aws:ecs:us-east-1:123456789012:task/teststack/aaa'
    ecs.on(ListTasksCommand).resolves({taskArns: [task]})
    ecs.on(UpdateServiceCommand).resolves({})
    ecs.on(DeleteServiceCommand).resolves({})
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({services: [awsService({status: 'DRAINING'})]})
      .resolves({services: [awsService({status: 'INACTIVE'})]})
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({tasks: [{taskArn: task, lastStatus: 'DEPROVISIONING'}]})
      .resolves({tasks: [{taskArn: task, lastStatus: 'STOPPED'}]})
    const ctx = testContext()

    await service.delete(ctx, observed, keepData)

    expect(mutations()).toEqual(['UpdateService', 'DeleteService'])
    expect(inputs(UpdateServiceCommand)).toEqual([{cluster: clusterArn(), service: serviceArn(), desiredCount: 0}])
    expect(inputs(DeleteServiceCommand)).toEqual([{cluster: clusterArn(), service: serviceArn(), force: true}])
    expect(ctx.messages).toEqual(['waiting for service api to be deleted: draining, 1 tasks not stopped, 0s'])
  })

  it('counts a service already gone as deleted', async () => {
    const observed = await observedOf()
    ecs.on(ListTasksCommand).rejects(ecsError(ServiceNotFoundException))
    ecs.on(UpdateServiceCommand).rejects(ecsError(ServiceNotFoundException))
    ecs.on(DescribeServicesCommand).resolves({services: [], failures: [{arn: serviceArn(), reason: 'MISSING'}]})

    await service.delete(testContext(), observed, keepData)

    expect(mutations()).toEqual(['UpdateService'])
  })
})
