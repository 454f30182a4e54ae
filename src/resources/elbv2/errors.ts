import {errorCode} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * Elastic Load Balancing (v2)'s error codes, classified once for every ELBv2
 * kind. On the wire (the query protocol) the code is `LoadBalancerNotFound`;
 * the SDK raises the modeled class `LoadBalancerNotFoundException` with that
 * code in `Code` and the class name in `name`. An error built from the class
 * alone (a test's mock) has only the name, so the code is the name less its
 * `Exception` suffix, which for every code below is the wire code.
 * Codes per operation: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Operations.html
 * Common errors (Throttling, ValidationError…): https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
 */

/**
 * The object named by the call, or one it references, does not exist. On read
 * and delete that means gone; on a create right after the subnet, group or
 * certificate was made, not visible yet (the engine retries briefly).
 * `InvalidSecurityGroup` is "The specified security group does not exist"
 * (API_CreateLoadBalancer, API_SetSecurityGroups).
 */
export const ELBV2_NOT_FOUND_CODES = new Set(['LoadBalancerNotFound', 'TargetGroupNotFound', 'ListenerNotFound', 'RuleNotFound', 'SubnetNotFound', 'InvalidSecurityGroup'])

/**
 * The object this kind's own calls name is gone: for read and delete. Narrower
 * than ELBV2_NOT_FOUND_CODES: a subnet that does not exist is not a gone
 * load balancer.
 */
export const ELBV2_GONE_CODES = new Set(['LoadBalancerNotFound', 'TargetGroupNotFound', 'ListenerNotFound', 'RuleNotFound'])

/**
 * A certificate issued moments ago may be refused for a while: "if you
 * recently uploaded the certificate to IAM, this error might indicate that the
 * certificate is not fully available yet" (API_CreateListener, CertificateNotFound).
 */
export const ELBV2_NOT_YET_VISIBLE_CODES = new Set(['CertificateNotFound'])

/**
 * A delete refused because something still uses the object: a target group
 * a listener or rule still forwards to (API_DeleteTargetGroup: "You can
 * delete a target group if it is not referenced by any actions").
 */
export const ELBV2_IN_USE_CODES = new Set(['ResourceInUse'])

/** Transient states worth another try (5xx: the SDK retries those first). */
export const ELBV2_RETRYABLE_CODES = new Set(['InternalFailure', 'ServiceUnavailable', 'InsufficientCapacity', 'PriorRequestNotComplete'])

/**
 * Conflicts the kinds handle themselves and never classify (retrying the same
 * call cannot succeed):
 * - a name another object holds with other settings (a create with the same
 *   settings returns the existing object: "This operation is idempotent",
 *   API_CreateLoadBalancer, API_CreateTargetGroup, API_CreateListener);
 * - a rule priority another rule holds (API_CreateRule, API_SetRulePriorities);
 * - deletion protection refusing DeleteLoadBalancer (OperationNotPermitted).
 */
export const DUPLICATE_LOAD_BALANCER_NAME = 'DuplicateLoadBalancerName'
export const DUPLICATE_TARGET_GROUP_NAME = 'DuplicateTargetGroupName'
export const DUPLICATE_LISTENER = 'DuplicateListener'
export const PRIORITY_IN_USE = 'PriorityInUse'
export const OPERATION_NOT_PERMITTED = 'OperationNotPermitted'

/** The ELBv2 code of an error: its wire code, or its modeled class's name less `Exception`. */
export function elbv2Code(error: unknown): string | undefined {
  return errorCode(error)?.replace(/Exception$/, '')
}

export function hasElbv2Code(error: unknown, ...codes: string[]): boolean {
  const code = elbv2Code(error)
  return code !== undefined && codes.includes(code)
}

/** The object a read or delete names is gone (see ELBV2_GONE_CODES). */
export function isElbv2Gone(error: unknown): boolean {
  const code = elbv2Code(error)
  return code !== undefined && ELBV2_GONE_CODES.has(code)
}

export function classifyElbv2Error(error: unknown): ErrorClass | undefined {
  const code = elbv2Code(error)
  if (code === undefined) return undefined
  if (ELBV2_NOT_FOUND_CODES.has(code)) return 'not-found'
  if (ELBV2_NOT_YET_VISIBLE_CODES.has(code)) return 'not-yet-visible'
  if (ELBV2_IN_USE_CODES.has(code)) return 'in-use'
  if (ELBV2_RETRYABLE_CODES.has(code)) return 'retryable'
  return undefined
}
