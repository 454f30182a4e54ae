import {describe, expect, it} from 'vitest'
import {converge, planReport, prepare} from '../../src/engine/converge.js'
import type {EngineEvent} from '../../src/engine/events.js'
import {StateWriter} from '../../src/engine/state-writer.js'
import {teardown} from '../../src/engine/teardown.js'
import {NotInStateError} from '../../src/engine/plan.js'
import {type ResourceNode, ref} from '../../src/graph/types.js'
import {newStateDocument} from '../../src/state/document.js'
import type {StateDocument} from '../../src/state/types.js'
import {testContext} from '../helpers/context.js'
import {memoryStore} from './memory-store.js'
import {MemoryWorld} from './memory-reconciler.js'

function setup(world: MemoryWorld, nodes: ResourceNode[], options: {concurrency?: number; state?: StateDocument; reconciler?: ReturnType<MemoryWorld['reconciler']>} = {}) {
  const ctx = testContext()
  const events: EngineEvent[] = []
  const state = options.state ?? newStateDocument('teststack')
  const store = memoryStore()
  const writer = new StateWriter(state, store)
  const registry = world.registry(options.reconciler ?? world.reconciler())
  const context = (id: string) => ({...ctx, progress: (message: string) => events.push({type: 'node-progress', id, message})})
  const concurrency = options.concurrency ?? 10
  const run = async (mode: 'plan' | 'apply' = 'apply', runNodes = nodes, targets?: string[]) => {
    const prepared = await prepare({nodes: runNodes, registry, context, state, concurrency, awaitRecent: mode === 'apply', ...(targets ? {targets} : {})})
    if (mode === 'plan') return {results: planReport(prepared), ok: true, outputs: {}}
    return converge(prepared, {registry, context, writer, concurrency, emit: (event) => events.push(event), signal: new AbortController().signal})
  }
  return {ctx, events, state, store, writer, run}
}

const thing = (id: string, value: string, parent?: string): ResourceNode => ({id, kind: 'test.thing', desired: parent ? {value, parent: ref(parent)} : {value}})

