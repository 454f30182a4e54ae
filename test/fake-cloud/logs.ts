import {
  CreateLogGroupCommand,
  type CreateLogGroupRequest,
  DeleteLogGroupCommand,
  type DeleteLogGroupRequest,
  DeleteRetentionPolicyCommand,
  type DeleteRetentionPolicyRequest,
  DescribeLogGroupsCommand,
  type DescribeLogGroupsRequest,
  FilterLogEventsCommand,
  type FilterLogEventsRequest,
  type FilteredLogEvent,
  InvalidParameterException,
  type LogGroup,
  ListTagsForResourceCommand,
  type ListTagsForResourceRequest,
  PutRetentionPolicyCommand,
  type PutRetentionPolicyRequest,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  type TagResourceRequest,
  TooManyTagsException,
  UntagResourceCommand,
  type UntagResourceRequest,
  ValidationException,
} from '@aws-sdk/client-cloudwatch-logs'
import {RETENTION_DAYS} from '../../src/resources/logs/desired.js'
import {type FakeEnv, type FakeHandler, type FakeService, handlersOf, type OperationHandler} from './core.js'

/**
 * An in-memory CloudWatch Logs: log groups (retention, tags), their streams'
 * events (written by tests with `putEvents`: the fake has no PutLogEvents)
 * and FilterLogEvents over them, with AWS's ARNs (both forms), name rules,
 * pagination and error classes. Retention is stored, never applied.
 * API reference: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
 */

/** DescribeLogGroups: `limit` 1–50 (default 50). */
const GROUPS_PAGE_MAX = 50
/** FilterLogEvents: `limit` 1–10000 (default: as many as fit in 1 MB, up to 10000). */
const EVENTS_PAGE_MAX = 10_000
/** Tags per log group. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html */
const TAG_LIMIT = 50
/** API_CreateLogGroup: logGroupName, 1–512 characters. */
const NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/

export interface FakeLogEvent {
  timestamp: number
  message: string
}

interface StoredEvent extends FakeLogEvent {
  ingestionTime: number
  eventId: string
}

interface LogGroupRecord {
  name: string
  createdAt: number
  retentionInDays?: number
  tags: Record<string, string>
  streams: Map<string, StoredEvent[]>
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E

function fail<E>(Exception: Modeled<E>, message: string): E {
  return new Exception({$metadata: {httpStatusCode: 400}, message})
}

function invalid(message: string): InvalidParameterException {
  return fail(InvalidParameterException, message)
}

function notFound(): ResourceNotFoundException {
  return fail(ResourceNotFoundException, 'The specified log group does not exist.')
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0
  const offset = Number(Buffer.from(token, 'base64').toString())
  if (!Number.isInteger(offset) || offset < 0) throw invalid('The specified nextToken is invalid.')
  return offset
}

const encodeToken = (offset: number) => Buffer.from(String(offset)).toString('base64')

export class FakeLogs implements FakeService {
  readonly service = 'logs'
  private readonly groups = new Map<string, LogGroupRecord>()
  private events = 0
  /**
   * Sizes of the next DescribeLogGroups pages, one per call (then `limit`
   * again): AWS may answer fewer than `limit` with a nextToken, so callers
   * must follow the token.
   */
  pageSizes: number[] = []

