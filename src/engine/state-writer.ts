import {describeError} from '../aws/errors.js'
import {StateConflictError, type StateDocument, type StateStore} from '../state/types.js'
import type {Clock} from '../util/clock.js'

/**
 * Saves the working state document after each mutation. Concurrent nodes
 * mutate the one document; saves are serialised and coalesced: while one
 * save is in flight, every commit that arrives waits for a single next save
 * that includes all of them. A commit resolves once its mutation is stored.
 *
 * Background saves start at least `minIntervalMs` apart, and once no
 * mutation arrived for `minIntervalMs` (but no later than three intervals
 * after the first change they hold): Parameter Store throttles PutParameter
 * per account and region (its "throughput" quota, shared with every other
 * user of the account), and a save in flight holds up the next commit.
 * Mutations in between are coalesced into the next save. A commit someone
 * waits for (a create intent, which must be stored before its create call)
 * does not wait: it cuts the pacing short and its save holds the background
 * changes too. What a crash loses of background changes, tags recover.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-throughput.html
 */
export class StateWriter {
  private running: Promise<void> | undefined
  private queued: Promise<void> | undefined
  private failure: unknown
  private lastStart = Number.NEGATIVE_INFINITY
  private flushing = false
  private cutPacing: (() => void) | undefined
  private readonly conflictListeners = new Set<(error: StateConflictError) => void>()
  /** Mutations recorded so far, and how many of them the save in flight (or the last one) holds. */
  private changes = 0
  private covered = 0
  /** A commit is waiting: the next save skips the pacing. */
  private urgent = false
  /** Clock times of the last background change, and of the first one no save holds yet. */
  private lastChange = Number.NEGATIVE_INFINITY
  private firstPending: number | undefined
  /** Set once a save found that another run committed the state: nothing more is saved, and the run must stop. */
  conflict: StateConflictError | undefined
  saves = 0

  constructor(
    readonly doc: StateDocument,
    private readonly store: StateStore,
    private readonly pacing?: {clock: Clock; minIntervalMs: number},
  ) {}

  /** Called once if a save meets a StateConflictError; returns the unsubscribe function. */
  onConflict(listener: (error: StateConflictError) => void): () => void {
    this.conflictListeners.add(listener)
    return () => this.conflictListeners.delete(listener)
  }

  /** Stores the document as it is now; resolves once it is stored. */
  commit(): Promise<void> {
    this.changes++
    this.urgent = true
    this.cutPacing?.()
    return this.request()
  }

  /**
   * A save that holds every change recorded so far. It starts on the next
   * turn of the event loop (after the one in flight, if any), so that every
   * request of this turn shares it: when a resource is recorded, the
   * dependents it lets go store their create intents in the same turn, and
   * all of it is one save, not a queue of them. It is skipped when the save
   * before it started late enough to hold every change.
   */
  private request(): Promise<void> {
    if (this.conflict) return Promise.reject(this.conflict)
    if (this.queued) return this.queued
    const previous = this.running ?? Promise.resolve()
    this.queued = previous
      .catch(() => undefined)
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.queued = undefined
        if (this.covered >= this.changes) return undefined
        this.running = this.save().finally(() => {
          this.running = undefined
        })
        return this.running
      })
    return this.queued
  }

  /**
   * Records a mutation without waiting for it to be stored: dependents need
   * not wait for SSM (a crash before the save lands is recovered from the
   * resource's tags). `flush` reports a failed save.
   *
   * Like every save it starts on the next turn of the event loop: what the
   * mutation lets go next (dependents storing their create intents, in the
   * same turn) then shares that save instead of queueing behind it.
   */
  saveInBackground(): void {
    this.changes++
    if (this.pacing) {
      this.lastChange = this.pacing.clock.now()
      this.firstPending ??= this.lastChange
    }
    this.request().catch((error: unknown) => {
      this.failure ??= error
    })
  }

  /**
   * Waits until every mutation recorded so far is stored; throws the first
   * save that failed. The save it waits for skips the pacing: the run is
   * over, and one early save does not make a sustained rate.
   */
  async flush(): Promise<void> {
    this.flushing = true
    this.cutPacing?.()
    // Changes a failed save did not store are tried once more.
    if (this.changes > this.covered && !this.conflict) {
      this.request().catch((error: unknown) => {
        this.failure ??= error
      })
    }
    while (this.running || this.queued) await (this.queued ?? this.running)!.catch(() => undefined)
    this.flushing = false
    if (this.failure) {
      const failure = this.failure
      this.failure = undefined
      throw failure
    }
  }

  /** `flush` for the end of a run: a failed save becomes a line of the run's report (undefined when all is stored). */
  flushForReport(): Promise<string | undefined> {
    return this.flush().then(
      () => undefined,
      (error: unknown) => `the state could not be saved: ${describeError(error)}`,
    )
  }

  private async save(): Promise<void> {
    if (this.pacing) {
      const {clock, minIntervalMs} = this.pacing
      for (;;) {
        const now = clock.now()
        const quietAndPaced = Math.max(this.lastChange, this.lastStart) + minIntervalMs
        const until = Math.min(quietAndPaced, (this.firstPending ?? now) + 3 * minIntervalMs)
        if (until <= now || this.flushing || this.urgent) break
        const cut = new AbortController()
        this.cutPacing = () => cut.abort()
        await clock.sleep(until - now, cut.signal).catch(() => undefined)
        this.cutPacing = undefined
      }
      this.lastStart = clock.now()
      this.firstPending = undefined
    }
    if (this.conflict) throw this.conflict
    const quick = this.urgent && !this.flushing
    this.urgent = false
    const coveredBefore = this.covered
    this.covered = this.changes
    this.doc.serial++
    this.saves++
    try {
      await this.store.save(structuredClone(this.doc), {quick})
    } catch (error) {
      // The serial was not committed: the next save retries it, with these changes.
      this.doc.serial--
      this.covered = coveredBefore
      if (error instanceof StateConflictError) {
        this.conflict = error
        for (const listener of this.conflictListeners) listener(error)
      }
      throw error
    }
  }
}