describe('converge', () => {
  it('starts a node as soon as its own inputs are ready, not when a layer is done', async () => {
    const world = new MemoryWorld()
    world.delays.set('slow', 30_000)
    const {events, run} = setup(world, [thing('slow', 'a'), thing('fast', 'b'), thing('child-of-fast', 'c', 'fast')])
    const result = await run()
    expect(result.ok).toBe(true)
    const order = events.filter((e) => e.type === 'node-start' || e.type === 'node-done').map((e) => `${e.type} ${e.id}`)
    expect(order.indexOf('node-start child-of-fast')).toBeLessThan(order.indexOf('node-done slow'))
    // The child got the parent's id through its ref.
    const child = [...world.things.values()].find((t) => t.logicalId === 'child-of-fast')!
    expect(child.parent).toBe([...world.things.values()].find((t) => t.logicalId === 'fast')!.id)
  })

  it('a failure blocks its dependents only; independent branches finish', async () => {
    const world = new MemoryWorld()
    world.failures.add('broken')
    const {run, events} = setup(world, [thing('broken', 'a'), thing('under-broken', 'b', 'broken'), thing('grandchild', 'c', 'under-broken'), thing('independent', 'd')])
    const result = await run()
    expect(result.ok).toBe(false)
    const status = Object.fromEntries(result.results.map((r) => [r.id, r.status]))
    expect(status).toEqual({broken: 'failed', 'under-broken': 'blocked', grandchild: 'blocked', independent: 'done'})
    expect(result.results.find((r) => r.id === 'broken')!.error).toMatch(/boom broken/)
    expect(events.some((e) => e.type === 'node-blocked' && e.id === 'grandchild')).toBe(true)
  })

  it('never runs more than --concurrency operations at once', async () => {
    const world = new MemoryWorld()
    const nodes = Array.from({length: 12}, (_, i) => thing(`n${i}`, 'v'))
    for (const node of nodes) world.delays.set(node.id, 3000)
    const {run} = setup(world, nodes, {concurrency: 3})
    await run()
    let running = 0
    let peak = 0
    for (const line of world.log) {
      if (line.startsWith('create ')) peak = Math.max(peak, ++running)
      if (line.startsWith('created ')) running--
    }
    expect(peak).toBe(3)
    expect(world.things.size).toBe(12)
  })

  it('saves the state after every mutation, and a second run is a no-op with no save', async () => {
    const world = new MemoryWorld()
    const {run, store, state} = setup(world, [thing('a', '1'), thing('b', '2', 'a')])
    await run()
    expect(store.saved.length).toBeGreaterThanOrEqual(1)
    expect(Object.keys(store.saved.at(-1)!.resources).sort()).toEqual(['a', 'b'])
    expect(state.resources.b!.deps).toEqual(['a'])
    const saves = store.saved.length
    world.log.length = 0
    const second = await run()
    expect(second.results.map((r) => r.action)).toEqual(['noop', 'noop'])
    expect(store.saved.length).toBe(saves)
    expect(world.log).toEqual(['read test.thing 2'])
  })

  it('updates in place, replaces create-before-delete, and deletes removed resources after their dependents', async () => {
    const world = new MemoryWorld()
    const {run, state} = setup(world, [thing('root', '1'), thing('leaf', '2', 'root'), thing('gone-parent', 'x'), thing('gone-child', 'y', 'gone-parent')])
    await run()
    const oldRoot = state.resources.root!.id
    const goneParent = state.resources['gone-parent']!.id
    const goneChild = state.resources['gone-child']!.id
    world.log.length = 0
    const next: ResourceNode[] = [{id: 'root', kind: 'test.thing', desired: {value: '1', immutable: 'v2'}}, thing('leaf', '3', 'root')]
    const result = await run('apply', next)
    expect(result.ok).toBe(true)
    const own = result.results.filter((r) => !r.partOf)
    expect(Object.fromEntries(own.map((r) => [r.id, r.action]))).toMatchObject({root: 'replace', leaf: 'update', 'gone-child': 'delete', 'gone-parent': 'delete'})
    // The old root's deletion finishes its replacement: reported, but counted in the replace.
    expect(result.results.filter((r) => r.partOf).map((r) => [r.id, r.action, r.status, r.physicalId])).toEqual([['root', 'delete', 'done', oldRoot]])
    expect(world.log).toContain(`delete gone-parent ${goneParent}`)
    expect(world.log.indexOf(`delete gone-child ${goneChild}`)).toBeLessThan(world.log.indexOf(`delete gone-parent ${goneParent}`))
    // The old root goes only once the leaf points at the new one.
    expect(world.log.indexOf(`delete root ${oldRoot}`)).toBeGreaterThan(world.log.indexOf('update leaf'))
    expect(world.log.indexOf('update leaf')).toBeGreaterThan(world.log.indexOf('created root'))
    expect(Object.keys(state.resources).sort()).toEqual(['leaf', 'root'])
    expect(world.things.size).toBe(2)
  })

  it('plans what refers to an output an update renews (renewedOnUpdate) as changing too, known after apply; apply then changes it', async () => {
    const world = new MemoryWorld()
    const reconciler = world.reconciler('test.thing', 'create-before-delete', {renewedOnUpdate: ['value']})
    const child = (parentValue: string): ResourceNode[] => [thing('p', parentValue), {id: 'c', kind: 'test.thing', desired: {value: 'c', parent: ref('p', 'value')}}]
    const {run} = setup(world, child('1'), {reconciler})
    expect((await run()).ok).toBe(true)

    const planned = await run('plan', child('2'))
    expect(planned.results.map((r) => [r.id, r.action])).toEqual([
      ['p', 'update'],
      ['c', 'update'],
    ])
    expect(planned.results[1]!.changes).toEqual([expect.objectContaining({field: 'parent', before: '1'})])
    world.log.length = 0
    expect((await run('apply', child('2'))).ok).toBe(true)
    expect(world.log.filter((line) => line.startsWith('update'))).toEqual(['update p', 'update c'])
    expect([...world.things.values()].find((t) => t.logicalId === 'c')!.parent).toBe('2')
  })

  it('plan reports actions and changes without calling create, update or delete', async () => {
    const world = new MemoryWorld()
    const {run} = setup(world, [thing('a', '1')])
    await run()
    world.log.length = 0
    const {run: planRun} = setup(world, [], {
      state: await (async () => {
        const s = newStateDocument('teststack')
        s.resources.a = {kind: 'test.thing', id: [...world.things.keys()][0]!, deps: [], outputs: {}, updatedAt: ''}
        return s
      })(),
    })
    const result = await planRun('plan', [thing('a', '2'), thing('b', 'new', 'a')])
    expect(result.results.map((r) => [r.id, r.action, r.status])).toEqual([
      ['a', 'update', 'planned'],
      ['b', 'create', 'planned'],
    ])
    expect(result.results[0]!.changes).toEqual([{field: 'value', before: '1', after: '2', replace: false}])
    expect(world.log.filter((line) => !line.startsWith('read') && !line.startsWith('find'))).toEqual([])
  })

  it('teardown deletes in reverse dependency order and adopts tagged orphans', async () => {
    const world = new MemoryWorld()
    const {run, state, writer, ctx} = setup(world, [thing('a', '1'), thing('b', '2', 'a'), thing('c', '3', 'b')])
    await run()
    // Orphans: created by runs that crashed before saving. One has a logical id of its own,
    // one shares `a`'s (a replacement cut short) and must go too.
    world.things.set('thing-99', {id: 'thing-99', logicalId: 'lost', stack: 'teststack', value: 'z'})
    world.things.set('thing-98', {id: 'thing-98', logicalId: 'a', stack: 'teststack', value: 'twin'})
    world.log.length = 0
    const result = await teardown({state, registry: world.registry(world.reconciler()), context: () => ctx, mode: 'apply', writer, concurrency: 4, emit: () => {}})
    expect(result.ok).toBe(true)
    expect(result.orphans.sort()).toEqual(['a (thing-98)', 'lost (thing-99)'])
    const deletes = world.log.filter((line) => line.startsWith('delete')).map((line) => line.split(' ')[1])
    expect(deletes.indexOf('c')).toBeLessThan(deletes.indexOf('b'))
    expect(deletes.indexOf('b')).toBeLessThan(deletes.indexOf('a'))
    expect(deletes).toContain('lost')
    // The twin stands where `a` stood: it goes after `b`, which depends on `a`.
    expect(world.log.indexOf('delete a thing-98')).toBeGreaterThan(world.log.findIndex((line) => line.startsWith('delete b ')))
    expect(world.things.size).toBe(0)
    expect(state.resources).toEqual({})
  })

  it('tells objects of two kinds apart when AWS gives them the same id (an IAM role and its instance profile share a name)', async () => {
    // Each world numbers its objects from thing-1: a role and a profile with the same id.
    const roles = new MemoryWorld()
    const profiles = new MemoryWorld()
    const role = roles.reconciler('test.role')
    const profile = profiles.reconciler('test.profile')
    const registry = roles.registry(role, profile)
    const ctx = testContext()
    const state = newStateDocument('teststack')
    const writer = new StateWriter(state, memoryStore())
    const nodes: ResourceNode[] = [
      {id: 'role', kind: 'test.role', desired: {value: 'r'}},
      {id: 'profile', kind: 'test.profile', desired: {value: 'p', parent: ref('role')}},
    ]
    const prepared = await prepare({nodes: nodes.slice(0, 1), registry, context: () => ctx, state, concurrency: 4})
    await converge(prepared, {registry, context: () => ctx, writer, concurrency: 4, emit: () => {}, signal: new AbortController().signal})
    // The profile was made by a run that died before saving it: found by its tags, its id the role's.
    profiles.things.set('thing-1', {id: 'thing-1', logicalId: 'profile', stack: 'teststack', value: 'p', parent: 'thing-1'})
    expect(state.resources.role!.id).toBe('thing-1')

    const planned = await prepare({nodes, registry, context: () => ctx, state, concurrency: 4})
    expect(planReport(planned).map((r) => [r.id, r.action])).toEqual([
      ['role', 'noop'],
      ['profile', 'noop'],
    ])
    const result = await teardown({state, nodes, registry, context: () => ctx, mode: 'apply', writer, concurrency: 4, emit: () => {}})
    expect(result.orphans).toEqual(['profile (thing-1)'])
    expect([roles.things.size, profiles.things.size]).toEqual([0, 0])
  })

  it('gives every object ever created for a logical id its own idempotency token (A → B → A replacements, delete first)', async () => {
    const world = new MemoryWorld()
    const registry = world.registry(world.reconciler('test.thing', 'delete-before-create'))
    const ctx = testContext()
    const state = newStateDocument('teststack')
    const writer = new StateWriter(state, memoryStore())
    const apply = async (immutable: string) => {
      const nodes: ResourceNode[] = [{id: 'x', kind: 'test.thing', desired: {value: 'v', immutable}}]
      const prepared = await prepare({nodes, registry, context: () => ctx, state, concurrency: 1, awaitRecent: true})
      return converge(prepared, {registry, context: () => ctx, writer, concurrency: 1, emit: () => {}, signal: new AbortController().signal})
    }
    for (const version of ['A', 'B', 'A']) expect((await apply(version)).ok).toBe(true)
    expect(world.tokens).toHaveLength(3)
    expect(new Set(world.tokens).size).toBe(3)
    expect(state.generations.x).toBe(3)
    // The state of the last object carries no intent: it was recorded.
    expect(state.intents).toEqual({})
  })

  it('records the intent of a create, stored before the create call, and drops it once the object is recorded', async () => {
    const world = new MemoryWorld()
    const ctx = testContext()
    const state = newStateDocument('teststack')
    const store = memoryStore()
    const writer = new StateWriter(state, store)
    const registry = world.registry(world.reconciler())
    const savedBeforeCreate: unknown[] = []
    const original = registry.get
    registry.get = async (kind) => {
      const reconciler = await original(kind)
      return {
        ...reconciler,
        create: async (...args: Parameters<typeof reconciler.create>) => {
          savedBeforeCreate.push(structuredClone(store.saved.at(-1)?.intents))
          return reconciler.create(...args)
        },
      }
    }
    const prepared = await prepare({nodes: [thing('a', '1')], registry, context: () => ctx, state, concurrency: 1, awaitRecent: true})
    await converge(prepared, {registry, context: () => ctx, writer, concurrency: 1, emit: () => {}, signal: new AbortController().signal})
    expect(savedBeforeCreate).toEqual([{a: {kind: 'test.thing', token: world.tokens[0], startedAt: expect.any(String)}}])
    await writer.flush()
    expect(store.saved.at(-1)!.intents).toEqual({})
    expect(store.saved.at(-1)!.resources.a!.id).toBe([...world.things.keys()][0])
  })

  it('an object adopted by its tags used up a token: a later replacement gets a new one, not the adopted object back', async () => {
    const world = new MemoryWorld()
    const registry = world.registry(world.reconciler())
    const ctx = testContext()
    const state = newStateDocument('teststack')
    const writer = new StateWriter(state, memoryStore())
    const apply = async (value: string, immutable: string) => {
      const nodes: ResourceNode[] = [{id: 'x', kind: 'test.thing', desired: {value, immutable}}]
      const prepared = await prepare({nodes, registry, context: () => ctx, state, concurrency: 1, awaitRecent: true})
      return converge(prepared, {registry, context: () => ctx, writer, concurrency: 1, emit: () => {}, signal: new AbortController().signal})
    }
    await apply('v', 'A')
    // A crash lost what the state knew of x (its entry and generation), as if the save after its create never landed.
    delete state.resources.x
    state.generations = {}
    // Adopted by its tags and updated in place, then replaced.
    expect((await apply('w', 'A')).results[0]).toMatchObject({action: 'update', status: 'done'})
    await apply('w', 'B')
    expect(new Set(world.tokens).size).toBe(2)
    expect(world.things.size).toBe(1)
    expect([...world.things.values()][0]!.immutable).toBe('B')
  })
})

