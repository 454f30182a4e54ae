import {errorCode, errorMessage} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * IAM's error codes, classified once for both IAM kinds. On the wire (the
 * query protocol) the code is `NoSuchEntity`; the SDK raises the modeled
 * class `NoSuchEntityException` with that code in `Code`. An error built from
 * the class alone (a test's mock) has only the name: the code is then the
 * name less its `Exception` suffix, which for every code below is the wire code.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html (errors per operation)
 */

/**
 * The entity named, or one the call references, does not exist. On read and
 * delete that means gone; right after the role was made (an instance profile
 * given its role), not visible yet: IAM is eventually consistent.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
 */
export const NO_SUCH_ENTITY = 'NoSuchEntity'

/**
 * "The request was rejected because it attempted to delete a resource that
 * has attached subordinate entities": a role with policies or in an instance
 * profile, a profile that still holds a role (API_DeleteRole,
 * API_DeleteInstanceProfile). The kinds remove those first; one that comes
 * back (another run, a person) is waited out.
 */
export const DELETE_CONFLICT = 'DeleteConflict'

/**
 * Transient: "multiple requests to change this object were submitted
 * simultaneously" (ConcurrentModification), "the request processing has
 * failed because of an unknown error" (ServiceFailure), an entity deleted
 * and made again moments ago (EntityTemporarilyUnmodifiable).
 */
export const IAM_RETRYABLE_CODES = new Set(['ConcurrentModification', 'ServiceFailure', 'EntityTemporarilyUnmodifiable'])

/**
 * Handled by the kinds, never classified (retrying the same call cannot succeed):
 * - a name another entity holds (EntityAlreadyExists): adopted when its tags
 *   say this very create made it, refused otherwise;
 * - a second role in an instance profile (LimitExceeded: "an instance profile
 *   can contain only one role");
 * - a policy IAM will not accept (MalformedPolicyDocument), a bad input (InvalidInput).
 */
export const ENTITY_ALREADY_EXISTS = 'EntityAlreadyExists'
export const LIMIT_EXCEEDED = 'LimitExceeded'

/** The IAM code of an error: its wire code, or its modeled class's name less `Exception`. */
export function iamCode(error: unknown): string | undefined {
  return errorCode(error)?.replace(/Exception$/, '')
}

export function hasIamCode(error: unknown, ...codes: string[]): boolean {
  const code = iamCode(error)
  return code !== undefined && codes.includes(code)
}

/** The entity a read or delete names is gone. */
export function isIamGone(error: unknown): boolean {
  return hasIamCode(error, NO_SUCH_ENTITY)
}

export function classifyIamError(error: unknown): ErrorClass | undefined {
  const code = iamCode(error)
  if (code === undefined) return undefined
  if (code === NO_SUCH_ENTITY) return 'not-found'
  if (code === DELETE_CONFLICT) return 'in-use'
  if (IAM_RETRYABLE_CODES.has(code)) return 'retryable'
  return undefined
}

/**
 * What other services say about a role or instance profile IAM made moments
 * ago and they cannot use yet ("a new role is visible to IAM at once but
 * other services refuse it for seconds": IAM's control plane is in
 * us-east-1, its data planes elsewhere learn of changes later).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
 * Each pattern with the code it comes with, as the services answer:
 * - ECS RegisterTaskDefinition: `ClientException` "Role is not valid"
 *   (terraform-provider-aws retries it: internal/service/ecs/task_definition.go);
 * - ECS CreateService / UpdateService / CreateCluster: `InvalidParameterException`
 *   "Unable to assume role and validate the listeners configured on your load
 *   balancer…", "…verify that the ECS service role being passed has the proper
 *   permissions", "Unable to assume the service linked role…"
 *   (hashicorp/terraform#4375, #2869; terraform-provider-aws ecs/cluster.go retryClusterCreate);
 *   a task that fails to start says "ECS was unable to assume the role '…' that
 *   was provided for this task" (pulumi/pulumi-awsx#927, in service events);
 * - EC2 RunInstances / CreateLaunchTemplate's validation, Auto Scaling through
 *   a launch template: `InvalidParameterValue` / `ValidationError` "Value (…)
 *   for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance
 *   Profile name" (or `.arn` … "Invalid IAM Instance Profile ARN")
 *   (aws/aws-sdk-js-v3#5253, terraform-provider-aws#27516);
 * - Auto Scaling launch configurations: `ValidationError` "Invalid IamInstanceProfile: …"
 *   (spinnaker/clouddriver#883).
 * A role or profile that does not exist at all gets the same answers: a
 * caller that retries these gives up after its bound, with AWS's message.
 */
const PROPAGATION_ERRORS: {codes: string[]; message: RegExp}[] = [
  {codes: ['ClientException'], message: /Role is not valid/i},
  {
    codes: ['InvalidParameterException'],
    message: /unable to assume (?:the )?role|unable to assume the service linked role|verify that the ECS service role being passed has the proper permissions/i,
  },
  {codes: ['InvalidParameterValue', 'ValidationError', 'InvalidParameterCombination'], message: /Invalid IAM Instance Profile (?:name|ARN)|Invalid IamInstanceProfile/i},
  // Passing a role made moments ago: `… is not authorized to perform: iam:PassRole on resource: <the role>`
  // (terraform-aws-modules/terraform-aws-ecs#414).
  {codes: ['AccessDeniedException'], message: /not authorized to perform: iam:PassRole/i},
]

/**
 * Whether another service (ECS, EC2, Auto Scaling) refused a role or instance
 * profile it cannot see yet: the ECS and EC2 kinds classify these
 * `not-yet-visible`, so the engine retries the call for a while.
 */
export function isIamPropagationError(error: unknown): boolean {
  const code = errorCode(error)
  if (code === undefined) return false
  const message = errorMessage(error)
  return PROPAGATION_ERRORS.some((known) => known.codes.includes(code) && known.message.test(message))
}
