import type {ReconcilerRegistry} from '../../src/resources/registry.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../../src/resources/types.js'

export interface Thing extends Observed {
  value: string
  parent?: string
  logicalId?: string
  /** Set on creation, as the containrlab:stack tag would be. */
  stack?: string
}

/**
 * A resource kind that lives in a Map, for engine tests that must not depend
 * on EC2: `value` updates in place, `immutable` forces replacement, and a
 * per-logical-id delay (in virtual ms) or failure can be set.
 */
export class MemoryWorld {
  readonly things = new Map<string, Thing & {immutable?: string}>()
  readonly log: string[] = []
  /** The idempotency token of every create, in order. */
  readonly tokens: string[] = []
  delays = new Map<string, number>()
  failures = new Set<string>()
  private next = 1

  /** `extras` overrides or adds contract members (dataLoss, readyWhen, sensitiveFields…). */
  reconciler(
    kind = 'test.thing',
    replaceStrategy: Reconciler['replaceStrategy'] = 'create-before-delete',
    extras: Partial<Reconciler<{value: string; parent?: string; immutable?: string}, Thing & {immutable?: string}>> = {},
  ): Reconciler<{value: string; parent?: string; immutable?: string}, Thing & {immutable?: string}> {
    // The reconciler's methods are object-literal methods: their own `this` is the reconciler, not the world.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const world = this
    const base: Reconciler<{value: string; parent?: string; immutable?: string}, Thing & {immutable?: string}> = {
      kind,
      replaceStrategy,
      // Codes of this world: `NotFound`, `InUse` (a delete blocked by a dependent).
      classifyError: (error) => ({NotFound: 'not-found', InUse: 'in-use'})[(error as Error)?.name] as ReturnType<Reconciler['classifyError']>,
      async read(_ctx, ids) {
        world.log.push(`read ${kind} ${ids.length}`)
        return new Map(ids.filter((id) => world.things.has(id)).map((id) => [id, {...world.things.get(id)!}]))
      },
      async find() {
        world.log.push(`find ${kind}`)
        return [...world.things.values()].filter((t) => t.logicalId).map((t) => ({...t}))
      },
      diff(desired, observed) {
        const changes: Change[] = []
        if (desired.value !== observed.value) changes.push({field: 'value', before: observed.value, after: desired.value, replace: false})
        if ((desired.immutable ?? '') !== (observed.immutable ?? '')) changes.push({field: 'immutable', before: observed.immutable, after: desired.immutable, replace: true})
        if ((desired.parent ?? '') !== (observed.parent ?? '')) changes.push({field: 'parent', before: observed.parent, after: desired.parent, replace: false})
        return changes
      },
      async create(ctx: ReconcileContext, desired, meta: CreateMeta) {
        world.log.push(`create ${meta.logicalId}`)
        world.tokens.push(meta.token)
        await world.pause(ctx, meta.logicalId)
        if (world.failures.has(meta.logicalId)) throw Object.assign(new Error(`boom ${meta.logicalId}`), {name: 'InternalError'})
        const thing = {id: `thing-${world.next++}`, logicalId: meta.logicalId, stack: ctx.stack, ...desired}
        world.things.set(thing.id, thing)
        world.log.push(`created ${meta.logicalId}`)
        return {...thing}
      },
      async update(ctx, desired, observed) {
        world.log.push(`update ${observed.logicalId}`)
        await world.pause(ctx, observed.logicalId!)
        const thing = {...observed, ...desired}
        world.things.set(thing.id, thing)
        return {...thing}
      },
      async delete(ctx, observed, options) {
        world.log.push(`delete ${observed.logicalId} ${observed.id}${options?.purge ? ' purge' : ''}`)
        await world.pause(ctx, observed.logicalId!)
        world.things.delete(observed.id)
      },
      outputs: (observed) => ({id: observed.id, value: observed.value}),
    }
    return {...base, ...extras}
  }

  registry(...reconcilers: Reconciler[]): ReconcilerRegistry {
    const byKind = new Map(reconcilers.map((r) => [r.kind, r]))
    return {get: async (kind) => byKind.get(kind)!, kinds: () => [...byKind.keys()]}
  }

  private async pause(ctx: ReconcileContext, logicalId: string): Promise<void> {
    const delay = this.delays.get(logicalId) ?? 0
    for (let waited = 0; waited < delay; waited += 1000) await ctx.clock.sleep(1000)
  }
}
