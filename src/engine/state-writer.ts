import {StateConflictError, type StateDocument, type StateStore} from '../state/types.js'
import type {Clock} from '../util/clock.js'

/**
 * Saves the working state document after each mutation. Concurrent nodes
 * mutate the one document; saves are serialised and coalesced: while one
 * save is in flight, every commit that arrives waits for a single next save
 * that includes all of them. A commit resolves once its mutation is stored.
 *
 * Saves start at least `minIntervalMs` apart: Parameter Store throttles
 * PutParameter per account and region (its "throughput" quota, shared with
 * every other user of the account), and each save is a new version of the
 * parameter. Mutations in between are coalesced into the next save.
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

  commit(): Promise<void> {
    if (this.conflict) return Promise.reject(this.conflict)
    if (this.queued) return this.queued
    if (!this.running) {
      this.running = this.save().finally(() => {
        this.running = undefined
      })
      return this.running
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined
        return this.commit()
      })
    return this.queued
  }

  /**
   * Records a mutation without waiting for it to be stored: dependents need
   * not wait for SSM (a crash before the save lands is recovered from the
   * resource's tags). `flush` reports a failed save.
   */
  saveInBackground(): void {
    this.commit().catch((error: unknown) => {
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
    while (this.running || this.queued) await (this.queued ?? this.running)!.catch(() => undefined)
    this.flushing = false
    if (this.failure) {
      const failure = this.failure
      this.failure = undefined
      throw failure
    }
  }

  private async save(): Promise<void> {
    if (this.pacing) {
      const wait = this.lastStart + this.pacing.minIntervalMs - this.pacing.clock.now()
      if (wait > 0 && !this.flushing) {
        const cut = new AbortController()
        this.cutPacing = () => cut.abort()
        await this.pacing.clock.sleep(wait, cut.signal).catch(() => undefined)
        this.cutPacing = undefined
      }
      this.lastStart = this.pacing.clock.now()
    }
    if (this.conflict) throw this.conflict
    this.doc.serial++
    this.saves++
    try {
      await this.store.save(structuredClone(this.doc))
    } catch (error) {
      // The serial was not committed: the next save retries it.
      this.doc.serial--
      if (error instanceof StateConflictError) {
        this.conflict = error
        for (const listener of this.conflictListeners) listener(error)
      }
      throw error
    }
  }
}
