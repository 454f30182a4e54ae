import {isIamPropagationError} from '../iam/errors.js'
import {errorCode, errorMessage} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * Amazon EC2 Auto Scaling's error codes. A query API like ELBv2: on the wire
 * `ResourceInUse`, which the SDK raises as the modeled `ResourceInUseFault`
 * (with `Code` set to the wire code); an error built from the class alone (a
 * test's mock) has only the class name. Both spellings are listed.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html
 */
function both(...codes: string[]): Set<string> {
  return new Set(codes.flatMap((code) => [code, `${code}Fault`]))
}

/**
 * A delete refused while the group still has instances or scaling activity
 * (without ForceDelete), or an update refused while an activity runs.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html
 */
export const AUTOSCALING_IN_USE_CODES = both('ResourceInUse', 'ScalingActivityInProgress')

/** Another request is changing the same group ("You already have a pending update"): retried. */
export const AUTOSCALING_RETRYABLE_CODES = both('ResourceContention', 'InstanceRefreshInProgress')

/**
 * DescribeAutoScalingGroups answers an unknown name with no group (no error);
 * calls on a group answer ValidationError "AutoScalingGroup name not found".
 */
export function isGroupNotFound(error: unknown): boolean {
  if (errorCode(error) !== 'ValidationError') return false
  const message = error instanceof Error ? error.message : ''
  return /not found/i.test(message)
}

export function classifyAutoScalingError(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  if (isGroupNotFound(error)) return 'not-found'
  if (AUTOSCALING_IN_USE_CODES.has(code)) return 'in-use'
  if (AUTOSCALING_RETRYABLE_CODES.has(code)) return 'retryable'
  // The launch template made moments ago is not visible yet ("The specified launch template … does not
  // exist"), nor its instance profile (see isIamPropagationError).
  if (isIamPropagationError(error)) return 'not-yet-visible'
  if (code === 'ValidationError' && /launch template/i.test(errorMessage(error))) return 'not-yet-visible'
  return undefined
}
