import {converge} from '../engine/converge.js'
import {StateWriter} from '../engine/state-writer.js'
import {registry} from '../resources/registry.js'
import {currentLockInfo} from '../state/lock.js'
import {newStateDocument} from '../state/document.js'
import {buildReport, type RunReport} from './report.js'
import type {Session} from './session.js'

/**
 * `up`: lock the stack, converge, save the state after every mutation,
 * unlock (also when the run fails or is interrupted).
 */
export async function up(session: Session): Promise<RunReport> {
  const nodes = session.requireNodes()
  const lock = await session.store.lock(currentLockInfo('up'))
  try {
    const doc = (await session.store.load()) ?? newStateDocument(session.stack)
    const writer = new StateWriter(doc, session.store)
    // The lineage seeds idempotency tokens; it must be stored before the first create.
    if (doc.serial === 0) await writer.commit()
    const result = await converge({
      nodes,
      registry,
      context: session.context,
      mode: 'apply',
      state: doc,
      writer,
      concurrency: session.options.concurrency,
      emit: session.options.emit,
      signal: session.options.signal,
    })
    return buildReport('up', {stack: session.stack, region: session.region, serial: doc.serial}, result.results, result.outputs)
  } finally {
    await lock.release()
  }
}

/** `plan`: read and diff, never mutate. `offline`: against an empty state, with no AWS call at all. */
export async function plan(session: Session, options: {offline: boolean}): Promise<RunReport> {
  const nodes = session.requireNodes()
  const doc = options.offline ? newStateDocument(session.stack) : ((await session.store.load()) ?? newStateDocument(session.stack))
  const result = await converge({
    nodes,
    registry,
    context: session.context,
    mode: 'plan',
    offline: options.offline,
    state: doc,
    concurrency: session.options.concurrency,
    emit: session.options.emit,
    signal: session.options.signal,
  })
  return buildReport('plan', {stack: session.stack, region: session.region, serial: options.offline ? undefined : doc.serial}, result.results, result.outputs)
}
