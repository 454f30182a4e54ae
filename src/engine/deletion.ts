import {describeError} from '../aws/errors.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import {inUseBy, type ReconcileContext, type Reconciler} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import type {EventSink, NodeResult} from './events.js'
import type {Limiter} from './limiter.js'
import type {Deletion} from './plan.js'
import {isInUse, retryWhileInUse} from './retry.js'
import {chainPriorities, typicalMs} from './schedule.js'
import {inNodeScope} from './scope.js'
import type {StateWriter} from './state-writer.js'

/**
 * Deletes objects so that nothing goes before what depends on it: a
 * deletion waits for every other deletion whose `deps` name its logical id.
 * Each deletion is recorded in the state at once (saved in the background).
 * `done(key)` lets the executor wait for one deletion (a cascade's old
 * object) before it makes the new one.
 */
export class DeletionWalk {
  readonly results = new Map<string, NodeResult>()
  private readonly byKey: Map<string, Deletion>
  private readonly dependentsOf = new Map<string, string[]>()
  private readonly started = new Map<string, Promise<boolean>>()
  private readonly visiting = new Set<string>()
  private priority = new Map<string, number>()

  constructor(
    private readonly deletions: Deletion[],
    private readonly run: {
      state: StateDocument
      reconcilers: Map<string, Reconciler>
      context: (label: string) => ReconcileContext
      writer?: StateWriter
      limiter: Limiter
      emit: EventSink
      /** Delete data-bearing objects too (teardown --purge). */
      purge: boolean
      /** Bound of the wait for `in-use` per deletion (default: the context's wait budget). */
      inUseLimitMs?: (deletion: Deletion) => number | undefined
      /** Set (or replaced) per deletion: whether it finishes a replacement (for reporting). */
      partOf?: (deletion: Deletion) => string | undefined
      /** The run was interrupted or lost its state: deletions not started yet are not attempted. */
      stopped: () => string | undefined
      /** The stop is an interrupt (Ctrl-C / SIGTERM): a deletion it cuts short is `interrupted`, not failed. */
      interrupted?: () => boolean
    },
  ) {
    this.byKey = new Map(deletions.map((deletion) => [deletion.key, deletion]))
    for (const deletion of deletions) {
      for (const other of deletions) {
        if (other.key !== deletion.key && other.deps.includes(deletion.logicalId)) {
          this.dependentsOf.set(deletion.key, [...(this.dependentsOf.get(deletion.key) ?? []), other.key])
        }
      }
    }
    this.priority = chainPriorities(
      deletions.map((deletion) => deletion.key),
      (key) => deletions.filter((other) => this.dependentsOf.get(other.key)?.includes(key)).map((other) => other.key),
      (key) => {
        const reconciler = run.reconcilers.get(this.byKey.get(key)!.kind)
        return reconciler ? typicalMs(reconciler, 'delete') : 1_000
      },
    )
  }

  /** Loads the reconcilers every deletion needs (they may be kinds the graph no longer has). */
  static async reconcilersFor(registry: ReconcilerRegistry, deletions: Deletion[], into: Map<string, Reconciler>): Promise<void> {
    for (const kind of new Set(deletions.map((deletion) => deletion.kind))) if (!into.has(kind)) into.set(kind, await registry.get(kind))
  }

  /** Runs every deletion; resolves when all settled. */
  async all(): Promise<NodeResult[]> {
    await Promise.all(this.deletions.map((deletion) => this.done(deletion.key)))
    return this.deletions.map((deletion) => this.results.get(deletion.key)!)
  }

  /** Resolves true once the deletion `key` succeeded (or the object was kept), false if it failed or was not attempted. */
  done(key: string): Promise<boolean> {
    const existing = this.started.get(key)
    if (existing) return existing
    if (this.visiting.has(key)) return Promise.resolve(true) // a dependency loop in old state data: don't deadlock
    this.visiting.add(key)
    const deletion = this.byKey.get(key)!
    const promise = inNodeScope(deletion.logicalId, () => this.delete(deletion))
    this.started.set(key, promise)
    return promise
  }

  /**
   * How a deletion is named in events: its logical id, and the AWS id when
   * it is not the logical id's current object (`old` for the old half of a
   * replacement). Never an internal key.
   */
  static label(deletion: Pick<Deletion, 'logicalId' | 'id' | 'cause' | 'old'>): string {
    if (deletion.cause === 'removed') return deletion.logicalId
    return `${deletion.logicalId} (${deletion.old || deletion.cause === 'replaced' ? 'old ' : ''}${deletion.id})`
  }

