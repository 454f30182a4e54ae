import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  ListTagsForResourceCommand,
  paginateDescribeLogGroups,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs'
import {ensureCreatedHere, ownerOfCreated} from '../tags.js'
import {TAG_ID, TAG_STACK, type Change, type CreateMeta, type Observed, type ReconcileContext, type Reconciler} from '../types.js'
import type {LogGroupDesired} from './desired.js'
import {classifyLogsError, hasLogsCode, RESOURCE_ALREADY_EXISTS, RESOURCE_NOT_FOUND} from './errors.js'

/** One log group; `id` is its name (what the Logs calls take). */
export interface LogGroupObserved extends Observed {
  name: string
  /**
   * `arn:aws:logs:<region>:<account>:log-group:<name>`, without the `:*`:
   * DescribeLogGroups gives two forms, `arn` (with `:*`, the group's streams,
   * what IAM policies name) and `logGroupArn` (without, what the tagging APIs
   * take: ListTagsForResource refuses the `:*` form with "Invalid resourceArn").
   * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html
   */
  arn: string
  /** Absent: events never expire. */
  retentionDays?: number
}

function logsClient(ctx: ReconcileContext): Promise<CloudWatchLogsClient> {
  return ctx.aws.client('logs')
}

/** DescribeLogGroups' largest page. */
const PAGE_LIMIT = 50

/** The ARN the tagging APIs take: `logGroupArn`, else `arn` less its `:*`. */
export function logGroupArn(group: Pick<LogGroup, 'arn' | 'logGroupArn'>): string {
  return group.logGroupArn ?? (group.arn ?? '').replace(/:\*$/, '')
}

/** The name is fixed at creation; the retention changes in place (PutRetentionPolicy, DeleteRetentionPolicy). */
export function diffLogGroup(desired: LogGroupDesired, observed: LogGroupObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  if (desired.retentionDays !== observed.retentionDays) changes.push({field: 'retentionDays', before: observed.retentionDays, after: desired.retentionDays, replace: false})
  return changes
}

/**
 * The group of exactly this name: DescribeLogGroups filters by prefix only
 * (`/ecs/api` also lists `/ecs/api-worker`), and a page may hold fewer
 * than `limit` groups with more to come: pages are read until the name
 * shows or the token ends.
 */
async function describeNamed(client: CloudWatchLogsClient, name: string): Promise<LogGroup | undefined> {
  for await (const page of paginateDescribeLogGroups({client}, {logGroupNamePrefix: name, limit: PAGE_LIMIT})) {
    for (const group of page.logGroups ?? []) if (group.logGroupName === name) return group
  }
  return undefined
}

/** The group with its tags; undefined once it is gone. */
async function complete(client: CloudWatchLogsClient, group: LogGroup): Promise<LogGroupObserved | undefined> {
  const arn = logGroupArn(group)
  let tags: Record<string, string>
  try {
    tags = (await client.send(new ListTagsForResourceCommand({resourceArn: arn}))).tags ?? {}
  } catch (error) {
    if (hasLogsCode(error, RESOURCE_NOT_FOUND)) return undefined
    throw error
  }
  const observed: LogGroupObserved = {id: group.logGroupName!, name: group.logGroupName!, arn}
  if (tags[TAG_ID] !== undefined) observed.logicalId = tags[TAG_ID]
  if (tags[TAG_STACK] !== undefined) observed.stack = tags[TAG_STACK]
  if (group.retentionInDays !== undefined) observed.retentionDays = group.retentionInDays
  return observed
}

async function readNamed(client: CloudWatchLogsClient, names: string[]): Promise<LogGroupObserved[]> {
  const observed = await Promise.all(
    [...new Set(names)].map(async (name) => {
      const group = await describeNamed(client, name)
      return group ? complete(client, group) : undefined
    }),
  )
  return observed.filter((group) => group !== undefined)
}

async function setRetention(client: CloudWatchLogsClient, name: string, days: number | undefined): Promise<void> {
  if (days !== undefined) {
    await client.send(new PutRetentionPolicyCommand({logGroupName: name, retentionInDays: days}))
    return
  }
  await client.send(new DeleteRetentionPolicyCommand({logGroupName: name}))
}

