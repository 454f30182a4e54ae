import {errorCode, errorMessage} from '../../aws/errors.js'
import type {ErrorClass, InUseBy} from '../types.js'

/**
 * Amazon ECS's error codes, classified once for every ECS kind. ECS speaks
 * JSON: the SDK raises the modeled class (`ClusterNotFoundException`…) whose
 * name is the wire code, so a test's error built from the class and one
 * deserialized from the wire look alike.
 * Common errors: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 * Per operation: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Operations.html
 */

/** The object named by the call (or one it references) does not exist. */
export const ECS_NOT_FOUND_CODES = new Set(['ClusterNotFoundException', 'ServiceNotFoundException', 'ServiceNotActiveException', 'TaskSetNotFoundException'])

/**
 * A cluster still holding something (API_DeleteCluster): "You must deregister
 * all container instances from this cluster before you may delete it", and the
 * same for services and tasks. Also ResourceInUseException (a capacity
 * provider a cluster still uses, API_DeleteCapacityProvider).
 */
export const ECS_IN_USE_CODES = new Set([
  'ClusterContainsServicesException',
  'ClusterContainsTasksException',
  'ClusterContainsContainerInstancesException',
  'ClusterContainsCapacityProviderException',
  'ResourceInUseException',
])

/** Transient: ServerException (5xx), UpdateInProgressException (another update of the object is under way). */
export const ECS_RETRYABLE_CODES = new Set(['ServerException', 'UpdateInProgressException'])

/**
 * What a role made seconds ago looks like to ECS before IAM has propagated it
 * (IAM is eventually consistent:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency):
 * - RegisterTaskDefinition: `ClientException: Role is not valid`;
 * - CreateService with a load balancer: `InvalidParameterException: Unable to
 *   assume role and validate the specified targetGroupArn`;
 * - CreateCluster/CreateService right after the service-linked role was made:
 *   `InvalidParameterException: Unable to assume the service linked role`;
 * - `AccessDeniedException: … is not authorized to perform: iam:PassRole on
 *   resource: <the role just made>` (terraform-aws-modules/terraform-aws-ecs#414).
 * The iam slice writes `isIamPropagationError` (src/resources/iam/errors.ts);
 * this small check stands in until the lead merges the two.
 */
const IAM_PROPAGATION_MESSAGES = [/role is not valid/i, /unable to assume (the )?(service linked )?role/i, /not authorized to perform: iam:PassRole/i]

export function isEcsIamPropagationError(error: unknown): boolean {
  const code = errorCode(error)
  if (code !== 'ClientException' && code !== 'InvalidParameterException' && code !== 'AccessDeniedException') return false
  const message = errorMessage(error)
  return IAM_PROPAGATION_MESSAGES.some((pattern) => pattern.test(message))
}

export function hasEcsCode(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error)
  return code !== undefined && codes.includes(code)
}

/** The object a read or delete names is gone. */
export function isEcsGone(error: unknown, ...codes: string[]): boolean {
  return hasEcsCode(error, ...(codes.length > 0 ? codes : [...ECS_NOT_FOUND_CODES]))
}

/**
 * CreateService of a name whose deleted service still drains its tasks:
 * `InvalidParameterException: Unable to Start a service that is still
 * Draining.` It can be made once the old one is INACTIVE.
 */
export function isServiceStillDraining(error: unknown): boolean {
  return hasEcsCode(error, 'InvalidParameterException') && /still draining/i.test(errorMessage(error))
}

export function classifyEcsError(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  if (ECS_NOT_FOUND_CODES.has(code)) return 'not-found'
  if (isEcsIamPropagationError(error)) return 'not-yet-visible'
  if (isServiceStillDraining(error)) return 'retryable'
  // DeleteCluster right after its capacity providers were removed: "The Cluster cannot be deleted while
  // Cluster Scoped Capacity Providers are attached to the cluster" (terraform-provider-aws#45794).
  if (code === 'ClientException' && /cannot be deleted while/i.test(errorMessage(error))) return 'in-use'
  if (ECS_IN_USE_CODES.has(code)) return 'in-use'
  if (ECS_RETRYABLE_CODES.has(code)) return 'retryable'
  return undefined
}

/** An in-use error that names who holds the object (see InUseBy). */
export function withHolder<E>(error: E, holder: string | undefined): E & InUseBy {
  if (holder && typeof error === 'object' && error !== null) Object.assign(error, {inUseBy: holder})
  return error as E & InUseBy
}
