import {isIamPropagationError} from '../iam/errors.js'
import {errorCode} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * EC2's error codes, classified once for every EC2 kind (as
 * terraform-provider-aws does in internal/service/ec2/errors.go). EC2 has no
 * modeled exceptions: the SDK raises EC2ServiceException whose `name` is the
 * query-API code.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */

/** The object named by the call (or one it references) does not exist, or is not visible yet. */
export const EC2_NOT_FOUND_CODES = new Set([
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidInternetGatewayID.NotFound',
  'InvalidAllocationID.NotFound',
  'InvalidAddress.NotFound',
  'InvalidAssociationID.NotFound',
  'NatGatewayNotFound',
  'InvalidNatGatewayID.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidRoute.NotFound',
  'InvalidGatewayID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidSecurityGroupRuleId.NotFound',
  'InvalidPermission.NotFound',
  'InvalidVpcEndpointId.NotFound',
  'InvalidVpcEndpoint.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidPrefixListId.NotFound',
  // EC2 capacity (launch templates, instances).
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidInstanceID.NotFound',
  'InvalidAMIID.NotFound',
])

/**
 * A delete refused because something still uses the object: ENIs draining,
 * a NAT gateway still `deleting` holding its address, another group's rule.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReleaseAddress.html
 */
export const EC2_IN_USE_CODES = new Set(['DependencyViolation', 'InvalidIPAddress.InUse', 'AuthFailure.AddressInUse', 'InvalidGroup.InUse'])

/** Transient states worth another try. */
export const EC2_RETRYABLE_CODES = new Set(['IncorrectState', 'IncorrectInstanceState', 'InternalError', 'ServiceUnavailable'])

export function isEc2NotFound(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && EC2_NOT_FOUND_CODES.has(code)
}

export function classifyEc2Error(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  // An instance profile made moments ago that EC2 does not see yet (RunInstances, CreateLaunchTemplate).
  if (isIamPropagationError(error)) return 'not-yet-visible'
  if (EC2_NOT_FOUND_CODES.has(code)) return 'not-found'
  if (EC2_IN_USE_CODES.has(code)) return 'in-use'
  if (EC2_RETRYABLE_CODES.has(code)) return 'retryable'
  return undefined
}
