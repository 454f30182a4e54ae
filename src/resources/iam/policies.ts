import type {PolicyDocument, PolicyStatement} from './desired.js'

/**
 * Policy documents: the least-privilege ones the graph gives roles (pure
 * builders), and how documents IAM returns are read and compared.
 */

export const POLICY_VERSION = '2012-10-17'

/** The trust policy letting `services` assume the role (`ecs-tasks.amazonaws.com`, `ec2.amazonaws.com`). */
export function trustPolicy(services: readonly string[]): PolicyDocument {
  const principals = [...new Set(services)].sort()
  return {
    Version: POLICY_VERSION,
    Statement: [{Effect: 'Allow', Principal: {Service: principals.length === 1 ? principals[0]! : principals}, Action: 'sts:AssumeRole'}],
  }
}

export interface TaskExecutionPolicyInput {
  /** The ECR repositories the tasks' images come from. */
  repositoryArns: readonly string[]
  /** The log groups the awslogs driver writes to (with or without the `:*` DescribeLogGroups puts at the end of `arn`). */
  logGroupArns: readonly string[]
  /** The SSM parameters the task definitions' `secrets` name. */
  parameterArns: readonly string[]
  /** The KMS key of SecureString parameters, when it is not the account's `aws/ssm` key (that one needs no grant). */
  kmsKeyArn?: string
}

/**
 * What the ECS agent needs of a task's execution role: pull the images, write
 * the logs, read the secrets; nothing else (a narrower
 * AmazonECSTaskExecutionRolePolicy, whose resources are all `*`).
 * - `ecr:GetAuthorizationToken` is granted on `*`: it names no repository and
 *   "does not support resource-level permissions"
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html);
 * - image layers on the repositories themselves;
 * - `logs:CreateLogStream` / `logs:PutLogEvents` act on log streams: `<group arn>:*`
 *   covers the group's streams (`…:log-group:<name>:log-stream:<stream>`);
 * - `ssm:GetParameters` on the parameters, and `kms:Decrypt` on a customer key only
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
 */
export function taskExecutionPolicy(input: TaskExecutionPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [{Sid: 'EcrAuthorization', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*'}]
  if (input.repositoryArns.length > 0) {
    statements.push({Sid: 'EcrPull', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: sortedUnique(input.repositoryArns)})
  }
  if (input.logGroupArns.length > 0) {
    statements.push({
      Sid: 'Logs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: sortedUnique(input.logGroupArns.map((arn) => (typeof arn === 'string' ? `${arn.replace(/:\*$/, '')}:*` : arn))),
    })
  }
  if (input.parameterArns.length > 0) {
    statements.push({Sid: 'Secrets', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: sortedUnique(input.parameterArns)})
  }
  if (input.kmsKeyArn) statements.push({Sid: 'SecretsKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: input.kmsKeyArn})
  return {Version: POLICY_VERSION, Statement: statements}
}

/** An AWS managed policy's ARN in a partition (`aws`, `aws-cn`, `aws-us-gov`). */
export function awsManagedPolicyArn(path: string, partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/${path}`
}

/**
 * The managed policies of the EC2 instance role of an ECS-on-EC2 cluster:
 * what the ECS container agent needs (register the instance, poll for tasks,
 * send logs: AmazonEC2ContainerServiceforEC2Role), plus ECR read access for
 * the instance's own pulls (the credential helper, the runner's images).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
 */
export function ecsInstanceRolePolicyArns(partition = 'aws'): string[] {
  return [awsManagedPolicyArn('service-role/AmazonEC2ContainerServiceforEC2Role', partition), awsManagedPolicyArn('AmazonEC2ContainerRegistryReadOnly', partition)]
}

/**
 * Sorted, each once. The graph passes references to outputs (objects) where
 * an ARN is known only once its object exists: they are kept as they are,
 * ordered by their JSON, for the engine to resolve.
 */
function sortedUnique(values: readonly string[]): string[] {
  const byKey = new Map(values.map((value) => [typeof value === 'string' ? value : JSON.stringify(value), value]))
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!)
}

/**
 * A policy document as IAM returns it: GetRole's AssumeRolePolicyDocument and
 * GetRolePolicy's PolicyDocument are URL-encoded ("The policy document
 * returned in this structure is URL-encoded compliant with RFC 3986",
 * API_GetRolePolicy, API_Role). A document that is JSON already (an
 * emulator's) is taken as it is; one that is neither is kept as text.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
 */
export function decodePolicyDocument(raw: string | undefined): PolicyDocument | string | undefined {
  if (raw === undefined || raw === '') return undefined
  const trimmed = raw.trim()
  let text = trimmed
  if (!trimmed.startsWith('{')) {
    try {
      text = decodeURIComponent(trimmed)
    } catch {
      return raw
    }
  }
  try {
    return JSON.parse(text) as PolicyDocument
  } catch {
    return text
  }
}

/** Values IAM treats as sets: a single string is a one-item list, order and duplicates do not matter. */
function valueSet(value: unknown): unknown {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return [...new Set(value.map((item) => (typeof item === 'string' ? item : canonicalJson(item))))].sort()
  return value
}

const SET_FIELDS = new Set(['Action', 'NotAction', 'Resource', 'NotResource'])

function normaliseStatement(statement: Record<string, unknown>): Record<string, unknown> {
  const normal: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(statement)) {
    if (SET_FIELDS.has(key)) normal[key] = valueSet(value)
    else if (key === 'Principal' && typeof value === 'object' && value !== null) normal[key] = Object.fromEntries(Object.entries(value).map(([type, ids]) => [type, valueSet(ids)]))
    else if (key === 'Condition' && typeof value === 'object' && value !== null) {
      normal[key] = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([operator, keys]) => [operator, Object.fromEntries(Object.entries(keys).map(([name, values]) => [name, valueSet(values)]))]),
      )
    } else normal[key] = value
  }
  return normal
}

/**
 * A document in the form two documents that mean the same are equal in: a
 * single Statement object as a list, a single Action/Resource/principal
 * string as a one-item list, those lists sorted, statements in a fixed
 * order; keys sorted by canonicalJson. Text that is not a document stays as it is.
 */
export function normalisePolicy(document: PolicyDocument | string | undefined): unknown {
  if (typeof document !== 'object' || document === null) return document
  const raw = document as unknown as Record<string, unknown>
  const statements = Array.isArray(raw.Statement) ? raw.Statement : raw.Statement === undefined ? [] : [raw.Statement]
  const normal = statements.map((statement) => normaliseStatement(statement as Record<string, unknown>)).sort((a, b) => compare(canonicalJson(a), canonicalJson(b)))
  return {...raw, Statement: normal}
}

/** Whether two documents mean the same (see normalisePolicy). */
export function samePolicy(a: PolicyDocument | string | undefined, b: PolicyDocument | string | undefined): boolean {
  return canonicalJson(normalisePolicy(a)) === canonicalJson(normalisePolicy(b))
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => compare(a, b))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
