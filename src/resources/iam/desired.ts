/**
 * Desired properties of the IAM kinds, as reconcilers receive them (refs
 * resolved to ARNs and names). IAM is global: one role serves every region
 * of the account, so names carry the stack (`<stack>-<purpose>`).
 */

/** One statement of an IAM policy, as written (a single Action or Resource string, or a list). */
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Principal?: '*' | Record<string, string | string[]>
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  NotResource?: string | string[]
  /** operator → condition key → value(s): `{StringEquals: {'aws:SourceAccount': '123456789012'}}`. */
  Condition?: Record<string, Record<string, string | string[]>>
}

/** An IAM policy document (identity-based or trust policy). */
export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

/** `iam.role`. Outputs: id (= name), arn, name. */
export interface RoleDesired {
  /**
   * Unique per account (IAM is global), ≤ 64 characters of letters, digits
   * and `+=,.@_-`; immutable (a new name is a new role: replacement).
   */
  name: string
  /** ≤ 1000 characters. Changed in place (UpdateRole). */
  description?: string
  /**
   * The AWS services that may assume it (`ecs-tasks.amazonaws.com`,
   * `ec2.amazonaws.com`): the trust policy is built from them (policies.ts,
   * trustPolicy). Changed in place (UpdateAssumeRolePolicy).
   */
  assumeRoleServices: string[]
  /** ARNs of managed policies (AWS's or the account's) attached to it. Changed in place (Attach/DetachRolePolicy). */
  managedPolicyArns: string[]
  /** Inline policies by name. Changed in place (Put/DeleteRolePolicy). */
  inlinePolicies: Record<string, PolicyDocument>
}

/** `iam.instance-profile`: what EC2 instances get their role's credentials through. Outputs: id (= name), arn, name. */
export interface InstanceProfileDesired {
  /** Unique per account, ≤ 128 characters; immutable. */
  name: string
  /** The one role it holds ("an instance profile can contain only one IAM role"). Changed in place. */
  roleName: string
}