async function update(ctx: ReconcileContext, desired: LogGroupDesired, observed: LogGroupObserved): Promise<LogGroupObserved> {
  if (desired.retentionDays === observed.retentionDays) return observed
  await setRetention(await logsClient(ctx), observed.name, desired.retentionDays)
  const next = {...observed}
  if (desired.retentionDays === undefined) delete next.retentionDays
  else next.retentionDays = desired.retentionDays
  return next
}

/** A group of this name exists: an earlier attempt at this create made it if its tags say so (adopted); anyone else's is refused. */
async function adoptOwn(ctx: ReconcileContext, client: CloudWatchLogsClient, desired: LogGroupDesired, meta: CreateMeta, cause: unknown): Promise<LogGroupObserved> {
  const [existing] = await readNamed(client, [desired.name])
  if (!existing) throw cause
  const owner = ownerOfCreated(meta)
  const stack = owner.stack ?? ctx.stack
  ensureCreatedHere(existing, {logicalId: owner.logicalId, stack}, `log group ${desired.name}`)
  return update(ctx, desired, existing)
}

export const logGroup: Reconciler<LogGroupDesired, LogGroupObserved> = {
  kind: 'logs.log-group',
  // One name, one group.
  replaceStrategy: 'delete-before-create',
  // CreateLogGroup takes no token; the name is the spec's: a retried create adopts the group an earlier
  // attempt made (ResourceAlreadyExistsException) by its tags.
  idempotentCreate: true,
  typicalMs: {create: 500, delete: 500},
  classifyError: classifyLogsError,
  diff: diffLogGroup,
  update,

  async read(ctx, ids) {
    const client = await logsClient(ctx)
    return new Map((await readNamed(client, ids)).map((observed) => [observed.id, observed]))
  },

  /** Logs cannot list groups by tag: the wanted logical ids' names are looked up, each group's owner read from its tags. */
  async find(ctx, query) {
    const names = new Map<string, string>()
    for (const {logicalId, desired} of query.wanted) {
      const name = (desired as Partial<LogGroupDesired> | undefined)?.name
      if (typeof name === 'string') names.set(name, logicalId)
    }
    if (names.size === 0) return []
    const client = await logsClient(ctx)
    return (await readNamed(client, [...names.keys()])).map((observed) => ({...observed, logicalId: observed.logicalId ?? names.get(observed.name)!}))
  },

  /** Tagged at creation (CreateLogGroup `tags`), then the retention (a new group keeps events forever). */
  async create(ctx, desired, meta) {
    const client = await logsClient(ctx)
    try {
      await client.send(new CreateLogGroupCommand({logGroupName: desired.name, tags: Object.fromEntries(meta.tags.map((tag) => [tag.Key, tag.Value]))}))
    } catch (error) {
      if (!hasLogsCode(error, RESOURCE_ALREADY_EXISTS)) throw error
      return adoptOwn(ctx, client, desired, meta, error)
    }
    if (desired.retentionDays !== undefined) await setRetention(client, desired.name, desired.retentionDays)
    // CreateLogGroup answers nothing: the ARN is read back (it carries the account). A group not listed yet is
    // an error rather than an empty ARN in the outputs; the next run finds the group by its name and adopts it.
    const group = await describeNamed(client, desired.name)
    if (!group) throw new Error(`log group ${desired.name} was created but DescribeLogGroups does not list it yet; the next run adopts it`)
    const observed: LogGroupObserved = {id: desired.name, ...ownerOfCreated(meta), name: desired.name, arn: logGroupArn(group)}
    if (desired.retentionDays !== undefined) observed.retentionDays = desired.retentionDays
    return observed
  },

  /** One already gone counts as deleted. */
  async delete(ctx, observed) {
    const client = await logsClient(ctx)
    try {
      await client.send(new DeleteLogGroupCommand({logGroupName: observed.name}))
    } catch (error) {
      if (!hasLogsCode(error, RESOURCE_NOT_FOUND)) throw error
    }
  },

  outputs(observed) {
    // streamsArn: what a policy grants writing the group's streams on (a reference cannot append `:*`).
    return {id: observed.id, name: observed.name, arn: observed.arn, streamsArn: `${observed.arn}:*`}
  },
}
