import {isIamPropagationError} from '../iam/errors.js'
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
  // A role made seconds ago that ECS cannot see yet (see isIamPropagationError).
  if (isIamPropagationError(error)) return 'not-yet-visible'
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
