import {describeError, isAnsweredError} from '../aws/errors.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import {ownedBy} from '../resources/tags.js'
import type {Observed, ReconcileContext, Reconciler} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import {Limiter} from './limiter.js'

/**
 * Reading what exists: one batched `read` per kind for every id the state
 * knows, one `find` per kind (by tags or names) where that does not find
 * everything, ownership checked on what AWS returned, and — after a crash —
 * a bounded wait for objects that eventually consistent describes do not
 * show yet.
 *
 * A kind whose read or lookup fails with an answer (an AWS error, or a
 * proxy's HTML page, after the SDK's retries) is unreadable: its logical ids
 * are marked so, with the error, and every other kind is read as usual.
 * `status` shows them unknown; `plan` and `up` refuse to plan without them
 * (converge.ts); teardown fails their deletions and what they block. A
 * failure without an answer (no credentials, no network, an interrupt, a
 * bug) still fails the whole read.
 */

export interface Observation {
  /** The live resource, if any. */
  observed?: Observed
  /** Where it came from: the state's id, or a lookup by tags/name (adopted after a crash, or an orphan). */
  source?: 'state' | 'found'
  /** Not known: its kind could not be read (the error, as describeError words it). */
  unreadable?: string
}

/** An object of the stack that no logical id of the run claims: a duplicate left by a crash, or (teardown) an orphan. */
export interface Stray {
  logicalId: string
  kind: string
  observed: Observed
}

export interface World {
  /** Logical id → what exists for it (every wanted id has an entry, possibly empty). */
  current: Map<string, Observation>
  /** Per `state.retired` entry, in order: the object if it still exists. */
  retired: (Observed | undefined)[]
  /** Found by tags or names, claimed by no logical id and not in the state. */
  strays: Stray[]
  /** Kind → why it could not be read (its objects' existence is unknown: those not observed, retired ones, strays). */
  unreadable: Map<string, string>
}

export interface ObserveOptions {
  ctx: ReconcileContext
  registry: ReconcilerRegistry
  state: StateDocument
  /** logical id → its kind and (when the spec has it) desired props, for everything the run cares about. */
  wanted: Map<string, {kind: string; desired?: unknown}>
  /** Look up by tags/names what the state's ids don't find (default true). */
  findMissing?: boolean
  /** Look up every kind the registry knows, to find orphans (teardown). */
  findEverything?: boolean
  /**
   * Wait (bounded) for objects recorded or about to be created moments ago
   * that describes do not show yet, rather than report them missing: a re-run
   * right after a crash would otherwise make a second one, or a teardown
   * leave one behind. `up` need not wait for kinds whose create replays its
   * idempotency token (`replay`); a teardown must see everything (`all`).
   */
  awaitRecent?: 'replay' | 'all'
  concurrency: number
  /** Whose retired objects to read (default: every logical id's); a targeted run reads only its targets'. */
  retiredOf?: (logicalId: string) => boolean
}

