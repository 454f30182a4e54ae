import {describeError} from '../aws/errors.js'
import {StateWriter} from '../engine/state-writer.js'
import {teardown as teardownEngine} from '../engine/teardown.js'
import {registry} from '../resources/registry.js'
import {newStateDocument} from '../state/document.js'
import {currentLockInfo} from '../state/lock.js'
import {CancelledError} from './errors.js'
import {buildReport, type RunReport} from './report.js'
import type {Confirm} from './up.js'
import type {Session} from './session.js'

/**
 * `teardown`: delete every resource in the state and every orphan tagged with
 * the stack, in reverse dependency order; when all are gone, delete the state
 * parameters too. A partial teardown keeps the state of what is left.
 */
export async function teardown(session: Session, options: {dryRun?: boolean; purge?: boolean; confirm?: Confirm} = {}): Promise<RunReport & {orphans: string[]}> {
  const lock = options.dryRun ? undefined : await session.store.lock(currentLockInfo('containrlab teardown'))
  try {
    const loaded = await session.store.load()
    const doc = loaded ?? newStateDocument(session.stack)
    const writer = new StateWriter(doc, session.store, session.statePacing)
    const result = await teardownEngine({
      state: doc,
      registry,
      context: session.context,
      nodes: session.spec ? session.nodes : undefined,
      mode: options.dryRun ? 'plan' : 'apply',
      writer,
      concurrency: session.options.concurrency,
      emit: session.options.emit,
      signal: session.options.signal,
      purge: options.purge ?? false,
      confirm: options.confirm && ((planned) => options.confirm!(buildReport('teardown', {stack: session.stack, region: session.region}, planned, {}))),
    })
    if (result.cancelled) throw new CancelledError(undefined)
    // The state goes last, once nothing it lists is left; another run's newer state is never deleted.
    const stateError =
      result.stateError ??
      (result.ok && !options.dryRun
        ? await session.store.destroy().then(
            () => undefined,
            (error: unknown) => `the state was not deleted: ${describeError(error)}`,
          )
        : undefined)
    const done = result.ok && !stateError
    const report = buildReport(
      'teardown',
      {stack: session.stack, region: session.region, serial: done ? undefined : doc.serial},
      result.results,
      {},
      {
        stateError,
        stopped: result.stopped,
        interrupted: result.interrupted,
        errors: result.unreadable,
      },
    )
    return {...report, orphans: result.orphans}
  } finally {
    await lock?.release()
  }
}
