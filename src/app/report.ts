import type {NodeAction, NodeResult} from '../engine/events.js'
import {SENSITIVE_MASK} from '../engine/plan.js'
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
  /** What deleting it loses, and what happens instead unless --purge. */
  dataLoss?: string
  /** The deletion of an old object that finishes the replacement of this logical id (counted in `replace`). */
  partOf?: string
}

/** The one document `up`, `plan` and `teardown` return (and print under --json). */
export interface RunReport {
  command: 'up' | 'plan' | 'teardown' | 'deploy'
  stack: string
  region?: string
  ok: boolean
  /** Counts of actions taken (or planned), no-ops included; what a stop left undone is not counted. */
  summary: Record<NodeAction, number>
  resources: ResourceReport[]
  /** Logical id → outputs, sorted by logical id. */
  outputs: Record<string, Record<string, string>>
  errors: string[]
  /** State serial after the run (absent for an offline plan). */
  serial?: number
  /** Plan: whether applying would change anything. */
  changes?: boolean
  /** Objects not deleted because they hold data (teardown without --purge). */
  kept?: string[]
  /** Objects the stack used and never made (a hosted zone it found): left as they were, even with --purge. */
  leftAsFound?: string[]
  /** Why the run stopped before the end (interrupted, or its state was taken over by another run). */
  stopped?: string
  /**
   * true when Ctrl-C / SIGTERM stopped the run (`stopped` says so too): not
   * a failure. What was done is in `resources` (status `done`) and saved in
   * the state; `inFlight` and `notStarted` say what was not. A run whose
   * state another run took is not `interrupted`: that is a failure (`errors`).
   */
  interrupted?: true
  /** Logical ids cut short by the stop (status `interrupted`): started, not finished; the next run finds what they made. */
  inFlight?: string[]
  /** Logical ids not started (status `blocked`): because the run stopped, or because something they depend on failed. */
  notStarted?: string[]
  /** Plan: replacements `up` refuses because they would delete data (see Reconciler.dataLoss). */
  unsafe?: string[]
  /** Plan: objects the spec says exist already that are not there (see Reconciler.mustExist); `up` refuses. */
  missing?: string[]
  /** Plan: creates AWS already refuses (see Reconciler.conflicts), `<logical id>: <why>`; `up` refuses. */
  conflicts?: string[]
}

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
  run: {stopped?: string; interrupted?: boolean; stateError?: string; errors?: string[]} = {},
): RunReport {
  const summary: Record<NodeAction, number> = {create: 0, update: 0, replace: 0, delete: 0, noop: 0}
  // The deletion that finishes a replacement is part of that `replace`: plan and apply count alike.
  for (const result of results) if ((result.status === 'done' || result.status === 'planned') && !result.partOf) summary[result.action]++
  const errors = [...(run.errors ?? []), ...results.filter((r) => r.status === 'failed').map((r) => `${r.id}: ${r.error}`)]
  const blocked = results.filter((r) => r.status === 'blocked')
  const inFlight = results.filter((r) => r.status === 'interrupted')
  // A stop that came when nothing was left to do stopped nothing.
  const stopped = blocked.length > 0 || inFlight.length > 0 ? run.stopped : undefined
  const interrupted = Boolean(stopped && run.interrupted)
  // An interrupt is no error: what it left undone is listed in notStarted and inFlight.
  if (blocked.length > 0 && !interrupted) {
    errors.push(
      stopped
        ? `the run stopped (${stopped}): ${blocked.length} resource(s) not started: ${blocked.map((r) => r.id).join(', ')}`
        : `${blocked.length} resource(s) not attempted because something they depend on failed: ${blocked.map((r) => r.id).join(', ')}`,
    )
  }
  if (run.stateError) errors.push(run.stateError)
  const kept = results.filter((r) => r.status === 'kept' && r.dataLoss).map((r) => `${r.id} (${r.physicalId}): ${r.dataLoss}`)
  const leftAsFound = results.filter((r) => r.status === 'kept' && !r.dataLoss).map((r) => `${r.id} (${r.physicalId})`)
  return {
    command,
    stack: base.stack,
    region: base.region,
    ok: errors.length === 0 && !stopped,
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
      ...(r.dataLoss ? {dataLoss: r.dataLoss} : {}),
      ...(r.partOf ? {partOf: r.partOf} : {}),
    })),
    outputs: Object.fromEntries(Object.entries(outputs).sort(([a], [b]) => compareIds(a, b))),
    errors,
    serial: base.serial,
    changes: results.some((r) => r.action !== 'noop'),
    ...(kept.length > 0 ? {kept} : {}),
    ...(leftAsFound.length > 0 ? {leftAsFound} : {}),
    ...(stopped ? {stopped} : {}),
    ...(interrupted ? {interrupted: true as const} : {}),
    ...(inFlight.length > 0 ? {inFlight: inFlight.map((r) => r.id)} : {}),
    ...(blocked.length > 0 ? {notStarted: blocked.map((r) => r.id)} : {}),
  }
}

/** The one order of lists keyed by logical id (outputs, `state show`): by code point, whatever the locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