/**
 * How long after its create an object may still be invisible to describes.
 * EC2 documents no bound ("may take some time"); Terraform waits 2 minutes
 * for a new id to appear (PropagationTimeout), and so do we.
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export const VISIBILITY_WINDOW_MS = 2 * 60_000

export async function observe(options: ObserveOptions): Promise<World> {
  const {ctx, registry, state, wanted} = options
  const limiter = new Limiter(options.concurrency)
  const reconcilers = new Map<string, Reconciler>()
  const reconcilerOf = async (kind: string) => {
    let reconciler = reconcilers.get(kind)
    if (!reconciler) reconcilers.set(kind, (reconciler = await registry.get(kind)))
    return reconciler
  }

  const unreadable = new Map<string, string>()
  /** Runs one read of a kind; an answered failure marks the kind unreadable instead of failing the run. */
  const tolerate = async (kind: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work()
    } catch (error) {
      if (ctx.signal.aborted || !isAnsweredError(error)) throw error
      if (!unreadable.has(kind)) unreadable.set(kind, describeError(error))
    }
  }

  // 1. One batched read per kind of every id the state holds for the run's logical ids and retired objects.
  const idsByKind = new Map<string, Set<string>>()
  const want = (kind: string, id: string) => idsByKind.set(kind, (idsByKind.get(kind) ?? new Set()).add(id))
  for (const [logicalId, {kind}] of wanted) {
    const entry = state.resources[logicalId]
    if (entry?.kind === kind) want(kind, entry.id)
  }
  const retiredWanted = (entry: {logicalId: string}) => options.retiredOf?.(entry.logicalId) ?? true
  for (const entry of state.retired) if (retiredWanted(entry)) want(entry.kind, entry.id)
  const byId = new Map<string, Map<string, Observed>>()
  const readKind = async (kind: string, ids: string[]) => {
    const reconciler = await reconcilerOf(kind)
    const read = await reconciler.read(ctx, ids)
    const known = byId.get(kind) ?? new Map<string, Observed>()
    // An object tagged with another stack is never ours, whatever the state says.
    for (const [id, observed] of read) if (observed.stack === undefined || observed.stack === ctx.stack) known.set(id, observed)
    byId.set(kind, known)
  }
  await Promise.all([...idsByKind].map(([kind, ids]) => limiter.run(() => tolerate(kind, () => readKind(kind, [...ids])))))

  const current = new Map<string, Observation>()
  // AWS ids are unique per kind only: an IAM role and its instance profile often share a name.
  const inState = (kind: string, id: string) => `${kind}\u0000${id}`
  const stateIds = new Set<string>()
  for (const entry of Object.values(state.resources)) stateIds.add(inState(entry.kind, entry.id))
  for (const entry of state.retired) stateIds.add(inState(entry.kind, entry.id))
  const fromState = (logicalId: string, kind: string): Observed | undefined => {
    const entry = state.resources[logicalId]
    return entry?.kind === kind ? byId.get(kind)?.get(entry.id) : undefined
  }
  for (const [logicalId, {kind}] of wanted) {
    const observed = fromState(logicalId, kind)
    current.set(logicalId, observed ? {observed, source: 'state'} : {})
  }

  // 2. Lookups by tags/names, only for kinds where something is missing (or every kind, for teardown).
  const findKinds = new Set<string>(options.findEverything ? registry.kinds() : [])
  if (options.findMissing ?? true) for (const [logicalId, {kind}] of wanted) if (!current.get(logicalId)!.observed) findKinds.add(kind)
  // A kind whose read failed is not asked again (the SDK already retried it).
  for (const kind of unreadable.keys()) findKinds.delete(kind)
  const findKind = async (kind: string): Promise<Observed[]> => {
    const reconciler = await reconcilerOf(kind)
    const query = [...wanted].filter(([, w]) => w.kind === kind).map(([logicalId, w]) => ({logicalId, desired: w.desired}))
    return ownedBy(ctx.stack, await reconciler.find(ctx, {stack: ctx.stack, wanted: query}))
  }
  const found = new Map<string, Observed[]>()
  await Promise.all([...findKinds].map((kind) => limiter.run(() => tolerate(kind, async () => void found.set(kind, await findKind(kind))))))

  const adopt = (kind: string, objects: Observed[]) => {
    for (const observed of objects) {
      if (stateIds.has(inState(kind, observed.id))) continue
      const slot = wanted.get(observed.logicalId!)?.kind === kind ? current.get(observed.logicalId!) : undefined
      if (slot && !slot.observed) {
        slot.observed = observed
        slot.source = 'found'
        stateIds.add(inState(kind, observed.id))
      }
    }
  }
  for (const [kind, objects] of found) adopt(kind, objects)

  // 3. After a crash: objects recorded (or about to be created) moments ago may not show yet.
  if (options.awaitRecent) await awaitRecent({ctx, state, wanted, current, reconcilerOf, readKind, byId, findKind, adopt, found, mode: options.awaitRecent, tolerate, unreadable})

  for (const [logicalId, {kind}] of wanted) {
    const slot = current.get(logicalId)!
    const why = unreadable.get(kind)
    if (why && !slot.observed) slot.unreadable = why
  }

  const strays: Stray[] = []
  for (const [kind, objects] of found) {
    for (const observed of objects) if (!stateIds.has(inState(kind, observed.id))) strays.push({logicalId: observed.logicalId!, kind, observed})
  }
  const retired = state.retired.map((entry) => byId.get(entry.kind)?.get(entry.id))
  return {current, retired, strays, unreadable}
}

