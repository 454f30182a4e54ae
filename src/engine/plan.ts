import type {Dag} from '../graph/dag.js'
import {type ResourceNode, resolveRefs} from '../graph/types.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../resources/types.js'
import type {RetiredEntry, StateDocument} from '../state/types.js'
import type {NodeAction, NodeResult} from './events.js'
import type {Observation, World} from './observe.js'

/**
 * The plan of a run: per node of the graph one action (create, update,
 * replace, nothing), the cascades that delete-first replacements force, and
 * the objects to delete (removed from the spec, retired by an earlier
 * replacement, strays left by a crash). Pure: computed from what `observe`
 * read; `plan` prints it and `up` executes it.
 */

export interface PlannedNode {
  node: ResourceNode
  action: NodeAction
  changes: Change[]
  reason?: string
  /** Desired props with refs resolved where the plan knows them, `(known after apply: …)` elsewhere. */
  desired: Record<string, unknown>
  observation: Observation
  /**
   * The delete-first replacement this node goes with: its old object is
   * deleted before the root's, and the new one created after the root's new
   * one. Set on the root itself too.
   */
  cascadeOf?: string
  /**
   * Its kind could not be read (observe.ts): whether it exists is unknown.
   * Its action is a placeholder (`noop`, its outputs taken from the state
   * so that its dependents diff as usual): `status` shows it unknown, and
   * `plan` and `up` refuse to go on (converge.ts, prepare).
   */
  unreadable?: string
}

/** Why an object is deleted. `replaced`: the old object of a delete-first replacement (or its cascade) in this run. */
export type DeletionCause = 'replaced' | 'removed' | 'retired' | 'stray'

export interface Deletion {
  /** Unique within the run (a logical id may have several objects). */
  key: string
  logicalId: string
  kind: string
  /** AWS id. */
  id: string
  /** Logical ids it depends on: deleted only after every deletion that depends on it. */
  deps: string[]
  /** The live object; undefined when it is already gone (the deletion only updates the state). */
  observed?: Observed
  cause: DeletionCause
  reason: string
  /** Index in `state.retired`, for `retired` deletions. */
  retiredIndex?: number
  /** Must happen before a cascade root's replacement (it depends, directly or not, on something the cascade deletes). */
  early: boolean
  /** The old half of a replacement (retired), not the logical id's current object. */
  old?: true
  /** Its kind could not be read: whether it still exists is unknown, so it is not deleted (nor what it depends on). */
  unreadable?: string
}

export interface RunPlan {
  dag: Dag
  /** Keyed by logical id, in the DAG's order. */
  nodes: Map<string, PlannedNode>
  deletions: Deletion[]
  /** Cascades that cannot be done safely (they would delete data): `up` refuses before any change. */
  unsafe: string[]
  /** Objects the spec says exist already (the stack uses them, never makes them) and that are not there: `up` refuses before any change. */
  missing: string[]
  /** Creates AWS already refuses (Reconciler.conflicts: a name someone else holds), `<logical id>: <why>`: `up` refuses before any change. */
  conflicts: string[]
  /**
   * A targeted run (`targets`): the graph's other nodes, each with the
   * outputs the state records for it. They are in `dag` (so that the
   * targets wait for nothing and refer to their outputs) but not in `nodes`:
   * never read, changed or reported.
   */
  pinned: Map<string, Record<string, string>>
}

/** A targeted run needs what its targets refer to in the state: these nodes are not there (or not as their kind). */
export class NotInStateError extends Error {
  constructor(readonly ids: string[]) {
    super(`not in the stack's state: ${ids.join(', ')}; run \`containrlab up\` first`)
    this.name = 'NotInStateError'
  }
}

/** Picks the one action for a node from its diff. Changes to sensitive fields are marked so that every output masks them. */
export function decide(reconciler: Reconciler, desired: unknown, observed: Observed | undefined): {action: NodeAction; changes: Change[]; reason?: string} {
  if (!observed) return {action: 'create', changes: []}
  const sensitive = new Set(reconciler.sensitiveFields ?? [])
  const changes = reconciler.diff(desired, observed).map((change) => (sensitive.has(change.field) ? {...change, sensitive: true} : change))
  if (changes.length === 0) return {action: 'noop', changes}
  const forcing = changes.filter((change) => change.replace).map((change) => change.field)
  if (forcing.length > 0) {
    return {
      action: 'replace',
      changes,
      reason: `${forcing.join(', ')} cannot change in place (${reconciler.replaceStrategy === 'create-before-delete' ? 'create the new one, then delete the old' : 'delete, then create'})`,
    }
  }
  return {action: 'update', changes}
}

