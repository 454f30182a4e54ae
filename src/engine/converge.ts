import {buildDag} from '../graph/dag.js'
import type {ResourceNode} from '../graph/types.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import type {ReconcileContext, Reconciler} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import {applyPlan, type ConvergeResult} from './apply.js'
import type {EventSink, NodeResult} from './events.js'
import {observe, type World} from './observe.js'
import {pinnedOutputs, planConflicts, planResults, planRun, type RunPlan} from './plan.js'
import type {StateWriter} from './state-writer.js'

export type {ConvergeResult} from './apply.js'

/**
 * The engine's entry points for `plan`, `up` and `status`: read what exists
 * (`prepare`), show the plan (`planResults`), execute it (`converge`). The
 * engine knows no resource kind by name; it goes through the registry.
 */

export interface PrepareOptions {
  nodes: ResourceNode[]
  registry: ReconcilerRegistry
  context: (label: string) => ReconcileContext
  state: StateDocument
  concurrency: number
  /** Plan against nothing, with no AWS call at all. */
  offline?: boolean
  /** Wait for objects a crashed run made moments ago to show (see observe.ts); `up` does, `plan` and `status` don't. */
  awaitRecent?: boolean
  /**
   * Return a plan even when some kind could not be read (its nodes marked
   * `unreadable`): `status` shows them unknown. Otherwise (`plan`, `up`)
   * such a read fails with UnreadableError: a plan needs to know what exists.
   */
  allowUnreadable?: boolean
  /** Ask the kinds whether AWS already refuses some of the creates (Reconciler.conflicts): `plan` and `up` do. */
  checkConflicts?: boolean
  /**
   * A targeted run (`deploy`): only these logical ids are read, planned and
   * converged; the other nodes' outputs come from the state (NotInStateError
   * when one the targets refer to is not there), and nothing else is read,
   * changed or deleted.
   */
  targets?: string[]
}

/** Some kind could not be read (observe.ts): there is no plan without knowing what exists. Nothing was changed. */
export class UnreadableError extends Error {
  constructor(readonly unreadable: Map<string, {error: string; ids: string[]}>) {
    const lines = [...unreadable].map(([kind, {error, ids}]) => `  - ${kind}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}: ${error}`)
    const what = unreadable.size === 1 ? 'one kind of resource' : `${unreadable.size} kinds of resource`
    super(`cannot plan: ${what} could not be read, so what exists is not known (nothing was changed):\n${lines.join('\n')}\n\`containrlab status\` shows every other resource; run again once AWS answers.`)
    this.name = 'UnreadableError'
  }
}

/** The kinds that could not be read, each with its error and the logical ids (and retired objects) it leaves unknown. */
export function unreadableKinds(world: World, state: StateDocument, kindOf: (logicalId: string) => string | undefined): Map<string, {error: string; ids: string[]}> {
  const kinds = new Map<string, {error: string; ids: string[]}>()
  for (const [kind, error] of world.unreadable) kinds.set(kind, {error, ids: []})
  for (const [id, observation] of world.current) {
    const kind = kindOf(id)
    if (observation.unreadable && kind) kinds.get(kind)?.ids.push(id)
  }
  state.retired.forEach((entry, index) => {
    if (!world.retired[index]) kinds.get(entry.kind)?.ids.push(`${entry.logicalId} (${entry.id})`)
  })
  return kinds
}

export interface PreparedRun {
  plan: RunPlan
  world: World
  reconcilers: Map<string, Reconciler>
  state: StateDocument
}

export async function loadReconcilers(registry: ReconcilerRegistry, kinds: Iterable<string>): Promise<Map<string, Reconciler>> {
  const unique = [...new Set(kinds)]
  return new Map(await Promise.all(unique.map(async (kind) => [kind, await registry.get(kind)] as const)))
}

/** Reads everything the graph and the state name (one batched read per kind, lookups by tags where needed) and plans. */
export async function prepare(options: PrepareOptions): Promise<PreparedRun> {
  const {nodes, registry, state} = options
  const dag = buildDag(nodes)
  const targets = options.targets ? new Set(options.targets) : undefined
  const inScope = (logicalId: string) => !targets || targets.has(logicalId)
  const reconcilers = await loadReconcilers(registry, [
    // Every kind of the graph: the schedule weighs the whole graph, pinned nodes included.
    ...nodes.map((node) => node.kind),
    ...Object.entries(state.resources)
      .filter(([logicalId]) => inScope(logicalId))
      .map(([, entry]) => entry.kind),
    ...state.retired.filter((entry) => inScope(entry.logicalId)).map((entry) => entry.kind),
  ])
  const wanted = new Map<string, {kind: string; desired?: unknown}>()
  for (const node of nodes) if (inScope(node.id)) wanted.set(node.id, {kind: node.kind, desired: node.desired})
  for (const [logicalId, entry] of Object.entries(state.resources)) if (!wanted.has(logicalId) && inScope(logicalId)) wanted.set(logicalId, {kind: entry.kind})
  // Before any call: a targeted run needs what its targets refer to in the state.
  pinnedOutputs(dag, state, targets)
  const world: World = options.offline
    ? {current: new Map([...wanted.keys()].map((id) => [id, {}])), retired: state.retired.map(() => undefined), strays: [], unreadable: new Map()}
    : await observe({ctx: options.context(''), registry, state, wanted, awaitRecent: options.awaitRecent ? 'replay' : undefined, concurrency: options.concurrency, ...(targets ? {retiredOf: inScope} : {})})
  if (world.unreadable.size > 0 && !options.allowUnreadable) throw new UnreadableError(unreadableKinds(world, state, (id) => wanted.get(id)?.kind))
  const plan = planRun({dag, reconcilers, world, state, offline: options.offline, targets})
  if (options.checkConflicts && !options.offline) plan.conflicts = await planConflicts(plan, reconcilers, options.context(''))
  return {plan, world, reconcilers, state}
}

export function planReport(prepared: PreparedRun): NodeResult[] {
  return planResults(prepared.plan, prepared.reconcilers)
}

/** Executes a prepared plan against AWS, saving the state after every mutation. */
export function converge(
  prepared: PreparedRun,
  options: {registry: ReconcilerRegistry; context: (label: string) => ReconcileContext; writer: StateWriter; concurrency: number; emit: EventSink; signal: AbortSignal},
): Promise<ConvergeResult> {
  return applyPlan({...options, plan: prepared.plan, reconcilers: prepared.reconcilers, state: prepared.state})
}
