import {describe, expect, it} from 'vitest'
import {buildReport} from '../../src/app/report.js'
import {converge, planReport, prepare} from '../../src/engine/converge.js'
import {StateWriter} from '../../src/engine/state-writer.js'
import {teardown} from '../../src/engine/teardown.js'
import type {ResourceNode} from '../../src/graph/types.js'
import type {Reconciler} from '../../src/resources/types.js'
import {newStateDocument} from '../../src/state/document.js'
import {testContext} from '../helpers/context.js'
import {memoryStore} from './memory-store.js'
import {MemoryWorld, type Thing} from './memory-reconciler.js'

/** The parts of the reconciler contract the ALB, ECS, RDS and IAM kinds need: data, readiness, secrets. */

function harness(reconciler: Reconciler, world: MemoryWorld) {
  const registry = world.registry(reconciler)
  const ctx = testContext()
  const state = newStateDocument('teststack')
  const store = memoryStore()
  const writer = new StateWriter(state, store)
  const common = {registry, context: () => ctx, concurrency: 4}
  const run = async (nodes: ResourceNode[]) => {
    const prepared = await prepare({...common, nodes, state, awaitRecent: true})
    return {prepared, result: await converge(prepared, {...common, writer, emit: () => {}, signal: new AbortController().signal})}
  }
  const plan = async (nodes: ResourceNode[]) => prepare({...common, nodes, state})
  const down = (purge: boolean) => teardown({...common, state, mode: 'apply', writer, emit: () => {}, purge})
  return {ctx, state, store, run, plan, down}
}

const db = (immutable = 'v1'): ResourceNode => ({id: 'db', kind: 'test.thing', desired: {value: 'data', immutable}})

describe('data-bearing kinds', () => {
  const keep = (world: MemoryWorld) => world.reconciler('test.thing', 'delete-before-create', {dataLoss: () => ({what: 'a database with data', unlessPurge: 'keep'})})
  const snapshot = (world: MemoryWorld) => world.reconciler('test.thing', 'delete-before-create', {dataLoss: () => ({what: 'a database with data', unlessPurge: 'snapshot'})})

  it('teardown keeps an object that holds data unless --purge, and says so', async () => {
    const world = new MemoryWorld()
    const {run, down} = harness(keep(world), world)
    await run([db()])
    const kept = await down(false)
    expect(kept.ok).toBe(true)
    expect(kept.results.map((r) => [r.id, r.status, r.dataLoss])).toEqual([['db', 'kept', 'a database with data']])
    expect(buildReport('teardown', {stack: 's'}, kept.results, {}).kept).toEqual([expect.stringContaining('db (thing-1): a database with data')])
    expect(world.things.size).toBe(1)
    // The next teardown finds it by its tags and, with --purge, deletes it.
    const purged = await down(true)
    expect(purged.results.map((r) => [r.id, r.status])).toEqual([['db', 'done']])
    expect(world.log.at(-1)).toBe('delete db thing-1 purge')
    expect(world.things.size).toBe(0)
  })

  it('a kind that snapshots is deleted (its delete keeps the data) and the plan says what happens', async () => {
    const world = new MemoryWorld()
    const {run, down} = harness(snapshot(world), world)
    await run([db()])
    const result = await down(false)
    expect(result.results.map((r) => [r.status, r.dataLoss])).toEqual([['done', 'a database with data']])
    expect(world.log.at(-1)).toBe('delete db thing-1')
  })

  it('a replacement that would delete data is refused by the plan, before any change', async () => {
    const world = new MemoryWorld()
    const {run, plan} = harness(keep(world), world)
    await run([db('v1')])
    world.log.length = 0
    const planned = await plan([db('v2')])
    expect(planned.plan.unsafe).toEqual([expect.stringMatching(/^db must be replaced .*which deletes a database with data/)])
    expect(planReport(planned).find((r) => r.id === 'db')!.dataLoss).toBe('a database with data')
    expect(world.log.filter((line) => !line.startsWith('read') && !line.startsWith('find'))).toEqual([])
  })

  it('a cascade that would delete data is refused too: the plan names the cascade', async () => {
    const world = new MemoryWorld()
    const dataChild = world.reconciler('test.thing', 'delete-before-create', {dataLoss: (observed: Thing) => (observed.logicalId === 'child' ? {what: 'rows', unlessPurge: 'snapshot'} : undefined)})
    const {run, plan} = harness(dataChild, world)
    const parent = (immutable: string): ResourceNode => ({id: 'parent', kind: 'test.thing', desired: {value: 'p', immutable}})
    const child: ResourceNode = {id: 'child', kind: 'test.thing', desired: {value: 'c', parent: {$ref: 'parent', output: 'id'}}}
    await run([parent('v1'), child])
    const planned = await plan([parent('v2'), child])
    expect(planned.plan.nodes.get('child')).toMatchObject({action: 'replace', cascadeOf: 'parent'})
    expect(planned.plan.unsafe).toEqual([expect.stringMatching(/^replacing parent replaces child with it, which deletes rows/)])
  })
})

