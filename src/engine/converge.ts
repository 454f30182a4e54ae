import {createHash} from 'node:crypto'
import {describeError, isDependencyViolation} from '../aws/errors.js'
import {buildDag} from '../graph/dag.js'
import {type ResourceNode, nodeDependencies, resolveRefs} from '../graph/types.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import {MANAGED_BY, TAG_ID, TAG_MANAGED_BY, TAG_STACK, type Change, type Observed, type ReconcileContext, type Reconciler, type Tag} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import type {EngineEvent, EventSink, NodeAction, NodeResult} from './events.js'
import {Limiter} from './limiter.js'
import {inNodeScope} from './scope.js'
import {type Observation, observe} from './observe.js'
import {retryWhileDependencyViolation, retryWhileNewlyCreatedNotFound} from './retry.js'
import type {StateWriter} from './state-writer.js'

export interface ConvergeOptions {
  nodes: ResourceNode[]
  registry: ReconcilerRegistry
  /** Builds the context a reconciler gets for one node (progress bound to it). */
  context: (nodeId: string) => ReconcileContext
  /** `plan` reads and diffs only; `apply` mutates. */
  mode: 'plan' | 'apply'
  /** Plan against an empty state with no AWS call at all. */
  offline?: boolean
  state: StateDocument
  /** Required for `apply`: saves the state after every mutation. */
  writer?: StateWriter
  concurrency: number
  emit: EventSink
  signal: AbortSignal
  /** What `observeForConverge` read, when the caller already has it (a preview, then the apply). */
  observations?: Map<string, Observation>
}

/** Reads every resource the graph and the state name: one batched read per kind (and a tag lookup where needed). */
export async function observeForConverge(options: Pick<ConvergeOptions, 'nodes' | 'registry' | 'context' | 'state' | 'concurrency'>): Promise<Map<string, Observation>> {
  const wanted = new Map<string, string>()
  for (const node of options.nodes) wanted.set(node.id, node.kind)
  for (const [logicalId, entry] of Object.entries(options.state.resources)) if (!wanted.has(logicalId)) wanted.set(logicalId, entry.kind)
  return observe({ctx: options.context(''), registry: options.registry, state: options.state, wanted, concurrency: options.concurrency})
}

export interface ConvergeResult {
  results: NodeResult[]
  /** Outputs of every node that exists after the run (logical id → outputs). */
  outputs: Record<string, Record<string, string>>
  ok: boolean
}

/**
 * State entries whose key is `<logical id>#<note>` stand for a second object
 * of one logical id: the old half of a create-before-delete replacement
 * (`#retired-<id>`), deleted at the end of the run, or an orphan found by
 * tags at teardown (`#orphan-<id>`).
 */
const RETIRED = '#retired-'
export const ORPHAN = '#orphan-'

/** The logical id a state key stands for. */
export function logicalIdOfKey(key: string): string {
  const at = key.indexOf('#')
  return at < 0 ? key : key.slice(0, at)
}

interface Settled {
  ok: boolean
  /** Outputs for dependents; undefined in a plan when only known after apply. */
  outputs?: Record<string, string>
}

/**
 * Converges AWS to the graph. Every node starts the moment the nodes it
 * refers to have settled (not when a "layer" is done), bounded by the
 * concurrency limit; a failure blocks its dependents only. Resources the
 * state holds but the graph no longer has are deleted afterwards, in reverse
 * dependency order.
 */
