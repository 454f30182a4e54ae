import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  paginateDescribeTargetGroups,
  type ElasticLoadBalancingV2Client,
  type ModifyTargetGroupInput,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {createHash} from 'node:crypto'
import {collectPages} from '../ec2/describe.js'
import {ownerOfCreated} from '../tags.js'
import type {Change, CreateMeta, Health, Observed, ReconcileContext, Reconciler} from '../types.js'
import {describeByArns, elbv2Client, ensureCreatedBy, ownedObjects, PAGE_SIZE, withTags} from './describe.js'
import type {HealthCheckDesired, TargetGroupDesired} from './desired.js'
import {classifyElbv2Error, DUPLICATE_TARGET_GROUP_NAME, hasElbv2Code, isElbv2Gone} from './errors.js'

/** How many targets are in each health state (`healthy`, `unhealthy`, `initial`, `draining`, `unused`…). */
export interface TargetHealthCounts {
  healthy: number
  total: number
  /** State → count, for the states other than `healthy`. */
  others: Record<string, number>
}

/** One target group; `id` is its ARN. */
export interface TargetGroupObserved extends Observed {
  arn: string
  name: string
  vpcId: string
  port: number
  protocol: string
  targetType: string
  healthCheck: HealthCheckDesired
  deregistrationDelaySeconds: number
  /** The load balancers whose listeners or rules forward to it. */
  loadBalancerArns: string[]
  /** Read with the group, so that `health` (synchronous) can say "2/3 healthy". */
  targets: TargetHealthCounts
}

/**
 * "This name must be unique per region per account, can have a maximum of 32
 * characters, must contain only alphanumeric characters or hyphens, and must
 * not begin or end with a hyphen." (API_CreateTargetGroup)
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
 */
const NAME_MAX = 32
/** Hex characters of the generated suffix: 32 bits, so two groups of one prefix practically never meet. */
const SUFFIX_LENGTH = 8
const PREFIX_MAX = NAME_MAX - SUFFIX_LENGTH - 1

/**
 * The prefix as AWS accepts it: other characters become hyphens, leading and
 * trailing hyphens go, and it is cut (before the trailing hyphens go) so that
 * the name with its suffix fits 32 characters. An empty result is `tg`.
 */
export function targetGroupNamePrefix(namePrefix: string): string {
  const valid = namePrefix.replace(/[^a-zA-Z0-9-]/g, '-').replace(/^-+/, '')
  return valid.slice(0, PREFIX_MAX).replace(/-+$/, '') || 'tg'
}

/**
 * `<prefix>-<8 hex>`, the suffix derived from the create's token: a
 * replacement gets a name of its own while the old group still exists
 * (create-before-delete), and every attempt at one create the same name.
 */
export function generatedTargetGroupName(namePrefix: string, token: string): string {
  const suffix = createHash('sha256').update(token).digest('hex').slice(0, SUFFIX_LENGTH)
  return `${targetGroupNamePrefix(namePrefix)}-${suffix}`
}

/** Whether the group's name was generated from this prefix. */
export function isNamedFrom(namePrefix: string, name: string): boolean {
  return new RegExp(`^${targetGroupNamePrefix(namePrefix)}-[0-9a-f]{${SUFFIX_LENGTH}}$`).test(name)
}

/**
 * Attribute `deregistration_delay.timeout_seconds` (AWS's default: 300).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
 */
const DEREGISTRATION_DELAY = 'deregistration_delay.timeout_seconds'
const DEFAULT_DEREGISTRATION_DELAY = 300