describe('readiness', () => {
  it("a kind that is ready 'always' is waited on after create and update even as a leaf, with its own timeout", async () => {
    const world = new MemoryWorld()
    const waits: {id: string; timeoutMs: number}[] = []
    const reconciler = world.reconciler('test.thing', 'create-before-delete', {
      readyWhen: 'always',
      waitTimeoutMs: 40 * 60_000,
      health: (observed: Thing) => ({state: observed.value === 'ready' ? 'ok' : 'deploying', ready: false}),
      waitReady: async (ctx, observed) => {
        waits.push({id: observed.logicalId!, timeoutMs: ctx.waitTimeoutMs})
        return observed
      },
    })
    const {run} = harness(reconciler, world)
    await run([{id: 'svc', kind: 'test.thing', desired: {value: 'v1'}}])
    await run([{id: 'svc', kind: 'test.thing', desired: {value: 'v2'}}])
    expect(waits).toEqual([
      {id: 'svc', timeoutMs: 40 * 60_000},
      {id: 'svc', timeoutMs: 40 * 60_000},
    ])
  })

  it('a wait that fails (a rolled-back deployment) fails the run', async () => {
    const world = new MemoryWorld()
    const reconciler = world.reconciler('test.thing', 'create-before-delete', {
      readyWhen: 'always',
      health: () => ({state: 'deploying', ready: false}),
      waitReady: async () => {
        throw new Error('deployment rolled back by the circuit breaker: CannotPullContainerError')
      },
    })
    const {run} = harness(reconciler, world)
    const {result} = await run([{id: 'svc', kind: 'test.thing', desired: {value: 'v1'}}])
    expect(result.ok).toBe(false)
    expect(result.results[0]).toMatchObject({status: 'failed', error: expect.stringContaining('CannotPullContainerError')})
  })
})

describe('sensitive fields', () => {
  it('never reach the plan, its changes, or the idempotency token', async () => {
    const world = new MemoryWorld()
    const reconciler = world.reconciler('test.thing', 'create-before-delete', {sensitiveFields: ['value']})
    const {run, plan, store} = harness(reconciler, world)
    const secret = (value: string): ResourceNode => ({id: 'secret', kind: 'test.thing', desired: {value}})
    const created = await plan([secret('hunter2')])
    const shown = JSON.stringify(buildReport('plan', {stack: 's'}, planReport(created), {}))
    expect(shown).not.toContain('hunter2')
    expect(shown).toContain('(sensitive)')
    await run([secret('hunter2')])
    const changed = await plan([secret('correct horse')])
    const report = JSON.stringify(buildReport('plan', {stack: 's'}, planReport(changed), {}))
    expect(report).not.toMatch(/hunter2|correct horse/)
    expect(world.tokens.join()).not.toContain('hunter2')
    // This kind echoes the value in its outputs: the state still never holds it.
    expect(store.saved.length).toBeGreaterThan(0)
    expect(JSON.stringify(store.saved)).not.toContain('hunter2')
  })
})

