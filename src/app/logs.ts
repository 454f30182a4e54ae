import {containerIds} from '../graph/containers.js'
import {filterLogEvents, type LogEvent, LogGroupNotFoundError} from '../resources/logs/events.js'
import {UsageError, UserError} from './errors.js'
import {findService} from './services.js'
import type {Session} from './session.js'

/**
 * `containrlab logs SERVICE [--since 10m] [--follow]`: the service's log
 * group, as `aws logs tail` shows it (seed 001's runbook). `--follow` asks
 * again every poll interval on the run's clock, from the newest timestamp
 * seen, and never shows an event twice: events of that last millisecond
 * are told apart by their ids.
 */

export interface LogsReport {
  service: string
  logGroup: string
  /** ISO time the events start from. */
  since: string
  /** How many events were shown. */
  count: number
  /** The events themselves, when asked for (`--json`; a follow that printed them keeps none). */
  events?: LogEvent[]
  /** Stopped by Ctrl-C (--follow's way out). */
  interrupted?: true
}

/** `aws logs tail`'s default: the last ten minutes. */
export const DEFAULT_SINCE = '10m'

const UNITS: Record<string, number> = {s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000}

/** `--since`: a duration back from `now` (`30s`, `10m`, `1h`, `2d`, `1w`) or an ISO 8601 time (`2026-01-01T12:00:00Z`). */
export function parseSince(value: string, now: number): number {
  const relative = /^(\d+)([smhdw])$/.exec(value.trim())
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!
  // Only what looks like a date: Date.parse takes odd things ("1", "June").
  const absolute = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : NaN
  if (!Number.isNaN(absolute)) return absolute
  throw new UsageError(`--since ${JSON.stringify(value)} is neither a duration (like 30s, 10m, 1h, 2d or 1w) nor an ISO 8601 time (like 2026-01-01T12:00:00Z)`)
}

/** The service's log group: its name in the state (what `up` made), else the spec's graph. */
function logGroupOf(session: Session, service: string, recorded: string | undefined): string {
  if (recorded) return recorded
  const node = session.requireNodes().find((candidate) => candidate.id === containerIds.logGroup(service))
  return String(node?.desired.name)
}

export async function logs(session: Session, options: {service: string; since?: string; follow: boolean; keep: boolean; onEvent: (event: LogEvent) => void}): Promise<LogsReport> {
  session.requireNodes()
  const service = findService(session, options.service)
  const {clock, signal} = session.options
  const start = parseSince(options.since ?? DEFAULT_SINCE, clock.now())
  const doc = await session.store.load()
  const logGroup = logGroupOf(session, service.name, doc?.resources[containerIds.logGroup(service.name)]?.outputs.id)
  const report: LogsReport = {service: service.name, logGroup, since: new Date(start).toISOString(), count: 0, ...(options.keep ? {events: []} : {})}

  let cursor = start
  /** Ids of the events shown whose timestamp is `cursor`: the next query starts there again (startTime is inclusive). */
  let atCursor = new Set<string>()
  for (;;) {
    let events: LogEvent[]
    try {
      events = await filterLogEvents(session.aws, logGroup, cursor)
    } catch (error) {
      if (signal.aborted) break
      if (error instanceof LogGroupNotFoundError) {
        throw new UserError(
          `service ${service.name} has no log group ${logGroup} in ${session.region}: its tasks have written nothing yet, or the stack is not deployed (\`containrlab up\`), or the group was deleted outside containrlab`,
        )
      }
      throw error
    }
    for (const event of events) {
      if (event.timestamp < cursor || (event.timestamp === cursor && atCursor.has(event.eventId))) continue
      if (event.timestamp > cursor) {
        cursor = event.timestamp
        atCursor = new Set()
      }
      atCursor.add(event.eventId)
      report.count++
      report.events?.push(event)
      options.onEvent(event)
    }
    if (!options.follow || signal.aborted) break
    try {
      await clock.sleep(session.options.pollIntervalMs ?? FOLLOW_INTERVAL_MS, signal)
    } catch (error) {
      if (signal.aborted) break
      throw error
    }
  }
  if (signal.aborted) report.interrupted = true
  return report
}

/** How often --follow asks, like `aws logs tail --follow` (about every 2 s). */
export const FOLLOW_INTERVAL_MS = 2_000