export async function converge(options: ConvergeOptions): Promise<ConvergeResult> {
  const {nodes, registry, mode, state, emit} = options
  const dag = buildDag(nodes)
  const baseCtx = options.context('')
  // Copied: the run adds retired objects to it.
  const observations = new Map(options.observations ?? (options.offline ? [] : await observeForConverge(options)))

  const limiter = new Limiter(options.concurrency)
  const reconcilers = await loadReconcilers(registry, [...dag.nodes.values()].map((node) => node.kind))
  const priority = chainPriorities(dag.order, (id) => dag.dependents.get(id) ?? [], (id) => typicalMs(reconcilers.get(dag.nodes.get(id)!.kind)!, 'create'))
  const results = new Map<string, NodeResult>()
  const settled = new Map<string, Promise<Settled>>()
  const outputs: Record<string, Record<string, string>> = {}

  const runNode = async (node: ResourceNode): Promise<Settled> => {
    const deps = dag.dependencies.get(node.id) ?? []
    const depResults = await Promise.all(deps.map((dep) => settled.get(dep)!))
    const failedDeps = deps.filter((_, i) => !depResults[i]!.ok)
    if (failedDeps.length > 0) {
      results.set(node.id, {id: node.id, kind: node.kind, action: 'noop', status: 'blocked', changes: [], durationMs: 0, error: `not attempted: ${failedDeps.join(', ')} failed`})
      emit({type: 'node-blocked', id: node.id, kind: node.kind, blockedBy: failedDeps})
      return {ok: false}
    }
    const depOutputs = new Map(deps.map((dep, i) => [dep, depResults[i]!.outputs]))
    const desired = resolveRefs(node.desired, (ref) => depOutputs.get(ref.$ref)?.[ref.output])
    const reconciler = reconcilers.get(node.kind)!
    const observation = observations.get(node.id) ?? {}
    const {action, changes, reason} = decide(reconciler, desired, observation.observed)
    const ctx = options.context(node.id)
    const started = ctx.clock.now()
    const needsReady = (dag.dependents.get(node.id) ?? []).length > 0

    if (mode === 'plan') {
      const known = action === 'noop' || action === 'update' ? reconciler.outputs(observation.observed!) : undefined
      const newObject = action === 'create' || action === 'replace' ? {desired} : {}
      results.set(node.id, {id: node.id, kind: node.kind, action, status: 'planned', physicalId: observation.observed?.id, changes, reason, durationMs: 0, ...newObject})
      return {ok: true, outputs: known}
    }

    if (options.signal.aborted) {
      results.set(node.id, {id: node.id, kind: node.kind, action, status: 'blocked', changes, reason, durationMs: 0, error: 'not attempted: the run was interrupted'})
      emit({type: 'node-blocked', id: node.id, kind: node.kind, blockedBy: []})
      return {ok: false}
    }
    emit({type: 'node-start', id: node.id, kind: node.kind, action, changes})
    try {
      let observed = await limiter.run(() => apply(ctx, node, reconciler, desired, observation, action, changes), priority.get(node.id))
      if (needsReady && reconciler.waitReady && !isReady(reconciler, observed)) {
        observed = await reconciler.waitReady(ctx, observed)
        record(node, reconciler, observed)
      }
      const durationMs = ctx.clock.now() - started
      results.set(node.id, {id: node.id, kind: node.kind, action, status: 'done', physicalId: observed.id, changes, reason, durationMs})
      emit({type: 'node-done', id: node.id, kind: node.kind, action, physicalId: observed.id, durationMs})
      const nodeOutputs = reconciler.outputs(observed)
      outputs[node.id] = nodeOutputs
      return {ok: true, outputs: nodeOutputs}
    } catch (error) {
      const message = describeError(error)
      results.set(node.id, {id: node.id, kind: node.kind, action, status: 'failed', changes, reason, error: message, durationMs: ctx.clock.now() - started})
      emit({type: 'node-failed', id: node.id, kind: node.kind, action, error: message})
      return {ok: false}
    }
  }

  /** Puts a node's live resource in the state, which is then saved in the background. */
  const record = (node: ResourceNode, reconciler: Reconciler, observed: Observed): void => {
    const deps = nodeDependencies(node)
    state.resources[node.id] = {kind: node.kind, id: observed.id, deps, outputs: reconciler.outputs(observed), updatedAt: new Date(baseCtx.clock.now()).toISOString()}
    options.writer!.saveInBackground()
  }

  const apply = async (
    ctx: ReconcileContext,
    node: ResourceNode,
    reconciler: Reconciler,
    desired: Record<string, unknown>,
    observation: Observation,
    action: NodeAction,
    changes: Change[],
  ): Promise<Observed> => {
    const current = observation.observed
    if (action === 'noop') {
      // Adopted by tags after a crash: the state learns its id now.
      if (observation.source === 'tags' || state.resources[node.id]?.id !== current!.id) record(node, reconciler, current!)
      return current!
    }
    if (action === 'update') {
      const updated = await retryWhileNewlyCreatedNotFound(ctx, () => reconciler.update(ctx, desired, current!, changes))
      record(node, reconciler, updated)
      return updated
    }
    if (action === 'replace' && reconciler.replaceStrategy === 'delete-before-create') {
      // Unlike a teardown, whatever uses the old object here is still meant to exist and will not
      // let go by itself: retry briefly (an ENI draining), then fail with what to do.
      await retryWhileDependencyViolation(ctx, () => reconciler.delete(ctx, current!), Math.min(ctx.waitTimeoutMs, REPLACE_DEPENDENCY_WAIT_MS)).catch((error: unknown) => {
        if (!isDependencyViolation(error)) throw error
        throw new Error(
          `cannot replace ${node.id} (${current!.id}): it must be deleted before its replacement is made, and AWS says it is still in use (${describeError(error)}). ` +
            'Remove what uses it (or change the spec so that it need not be replaced), then run up again.',
        )
      })
      delete state.resources[node.id]
      options.writer!.saveInBackground()
    }
    const meta = {logicalId: node.id, token: idempotencyToken(state.lineage, node.id, desired, state.resources[node.id]?.id), tags: ownershipTags(ctx.stack, node.id)}
    const created = await retryWhileNewlyCreatedNotFound(ctx, () => reconciler.create(ctx, desired, meta))
    if (action === 'replace' && reconciler.replaceStrategy === 'create-before-delete') {
      // The old object is deleted after the run, once dependents have moved to the new one.
      const previous = state.resources[node.id]
      if (previous) {
        const retiredId = `${node.id}${RETIRED}${previous.id}`
        state.resources[retiredId] = {...previous}
        observations.set(retiredId, observation)
      }
    }
    record(node, reconciler, created)
    return created
  }

  const removed = Object.keys(state.resources).filter((id) => !dag.nodes.has(id))
  if (mode === 'apply') {
    const starting = dag.order.map((id) => ({id, kind: dag.nodes.get(id)!.kind, waitsFor: dag.dependencies.get(id) ?? []}))
    const going = removed.map((id) => ({id, kind: state.resources[id]!.kind, waitsFor: []}))
    emit({type: 'run-start', nodes: [...starting, ...going]})
  }
  for (const id of dag.order) {
    const node = dag.nodes.get(id)!
    settled.set(id, inNodeScope(id, () => runNode(node)))
  }
  const allSettled = await Promise.all(dag.order.map((id) => settled.get(id)!))

  // Resources in the state that the graph no longer has, and objects retired by a replacement.
  const deletions = await deleteInReverseOrder({
    ids: Object.keys(state.resources).filter((id) => !dag.nodes.has(id)),
    state,
    registry,
    context: options.context,
    observations,
    mode,
    writer: options.writer,
    limiter,
    emit,
  })
  // Every mutation is in the stored state before the run reports (a failed save fails the run).
  await options.writer?.flush()
  const ordered = [...dag.order.map((id) => results.get(id)!), ...deletions]
  return {results: ordered, outputs, ok: allSettled.every((s) => s.ok) && deletions.every((r) => r.status !== 'failed' && r.status !== 'blocked')}
}

