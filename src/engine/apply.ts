import {describeError} from '../aws/errors.js'
import {nodeDependencies, type ResourceNode, resolveRefs} from '../graph/types.js'
import type {ReconcilerRegistry} from '../resources/registry.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../resources/types.js'
import type {StateDocument} from '../state/types.js'
import {DeletionWalk} from './deletion.js'
import type {EventSink, NodeAction, NodeResult} from './events.js'
import {idempotencyToken, ownershipTags} from './identity.js'
import {Limiter} from './limiter.js'
import type {Observation} from './observe.js'
import {type Deletion, decide, type RunPlan, SENSITIVE_MASK} from './plan.js'
import {definitelyRefused, retryWhileNewlyCreatedNotFound} from './retry.js'
import {chainPriorities, typicalMs} from './schedule.js'
import {inNodeScope} from './scope.js'
import type {StateWriter} from './state-writer.js'

export interface ApplyOptions {
  plan: RunPlan
  registry: ReconcilerRegistry
  /** Every kind of the graph, loaded up front. */
  reconcilers: Map<string, Reconciler>
  /** Builds the context a reconciler gets for one node (progress bound to it). */
  context: (label: string) => ReconcileContext
  state: StateDocument
  /** Saves the state after every mutation, and before every create of a kind without idempotency token. */
  writer: StateWriter
  concurrency: number
  emit: EventSink
  /** Ctrl-C / SIGTERM: nothing new starts, waits end, what was done is saved. */
  signal: AbortSignal
}

export interface ConvergeResult {
  results: NodeResult[]
  /** Outputs of every node that exists after the run (logical id → outputs). */
  outputs: Record<string, Record<string, string>>
  ok: boolean
  /** Why the run stopped early, when it did (interrupted, or the state was taken over by another run). */
  stopped?: string
  /** It stopped because it was interrupted (Ctrl-C / SIGTERM), not because another run took its state. */
  interrupted?: boolean
  /** The state could not be saved at the end (what AWS now has is found by its tags on the next run). */
  stateError?: string
}

interface Settled {
  ok: boolean
  outputs?: Record<string, string>
  /** Not ok because the run stopped (cut short or not started), not because it failed. */
  stopped?: boolean
}

/**
 * How long a replacement waits for AWS to stop reporting the old object in
 * use once everything the stack knows of that used it is gone (ENIs
 * draining): unlike a teardown, what still holds it after that is outside
 * the stack and will not let go by itself. Long enough for what does let go
 * by itself: a load balancer's network interfaces stay in its subnets for
 * minutes after DeleteLoadBalancer, and when a crashed run deleted it, no
 * one waited for them before the subnets' turn came.
 */
export const REPLACE_IN_USE_WAIT_MS = 5 * 60_000

/**
 * Executes a plan. Every node starts the moment the nodes it refers to have
 * settled (not when a "layer" is done), bounded by the concurrency limit; a
 * failure blocks its dependents only. A delete-first replacement first
 * deletes its cascade (dependents before what they depend on), then makes
 * everything again in dependency order. Old objects of create-before-delete
 * replacements, resources removed from the spec and strays are deleted
 * after the graph settled, in reverse dependency order.
 */