  constructor(private readonly env: FakeEnv) {}

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateLogGroupCommand, (i) => this.createLogGroup(i)],
      [DescribeLogGroupsCommand, (i) => this.describeLogGroups(i)],
      [DeleteLogGroupCommand, (i) => this.deleteLogGroup(i)],
      [PutRetentionPolicyCommand, (i) => this.putRetentionPolicy(i)],
      [DeleteRetentionPolicyCommand, (i) => this.deleteRetentionPolicy(i)],
      [TagResourceCommand, (i) => this.tagResource(i)],
      [UntagResourceCommand, (i) => this.untagResource(i)],
      [ListTagsForResourceCommand, (i) => this.listTagsForResource(i)],
      [FilterLogEventsCommand, (i) => this.filterLogEvents(i)],
    ]
    return handlersOf(table)
  }

  /** Log groups: what a stack leaves behind in CloudWatch Logs. */
  resourceCount(): number {
    return this.groups.size
  }

  // ------------------------------------------------------------------ test helpers

  /**
   * What a container's log driver does: events into a stream of the group
   * (the stream made on first use), ingested now on the fake's clock. The
   * group must exist (ResourceNotFoundException), as for PutLogEvents.
   */
  putEvents(group: string, stream: string, events: FakeLogEvent[]): void {
    const record = this.group(group)
    const stored = record.streams.get(stream) ?? []
    for (const event of events) {
      this.events++
      stored.push({...event, ingestionTime: this.env.clock.now(), eventId: String(this.events).padStart(56, '0')})
    }
    stored.sort((a, b) => a.timestamp - b.timestamp)
    record.streams.set(stream, stored)
  }

  /** Deleted outside the tool. */
  deleteOutOfBand(name: string): void {
    this.groups.delete(name)
  }

  /** A group as stored, for assertions; undefined when there is none. */
  get(name: string): {retentionInDays?: number; tags: Record<string, string>; streams: string[]} | undefined {
    const record = this.groups.get(name)
    if (!record) return undefined
    const shown: {retentionInDays?: number; tags: Record<string, string>; streams: string[]} = {tags: {...record.tags}, streams: [...record.streams.keys()]}
    if (record.retentionInDays !== undefined) shown.retentionInDays = record.retentionInDays
    return shown
  }

  // ------------------------------------------------------------------ log groups

  private group(name: string | undefined): LogGroupRecord {
    const record = name === undefined ? undefined : this.groups.get(name)
    if (!record) throw notFound()
    return record
  }

  private arn(name: string): string {
    return `arn:aws:logs:${this.env.region}:${this.env.accountId}:log-group:${name}`
  }

  private shown(record: LogGroupRecord): LogGroup {
    const group: LogGroup = {
      logGroupName: record.name,
      creationTime: record.createdAt,
      metricFilterCount: 0,
      // Two forms: `arn` with `:*` (the group's streams), `logGroupArn` without (the tagging APIs').
      arn: `${this.arn(record.name)}:*`,
      logGroupArn: this.arn(record.name),
      storedBytes: 0,
      logGroupClass: 'STANDARD',
    }
    if (record.retentionInDays !== undefined) group.retentionInDays = record.retentionInDays
    return group
  }

  private checkTags(tags: Record<string, string>): void {
    for (const [key, value] of Object.entries(tags)) {
      if (key === '' || key.length > 128 || value.length > 256) throw invalid(`Invalid tag ${key}`)
      if (key.toLowerCase().startsWith('aws:')) throw invalid('Tag keys beginning with aws: are reserved')
    }
    if (Object.keys(tags).length > TAG_LIMIT) throw fail(TooManyTagsException, `A log group can have at most ${TAG_LIMIT} tags`)
  }

  private createLogGroup(input: CreateLogGroupRequest) {
    const name = input.logGroupName ?? ''
    if (!NAME_PATTERN.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`)
    if (this.groups.has(name)) throw fail(ResourceAlreadyExistsException, 'The specified log group already exists')
    const tags = {...input.tags}
    this.checkTags(tags)
    this.groups.set(name, {name, createdAt: this.env.clock.now(), tags, streams: new Map()})
    return {}
  }

  /** In name order, by prefix (or pattern), `limit` per page with a nextToken while more remain. */
  private describeLogGroups(input: DescribeLogGroupsRequest) {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.')
    }
    if (input.limit !== undefined && (input.limit < 1 || input.limit > GROUPS_PAGE_MAX)) throw invalid(`limit must be between 1 and ${GROUPS_PAGE_MAX}`)
    const matching = [...this.groups.values()]
      .filter((record) => (input.logGroupNamePrefix === undefined || record.name.startsWith(input.logGroupNamePrefix)) && (input.logGroupNamePattern === undefined || record.name.includes(input.logGroupNamePattern)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const start = decodeToken(input.nextToken)
    const size = this.pageSizes.shift() ?? input.limit ?? GROUPS_PAGE_MAX
    const end = start + size
    const logGroups = matching.slice(start, end).map((record) => this.shown(record))
    return end < matching.length ? {logGroups, nextToken: encodeToken(end)} : {logGroups}
  }

  private deleteLogGroup(input: DeleteLogGroupRequest) {
    this.groups.delete(this.group(input.logGroupName).name)
    return {}
  }

  private putRetentionPolicy(input: PutRetentionPolicyRequest) {
    const days = input.retentionInDays
    if (days === undefined || !(RETENTION_DAYS as readonly number[]).includes(days)) {
      throw invalid(`1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`)
    }
    this.group(input.logGroupName).retentionInDays = days
    return {}
  }

  private deleteRetentionPolicy(input: DeleteRetentionPolicyRequest) {
    delete this.group(input.logGroupName).retentionInDays
    return {}
  }

  // ------------------------------------------------------------------ tags

  /**
   * The ARN without `:*`: ListTagsForResource refuses the `:*` form that
   * DescribeLogGroups' `arn` has ("ValidationException: Invalid resourceArn",
   * boto/boto3#4104).
   */
  private byArn(arn: string | undefined): LogGroupRecord {
    const match = /^arn:aws:logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]+)$/.exec(arn ?? '')
    if (!match) throw fail(ValidationException, 'Invalid resourceArn')
    if (match[1] !== this.env.region || match[2] !== this.env.accountId) throw notFound()
    return this.group(match[3])
  }

  private tagResource(input: TagResourceRequest) {
    const record = this.byArn(input.resourceArn)
    const merged = {...record.tags, ...input.tags}
    this.checkTags(merged)
    record.tags = merged
    return {}
  }

  private untagResource(input: UntagResourceRequest) {
    const record = this.byArn(input.resourceArn)
    for (const key of input.tagKeys ?? []) delete record.tags[key]
    return {}
  }

  private listTagsForResource(input: ListTagsForResourceRequest) {
    return {tags: {...this.byArn(input.resourceArn).tags}}
  }

  // ------------------------------------------------------------------ events

  /**
   * The group's events from `startTime` (inclusive) to `endTime`
   * (exclusive), of the streams named or prefixed, interleaved by timestamp
   * across streams (what AWS always does now: `interleaved` is deprecated and
   * ignored), `limit` per page with a nextToken while more remain. A
   * filterPattern is matched as plain terms, all of which must appear (the
   * pattern syntax's simplest form).
   * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
   */
  private filterLogEvents(input: FilterLogEventsRequest) {
    const name = input.logGroupName ?? input.logGroupIdentifier?.replace(/^arn:aws:logs:[^:]+:\d{12}:log-group:/, '')
    if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) throw invalid('logGroupName and logGroupIdentifier are mutually exclusive')
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive')
    if (input.limit !== undefined && (input.limit < 1 || input.limit > EVENTS_PAGE_MAX)) throw invalid(`limit must be between 1 and ${EVENTS_PAGE_MAX}`)
    const record = this.group(name)
    const terms = (input.filterPattern ?? '').split(/\s+/).filter((term) => term !== '')
    const events: FilteredLogEvent[] = []
    for (const [stream, stored] of record.streams) {
      if (input.logStreamNames !== undefined && !input.logStreamNames.includes(stream)) continue
      if (input.logStreamNamePrefix !== undefined && !stream.startsWith(input.logStreamNamePrefix)) continue
      for (const event of stored) {
        if (input.startTime !== undefined && event.timestamp < input.startTime) continue
        if (input.endTime !== undefined && event.timestamp >= input.endTime) continue
        if (!terms.every((term) => event.message.includes(term))) continue
        events.push({logStreamName: stream, timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime, eventId: event.eventId})
      }
    }
    events.sort((a, b) => a.timestamp! - b.timestamp! || (a.eventId! < b.eventId! ? -1 : 1))
    const start = decodeToken(input.nextToken)
    const end = start + (input.limit ?? EVENTS_PAGE_MAX)
    const page = events.slice(start, end)
    return end < events.length ? {events: page, nextToken: encodeToken(end)} : {events: page}
  }
}