/**
 * `targets`: a targeted run (`containrlab deploy`), of these logical ids
 * only; every other node of the graph stands as the state records it (its
 * outputs), and nothing outside the targets is deleted. Without: the whole graph.
 */
export function planRun(options: {dag: Dag; reconcilers: Map<string, Reconciler>; world: World; state: StateDocument; offline?: boolean; targets?: ReadonlySet<string>}): RunPlan {
  const {dag, reconcilers, world, state, targets} = options
  const nodes = new Map<string, PlannedNode>()
  const missing: string[] = []
  /** Outputs the plan knows: those of objects that stay (no-op or in-place update). */
  const known = new Map<string, Record<string, string>>()
  const pinned = pinnedOutputs(dag, state, targets)
  for (const [id, outputs] of pinned) known.set(id, outputs)
  for (const id of dag.order) {
    if (targets && !targets.has(id)) continue
    const node = dag.nodes.get(id)!
    const reconciler = reconcilers.get(node.kind)!
    const observation = world.current.get(id) ?? {}
    const desired = resolveRefs(node.desired, (ref) => known.get(ref.$ref)?.[ref.output])
    if (observation.unreadable) {
      nodes.set(id, {node, action: 'noop', changes: [], desired, observation, unreadable: observation.unreadable})
      const entry = state.resources[id]
      if (entry?.kind === node.kind) known.set(id, entry.outputs)
      continue
    }
    const decided = decide(reconciler, desired, observation.observed)
    const notMade = decided.action === 'create' ? reconciler.mustExist?.(desired) : undefined
    if (notMade) {
      // Used, never made: nothing is done to it. Offline, whether it exists is not known yet.
      if (!options.offline) missing.push(`${id}: ${notMade}`)
      nodes.set(id, {node, action: 'noop', changes: [], reason: options.offline ? 'used, never made: found when online (offline, not checked)' : notMade, desired, observation})
      continue
    }
    nodes.set(id, {node, ...decided, desired, observation})
    if (decided.action === 'noop') known.set(id, reconciler.outputs(observation.observed!))
    if (decided.action === 'update') known.set(id, withoutKeys(reconciler.outputs(observation.observed!), reconciler.renewedOnUpdate ?? []))
  }

  // Delete-first replacements cascade: everything that depends on the object, directly or not, is
  // deleted before it and made again after it (in the graph, a dependent refers to it or must
  // wait for it, so it may hold it: a subnet in a VPC, a NAT gateway's interface in a subnet).
  const unsafe: string[] = []
  for (const id of dag.order) {
    const root = nodes.get(id)
    if (!root || root.cascadeOf || root.action !== 'replace' || reconcilers.get(root.node.kind)!.replaceStrategy !== 'delete-before-create') continue
    root.cascadeOf = id
    for (const memberId of transitiveDependents(dag, id)) {
      const member = nodes.get(memberId)
      if (!member) {
        unsafe.push(`replacing ${id} replaces ${memberId} with it, which this run does not change: run \`containrlab up\``)
        continue
      }
      if (member.cascadeOf) continue
      member.cascadeOf = id
      if (!member.observation.observed) continue
      member.action = 'replace'
      member.reason = `replaced with ${id}, which must be deleted before its replacement is made${member.reason ? `; ${member.reason}` : ''}`
    }
  }
  // Replacing an object that holds data makes it again empty, whichever way it is done.
  for (const [id, planned] of nodes) {
    const observed = planned.observation.observed
    const loss = planned.action === 'replace' && observed ? reconcilers.get(planned.node.kind)!.dataLoss?.(observed) : undefined
    if (!loss) continue
    const why = planned.cascadeOf && planned.cascadeOf !== id ? `replacing ${planned.cascadeOf} replaces ${id} with it` : `${id} must be replaced (${planned.reason ?? 'an immutable field changed'})`
    unsafe.push(`${why}, which deletes ${loss.what}: change the spec so that it need not be replaced, or move the data first`)
  }

  const all = plannedDeletions({dag, nodes, world, state})
  // A targeted run deletes only its targets' old objects and strays: nothing removed from the spec, nothing of other nodes.
  const deletions = targets ? all.filter((deletion) => deletion.cause !== 'removed' && targets.has(deletion.logicalId)) : all
  return {dag, nodes, deletions, unsafe, missing, conflicts: [], pinned}
}

