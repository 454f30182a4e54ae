import {type CloudWatchLogsClient, paginateFilterLogEvents} from '@aws-sdk/client-cloudwatch-logs'
import type {AwsClients} from '../../aws/clients.js'
import {hasLogsCode, RESOURCE_NOT_FOUND} from './errors.js'

/** One event of a log group, as FilterLogEvents gives it. */
export interface LogEvent {
  /** Milliseconds since the epoch: when the event happened (the container wrote it). */
  timestamp: number
  stream: string
  message: string
  /** Unique within the group: what tells two events of one millisecond apart. */
  eventId: string
}

/** The log group does not exist (the stack was never deployed, or it was deleted outside containrlab). */
export class LogGroupNotFoundError extends Error {
  constructor(readonly group: string) {
    super(`log group ${group} does not exist`)
    this.name = 'LogGroupNotFoundError'
  }
}

/**
 * Every event of a group from `startTime` (inclusive), in timestamp order
 * across its streams, page after page while there is a `nextToken` (a page
 * may be empty while more events remain, so an empty page ends nothing).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
export async function filterLogEvents(aws: AwsClients, group: string, startTime: number): Promise<LogEvent[]> {
  const client: CloudWatchLogsClient = await aws.client('logs')
  const events: LogEvent[] = []
  try {
    for await (const page of paginateFilterLogEvents({client}, {logGroupName: group, startTime})) {
      for (const event of page.events ?? []) {
        events.push({timestamp: event.timestamp ?? 0, stream: event.logStreamName ?? '', message: event.message ?? '', eventId: event.eventId ?? `${event.logStreamName}:${event.timestamp}:${event.message}`})
      }
    }
  } catch (error) {
    if (hasLogsCode(error, RESOURCE_NOT_FOUND)) throw new LogGroupNotFoundError(group)
    throw error
  }
  return events.sort((a, b) => a.timestamp - b.timestamp)
}