describe('a targeted run (containrlab deploy)', () => {
  const graph = (leafValue: string, otherValue = 'o') => [thing('root', 'r'), thing('mid', 'm', 'root'), thing('leaf', leafValue, 'mid'), thing('other', otherValue)]

  it('reads, changes and reports only its targets; the others stand as the state records them, however they differ', async () => {
    const world = new MemoryWorld()
    const {run, state, events} = setup(world, graph('1'))
    await run()
    const midId = state.resources.mid!.id
    // `other` now differs from the spec: not this run's business.
    world.log.length = 0
    events.length = 0
    const result = await run('apply', [...graph('2', 'changed')], ['leaf'])
    expect(result.ok).toBe(true)
    expect(result.results.map((r) => [r.id, r.action, r.status])).toEqual([['leaf', 'update', 'done']])
    expect(world.log).toEqual(['read test.thing 1', 'update leaf'])
    // The target got its dependency's output from the state.
    expect([...world.things.values()].find((t) => t.logicalId === 'leaf')!.parent).toBe(midId)
    const start = events.find((e) => e.type === 'run-start')
    expect(start?.type === 'run-start' && start.nodes.map((n) => [n.id, n.waitsFor])).toEqual([['leaf', []]])
    expect([...world.things.values()].find((t) => t.logicalId === 'other')!.value).toBe('o')
  })

  it('deletes nothing outside its targets (a node removed from the spec stays)', async () => {
    const world = new MemoryWorld()
    const {run, state} = setup(world, graph('1'))
    await run()
    const result = await run(
      'apply',
      graph('2').filter((node) => node.id !== 'other'),
      ['leaf'],
    )
    expect(result.results.map((r) => r.id)).toEqual(['leaf'])
    expect(Object.keys(state.resources).sort()).toEqual(['leaf', 'mid', 'other', 'root'])
    expect(world.things.size).toBe(4)
  })

  it('refuses before any call when a node its targets refer to is not in the state', async () => {
    const world = new MemoryWorld()
    const {run} = setup(world, graph('1'))
    await expect(run('apply', graph('1'), ['leaf'])).rejects.toThrow(new NotInStateError(['mid']))
    expect(world.log).toEqual([])
  })
})