/** The outputs the state records for the nodes outside the targets (none without targets); NotInStateError when one the targets wait for is not there. */
export function pinnedOutputs(dag: Dag, state: StateDocument, targets: ReadonlySet<string> | undefined): Map<string, Record<string, string>> {
  const pinned = new Map<string, Record<string, string>>()
  if (!targets) return pinned
  const absent = [...targets].filter((id) => !dag.nodes.has(id))
  if (absent.length > 0) throw new Error(`targets that are not in the graph: ${absent.join(', ')}`)
  const notRecorded: string[] = []
  for (const id of dag.order) {
    if (targets.has(id)) continue
    const entry = state.resources[id]
    if (entry?.kind === dag.nodes.get(id)!.kind) pinned.set(id, entry.outputs)
    // Only what a target waits for must be there.
    else if ([...targets].some((target) => dag.dependencies.get(target)?.includes(id))) notRecorded.push(id)
  }
  if (notRecorded.length > 0) throw new NotInStateError(notRecorded)
  return pinned
}

/** Asks each kind whose objects the plan creates whether AWS already refuses some (Reconciler.conflicts). */
export async function planConflicts(plan: RunPlan, reconcilers: Map<string, Reconciler>, ctx: ReconcileContext): Promise<string[]> {
  const creating = new Map<string, {logicalId: string; desired: unknown}[]>()
  for (const [logicalId, planned] of plan.nodes) {
    if (planned.action !== 'create' || !reconcilers.get(planned.node.kind)?.conflicts) continue
    creating.set(planned.node.kind, [...(creating.get(planned.node.kind) ?? []), {logicalId, desired: planned.desired}])
  }
  const found = await Promise.all([...creating].map(([kind, objects]) => reconcilers.get(kind)!.conflicts!(ctx, objects)))
  return found.flat()
}

function transitiveDependents(dag: Dag, id: string): string[] {
  const seen = new Set<string>()
  const visit = (current: string) => {
    for (const dependent of dag.dependents.get(current) ?? []) {
      if (seen.has(dependent)) continue
      seen.add(dependent)
      visit(dependent)
    }
  }
  visit(id)
  return dag.order.filter((other) => seen.has(other))
}

function plannedDeletions(options: {dag: Dag; nodes: Map<string, PlannedNode>; world: World; state: StateDocument}): Deletion[] {
  const {dag, nodes, world, state} = options
  const deletions: Deletion[] = []
  for (const [id, planned] of nodes) {
    const observed = planned.observation.observed
    if (!planned.cascadeOf || planned.action !== 'replace' || !observed) continue
    deletions.push({
      key: `replaced:${id}`,
      logicalId: id,
      kind: planned.node.kind,
      id: observed.id,
      deps: state.resources[id]?.deps ?? dag.dependencies.get(id) ?? [],
      observed,
      cause: 'replaced',
      reason: planned.reason ?? 'replaced',
      early: true,
    })
  }
  for (const [logicalId, entry] of Object.entries(state.resources)) {
    if (dag.nodes.has(logicalId)) continue
    const observation = world.current.get(logicalId)
    deletions.push({
      key: `removed:${logicalId}`,
      logicalId,
      kind: entry.kind,
      id: entry.id,
      deps: entry.deps,
      observed: observation?.observed,
      cause: 'removed',
      reason: 'no longer in the spec',
      early: false,
      ...(observation?.unreadable ? {unreadable: observation.unreadable} : {}),
    })
  }
  deletions.push(...retiredDeletions(state, world, (entry) => (entry.reason === 'orphan' ? 'orphan found by its tags' : 'old object of an earlier replacement')))
  for (const stray of world.strays) {
    deletions.push({
      key: `stray:${stray.kind}:${stray.observed.id}`,
      logicalId: stray.logicalId,
      kind: stray.kind,
      id: stray.observed.id,
      deps: dag.dependencies.get(stray.logicalId) ?? [],
      observed: stray.observed,
      cause: 'stray',
      reason: `a second object tagged as ${stray.logicalId}, left by an interrupted run`,
      early: false,
    })
  }
  markEarly(deletions)
  return deletions
}