/** The health check's fields, in the order a plan shows them, each with how ModifyTargetGroup sets it. */
const HEALTH_CHECK_FIELDS: {[F in keyof HealthCheckDesired]: (value: HealthCheckDesired[F]) => Partial<ModifyTargetGroupInput>} = {
  path: (value) => ({HealthCheckPath: value}),
  intervalSeconds: (value) => ({HealthCheckIntervalSeconds: value}),
  timeoutSeconds: (value) => ({HealthCheckTimeoutSeconds: value}),
  healthyThreshold: (value) => ({HealthyThresholdCount: value}),
  unhealthyThreshold: (value) => ({UnhealthyThresholdCount: value}),
  matcher: (value) => ({Matcher: {HttpCode: value}}),
}
const HEALTH_CHECK_KEYS = Object.keys(HEALTH_CHECK_FIELDS) as (keyof HealthCheckDesired)[]

function changedHealthCheckFields(desired: HealthCheckDesired, observed: HealthCheckDesired): (keyof HealthCheckDesired)[] {
  return HEALTH_CHECK_KEYS.filter((field) => desired[field] !== observed[field])
}

/**
 * The VPC, port, protocol and target type are fixed at creation
 * (ModifyTargetGroup changes the health check only); the name is compared by
 * its prefix, the suffix being the tool's. The health check changes in place
 * (ModifyTargetGroup), the deregistration delay too (ModifyTargetGroupAttributes).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroup.html
 */
export function diffTargetGroup(desired: TargetGroupDesired, observed: TargetGroupObserved): Change[] {
  const changes: Change[] = []
  if (!isNamedFrom(desired.namePrefix, observed.name)) changes.push({field: 'namePrefix', before: observed.name, after: desired.namePrefix, replace: true})
  for (const field of ['vpcId', 'port', 'protocol', 'targetType'] as const) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: true})
  }
  for (const field of changedHealthCheckFields(desired.healthCheck, observed.healthCheck)) {
    changes.push({field: `healthCheck.${field}`, before: observed.healthCheck[field], after: desired.healthCheck[field], replace: false})
  }
  if (desired.deregistrationDelaySeconds !== observed.deregistrationDelaySeconds) {
    changes.push({field: 'deregistrationDelaySeconds', before: observed.deregistrationDelaySeconds, after: desired.deregistrationDelaySeconds, replace: false})
  }
  return changes
}

function toObserved(group: TargetGroup, deregistrationDelaySeconds: number, targets: TargetHealthCounts): TargetGroupObserved {
  return {
    id: group.TargetGroupArn!,
    arn: group.TargetGroupArn!,
    name: group.TargetGroupName ?? '',
    vpcId: group.VpcId ?? '',
    port: group.Port ?? 0,
    protocol: group.Protocol ?? '',
    targetType: group.TargetType ?? '',
    healthCheck: {
      path: group.HealthCheckPath ?? '',
      intervalSeconds: group.HealthCheckIntervalSeconds ?? 0,
      timeoutSeconds: group.HealthCheckTimeoutSeconds ?? 0,
      healthyThreshold: group.HealthyThresholdCount ?? 0,
      unhealthyThreshold: group.UnhealthyThresholdCount ?? 0,
      matcher: group.Matcher?.HttpCode ?? '',
    },
    deregistrationDelaySeconds,
    loadBalancerArns: group.LoadBalancerArns ?? [],
    targets,
  }
}

export function countTargets(states: string[]): TargetHealthCounts {
  const counts: TargetHealthCounts = {healthy: 0, total: states.length, others: {}}
  for (const state of states) {
    if (state === 'healthy') counts.healthy++
    else counts.others[state] = (counts.others[state] ?? 0) + 1
  }
  return counts
}

/** The group with its deregistration delay and its targets' health (one call each: neither API takes several groups); undefined once it is gone. */
async function complete(client: ElasticLoadBalancingV2Client, group: TargetGroup): Promise<TargetGroupObserved | undefined> {
  const arn = group.TargetGroupArn!
  try {
    const [attributes, health] = await Promise.all([client.send(new DescribeTargetGroupAttributesCommand({TargetGroupArn: arn})), client.send(new DescribeTargetHealthCommand({TargetGroupArn: arn}))])
    const delay = attributes.Attributes?.find((attribute) => attribute.Key === DEREGISTRATION_DELAY)?.Value
    const states = (health.TargetHealthDescriptions ?? []).map((target) => target.TargetHealth?.State ?? 'unknown')
    return toObserved(group, delay === undefined ? DEFAULT_DEREGISTRATION_DELAY : Number(delay), countTargets(states))
  } catch (error) {
    if (isElbv2Gone(error)) return undefined
    throw error
  }
}

