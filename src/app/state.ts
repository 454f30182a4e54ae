import type {LockInfo, RawState, StateDocument} from '../state/types.js'
import {UsageError} from './errors.js'
import {compareIds} from './report.js'
import type {Session} from './session.js'

export interface StateShowReport {
  stack: string
  /** The stored document, its maps keyed by logical id sorted by logical id. */
  state: StateDocument | null
  lock: LockInfo | null
}

/** The stored state document and the lock, as they are in SSM; what is keyed by logical id comes sorted by it. */
export async function showState(session: Session): Promise<StateShowReport> {
  const [state, lock] = await Promise.all([session.store.load(), session.store.readLock()])
  return {stack: session.stack, state: state ? sortedDocument(state) : null, lock: lock ?? null}
}

function sortedDocument(doc: StateDocument): StateDocument {
  const sorted = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareIds(a, b)))
  return {...doc, resources: sorted(doc.resources), intents: sorted(doc.intents), generations: sorted(doc.generations)}
}

export interface RawStateReport extends RawState {
  stack: string
}

/**
 * `state show --raw`: every parameter under the stack's prefix as stored,
 * each header with its chunk names and what it decodes to, even when the
 * state does not validate (the way to see, and save, what is there before
 * repairing it; docs/architecture.md, "When the state cannot be read").
 */
export async function showRawState(session: Session): Promise<RawStateReport> {
  if (!session.store.readRaw) throw new UsageError('this state store cannot show its raw parameters')
  return {stack: session.stack, ...(await session.store.readRaw())}
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