/** The state's retired objects (old halves of replacements, orphans) as deletions. */
export function retiredDeletions(state: StateDocument, world: World, reason: (entry: RetiredEntry) => string): Deletion[] {
  return state.retired.map((entry, index) => {
    const unreadable = world.retired[index] ? undefined : world.unreadable.get(entry.kind)
    return {
      key: `retired:${index}`,
      logicalId: entry.logicalId,
      kind: entry.kind,
      id: entry.id,
      deps: entry.deps,
      observed: world.retired[index],
      cause: 'retired',
      reason: reason(entry),
      retiredIndex: index,
      early: false,
      ...(entry.reason === 'replaced' ? {old: true as const} : {}),
      ...(unreadable ? {unreadable} : {}),
    }
  })
}

/** A deletion that depends (directly or not) on an early one must go before it, so it is early too. */
function markEarly(deletions: Deletion[]): void {
  let changed = true
  while (changed) {
    changed = false
    const earlyIds = new Set(deletions.filter((d) => d.early).map((d) => d.logicalId))
    for (const deletion of deletions) {
      if (!deletion.early && deletion.deps.some((dep) => earlyIds.has(dep))) {
        deletion.early = true
        changed = true
      }
    }
  }
}

/** The plan as results: one per node, then the deletions of their own (a cascade's old objects are part of their `replace`). */
export function planResults(plan: RunPlan, reconcilers: Map<string, Reconciler>): NodeResult[] {
  const results: NodeResult[] = []
  for (const planned of plan.nodes.values()) {
    const reconciler = reconcilers.get(planned.node.kind)!
    const result: NodeResult = {
      id: planned.node.id,
      kind: planned.node.kind,
      action: planned.action,
      status: 'planned',
      physicalId: planned.observation.observed?.id,
      changes: planned.changes,
      reason: planned.reason,
      durationMs: 0,
    }
    if (planned.action === 'create' || planned.action === 'replace') result.desired = maskSensitive(reconciler, planned.desired)
    const loss = planned.action === 'replace' && planned.observation.observed ? reconciler.dataLoss?.(planned.observation.observed) : undefined
    if (loss) result.dataLoss = loss.what
    results.push(result)
  }
  for (const deletion of plan.deletions) if (deletion.cause !== 'replaced') results.push(plannedDeletion(deletion, reconcilers, false))
  return results
}

/** A deletion as a plan, `teardown --dry-run` and the confirmation show it: with what it loses, and what happens instead. */
export function plannedDeletion(deletion: Deletion, reconcilers: Map<string, Reconciler>, purge: boolean): NodeResult {
  const notOurs = deletion.observed ? reconcilers.get(deletion.kind)?.notOurs?.(deletion.observed) : undefined
  if (notOurs) return {id: deletion.logicalId, kind: deletion.kind, action: 'noop', status: 'planned', physicalId: deletion.id, changes: [], reason: `kept: ${notOurs}`, durationMs: 0}
  const loss = deletion.observed ? reconcilers.get(deletion.kind)?.dataLoss?.(deletion.observed) : undefined
  const keep = loss && loss.unlessPurge === 'keep' && !purge
  return {
    id: deletion.logicalId,
    kind: deletion.kind,
    action: 'delete',
    status: 'planned',
    physicalId: deletion.id,
    changes: [],
    reason: keep ? `kept: ${loss.what} (--purge deletes it)` : deletion.reason,
    durationMs: 0,
    ...(loss ? {dataLoss: `${loss.what}: ${purge ? 'deleted (--purge)' : loss.unlessPurge === 'keep' ? 'kept unless --purge' : 'final snapshot unless --purge'}`} : {}),
  }
}

export const SENSITIVE_MASK = '(sensitive)'

/** Desired props with the kind's sensitive fields masked (top level: that is where kinds declare them). */
export function maskSensitive(reconciler: Reconciler, desired: Record<string, unknown>): Record<string, unknown> {
  const sensitive = reconciler.sensitiveFields ?? []
  if (sensitive.length === 0) return desired
  const masked = {...desired}
  for (const field of sensitive) if (field in masked) masked[field] = SENSITIVE_MASK
  return masked
}

/** `outputs` less the ones an update renews: not known until it is made. */
function withoutKeys(outputs: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).filter(([key]) => !keys.includes(key)))
}
