import {converge, planReport, prepare} from '../engine/converge.js'
import {StateWriter} from '../engine/state-writer.js'
import {registry} from '../resources/registry.js'
import {newStateDocument} from '../state/document.js'
import {currentLockInfo} from '../state/lock.js'
import type {LockInfo} from '../state/types.js'
import {CancelledError, RefusedError} from './errors.js'
import {buildReport, type RunReport} from './report.js'
import type {Session} from './session.js'

/** Asked before destructive changes (replacements, deletions); false cancels the run. */
export type Confirm = (preview: RunReport) => Promise<boolean>

/**
 * `up`: lock the stack, read what exists, preview; if the preview replaces or
 * deletes anything, ask `confirm`; then converge from the same reads, saving
 * the state after every mutation; unlock (also on failure or interrupt).
 */
export async function up(session: Session, confirm: Confirm): Promise<RunReport> {
  const nodes = session.requireNodes()
  const lock = await session.store.lock(currentLockInfo('containrlab up'))
  try {
    const doc = (await session.store.load()) ?? newStateDocument(session.stack)
    const common = {nodes, registry, context: session.context, state: doc, concurrency: session.options.concurrency}
    const prepared = await prepare({...common, awaitRecent: true, checkConflicts: true})
    const base = {stack: session.stack, region: session.region, serial: doc.serial}
    const previewReport = buildReport('plan', base, planReport(prepared), {})
    const refusals = [...prepared.plan.missing, ...prepared.plan.conflicts, ...prepared.plan.unsafe]
    if (refusals.length > 0) throw new RefusedError(`refusing to apply: ${refusals.join('; ')}. Nothing was changed.`)
    if ((previewReport.summary.replace > 0 || previewReport.summary.delete > 0) && !(await confirm(previewReport))) {
      throw new CancelledError(previewReport)
    }
    const writer = new StateWriter(doc, session.store, session.statePacing)
    // The lineage seeds idempotency tokens: it is stored with the first create's intent, before that create.
    const result = await converge(prepared, {...common, writer, emit: session.options.emit, signal: session.options.signal})
    return buildReport('up', {...base, serial: doc.serial}, result.results, result.outputs, result)
  } finally {
    await lock.release()
  }
}

/** A plan, and the run that holds the stack's lock while it was made (if any). */
export interface PlanReport extends RunReport {
  /** Held by another run: it may be changing what this plan read. */
  lock?: LockInfo
}

/**
 * `plan`: read and diff, never mutate. It takes no lock and never waits for
 * one (like `terraform plan -lock=false`, read-only), but says when a run
 * holds it. `offline`: against an empty state, with no AWS call at all.
 */
export async function plan(session: Session, options: {offline: boolean}): Promise<PlanReport> {
  const nodes = session.requireNodes()
  const [loaded, lock] = options.offline ? [undefined, undefined] : await Promise.all([session.store.load(), session.store.readLock()])
  const doc = loaded ?? newStateDocument(session.stack)
  const prepared = await prepare({nodes, registry, context: session.context, state: doc, concurrency: session.options.concurrency, offline: options.offline, checkConflicts: true})
  const report: PlanReport = buildReport('plan', {stack: session.stack, region: session.region, serial: options.offline ? undefined : doc.serial}, planReport(prepared), {})
  if (prepared.plan.unsafe.length > 0) report.unsafe = prepared.plan.unsafe
  if (prepared.plan.missing.length > 0) report.missing = prepared.plan.missing
  if (prepared.plan.conflicts.length > 0) report.conflicts = prepared.plan.conflicts
  if (lock) report.lock = lock
  return report
}