async function completeAll(client: ElasticLoadBalancingV2Client, groups: TargetGroup[]): Promise<TargetGroupObserved[]> {
  return (await Promise.all(groups.map((group) => complete(client, group)))).filter((group) => group !== undefined)
}

async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, TargetGroupObserved>> {
  const client = await elbv2Client(ctx)
  const groups = await describeByArns(ids, async (batch) => (await client.send(new DescribeTargetGroupsCommand({TargetGroupArns: batch}))).TargetGroups ?? [])
  const observed = await withTags(client, await completeAll(client, groups))
  return new Map(observed.map((group) => [group.id, group]))
}

/**
 * DescribeTargetGroups filters by nothing but names, ARNs and a load
 * balancer: every group of the region is listed and its tags read, 20 per
 * DescribeTags; the stack's own are then read in full.
 */
async function find(ctx: ReconcileContext, query: {stack: string}): Promise<TargetGroupObserved[]> {
  const client = await elbv2Client(ctx)
  const all = await collectPages(paginateDescribeTargetGroups({client}, {PageSize: PAGE_SIZE}), (page) => page.TargetGroups)
  const owned = await ownedObjects<Observed & {group: TargetGroup}>(
    client,
    query.stack,
    all.map((group) => ({id: group.TargetGroupArn!, group})),
  )
  const owners = new Map(owned.map((found) => [found.id, found]))
  const observed = await completeAll(
    client,
    owned.map((found) => found.group),
  )
  return observed.map((group) => ({...group, logicalId: owners.get(group.id)!.logicalId, stack: owners.get(group.id)!.stack}))
}

/**
 * A group of the generated name with other settings (DuplicateTargetGroupName):
 * an earlier attempt at this very create made it (the name comes from the
 * token) unless its tags say otherwise. Adopted, and what changes in place
 * brought to the desired values.
 */
async function adoptOwn(ctx: ReconcileContext, client: ElasticLoadBalancingV2Client, desired: TargetGroupDesired, name: string, meta: CreateMeta, cause: unknown): Promise<TargetGroupObserved> {
  const group = (await client.send(new DescribeTargetGroupsCommand({Names: [name]}))).TargetGroups?.[0]
  if (!group) throw cause
  await ensureCreatedBy(client, group.TargetGroupArn!, meta, `target group ${name}`)
  const observed = await complete(client, group)
  if (!observed) throw cause
  return update(ctx, desired, {...observed, ...ownerOfCreated(meta)})
}

async function create(ctx: ReconcileContext, desired: TargetGroupDesired, meta: CreateMeta): Promise<TargetGroupObserved> {
  const client = await elbv2Client(ctx)
  const name = generatedTargetGroupName(desired.namePrefix, meta.token)
  const check = desired.healthCheck
  let group: TargetGroup
  try {
    // Idempotent: with the same name and settings, a retried create returns the group the first attempt made
    // ("If you attempt to create multiple target groups with the same settings, each call succeeds").
    const response = await client.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: desired.protocol,
        Port: desired.port,
        VpcId: desired.vpcId,
        TargetType: desired.targetType,
        HealthCheckEnabled: true,
        HealthCheckPath: check.path,
        HealthCheckIntervalSeconds: check.intervalSeconds,
        HealthCheckTimeoutSeconds: check.timeoutSeconds,
        HealthyThresholdCount: check.healthyThreshold,
        UnhealthyThresholdCount: check.unhealthyThreshold,
        Matcher: {HttpCode: check.matcher},
        Tags: meta.tags,
      }),
    )
    group = response.TargetGroups![0]!
  } catch (error) {
    if (!hasElbv2Code(error, DUPLICATE_TARGET_GROUP_NAME)) throw error
    return adoptOwn(ctx, client, desired, name, meta, error)
  }
  if (desired.deregistrationDelaySeconds !== DEFAULT_DEREGISTRATION_DELAY) await setDeregistrationDelay(client, group.TargetGroupArn!, desired.deregistrationDelaySeconds)
  return {...toObserved(group, desired.deregistrationDelaySeconds, countTargets([])), ...ownerOfCreated(meta)}
}