async function awaitRecent(run: {
  ctx: ReconcileContext
  state: StateDocument
  wanted: ObserveOptions['wanted']
  current: Map<string, Observation>
  reconcilerOf: (kind: string) => Promise<Reconciler>
  readKind: (kind: string, ids: string[]) => Promise<void>
  byId: Map<string, Map<string, Observed>>
  findKind: (kind: string) => Promise<Observed[]>
  adopt: (kind: string, objects: Observed[]) => void
  found: Map<string, Observed[]>
  mode: 'replay' | 'all'
  tolerate: (kind: string, work: () => Promise<void>) => Promise<void>
  unreadable: Map<string, string>
}): Promise<void> {
  const {ctx, state, wanted, current} = run
  const now = ctx.clock.now()
  /** Logical id → until when it may still appear, and how to look for it. */
  const pending = new Map<string, {kind: string; until: number; by: 'id' | 'tags'}>()
  for (const [logicalId, {kind}] of wanted) {
    // Nothing to wait for where nothing can be read.
    if (current.get(logicalId)!.observed || run.unreadable.has(kind)) continue
    const entry = state.resources[logicalId]
    const recorded = entry?.kind === kind ? Date.parse(entry.updatedAt) : NaN
    if (recorded + VISIBILITY_WINDOW_MS > now) {
      pending.set(logicalId, {kind, until: recorded + VISIBILITY_WINDOW_MS, by: 'id'})
      continue
    }
    const intent = state.intents[logicalId]
    const started = intent?.kind === kind ? Date.parse(intent.startedAt) : NaN
    // For `up`, a kind with an idempotency token replays it on create instead: no need to wait.
    if (started + VISIBILITY_WINDOW_MS > now && !(run.mode === 'replay' && (await run.reconcilerOf(kind)).idempotentCreate)) {
      pending.set(logicalId, {kind, until: started + VISIBILITY_WINDOW_MS, by: 'tags'})
    }
  }
  while (pending.size > 0) {
    const waited = ctx.clock.now() - now
    ctx.progress(`waiting for ${[...pending.keys()].join(', ')}, made moments before the last run stopped, to show in AWS's describes (eventual consistency), ${Math.round(waited / 1000)}s`)
    await ctx.clock.sleep(ctx.pollIntervalMs, ctx.signal)
    const byIdKinds = new Map<string, string[]>()
    const byTagKinds = new Set<string>()
    for (const [logicalId, {kind, by}] of pending) {
      if (by === 'id') byIdKinds.set(kind, [...(byIdKinds.get(kind) ?? []), state.resources[logicalId]!.id])
      else byTagKinds.add(kind)
    }
    await Promise.all([...byIdKinds].map(([kind, ids]) => run.tolerate(kind, () => run.readKind(kind, ids))))
    for (const kind of byTagKinds) {
      await run.tolerate(kind, async () => {
        const objects = await run.findKind(kind)
        run.found.set(kind, objects)
        run.adopt(kind, objects)
      })
    }
    for (const [logicalId, {kind, until, by}] of pending) {
      if (run.unreadable.has(kind)) {
        pending.delete(logicalId)
        continue
      }
      const slot = current.get(logicalId)!
      if (by === 'id') {
        const observed = run.byId.get(kind)?.get(state.resources[logicalId]!.id)
        if (observed) Object.assign(slot, {observed, source: 'state'})
      }
      if (slot.observed || ctx.clock.now() >= until) pending.delete(logicalId)
    }
  }
}