export async function applyPlan(options: ApplyOptions): Promise<ConvergeResult> {
  const {plan, state, writer, emit, reconcilers} = options
  const {dag} = plan
  const stop = new AbortController()
  const onAbort = () => stop.abort(options.signal.reason)
  options.signal.addEventListener('abort', onAbort, {once: true})
  const stopConflict = writer.onConflict((error) => stop.abort(error))
  const stopped = (): string | undefined => {
    if (!stop.signal.aborted) return undefined
    return writer.conflict ? `not attempted: ${describeError(writer.conflict)}` : 'not attempted: the run was interrupted'
  }
  /** Ctrl-C / SIGTERM stopped the run (a lost state is a failure, not an interrupt). */
  const interrupted = (): boolean => stop.signal.aborted && !writer.conflict
  if (options.signal.aborted) onAbort()
  const context = (label: string): ReconcileContext => ({...options.context(label), signal: stop.signal})

  await DeletionWalk.reconcilersFor(options.registry, plan.deletions, reconcilers)
  const limiter = new Limiter(options.concurrency)
  const priority = chainPriorities(
    dag.order,
    (id) => dag.dependents.get(id) ?? [],
    (id) => typicalMs(reconcilers.get(dag.nodes.get(id)!.kind)!, 'create'),
  )
  const walkOptions = {state, reconcilers, context, writer, limiter, emit, purge: false, stopped, interrupted}
  const early = new DeletionWalk(
    plan.deletions.filter((deletion) => deletion.early),
    {...walkOptions, inUseLimitMs: (deletion: Deletion) => (deletion.cause === 'replaced' ? Math.min(context('').waitTimeoutMs, REPLACE_IN_USE_WAIT_MS) : undefined)},
  )
  const retiredThisRun: Deletion[] = []
  const results = new Map<string, NodeResult>()
  const settled = new Map<string, Promise<Settled>>()
  const outputs: Record<string, Record<string, string>> = {}

  /**
   * Puts a node's live object in the state, which is then saved in the
   * background. Outputs never carry a sensitive value (a kind that echoed one
   * would otherwise put it in the state document).
   */
  const record = (node: ResourceNode, reconciler: Reconciler, observed: Observed, desired: Record<string, unknown>): void => {
    const secrets = new Set((reconciler.sensitiveFields ?? []).map((field) => desired[field]).filter((value) => typeof value === 'string' && value !== ''))
    const outputs = Object.fromEntries(Object.entries(reconciler.outputs(observed)).map(([key, value]) => [key, secrets.has(value) ? SENSITIVE_MASK : value]))
    state.resources[node.id] = {kind: node.kind, id: observed.id, deps: nodeDependencies(node), outputs, updatedAt: new Date(context('').clock.now()).toISOString()}
    writer.saveInBackground()
  }

  /**
   * Creates the object of a logical id, its intent stored first: a run killed
   * between the call and the save that records the object leaves the next run
   * knowing to look for it (see observe.ts) — `up` to adopt rather than make
   * a second one, `teardown` to delete it rather than leave it behind.
   */
  const create = async (ctx: ReconcileContext, node: ResourceNode, reconciler: Reconciler, desired: Record<string, unknown>): Promise<Observed> => {
    const generation = (state.generations[node.id] ?? 0) + 1
    const token = idempotencyToken(state.lineage, node.id, generation)
    const resuming = state.intents[node.id]?.token === token
    state.intents[node.id] = {kind: node.kind, token, startedAt: new Date(ctx.clock.now()).toISOString()}
    await writer.commit()
    let created: Observed
    try {
      created = await retryWhileNewlyCreatedNotFound(ctx, reconciler, () => reconciler.create(ctx, desired, {logicalId: node.id, token, tags: ownershipTags(ctx.stack, node.id), ...(resuming ? {resuming} : {})}))
    } catch (error) {
      // Refused outright: nothing was made, so there is nothing for a re-run to look for.
      if (definitelyRefused(error) && state.intents[node.id]?.token === token) {
        delete state.intents[node.id]
        writer.saveInBackground()
      }
      throw error
    }
    created = {...created, logicalId: created.logicalId ?? node.id, stack: created.stack ?? ctx.stack}
    state.generations[node.id] = generation
    delete state.intents[node.id]
    record(node, reconciler, created, desired)
    return created
  }

  const act = async (ctx: ReconcileContext, node: ResourceNode, reconciler: Reconciler, desired: Record<string, unknown>, observation: Observation, action: NodeAction, changes: Change[]): Promise<Observed> => {
    const current = observation.observed
    if (observation.source === 'found') {
      // Adopted by tags or name after a crash: the create that made it used up its generation (its token),
      // which the state may not say yet; its intent is answered.
      state.generations[node.id] = (state.generations[node.id] ?? 0) + 1
      delete state.intents[node.id]
    }
    switch (action) {
      case 'noop':
        // The state learns the adopted object's id now.
        if (observation.source === 'found' || state.resources[node.id]?.id !== current!.id) record(node, reconciler, current!, desired)
        return current!
      case 'update': {
        const updated = await retryWhileNewlyCreatedNotFound(ctx, reconciler, () => reconciler.update(ctx, desired, current!, changes))
        record(node, reconciler, updated, desired)
        return updated
      }
      case 'replace': {
        // Create-before-delete (delete-first replacements arrive here with their old object already gone, as a create).
        const previous = state.resources[node.id]
        const created = await create(ctx, node, reconciler, desired)
        if (current) {
          const retired = {logicalId: node.id, kind: node.kind, id: current.id, deps: previous?.deps ?? nodeDependencies(node), reason: 'replaced' as const, since: new Date(ctx.clock.now()).toISOString()}
          state.retired.push(retired)
          writer.saveInBackground()
          retiredThisRun.push({
            key: `replaced-old:${node.kind}:${current.id}`,
            logicalId: node.id,
            kind: node.kind,
            id: current.id,
            deps: retired.deps,
            observed: current,
            cause: 'retired',
            reason: 'replaced by a new object',
            old: true,
            early: false,
          })
        }
        return created
      }
      default:
        return create(ctx, node, reconciler, desired)
    }
  }

  const runNode = async (node: ResourceNode): Promise<Settled> => {
    // Outside a targeted run's targets: as the state records it.
    if (!plan.nodes.has(node.id)) return {ok: true, outputs: plan.pinned.get(node.id)}
    const planned = plan.nodes.get(node.id)!
    const reconciler = reconcilers.get(node.kind)!
    const fail = (status: 'failed' | 'blocked' | 'interrupted', error: string, action: NodeAction = planned.action): Settled => {
      results.set(node.id, {id: node.id, kind: node.kind, action, status, physicalId: planned.observation.observed?.id, changes: planned.changes, reason: planned.reason, error, durationMs: 0})
      if (status === 'blocked') emit({type: 'node-blocked', id: node.id, kind: node.kind, blockedBy: [], reason: error.replace(/^not attempted: /, '')})
      else if (status === 'interrupted') emit({type: 'node-interrupted', id: node.id, kind: node.kind, action, message: error})
      else emit({type: 'node-failed', id: node.id, kind: node.kind, action, error})
      return {ok: false, stopped: status !== 'failed' && stopped() !== undefined}
    }
    // A cascade member's (or root's) old object goes first, after everything that depends on it.
    const deletedFirst = planned.cascadeOf !== undefined && planned.action === 'replace' && planned.observation.observed !== undefined
    if (deletedFirst && !(await early.done(`replaced:${node.id}`))) {
      const deletion = early.results.get(`replaced:${node.id}`)
      if (deletion?.status === 'blocked') return fail('blocked', deletion.error ?? 'not attempted')
      const what = `the old object ${planned.observation.observed!.id} before making its replacement`
      if (deletion?.status === 'interrupted') return fail('interrupted', `interrupted while deleting ${what}: ${deletion.error ?? ''}`.replace(/: $/, ''))
      return fail('failed', `could not delete ${what}: ${deletion?.error ?? 'unknown error'}`)
    }
    const deps = dag.dependencies.get(node.id) ?? []
    const depResults = await Promise.all(deps.map((dep) => settled.get(dep)!))
    // What the run's stop left undone is not a failure of the dependency.
    const failedDeps = deps.filter((_, i) => !depResults[i]!.ok && !depResults[i]!.stopped)
    if (failedDeps.length > 0) {
      results.set(node.id, {id: node.id, kind: node.kind, action: planned.action, status: 'blocked', changes: [], durationMs: 0, error: `not attempted: ${failedDeps.join(', ')} failed`})
      emit({type: 'node-blocked', id: node.id, kind: node.kind, blockedBy: failedDeps})
      return {ok: false}
    }
    const why = stopped()
    if (why || depResults.some((result) => !result.ok)) return fail('blocked', why ?? 'not attempted: the run stopped')
    const depOutputs = new Map(deps.map((dep, i) => [dep, depResults[i]!.outputs]))
    const desired = resolveRefs(node.desired, (ref) => depOutputs.get(ref.$ref)?.[ref.output])
    const observation: Observation = deletedFirst ? {} : planned.observation
    const decided = decide(reconciler, desired, observation.observed)
    // What the plan showed is what the report says (a cascade's "replace" is a create once the old object is gone).
    const action = deletedFirst ? 'replace' : decided.action
    const ctx = context(node.id)
    const started = ctx.clock.now()
    emit({type: 'node-start', id: node.id, kind: node.kind, action, changes: decided.changes})
    /** What the node's call made, once it returned (an interrupt may cut the wait for it short). */
    let made: Observed | undefined
    try {
      let observed = await limiter.run(() => act(ctx, node, reconciler, desired, observation, decided.action, decided.changes), priority.get(node.id))
      made = observed
      const needed = (dag.dependents.get(node.id) ?? []).length > 0 || reconciler.readyWhen === 'always'
      if (needed && reconciler.waitReady && !isReady(reconciler, observed)) {
        const waitCtx = reconciler.waitTimeoutMs ? {...ctx, waitTimeoutMs: reconciler.waitTimeoutMs} : ctx
        observed = await reconciler.waitReady(waitCtx, observed)
        record(node, reconciler, observed, desired)
      }
      const durationMs = ctx.clock.now() - started
      const changes = deletedFirst ? planned.changes : decided.changes
      results.set(node.id, {id: node.id, kind: node.kind, action, status: 'done', physicalId: observed.id, changes, reason: deletedFirst ? planned.reason : decided.reason, durationMs})
      emit({type: 'node-done', id: node.id, kind: node.kind, action, physicalId: observed.id, durationMs})
      const nodeOutputs = reconciler.outputs(observed)
      outputs[node.id] = nodeOutputs
      return {ok: true, outputs: nodeOutputs}
    } catch (error) {
      const durationMs = ctx.clock.now() - started
      // Cut short by Ctrl-C: what it made (if anything) is in the state or found by its tags next time.
      const physicalId = made?.id ?? (state.resources[node.id]?.kind === node.kind ? state.resources[node.id]!.id : planned.observation.observed?.id)
      const base = {id: node.id, kind: node.kind, action, changes: decided.changes, reason: decided.reason, durationMs, ...(physicalId ? {physicalId} : {})}
      if (interrupted()) {
        const message = error === stop.signal.reason ? 'interrupted before it finished' : `interrupted before it finished (${describeError(error)})`
        results.set(node.id, {...base, status: 'interrupted', error: message})
        emit({type: 'node-interrupted', id: node.id, kind: node.kind, action, message})
        return {ok: false, stopped: true}
      }
      const message = stop.signal.aborted && error === stop.signal.reason ? (stopped() ?? describeError(error)).replace(/^not attempted: /, 'stopped: ') : describeError(error)
      results.set(node.id, {...base, status: 'failed', error: message})
      emit({type: 'node-failed', id: node.id, kind: node.kind, action, error: message})
      return {ok: false, stopped: stop.signal.aborted}
    }
  }

  const lateDeletions = plan.deletions.filter((deletion) => !deletion.early)
  /** The nodes the run acts on and reports (all of the graph's, but in a targeted run). */
  const planned = dag.order.filter((id) => plan.nodes.has(id))
  emit({
    type: 'run-start',
    nodes: [
      ...planned.map((id) => ({id, kind: dag.nodes.get(id)!.kind, waitsFor: (dag.dependencies.get(id) ?? []).filter((dep) => plan.nodes.has(dep))})),
      ...plan.deletions.map((deletion) => ({id: DeletionWalk.label(deletion), kind: deletion.kind, waitsFor: []})),
      // The old objects create-before-delete replacements retire, deleted once their dependents moved (labelled as DeletionWalk does).
      ...[...plan.nodes.values()]
        .filter((planned) => planned.action === 'replace' && !planned.cascadeOf && planned.observation.observed)
        .map((planned) => ({id: DeletionWalk.label({logicalId: planned.node.id, id: planned.observation.observed!.id, cause: 'retired', old: true}), kind: planned.node.kind, waitsFor: [planned.node.id]})),
    ],
  })
  try {
    for (const id of dag.order)
      settled.set(
        id,
        inNodeScope(id, () => runNode(dag.nodes.get(id)!)),
      )
    const earlyDone = early.all()
    const allSettled = await Promise.all(dag.order.map((id) => settled.get(id)!))
    await earlyDone
    // Objects retired by this run's replacements go once their dependents have moved to the new ones.
    const late = new DeletionWalk([...lateDeletions, ...retiredThisRun], {...walkOptions, partOf: (deletion) => (deletion.key.startsWith('replaced-old:') ? deletion.logicalId : undefined)})
    const lateResults = await late.all()
    // Every mutation is in the stored state before the run reports (a failed save fails the run).
    const stateError = await writer.flushForReport()
    const earlyResults = [...early.results.entries()].filter(([key]) => !key.startsWith('replaced:')).map(([, result]) => result)
    const deletionResults = [...earlyResults, ...lateResults]
    const ordered = [...planned.map((id) => results.get(id)!), ...deletionResults]
    const ok = !stateError && allSettled.every((s) => s.ok) && deletionResults.every((r) => r.status === 'done' || r.status === 'kept')
    const why = stopped()
    return {results: ordered, outputs, ok, ...(why ? {stopped: why.replace(/^not attempted: /, '')} : {}), ...(interrupted() ? {interrupted: true} : {}), ...(stateError ? {stateError} : {})}
  } finally {
    options.signal.removeEventListener('abort', onAbort)
    stopConflict()
  }
}

function isReady(reconciler: Reconciler, observed: Observed): boolean {
  return reconciler.health ? reconciler.health(observed).ready : true
}
