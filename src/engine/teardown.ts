import type {ResourceNode} from '../graph/types.js'
import {nodeDependencies} from '../graph/types.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import type {ReconcileContext} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import {ORPHAN, deleteInReverseOrder} from './converge.js'
import type {EventSink, NodeResult} from './events.js'
import {Limiter} from './limiter.js'
import {type Observation, observeOwned} from './observe.js'
import type {StateWriter} from './state-writer.js'

export interface TeardownOptions {
  state: StateDocument
  registry: ReconcilerRegistry
  context: (nodeId: string) => ReconcileContext
  /** The spec's graph when there is one: gives orphans (resources the state lost) their dependencies. */
  nodes?: ResourceNode[]
  mode: 'plan' | 'apply'
  writer?: StateWriter
  concurrency: number
  emit: EventSink
  /** Asked with the planned deletions (orphans included) before anything is deleted; false cancels. */
  confirm?: (planned: NodeResult[]) => Promise<boolean>
}

export interface TeardownResult {
  /** true when `confirm` declined: nothing was deleted. */
  cancelled?: boolean
  results: NodeResult[]
  /** Resources found by their tags that the state did not list. */
  orphans: string[]
  ok: boolean
}

/**
 * Deletes everything the stack owns: every state entry, plus every resource
 * tagged with the stack that the state does not know (a run that crashed
 * before saving). Nothing is deleted before what depends on it; deletion
 * waits out DependencyViolation for a bounded time.
 */
export async function teardown(options: TeardownOptions): Promise<TeardownResult> {
  const {state, registry} = options
  const baseCtx = options.context('')
  const {observations, found} = await observeOwned({ctx: baseCtx, registry, state, concurrency: options.concurrency})

  const specDeps = new Map((options.nodes ?? []).map((node) => [node.id, nodeDependencies(node)]))
  const knownIds = new Set(Object.values(state.resources).map((entry) => entry.id))
  const orphans: string[] = []
  const all: Map<string, Observation> = new Map(observations)
  for (const [kind, owned] of found) {
    for (const observed of owned) {
      const logicalId = observed.logicalId!
      if (knownIds.has(observed.id)) continue
      const key = state.resources[logicalId] ? `${logicalId}${ORPHAN}${observed.id}` : logicalId
      state.resources[key] = {kind, id: observed.id, deps: specDeps.get(logicalId) ?? [], outputs: {}, updatedAt: new Date(baseCtx.clock.now()).toISOString()}
      all.set(key, {observed, source: 'tags'})
      orphans.push(key)
    }
  }

  const walk = (mode: 'plan' | 'apply') =>
    deleteInReverseOrder({
      ids: Object.keys(state.resources),
      state,
      registry,
      context: options.context,
      observations: all,
      mode,
      writer: options.writer,
      limiter: new Limiter(options.concurrency),
      emit: mode === 'plan' ? () => {} : options.emit,
      reason: 'teardown',
    })
  if (options.mode === 'apply' && options.confirm && !(await options.confirm(await walk('plan')))) {
    return {results: [], orphans, ok: false, cancelled: true}
  }
  if (options.mode === 'apply') {
    // A resource goes once everything that depends on it is gone.
    const dependents = (id: string) => Object.entries(state.resources).filter(([, entry]) => entry.deps.includes(id)).map(([other]) => other)
    options.emit({type: 'run-start', nodes: Object.entries(state.resources).map(([id, entry]) => ({id, kind: entry.kind, waitsFor: dependents(id)}))})
  }
  const results = await walk(options.mode)
  await options.writer?.flush()
  for (const result of results) if (orphans.includes(result.id)) result.reason = 'teardown (orphan found by its tags)'
  return {results, orphans, ok: results.every((result) => result.status === 'done' || result.status === 'planned')}
}
