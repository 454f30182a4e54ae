import {
  AccessDeniedException,
  ClientException,
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  InvalidParameterException,
  ServerException,
  ServiceNotActiveException,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {awsError} from '../../helpers/ec2-mock.js'
import {ecsError} from './ecs-mock.js'

/** What every ECS kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const ecsKinds = registry.kinds().filter((kind) => kind.startsWith('ecs.'))

describe('the ECS kinds', () => {
  it('are registered', () => {
    expect(ecsKinds.sort()).toEqual(['ecs.capacity-provider', 'ecs.cluster', 'ecs.service', 'ecs.task-definition'])
  })
})

describe.each(ecsKinds)('%s', (kind) => {
  it.each([
    ['ClusterNotFoundException', ecsError(ClusterNotFoundException), 'not-found'],
    ['ServiceNotFoundException', ecsError(ServiceNotFoundException), 'not-found'],
    ['ServiceNotActiveException', ecsError(ServiceNotActiveException), 'not-found'],
    ['ClusterContainsServicesException', ecsError(ClusterContainsServicesException), 'in-use'],
    ['ClusterContainsTasksException', ecsError(ClusterContainsTasksException), 'in-use'],
    ['ClusterContainsContainerInstancesException', ecsError(ClusterContainsContainerInstancesException), 'in-use'],
    ['ServerException', ecsError(ServerException), 'retryable'],
    // A role IAM has not propagated to ECS yet.
    ['ClientException: Role is not valid', ecsError(ClientException, 'Role is not valid'), 'not-yet-visible'],
    [
      'InvalidParameterException: Unable to assume role',
      ecsError(InvalidParameterException, 'Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.'),
      'not-yet-visible',
    ],
    ['InvalidParameterException: service linked role', ecsError(InvalidParameterException, 'Unable to assume the service linked role. Please verify that the ECS service linked role exists.'), 'not-yet-visible'],
    [
      'AccessDeniedException on iam:PassRole',
      ecsError(AccessDeniedException, 'User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/teststack-execution'),
      'not-yet-visible',
    ],
    // A cluster whose capacity providers were detached moments ago (terraform-provider-aws#45794).
    ['ClientException: cannot be deleted while', ecsError(ClientException, 'The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster'), 'in-use'],
    // A service of that name deleted moments ago, still draining its tasks.
    ['InvalidParameterException: still Draining', ecsError(InvalidParameterException, 'Unable to Start a service that is still Draining.'), 'retryable'],
    // Mistakes that retrying cannot mend.
    ['InvalidParameterException: other', ecsError(InvalidParameterException, 'Creation of service was not idempotent.'), undefined],
    ['ClientException: other', ecsError(ClientException, 'No Fargate configuration exists for given values.'), undefined],
    ['AccessDeniedException: other', ecsError(AccessDeniedException, 'User is not authorized to perform: ecs:CreateCluster'), undefined],
    ['EC2 DependencyViolation', awsError('DependencyViolation'), undefined],
    ['a plain error', new Error('plain'), undefined],
  ])("classifies ECS's %s", async (_name, error, expected) => {
    expect((await registry.get(kind)).classifyError(error)).toBe(expected)
  })

  it('is idempotent on create: a retried create makes no second object', async () => {
    expect((await registry.get(kind)).idempotentCreate).toBe(true)
  })
})

describe('ecs.service', () => {
  it('is waited for after every create and update, with a wait bound of its own', async () => {
    const reconciler = await registry.get('ecs.service')
    expect(reconciler.readyWhen).toBe('always')
    expect(reconciler.waitTimeoutMs).toBe(20 * 60_000)
  })
})
