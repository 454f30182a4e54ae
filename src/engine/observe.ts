import type {ReconcilerRegistry} from '../resources/registry.js'
import type {Observed, ReconcileContext} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import {Limiter} from './limiter.js'

export interface Observation {
  /** The live resource, if any. */
  observed?: Observed
  /** Where it came from: the state's id, or a tag lookup (adopted after a crash, or an orphan). */
  source?: 'state' | 'tags'
}

/**
 * Reads what exists, batched per kind: one `read` per kind with every id the
 * state knows, and one `find` by tags per kind only for kinds where some
 * wanted logical id has no live resource under its state id (a crash between
 * create and save, or a first run).
 */
export async function observe(options: {
  ctx: ReconcileContext
  registry: ReconcilerRegistry
  state: StateDocument
  /** logical id → kind, for everything the run cares about (spec nodes and state entries). */
  wanted: Map<string, string>
  /** Look up by tags what the state's ids don't find (default true; `status` reports missing as missing). */
  findMissing?: boolean
  concurrency: number
}): Promise<Map<string, Observation>> {
  const {ctx, registry, state, wanted} = options
  const limiter = new Limiter(options.concurrency)
  const idsByKind = new Map<string, string[]>()
  for (const [logicalId, kind] of wanted) {
    const entry = state.resources[logicalId]
    if (entry && entry.kind === kind) {
      const ids = idsByKind.get(kind) ?? []
      ids.push(entry.id)
      idsByKind.set(kind, ids)
    }
  }

  const readResults = new Map<string, Map<string, Observed>>()
  await Promise.all(
    [...idsByKind].map(([kind, ids]) =>
      limiter.run(async () => {
        const reconciler = await registry.get(kind)
        readResults.set(kind, await reconciler.read(ctx, [...new Set(ids)]))
      }),
    ),
  )

  const observations = new Map<string, Observation>()
  const needFind = new Set<string>()
  for (const [logicalId, kind] of wanted) {
    const entry = state.resources[logicalId]
    const observed = entry && entry.kind === kind ? readResults.get(kind)?.get(entry.id) : undefined
    if (observed) observations.set(logicalId, {observed, source: 'state'})
    else if (options.findMissing ?? true) needFind.add(kind)
  }

  const found = await findAll(ctx, registry, needFind, limiter)
  for (const [logicalId, kind] of wanted) {
    if (observations.has(logicalId)) continue
    const adopted = found.get(kind)?.find((observed) => observed.logicalId === logicalId)
    observations.set(logicalId, adopted ? {observed: adopted, source: 'tags'} : {})
  }
  return observations
}

/**
 * Teardown's read: one round of lookups by tag (every kind the registry
 * knows) finds everything the stack owns, orphans included; only state
 * entries it does not return (tags removed by hand) are then read by id.
 */
export async function observeOwned(options: {
  ctx: ReconcileContext
  registry: ReconcilerRegistry
  state: StateDocument
  concurrency: number
}): Promise<{observations: Map<string, Observation>; found: Map<string, Observed[]>}> {
  const {ctx, registry, state} = options
  const limiter = new Limiter(options.concurrency)
  const found = await findAll(ctx, registry, registry.kinds(), limiter)
  const observations = new Map<string, Observation>()
  const unseen = new Map<string, string>()
  for (const [logicalId, entry] of Object.entries(state.resources)) {
    const tagged = found.get(entry.kind)?.find((observed) => observed.id === entry.id)
    if (tagged) observations.set(logicalId, {observed: tagged, source: 'state'})
    else unseen.set(logicalId, entry.kind)
  }
  if (unseen.size > 0) {
    const read = await observe({ctx, registry, state, wanted: unseen, findMissing: false, concurrency: options.concurrency})
    for (const [logicalId, observation] of read) observations.set(logicalId, observation)
  }
  return {observations, found}
}

/** Every object of each kind tagged with the stack: one `find` per kind, in parallel under the limiter. */
async function findAll(ctx: ReconcileContext, registry: ReconcilerRegistry, kinds: Iterable<string>, limiter: Limiter): Promise<Map<string, Observed[]>> {
  const found = new Map<string, Observed[]>()
  await Promise.all(
    [...kinds].map((kind) =>
      limiter.run(async () => {
        const reconciler = await registry.get(kind)
        found.set(kind, await reconciler.find(ctx, ctx.stack))
      }),
    ),
  )
  return found
}
