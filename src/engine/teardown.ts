import {describeError} from '../aws/errors.js'
import {type ResourceNode, nodeDependencies} from '../graph/types.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import type {ReconcileContext} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import {loadReconcilers, unreadableKinds} from './converge.js'
import {DeletionWalk} from './deletion.js'
import type {EventSink, NodeResult} from './events.js'
import {Limiter} from './limiter.js'
import {observe} from './observe.js'
import {type Deletion, plannedDeletion, retiredDeletions} from './plan.js'
import type {StateWriter} from './state-writer.js'

export interface TeardownOptions {
  state: StateDocument
  registry: ReconcilerRegistry
  context: (label: string) => ReconcileContext
  /** The spec's graph when there is one: gives orphans (resources the state lost) their dependencies, and name-keyed kinds their names. */
  nodes?: ResourceNode[]
  mode: 'plan' | 'apply'
  writer?: StateWriter
  concurrency: number
  emit: EventSink
  /** Delete data-bearing objects too (no final snapshot, no kept repository). */
  purge?: boolean
  signal?: AbortSignal
  /** Asked with the planned deletions (orphans included) before anything is deleted; false cancels. */
  confirm?: (planned: NodeResult[]) => Promise<boolean>
}

export interface TeardownResult {
  /** true when `confirm` declined: nothing was deleted. */
  cancelled?: boolean
  results: NodeResult[]
  /** Resources found by their tags (or names) that the state did not list, as `logical id (aws id)`. */
  orphans: string[]
  ok: boolean
  /** The state could not be saved (e.g. another run took it over): the deletions happened, the state may not say so. */
  stateError?: string
  /** Why the walk stopped before the end (interrupted, or another run took the state). */
  stopped?: string
  /** It stopped because it was interrupted (Ctrl-C / SIGTERM). */
  interrupted?: boolean
  /**
   * Kinds that could not be read, one line each (`<kind> (<ids>) could not
   * be read: <error>`): their objects were not deleted, nor what they depend
   * on, and objects of theirs that the state lost were not looked for. The
   * teardown is then not complete (not ok): the state is kept for the next one.
   */
  unreadable: string[]
}

/**
 * Deletes everything the stack owns: every state entry, plus every object
 * tagged with the stack that the state does not know (a run that crashed
 * before saving, or a lost state), waiting first for objects a crashed run
 * made moments ago to show. Nothing is deleted before what depends on it;
 * deletion waits out `in-use` for a bounded time.
 */
