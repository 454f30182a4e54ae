/**
 * The state document and the store that keeps it. One document per stack;
 * it maps each logical id of the graph to the AWS resource it became. It only
 * ever holds ids and outputs the engine gives it, never secrets.
 */

/** The object a logical id of the graph became. */
export interface ResourceEntry {
  kind: string
  /** AWS id (`vpc-…`, an ARN for kinds that have no other id). */
  id: string
  /** Logical ids it depends on (its refs and `dependsOn`), for deletion order when the spec no longer has it. */
  deps: string[]
  /** What dependents may reference (ids, ARNs, DNS names); never a sensitive value. */
  outputs: Record<string, string>
  /** ISO 8601. */
  updatedAt: string
}

/**
 * An object that no longer stands for its logical id but still exists:
 * the old half of a create-before-delete replacement (deleted at the end of
 * the run that replaced it, or by the next run if that one was cut short),
 * or an orphan found by its tags at teardown.
 */
export interface RetiredEntry {
  logicalId: string
  kind: string
  id: string
  deps: string[]
  reason: 'replaced' | 'orphan'
  /** ISO 8601. */
  since: string
}

/**
 * Written (and stored) before a create call: if the run dies between the
 * call and the save that records the new object, the next run knows an
 * object may exist although describes do not show it yet, replays the same
 * idempotency token where the API takes one, and otherwise looks for the
 * object by its tags for a bounded time before creating another.
 */
export interface CreateIntent {
  kind: string
  token: string
  /** ISO 8601, on the clock of the run that wrote it. */
  startedAt: string
}

export const STATE_SCHEMA_VERSION = 2

export interface StateDocument {
  schemaVersion: typeof STATE_SCHEMA_VERSION
  stack: string
  /** Increases on every save; a store never replaces a higher serial with a lower one. */
  serial: number
  /** Random id fixed when the stack's state is first created, so two unrelated states are never confused. */
  lineage: string
  /** Keyed by logical id (`subnet/private-1`). */
  resources: Record<string, ResourceEntry>
  retired: RetiredEntry[]
  /** Keyed by logical id: creates in flight (see CreateIntent). */
  intents: Record<string, CreateIntent>
  /**
   * Keyed by logical id: how many objects were ever created for it. Seeds
   * idempotency tokens, so that no two objects share one even when a logical
   * id is deleted and made again (EC2 answers a reused token with the old,
   * deleted object).
   */
  generations: Record<string, number>
}

export interface StateStore {
  /** undefined when the stack has no state. */
  load(): Promise<StateDocument | undefined>
  /**
   * The caller bumps `serial`; the store commits the document as the serial
   * after the one it loaded or last committed (the same number, unless an
   * earlier save failed before committing: then the store's, written into
   * the stored document). A document whose serial is not above the last one
   * saved is an older snapshot and is not written. Safe to call
   * concurrently. A compare-and-swap: throws StateConflictError when another
   * run committed a serial this store did not load or write, or deleted the
   * state (its lock was broken while it ran); what it wrote is removed again
   * and every later save throws the same error.
   *
   * `quick`: only the conditional put, for a save someone waits for (a
   * create intent): the put alone fails against a run that committed this
   * serial; the check for higher serials (a run far ahead) and the clean-up
   * of old ones wait for the next full save.
   */
  save(doc: StateDocument, options?: {quick?: boolean}): Promise<void>
  /**
   * Deletes every state parameter (teardown); the lock is left to its handle.
   * Throws StateConflictError, deleting nothing, when another run committed
   * since this store loaded.
   */
  destroy(): Promise<void>
  /** Throws LockHeldError when someone else holds the lock. */
  lock(info: LockInfo): Promise<LockHandle>
  readLock(): Promise<LockInfo | undefined>
  /** Removes the lock whoever holds it; returns what was removed. */
  forceUnlock(): Promise<LockInfo | undefined>
  /**
   * Every stored parameter of the stack as it is, with what its headers
   * decode to, whatever is wrong with them (`state show --raw`). Throws only
   * when the store cannot be read at all (an AWS error).
   */
  readRaw?(): Promise<RawState>
}

/** A stored parameter, as it is. */
export interface RawParameter {
  name: string
  /** What it is: a serial header, a chunk of one, the lock, the first release's header or chunks, or something else under the prefix. */
  role: 'header' | 'chunk' | 'lock' | 'legacy-header' | 'legacy-chunk' | 'other'
  /** The value as stored (a chunk's value is left out: its header's `document` is what it decodes to). */
  value?: string
  /** A chunk's length in characters. */
  length?: number
  /** The parameter's version: its history (`aws ssm get-parameter-history`) holds the earlier ones. */
  version?: number
  lastModified?: string
  /** Headers: the serial it claims. */
  serial?: number
  /** Headers: chunk names, the decoded document and what is wrong with it (see codec.ts, InspectedHeader). */
  chunks?: string[]
  missingChunks?: string[]
  document?: unknown
  problem?: string
}

/** Everything stored under `/containrlab/<stack>/`, unvalidated. */
export interface RawState {
  prefix: string
  /** Headers highest serial first, then the rest by name. */
  parameters: RawParameter[]
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
    super(`the stack's state is locked: ${describeLock(holder)}.\n` + '  Wait for that run to finish. If it is dead (crashed, killed, machine gone), `containrlab state unlock --force` breaks the lock.')
    this.name = 'LockHeldError'
  }
}

/**
 * The stored state cannot be read: unknown format, missing or corrupt parts,
 * a document that fails validation. The message names what is wrong and how
 * to get a good state back.
 */
export class StateFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StateFormatError'
  }
}

/**
 * The state was written by a newer containrlab (a higher schema version,
 * header format or encoding): nothing is wrong with it, this build is too old.
 */
export class StateVersionError extends StateFormatError {
  constructor(message: string) {
    super(message)
    this.name = 'StateVersionError'
  }
}

/**
 * Another run committed the state since this one loaded it: typically
 * `state unlock --force` was used while this run still held the lock. This
 * run must stop changing AWS at once; its last changes are not in the state
 * (the other run's are), and `up` again reconciles them by their tags.
 *
 * `stackName`, not `stack`: a `stack` property would replace Error's stack trace.
 */
export class StateConflictError extends Error {
  constructor(
    readonly stackName: string,
    /** The other run's serial (committed), or this store's last serial (deleted). */
    readonly serial: number,
    /** `deleted`: the state this run built on was deleted (a teardown) rather than superseded. */
    readonly how: 'committed' | 'deleted' = 'committed',
  ) {
    super(
      how === 'committed'
        ? `the state of stack ${stackName} was committed by another run (serial ${serial}) while this run held it: its lock was broken (\`state unlock --force\`?). ` +
            'This run stopped changing AWS. Let the other run finish, then run `up` again: what this run made is found by its tags.'
        : `the state of stack ${stackName} was deleted by another run (a teardown?) after serial ${serial}, while this run held it: its lock was broken (\`state unlock --force\`?). ` +
            'This run stopped changing AWS. What it made is found by its tags: `teardown` removes it, `up` adopts it.',
    )
    this.name = 'StateConflictError'
  }
}