const DEFAULT_TYPICAL_MS = {create: 2_000, delete: 1_000}

/** How long a delete-then-create replacement waits for AWS to stop reporting the old object in use. */
const REPLACE_DEPENDENCY_WAIT_MS = 2 * 60_000

/** A reconciler's typical duration for a phase (a scheduling hint). */
export function typicalMs(reconciler: Reconciler, phase: 'create' | 'delete'): number {
  return reconciler.typicalMs?.[phase] ?? DEFAULT_TYPICAL_MS[phase]
}

/**
 * Scheduling priority of each node: its own typical duration plus the
 * longest chain of typical durations that waits for it (`waitingOn` gives
 * what waits: dependents when creating, dependencies when deleting).
 */
export function chainPriorities(ids: Iterable<string>, waitingOn: (id: string) => string[], own: (id: string) => number): Map<string, number> {
  const priority = new Map<string, number>()
  const visiting = new Set<string>()
  const of = (id: string): number => {
    const known = priority.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) return 0 // a loop in old state data: no priority rather than no end
    visiting.add(id)
    const value = own(id) + Math.max(0, ...waitingOn(id).map(of))
    priority.set(id, value)
    return value
  }
  for (const id of ids) of(id)
  return priority
}

export async function loadReconcilers(registry: ReconcilerRegistry, kinds: Iterable<string>): Promise<Map<string, Reconciler>> {
  const unique = [...new Set(kinds)]
  return new Map(await Promise.all(unique.map(async (kind) => [kind, await registry.get(kind)] as const)))
}