export async function teardown(options: TeardownOptions): Promise<TeardownResult> {
  const {state, registry} = options
  const ctx = options.context('')
  const specNodes = new Map((options.nodes ?? []).map((node) => [node.id, node]))
  const wanted = new Map<string, {kind: string; desired?: unknown}>()
  for (const node of specNodes.values()) wanted.set(node.id, {kind: node.kind, desired: node.desired})
  for (const [logicalId, entry] of Object.entries(state.resources)) wanted.set(logicalId, {kind: entry.kind, desired: specNodes.get(logicalId)?.desired})
  for (const [logicalId, intent] of Object.entries(state.intents)) if (!wanted.has(logicalId)) wanted.set(logicalId, {kind: intent.kind})
  const world = await observe({ctx, registry, state, wanted, findEverything: true, awaitRecent: options.mode === 'apply' ? 'all' : undefined, concurrency: options.concurrency})

  const depsOf = (logicalId: string) => state.resources[logicalId]?.deps ?? (specNodes.has(logicalId) ? nodeDependencies(specNodes.get(logicalId)!) : [])
  const deletions: Deletion[] = []
  const orphans: {logicalId: string; id: string}[] = []
  for (const [logicalId, observation] of world.current) {
    const entry = state.resources[logicalId]
    if (!entry && !observation.observed) continue
    // Recorded, but its kind could not be read: not deleted on a guess (nor, after it, what it depends on).
    const unreadable = observation.observed ? undefined : observation.unreadable
    const orphan = !entry || observation.source === 'found'
    const id = observation.observed?.id ?? entry!.id
    if (orphan) orphans.push({logicalId, id})
    deletions.push({
      key: `teardown:${logicalId}`,
      logicalId,
      kind: observation.observed ? wanted.get(logicalId)!.kind : entry!.kind,
      id,
      deps: depsOf(logicalId),
      observed: observation.observed,
      cause: 'removed',
      reason: orphan ? 'teardown (orphan found by its tags)' : 'teardown',
      early: false,
      ...(unreadable ? {unreadable} : {}),
    })
  }
  const unreadable = [...unreadableKinds(world, state, (id) => wanted.get(id)?.kind)].map(
    ([kind, {error, ids}]) => `${kind}${ids.length > 0 ? ` (${ids.join(', ')})` : ''} could not be read: ${error}; not deleted, nor what it depends on, and objects of this kind the state lost were not looked for`,
  )
  deletions.push(...retiredDeletions(state, world, () => 'teardown'))
  for (const stray of world.strays) {
    orphans.push({logicalId: stray.logicalId, id: stray.observed.id})
    deletions.push({
      key: `stray:${stray.kind}:${stray.observed.id}`,
      logicalId: stray.logicalId,
      kind: stray.kind,
      id: stray.observed.id,
      deps: depsOf(stray.logicalId),
      observed: stray.observed,
      cause: 'stray',
      reason: 'teardown (orphan found by its tags)',
      early: false,
    })
  }

  const reconcilers = await loadReconcilers(
    registry,
    deletions.map((deletion) => deletion.kind),
  )
  // An object found by name that the stack uses and never made (a user's hosted zone) is not an orphan of it.
  const usedNotMade = new Set(deletions.filter((deletion) => deletion.observed && reconcilers.get(deletion.kind)?.notOurs?.(deletion.observed)).map((deletion) => deletion.logicalId))
  const orphanList = orphans.filter((orphan) => !usedNotMade.has(orphan.logicalId)).map((orphan) => `${orphan.logicalId} (${orphan.id})`)
  const stopSignal = options.signal
  if (options.mode === 'plan' || options.confirm) {
    const planned = deletions.map((deletion) => plannedDeletion(deletion, reconcilers, options.purge ?? false))
    if (options.mode === 'plan') return {results: planned, orphans: orphanList, ok: unreadable.length === 0, unreadable}
    if (!(await options.confirm!(planned))) return {results: [], orphans: orphanList, ok: false, cancelled: true, unreadable}
  }
  // A resource goes once everything that depends on it is gone.
  options.emit({
    type: 'run-start',
    nodes: deletions.map((deletion) => ({
      id: DeletionWalk.label(deletion),
      kind: deletion.kind,
      waitsFor: deletions.filter((other) => other.deps.includes(deletion.logicalId) && other.key !== deletion.key).map((other) => DeletionWalk.label(other)),
    })),
  })
  // A lost state (another run committed) takes precedence: that is a failure, not an interrupt.
  const stopped = () => (options.writer?.conflict ? `not attempted: ${describeError(options.writer.conflict)}` : stopSignal?.aborted ? 'not attempted: the run was interrupted' : undefined)
  const interrupted = () => Boolean(stopSignal?.aborted) && !options.writer?.conflict
  const walk = new DeletionWalk(deletions, {
    state,
    reconcilers,
    context: options.context,
    writer: options.writer,
    limiter: new Limiter(options.concurrency),
    emit: options.emit,
    purge: options.purge ?? false,
    stopped,
    interrupted,
  })
  const results = await walk.all()
  const complete = unreadable.length === 0 && results.every((result) => result.status === 'done' || result.status === 'kept')
  if (complete) state.intents = {}
  const stateError = await options.writer?.flushForReport()
  const why = stopped()
  return {
    results,
    orphans: orphanList,
    ok: !stateError && complete,
    unreadable,
    ...(stateError ? {stateError} : {}),
    ...(why ? {stopped: why.replace(/^not attempted: /, '')} : {}),
    ...(interrupted() ? {interrupted: true} : {}),
  }
}
