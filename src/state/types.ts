/**
 * The state document and the store that keeps it. One document per stack;
 * it maps each logical id of the graph to the AWS resource it became. It only
 * ever holds ids and outputs the engine gives it, never secrets.
 */

export interface ResourceState {
  kind: string
  id: string
  deps: string[]
  outputs: Record<string, string>
  updatedAt: string
}

export interface StateDocument {
  schemaVersion: 1
  stack: string
  /** Increases on every save; a store never replaces a higher serial with a lower one. */
  serial: number
  /** Random id fixed when the stack's state is first created, so two unrelated states are never confused. */
  lineage: string
  /** Keyed by logical id (`subnet/private-1`). */
  resources: Record<string, ResourceState>
}

export interface StateStore {
  /** undefined when the stack has no state. */
  load(): Promise<StateDocument | undefined>
  /** The caller bumps `serial`; the store writes it. Safe to call concurrently. */
  save(doc: StateDocument): Promise<void>
  /** Deletes every state parameter (teardown); the lock is left to its handle. */
  destroy(): Promise<void>
  /** Throws LockHeldError when someone else holds the lock. */
  lock(info: LockInfo): Promise<LockHandle>
  readLock(): Promise<LockInfo | undefined>
  /** Removes the lock whoever holds it; returns what was removed. */
  forceUnlock(): Promise<LockInfo | undefined>
}

export interface LockInfo {
  /** Random per acquisition: release deletes the lock only while it still holds this id. */
  id: string
  who: string
  host: string
  pid: number
  command: string
  /** ISO 8601. */
  since: string
}

export interface LockHandle {
  release(): Promise<void>
}

/** "held by alice@laptop (pid 4242) since 2026-11-26T05:00:00Z for `containrlab up`" */
export function describeLock(info: LockInfo): string {
  return `held by ${info.who}@${info.host} (pid ${info.pid}) since ${info.since} for \`${info.command}\``
}

/** The state is locked by another run; exit code 3 (README, "Exit codes"). */
export class LockHeldError extends Error {
  readonly exitCode = 3

  constructor(readonly holder: LockInfo) {
    super(
      `the stack's state is locked: ${describeLock(holder)}.\n` +
        '  Wait for that run to finish. If it is dead (crashed, killed, machine gone), `containrlab state unlock --force` breaks the lock.',
    )
    this.name = 'LockHeldError'
  }
}

/** The stored state cannot be read: unknown format, missing or corrupt parts. */
export class StateFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StateFormatError'
  }
}
