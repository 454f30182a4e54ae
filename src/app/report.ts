import type {NodeAction, NodeResult} from '../engine/events.js'
import type {Change} from '../resources/types.js'

/** A change as it may be shown: sensitive values masked. */
export interface ShownChange {
  field: string
  before?: unknown
  after?: unknown
  replace: boolean
}

export interface ResourceReport {
  id: string
  kind: string
  action: NodeAction
  status: NodeResult['status']
  physicalId?: string
  changes: ShownChange[]
  reason?: string
  error?: string
  durationMs: number
  /** Plan: properties of the object a create or replacement makes. */
  desired?: Record<string, unknown>
}

/** The one document `up`, `plan` and `teardown` return (and print under --json). */
export interface RunReport {
  command: 'up' | 'plan' | 'teardown'
  stack: string
  region?: string
  ok: boolean
  /** Counts of actions taken (or planned), no-ops included. */
  summary: Record<NodeAction, number>
  resources: ResourceReport[]
  outputs: Record<string, Record<string, string>>
  errors: string[]
  /** State serial after the run (absent for an offline plan). */
  serial?: number
  /** Plan: whether applying would change anything. */
  changes?: boolean
}

export const SENSITIVE_MASK = '(sensitive)'

export function showChange(change: Change): ShownChange {
  const shown: ShownChange = {field: change.field, replace: change.replace}
  if ('before' in change) shown.before = change.sensitive ? SENSITIVE_MASK : change.before
  if ('after' in change) shown.after = change.sensitive ? SENSITIVE_MASK : change.after
  return shown
}

export function buildReport(
  command: RunReport['command'],
  base: {stack: string; region?: string; serial?: number},
  results: NodeResult[],
  outputs: Record<string, Record<string, string>>,
): RunReport {
  const summary: Record<NodeAction, number> = {create: 0, update: 0, replace: 0, delete: 0, noop: 0}
  for (const result of results) if (result.status === 'done' || result.status === 'planned') summary[result.action]++
  const errors = results.filter((r) => r.status === 'failed').map((r) => `${r.id}: ${r.error}`)
  const blocked = results.filter((r) => r.status === 'blocked')
  if (blocked.length > 0) errors.push(`${blocked.length} resource(s) not attempted because something they depend on failed: ${blocked.map((r) => r.id).join(', ')}`)
  return {
    command,
    stack: base.stack,
    region: base.region,
    ok: errors.length === 0,
    summary,
    resources: results.map((r) => ({
      id: r.id,
      kind: r.kind,
      action: r.action,
      status: r.status,
      physicalId: r.physicalId,
      changes: r.changes.map(showChange),
      reason: r.reason,
      error: r.error,
      durationMs: r.durationMs,
      desired: r.desired,
    })),
    outputs,
    errors,
    serial: base.serial,
    changes: results.some((r) => r.action !== 'noop'),
  }
}