/** Picks the one action for a node from its diff. */
export function decide(reconciler: Reconciler, desired: unknown, observed: Observed | undefined): {action: NodeAction; changes: Change[]; reason?: string} {
  if (!observed) return {action: 'create', changes: []}
  const changes = reconciler.diff(desired, observed)
  if (changes.length === 0) return {action: 'noop', changes}
  const forcing = changes.filter((change) => change.replace).map((change) => change.field)
  if (forcing.length > 0) {
    return {action: 'replace', changes, reason: `${forcing.join(', ')} cannot change in place (${reconciler.replaceStrategy === 'create-before-delete' ? 'create the new one, then delete the old' : 'delete, then create'})`}
  }
  return {action: 'update', changes}
}

function isReady(reconciler: Reconciler, observed: Observed): boolean {
  return reconciler.health ? reconciler.health(observed).ready : true
}

/**
 * Deletes `ids` (state entries) so that nothing is deleted before what
 * depends on it: an entry waits for every other entry being deleted that
 * lists it in `deps`. Each deletion is saved at once.
 */
export async function deleteInReverseOrder(options: {
  ids: string[]
  state: StateDocument
  registry: ReconcilerRegistry
  context: (nodeId: string) => ReconcileContext
  observations: Map<string, Observation>
  mode: 'plan' | 'apply'
  writer?: StateWriter
  limiter: Limiter
  emit: EventSink
  /** Why these go (default: derived per entry). */
  reason?: string
}): Promise<NodeResult[]> {
  const {ids, state, registry, observations, emit} = options
  const deleting = new Set(ids)
  const dependentsOf = new Map<string, string[]>()
  for (const id of ids) {
    for (const dep of state.resources[id]?.deps ?? []) {
      if (!deleting.has(dep)) continue
      dependentsOf.set(dep, [...(dependentsOf.get(dep) ?? []), id])
    }
  }
  // A retired or orphan object stands where its logical id's dependents pointed.
  for (const id of ids) {
    const logical = logicalIdOfKey(id)
    if (logical === id) continue
    const dependents = Object.entries(state.resources).filter(([other, entry]) => other !== id && entry.deps.includes(logical) && deleting.has(other)).map(([other]) => other)
    dependentsOf.set(id, [...(dependentsOf.get(id) ?? []), ...dependents])
  }

  // What waits for an entry's deletion: the entries it depends on (they go after it).
  const reconcilers = await loadReconcilers(registry, ids.map((id) => state.resources[id]!.kind))
  const priority = chainPriorities(
    ids,
    (id) => (state.resources[id]?.deps ?? []).filter((dep) => deleting.has(dep)),
    (id) => typicalMs(reconcilers.get(state.resources[id]!.kind)!, 'delete'),
  )
  const results = new Map<string, NodeResult>()
  const done = new Map<string, Promise<boolean>>()
  const visiting = new Set<string>()
  const remove = (id: string): Promise<boolean> => {
    const existing = done.get(id)
    if (existing) return existing
    if (visiting.has(id)) return Promise.resolve(true) // a dependency loop in old state: don't deadlock
    visiting.add(id)
    const promise = inNodeScope(id, async () => {
      const entry = state.resources[id]!
      const firstDependents = await Promise.all((dependentsOf.get(id) ?? []).map(remove))
      const reason = options.reason ?? (id.includes(RETIRED) ? 'replaced by a new object' : 'no longer in the spec')
      if (firstDependents.some((ok) => !ok)) {
        results.set(id, {id, kind: entry.kind, action: 'delete', status: 'blocked', changes: [], reason, durationMs: 0, error: 'not attempted: a resource that depends on it could not be deleted'})
        emit({type: 'node-blocked', id, kind: entry.kind, blockedBy: dependentsOf.get(id) ?? []})
        return false
      }
      const observed = observations.get(id)?.observed
      if (options.mode === 'plan') {
        results.set(id, {id, kind: entry.kind, action: 'delete', status: 'planned', physicalId: entry.id, changes: [], reason, durationMs: 0})
        return true
      }
      const ctx = options.context(id)
      const started = ctx.clock.now()
      emit({type: 'node-start', id, kind: entry.kind, action: 'delete', changes: []})
      try {
        if (observed) {
          const reconciler = reconcilers.get(entry.kind)!
          await options.limiter.run(() => retryWhileDependencyViolation(ctx, () => reconciler.delete(ctx, observed)), priority.get(id))
        }
        delete state.resources[id]
        options.writer!.saveInBackground()
        const durationMs = ctx.clock.now() - started
        results.set(id, {id, kind: entry.kind, action: 'delete', status: 'done', physicalId: entry.id, changes: [], reason, durationMs})
        emit({type: 'node-done', id, kind: entry.kind, action: 'delete', physicalId: entry.id, durationMs})
        return true
      } catch (error) {
        const message = describeError(error)
        results.set(id, {id, kind: entry.kind, action: 'delete', status: 'failed', physicalId: entry.id, changes: [], reason, error: message, durationMs: ctx.clock.now() - started})
        emit({type: 'node-failed', id, kind: entry.kind, action: 'delete', error: message})
        return false
      }
    })
    done.set(id, promise)
    return promise
  }
  await Promise.all(ids.map(remove))
  return ids.map((id) => results.get(id)!)
}

/** The tags every resource carries: ownership (for `find` and orphan clean-up) and a readable Name. */
export function ownershipTags(stack: string, logicalId: string): Tag[] {
  return [
    {Key: 'Name', Value: `${stack}-${logicalId.replaceAll('/', '-')}`},
    {Key: TAG_STACK, Value: stack},
    {Key: TAG_ID, Value: logicalId},
    {Key: TAG_MANAGED_BY, Value: MANAGED_BY},
  ]
}

/**
 * Idempotency token: the same for every retry of one create (same lineage,
 * logical id, desired properties and predecessor), different once the object
 * was deleted and must be made anew — EC2 would otherwise answer a repeated
 * token with the old, deleted object.
 */
export function idempotencyToken(lineage: string, logicalId: string, desired: unknown, previousId: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([lineage, logicalId, stableJson(desired), previousId ?? '']))
    .digest('hex')
    .slice(0, 32)
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export type {EngineEvent}