  private async delete(deletion: Deletion): Promise<boolean> {
    const {emit} = this.run
    const label = DeletionWalk.label(deletion)
    const partOf = this.run.partOf?.(deletion)
    const base: NodeResult = {id: deletion.logicalId, kind: deletion.kind, action: 'delete', status: 'planned', physicalId: deletion.id, changes: [], reason: deletion.reason, durationMs: 0, ...(partOf ? {partOf} : {})}
    const notOurs = deletion.observed ? this.run.reconcilers.get(deletion.kind)?.notOurs?.(deletion.observed) : undefined
    if (notOurs) {
      // Used, never made: the stack stops using it, and it stays exactly as it is.
      this.forget(deletion)
      this.results.set(deletion.key, {...base, action: 'noop', status: 'kept', reason: `kept: ${notOurs}`})
      emit({type: 'node-progress', id: label, message: `kept: ${notOurs}`})
      return true
    }
    const dependents = this.dependentsOf.get(deletion.key) ?? []
    const dependentsOk = await Promise.all(dependents.map((key) => this.done(key)))
    const stopped = this.run.stopped()
    if (dependentsOk.some((ok) => !ok) || stopped) {
      const blockedBy = stopped ? [] : dependents.filter((_, i) => !dependentsOk[i]).map((key) => this.byKey.get(key)!.logicalId)
      this.results.set(deletion.key, {...base, status: 'blocked', error: stopped ?? `not attempted: ${blockedBy.join(', ')} (which depends on it) could not be deleted`})
      emit({type: 'node-blocked', id: label, kind: deletion.kind, blockedBy, ...(stopped ? {reason: stopped.replace(/^not attempted: /, '')} : {})})
      return false
    }
    if (deletion.unreadable) {
      // Whether it exists is unknown: deleting by a guess could leave it (and, after it, the state) behind.
      const error = `not deleted: whether it still exists is not known, its kind could not be read (${deletion.unreadable.split(': ')[0]})`
      this.results.set(deletion.key, {...base, status: 'failed', error})
      emit({type: 'node-failed', id: label, kind: deletion.kind, action: 'delete', error})
      return false
    }
    const reconciler = this.run.reconcilers.get(deletion.kind)!
    const ctx = this.run.context(label)
    const started = ctx.clock.now()
    const loss = deletion.observed ? reconciler.dataLoss?.(deletion.observed) : undefined
    if (loss && loss.unlessPurge === 'keep' && !this.run.purge) {
      this.forget(deletion)
      this.results.set(deletion.key, {...base, status: 'kept', dataLoss: loss.what, reason: `kept: ${loss.what} (--purge deletes it)`})
      emit({type: 'node-progress', id: label, message: `kept: ${loss.what} (--purge deletes it)`})
      return true
    }
    emit({type: 'node-start', id: label, kind: deletion.kind, action: 'delete', changes: []})
    try {
      if (deletion.observed) {
        const observed = deletion.observed
        const limit = this.run.inUseLimitMs?.(deletion) ?? ctx.waitTimeoutMs
        await this.run.limiter.run(() => retryWhileInUse(ctx, reconciler, () => reconciler.delete(ctx, observed, {purge: this.run.purge}), limit), this.priority.get(deletion.key))
      }
      this.forget(deletion)
      const durationMs = ctx.clock.now() - started
      this.results.set(deletion.key, {...base, status: 'done', durationMs, ...(loss ? {dataLoss: loss.what} : {})})
      emit({type: 'node-done', id: label, kind: deletion.kind, action: 'delete', physicalId: deletion.id, durationMs})
      return true
    } catch (error) {
      if (this.run.interrupted?.()) {
        const message = `interrupted before it finished${error === ctx.signal.reason ? '' : ` (${describeError(error)})`}`
        this.results.set(deletion.key, {...base, status: 'interrupted', error: message, durationMs: ctx.clock.now() - started})
        emit({type: 'node-interrupted', id: label, kind: deletion.kind, action: 'delete', message})
        return false
      }
      const seconds = Math.round((ctx.clock.now() - started) / 1000)
      const message = !isInUse(reconciler, error)
        ? describeError(error)
        : inUseBy(error)
          ? `${describeError(error)} — still there after ${seconds}s; the next teardown tries again`
          : `${describeError(error)} — AWS still reports ${deletion.id} in use after ${seconds}s; something outside this stack's state may use it`
      this.results.set(deletion.key, {...base, status: 'failed', error: message, durationMs: ctx.clock.now() - started})
      emit({type: 'node-failed', id: label, kind: deletion.kind, action: 'delete', error: message})
      return false
    }
  }

  /** The object is gone (or deliberately kept): the state no longer lists it. */
  private forget(deletion: Deletion): void {
    const {state} = this.run
    if (deletion.cause === 'retired') {
      state.retired = state.retired.filter((entry) => !(entry.id === deletion.id && entry.kind === deletion.kind))
    } else if (state.resources[deletion.logicalId]?.id === deletion.id) {
      delete state.resources[deletion.logicalId]
    }
    this.run.writer?.saveInBackground()
  }
}