describe('objects the stack uses and never makes (a hosted zone it finds)', () => {
  const zone: ResourceNode = {id: 'zone', kind: 'test.thing', desired: {value: 'example.com'}}
  const record: ResourceNode = {id: 'record', kind: 'test.record', desired: {value: 'www', parent: {$ref: 'zone', output: 'id'}} as never, dependsOn: ['zone']}
  const used = (world: MemoryWorld) =>
    world.reconciler('test.thing', 'create-before-delete', {
      mustExist: (desired) => `zone ${desired.value} not found: create it`,
      // The user's zone (found by name: the kind reports it as the stack's node, owned or not).
      notOurs: (observed) => (observed.id === 'thing-0' ? `zone ${observed.value} was found, not made` : undefined),
    })
  const found = (world: MemoryWorld) => world.things.set('thing-0', {id: 'thing-0', logicalId: 'zone', stack: 'teststack', value: 'example.com'})

  it('missing: the plan says so and makes no create of it or anything, and up is refused before any change', async () => {
    const world = new MemoryWorld()
    const registry = world.registry(used(world), world.reconciler('test.record'))
    const ctx = testContext()
    const prepared = await prepare({registry, context: () => ctx, concurrency: 4, nodes: [zone, record], state: newStateDocument('teststack')})
    expect(prepared.plan.missing).toEqual(['zone: zone example.com not found: create it'])
    expect(planReport(prepared).find((r) => r.id === 'zone')).toMatchObject({action: 'noop', reason: 'zone example.com not found: create it'})
    // Offline, whether it exists is not known: it is not counted as a create, nor as missing.
    const offline = await prepare({registry, context: () => ctx, concurrency: 4, nodes: [zone, record], state: newStateDocument('teststack'), offline: true})
    expect(offline.plan.missing).toEqual([])
    expect(planReport(offline).map((r) => [r.id, r.action])).toEqual([
      ['zone', 'noop'],
      ['record', 'create'],
    ])
    expect(planReport(offline)[0]!.reason).toMatch(/^used, never made: found when online/)
  })

  it('found: used as is, and teardown leaves it (even with --purge), listed apart from what holds data', async () => {
    const world = new MemoryWorld()
    found(world)
    const {run, down} = harness(used(world), world)
    const {prepared, result} = await run([zone])
    expect(prepared.plan.missing).toEqual([])
    expect(result.results.map((r) => [r.id, r.action])).toEqual([['zone', 'noop']])
    const left = await down(true)
    expect(left.ok).toBe(true)
    expect(left.results.map((r) => [r.id, r.action, r.status, r.reason])).toEqual([['zone', 'noop', 'kept', 'kept: zone example.com was found, not made']])
    const report = buildReport('teardown', {stack: 's'}, left.results, {})
    expect(report).toMatchObject({leftAsFound: ['zone (thing-0)'], summary: {delete: 0}})
    expect(report.kept).toBeUndefined()
    expect(world.things.has('thing-0')).toBe(true)
    expect(world.log.filter((line) => line.startsWith('delete'))).toEqual([])
  })
})

describe('creates AWS already refuses (conflicts)', () => {
  it('are asked of the kind for what the plan creates only, before any change, when the caller asks', async () => {
    const world = new MemoryWorld()
    const asked: string[][] = []
    const kind = world.reconciler('test.thing', 'create-before-delete', {
      conflicts: async (_ctx, creating) => {
        asked.push(creating.map((object) => object.logicalId))
        return creating.filter((object) => object.desired.value === 'taken').map((object) => `${object.logicalId}: the name is someone else's`)
      },
    })
    const {run} = harness(kind, world)
    await run([{id: 'kept', kind: 'test.thing', desired: {value: 'mine'}}])
    const registry = world.registry(kind)
    const ctx = testContext()
    const state = newStateDocument('teststack')
    const nodes: ResourceNode[] = [
      {id: 'kept', kind: 'test.thing', desired: {value: 'mine'}},
      {id: 'new', kind: 'test.thing', desired: {value: 'taken'}},
    ]
    asked.length = 0
    const checked = await prepare({registry, context: () => ctx, concurrency: 4, nodes, state, checkConflicts: true})
    expect(checked.plan.conflicts).toEqual(["new: the name is someone else's"])
    // `kept` exists (found by its tags): not a create, not asked about.
    expect(asked).toEqual([['new']])
    expect((await prepare({registry, context: () => ctx, concurrency: 4, nodes, state})).plan.conflicts).toEqual([])
    expect((await prepare({registry, context: () => ctx, concurrency: 4, nodes, state, checkConflicts: true, offline: true})).plan.conflicts).toEqual([])
    expect(world.log.filter((line) => line.startsWith('create ')).length).toBe(1)
  })
})