async function setDeregistrationDelay(client: ElasticLoadBalancingV2Client, arn: string, seconds: number): Promise<void> {
  await client.send(new ModifyTargetGroupAttributesCommand({TargetGroupArn: arn, Attributes: [{Key: DEREGISTRATION_DELAY, Value: String(seconds)}]}))
}

/** One ModifyTargetGroup with the health check fields that differ, one ModifyTargetGroupAttributes for the delay. */
async function update(ctx: ReconcileContext, desired: TargetGroupDesired, observed: TargetGroupObserved): Promise<TargetGroupObserved> {
  const client = await elbv2Client(ctx)
  const changed = changedHealthCheckFields(desired.healthCheck, observed.healthCheck)
  const next = {...observed, healthCheck: {...observed.healthCheck}}
  if (changed.length > 0) {
    const input: ModifyTargetGroupInput = {TargetGroupArn: observed.arn}
    for (const field of changed) Object.assign(input, (HEALTH_CHECK_FIELDS[field] as (value: unknown) => Partial<ModifyTargetGroupInput>)(desired.healthCheck[field]))
    await client.send(new ModifyTargetGroupCommand(input))
    next.healthCheck = {...desired.healthCheck}
  }
  if (desired.deregistrationDelaySeconds !== observed.deregistrationDelaySeconds) {
    await setDeregistrationDelay(client, observed.arn, desired.deregistrationDelaySeconds)
    next.deregistrationDelaySeconds = desired.deregistrationDelaySeconds
  }
  return next
}

/**
 * "2/3 healthy", and the other states' counts as detail; a group is usable
 * with no targets (ECS registers them later). Degraded while a target fails
 * its health checks (`unhealthy`); `initial` (registering), `draining`
 * (leaving) and `unused` (no listener routes to the group) are no fault.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
export function targetGroupHealth(observed: TargetGroupObserved): Health {
  const {healthy, total, others} = observed.targets
  const health: Health = {state: total === 0 ? 'no targets' : `${healthy}/${total} healthy`, ready: true}
  const detail = Object.entries(others)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([state, count]) => `${count} ${state}`)
    .join(', ')
  const unhealthy = others.unhealthy ?? 0
  return {...health, ...(detail ? {detail} : {}), ...(unhealthy > 0 ? {degraded: `${unhealthy} of ${total} targets unhealthy`} : {})}
}

export const targetGroup: Reconciler<TargetGroupDesired, TargetGroupObserved> = {
  kind: 'elbv2.target-group',
  // The replacement gets a name of its own (generatedTargetGroupName): listeners, rules and services move to
  // it while the old group still exists; the old group goes at the end.
  replaceStrategy: 'create-before-delete',
  // The name derives from the token: a retried create returns its own group (same settings) or adopts it
  // (DuplicateTargetGroupName, tags checked).
  idempotentCreate: true,
  classifyError: classifyElbv2Error,
  read,
  find,
  diff: diffTargetGroup,
  create,
  update,

  /**
   * A group a listener or rule still forwards to cannot be deleted
   * (ResourceInUse, classified `in-use`: the engine retries while its users
   * go). One already gone counts as deleted.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteTargetGroup.html
   */
  async delete(ctx, observed) {
    const client = await elbv2Client(ctx)
    try {
      await client.send(new DeleteTargetGroupCommand({TargetGroupArn: observed.arn}))
    } catch (error) {
      if (!isElbv2Gone(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name}
  },

  health: targetGroupHealth,
}
