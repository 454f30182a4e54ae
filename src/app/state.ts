import type {LockInfo, StateDocument} from '../state/types.js'
import {UsageError} from './errors.js'
import type {Session} from './session.js'

export interface StateShowReport {
  stack: string
  state: StateDocument | null
  lock: LockInfo | null
}

/** The stored state document and the lock, as they are in SSM. */
export async function showState(session: Session): Promise<StateShowReport> {
  const [state, lock] = await Promise.all([session.store.load(), session.store.readLock()])
  return {stack: session.stack, state: state ?? null, lock: lock ?? null}
}

export interface UnlockReport {
  stack: string
  removed: LockInfo | null
}

/** Breaks the lock whoever holds it. Only with --force: a lock normally means a run is in progress. */
export async function forceUnlock(session: Session, force: boolean): Promise<UnlockReport> {
  if (!force) throw new UsageError('refusing to break the lock without --force: a held lock usually means a run is in progress (see `containrlab status`)')
  const removed = await session.store.forceUnlock()
  return {stack: session.stack, removed: removed ?? null}
}
