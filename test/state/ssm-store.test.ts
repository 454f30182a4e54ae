import {DeleteParametersCommand, GetParameterCommand, GetParametersByPathCommand, GetParametersCommand, ParameterNotFound, PutParameterCommand, SSMServiceException} from '@aws-sdk/client-ssm'
import {beforeEach, describe, expect, it} from 'vitest'
import type {AwsClients} from '../../src/aws/clients.js'
import {encodeState, MAX_PARAMETER_CHARS} from '../../src/state/codec.js'
import {currentLockInfo} from '../../src/state/lock.js'
import {SsmStateStore} from '../../src/state/ssm-store.js'
import {StateConflictError, type StateDocument, StateFormatError, StateVersionError} from '../../src/state/types.js'
import type {FakeSsm} from '../fake-cloud/ssm.js'
import {bigDocument, bigV1Document, putV1State} from './document-fixture.js'
import {inputsOf, ssmHarness, ssmMock} from './ssm-harness.js'

const PREFIX = '/containrlab/teststack/'
const header = (serial: number) => `${PREFIX}serial/${serial}`

let fake: FakeSsm
let aws: AwsClients
let store: SsmStateStore

beforeEach(() => {
  ;({fake, aws} = ssmHarness())
  store = new SsmStateStore(aws, 'teststack', {gcBatch: 1})
})

const headerNames = () => fake.names().filter((name) => /\/serial\/\d+$/.test(name))
const chunkNames = (serial?: number) => fake.names().filter((name) => name.startsWith(`${PREFIX}chunks/${serial === undefined ? '' : `${serial}/`}`))
/** The operations sent since the last reset, in order. */
const operations = () => ssmMock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
// Collecting every old serial at once (gcBatch 1) shows the protocol save by save; batching has its own test.
const fresh = () => new SsmStateStore(aws, 'teststack', {gcBatch: 1})

/** Replaces one fake handler with a wrapper (the wrapper gets the original). */
function wrap(command: any, wrapper: (input: any, original: (input: any) => any) => unknown): void {
  const original = fake.handlers().find((h) => h.command === command)!.handle
  ssmMock.on(command).callsFake((input: any) => wrapper(input, original))
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

/** Saves serials from..to, each with `count` resources. */
async function saveSerials(target: SsmStateStore, from: number, to: number, count = 3): Promise<void> {
  for (let serial = from; serial <= to; serial++) await target.save(bigDocument(count, serial))
}

describe('SsmStateStore: layout and call counts', () => {
  it("loads undefined when the stack has no state: one listing, one look for the first release's header", async () => {
    await expect(store.load()).resolves.toBeUndefined()
    expect(operations()).toEqual(['GetParametersByPath', 'GetParameter'])
    expect(inputsOf(GetParametersByPathCommand)).toEqual([{Path: `${PREFIX}serial`, Recursive: false, MaxResults: 10, NextToken: undefined}])
  })

  it('commits a small document as one new Standard parameter, created with Overwrite=false, and loads it in one call', async () => {
    await store.load()
    ssmMock.resetHistory()
    const doc = bigDocument(3, 1)
    await store.save(doc)
    expect(operations()).toEqual(['PutParameter', 'GetParametersByPath'])
    expect(inputsOf(PutParameterCommand)).toEqual([expect.objectContaining({Name: header(1), Tier: 'Standard', Type: 'String', Overwrite: false})])
    expect(fake.names()).toEqual([header(1)])
    ssmMock.resetHistory()
    await expect(fresh().load()).resolves.toEqual(doc)
    expect(operations()).toEqual(['GetParametersByPath'])
  })

  it('makes three calls per save from the third serial on: put, list, delete the serial before last', async () => {
    await store.load()
    await saveSerials(store, 1, 2)
    expect(headerNames()).toEqual([header(1), header(2)])
    ssmMock.resetHistory()
    await store.save(bigDocument(3, 3))
    expect(operations()).toEqual(['PutParameter', 'GetParametersByPath', 'DeleteParameters'])
    expect(inputsOf(DeleteParametersCommand)).toEqual([{Names: [header(1)]}])
    expect(headerNames()).toEqual([header(2), header(3)])
  })

  it('saves and loads a 200-resource document in chunks, every parameter Standard and within 4096 characters', async () => {
    await store.load()
    ssmMock.resetHistory()
    const doc = bigDocument(200, 1)
    await store.save(doc)
    const chunks = chunkNames(1)
    expect(chunks.length).toBe(3)
    // The chunks first (Overwrite: their names are unique to their content), then the header.
    expect(inputsOf(PutParameterCommand).map((input) => [input.Name, input.Overwrite])).toEqual([...chunks.map((name) => [name, true]), [header(1), false]])
    expect(operations()).toEqual(['PutParameter', 'PutParameter', 'PutParameter', 'PutParameter', 'GetParametersByPath'])
    for (const name of fake.names()) expect(fake.get(name)!.Value.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS)
    for (const name of fake.names()) expect(fake.get(name)!.Tier).toBe('Standard')
    ssmMock.resetHistory()
    await expect(fresh().load()).resolves.toEqual(doc)
    expect(operations()).toEqual(['GetParametersByPath', 'GetParameters'])
  })

  it('keeps the last two serials with their chunks and deletes older ones in batches of 10', async () => {
    await store.load()
    await saveSerials(store, 1, 3, 400)
    expect(headerNames()).toEqual([header(2), header(3)])
    expect(chunkNames().every((name) => name.startsWith(`${PREFIX}chunks/2/`) || name.startsWith(`${PREFIX}chunks/3/`))).toBe(true)
    ssmMock.resetHistory()
    await store.save(bigDocument(400, 4))
    // serial 2: its header and 5 chunks, in one call.
    expect(inputsOf(DeleteParametersCommand).map((input) => input.Names!.length)).toEqual([6])
    expect(headerNames()).toEqual([header(3), header(4)])
    await expect(fresh().load()).resolves.toEqual(bigDocument(400, 4))
  })

  it('finds the highest serial numerically, across short and empty pages', async () => {
    await store.load()
    fake.deleteParameters = () => ({DeletedParameters: [], InvalidParameters: []}) // keep every serial
    await saveSerials(store, 1, 12)
    expect(headerNames()).toHaveLength(12) // listed as 1, 10, 11, 12, 2, … by name
    fake.pageSizes = [0, 1, 0, 3]
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 12))
    expect(inputsOf(GetParametersByPathCommand).at(-1)?.NextToken).toBeDefined()
  })
})

describe('SsmStateStore: batched collection (the default)', () => {
  it('makes two calls per save (put, list) and deletes old serials ten at a time', async () => {
    const batched = new SsmStateStore(aws, 'teststack')
    await batched.load()
    ssmMock.resetHistory()
    await saveSerials(batched, 1, 12)
    // Ten old serials (1..10) became due with serial 12: one DeleteParameters for all of them.
    expect(operations().filter((op) => op === 'DeleteParameters')).toHaveLength(1)
    expect(operations().filter((op) => op === 'PutParameter')).toHaveLength(12)
    expect(inputsOf(DeleteParametersCommand)).toEqual([{Names: Array.from({length: 10}, (_, i) => header(i + 1))}])
    expect(headerNames()).toEqual([header(11), header(12)])
    await expect(fresh().load()).resolves.toMatchObject({serial: 12})
  })
})

describe('SsmStateStore: saves of one store', () => {
  it('serialises concurrent saves and never replaces a newer snapshot with an older one', async () => {
    await store.load()
    await Promise.all([store.save(bigDocument(3, 3)), store.save(bigDocument(3, 1)), store.save(bigDocument(3, 2))])
    // The first call carried serial 3 and was committed as the next serial, 1; the older snapshots were skipped.
    expect(inputsOf(PutParameterCommand)).toHaveLength(1)
    await expect(fresh().load()).resolves.toEqual({...bigDocument(3, 3), serial: 1})
  })

  it('commits every serial of in-order concurrent saves and ends on the highest', async () => {
    await store.load()
    await Promise.all([1, 2, 3, 4].map((serial) => store.save(bigDocument(50 * serial, serial))))
    await expect(fresh().load()).resolves.toEqual(bigDocument(200, 4))
    expect(headerNames()).toEqual([header(3), header(4)])
  })

  it('copies the document when called: later changes by the caller are not saved', async () => {
    await store.load()
    const doc = bigDocument(3, 1)
    const saving = store.save(doc)
    doc.resources['subnet/private-0']!.id = 'subnet-changed'
    await saving
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 1))
  })

  it('looks up the committed serial first when it never loaded', async () => {
    await saveSerials(store, 1, 5)
    const other = fresh()
    await other.save(bigDocument(3, 6))
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 6))
  })

  it("refuses to save another lineage over the stack's state", async () => {
    await store.load()
    await store.save(bigDocument(3, 1))
    await expect(store.save({...bigDocument(3, 2), lineage: 'another'})).rejects.toThrow(/lineage another/)
  })

  it('still loads the old serial after a crash between the chunk writes and the header write, and commits that serial next time', async () => {
    await store.load()
    const old = bigDocument(200, 1)
    await store.save(old)
    let crash = true
    wrap(PutParameterCommand, (input, original) => {
      if (crash && input.Name === header(2)) throw new Error('simulated crash before the header write')
      return original(input)
    })
    await expect(store.save(bigDocument(210, 2))).rejects.toThrow(/simulated crash/)
    expect(chunkNames(2).length).toBeGreaterThan(0)
    await expect(fresh().load()).resolves.toEqual(old)
    crash = false
    // The engine's next save carries serial 3; it is committed as serial 2 (a gap would defeat the compare-and-swap).
    await store.save(bigDocument(220, 3))
    expect(headerNames()).toEqual([header(1), header(2)])
    await expect(fresh().load()).resolves.toEqual({...bigDocument(220, 3), serial: 2})
  })

  it('settles a header put whose answer was lost: the next save finds it committed and builds on it', async () => {
    await store.load()
    await store.save(bigDocument(3, 1))
    let lose = true
    wrap(PutParameterCommand, (input, original) => {
      const result = original(input)
      if (lose && input.Name === header(2)) {
        lose = false
        throw new SSMServiceException({name: 'InternalServerError', $fault: 'server', $metadata: {}, message: 'connection reset'})
      }
      return result
    })
    await expect(store.save(bigDocument(3, 2))).rejects.toThrow(/connection reset/)
    await store.save(bigDocument(3, 3))
    expect(headerNames()).toEqual([header(2), header(3)])
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 3))
  })

  it('succeeds when its header is already there byte for byte: the SDK retried a put whose response was lost', async () => {
    await store.load()
    await store.save(bigDocument(3, 1))
    ssmMock.resetHistory()
    wrap(PutParameterCommand, (input, original) => {
      if (input.Name !== header(2)) return original(input)
      original(input) // the first attempt lands, its response is lost…
      return original(input) // …and the retry finds the parameter
    })
    await expect(store.save(bigDocument(3, 2))).resolves.toBeUndefined()
    expect(operations()).toEqual(['PutParameter', 'GetParameter', 'GetParametersByPath'])
    await store.save(bigDocument(3, 3))
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 3))
  })

  it('succeeds when garbage collection fails: old serials are only clutter', async () => {
    await store.load()
    await saveSerials(store, 1, 2, 200)
    ssmMock.on(DeleteParametersCommand).rejects(new Error('network down'))
    await expect(store.save(bigDocument(200, 3))).resolves.toBeUndefined()
    await expect(fresh().load()).resolves.toEqual(bigDocument(200, 3))
  })

  it('fails a save whose fencing check could not run, and checks again on the next one', async () => {
    await store.load()
    await store.save(bigDocument(3, 1))
    let fail = true
    wrap(GetParametersByPathCommand, (input, original) => {
      if (fail) {
        fail = false
        throw new Error('network down')
      }
      return original(input)
    })
    await expect(store.save(bigDocument(3, 2))).rejects.toThrow('network down')
    expect(headerNames()).toEqual([header(1), header(2)])
    await store.save(bigDocument(3, 3))
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 3))
  })
})

describe('SsmStateStore: compare-and-swap between runs', () => {
  it('lets exactly one of two runs that loaded the same serial commit the next one', async () => {
    await store.save(bigDocument(3, 1))
    const [alice, bob] = [fresh(), fresh()]
    await Promise.all([alice.load(), bob.load()])
    const aliceDoc = {...bigDocument(4, 2)}
    const bobDoc = {...bigDocument(5, 2)}
    const results = await Promise.allSettled([alice.save(aliceDoc), bob.save(bobDoc)])
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    const loser = results.find((result) => result.status === 'rejected') as PromiseRejectedResult
    expect(loser.reason).toBeInstanceOf(StateConflictError)
    expect(loser.reason).toMatchObject({stackName: 'teststack', serial: 2, how: 'committed'})
    const winnerDoc = results[0]!.status === 'fulfilled' ? aliceDoc : bobDoc
    await expect(fresh().load()).resolves.toEqual(winnerDoc)
    expect(headerNames()).toEqual([header(1), header(2)])
  })

  it("gives the loser StateConflictError with the message users see, keeps the winner's chunks intact, and refuses its later saves", async () => {
    await store.save(bigDocument(200, 1))
    const [winner, loser] = [fresh(), fresh()]
    await Promise.all([winner.load(), loser.load()])
    await winner.save(bigDocument(201, 2))
    ssmMock.resetHistory()
    const error = await caught(loser.save(bigDocument(202, 2)))
    expect(error).toBeInstanceOf(StateConflictError)
    expect(error.message).toBe(
      'the state of stack teststack was committed by another run (serial 2) while this run held it: its lock was broken (`state unlock --force`?). ' +
        'This run stopped changing AWS. Let the other run finish, then run `up` again: what this run made is found by its tags.',
    )
    expect(error.stack).toContain('StateConflictError')
    // The loser wrote its chunks before it lost, to names of their own (never the winner's), and deleted them again.
    const chunkSet = (name: string | undefined) => name?.split('/')[5]
    const winnerSet = chunkSet(chunkNames(2)[0])
    const loserPuts = inputsOf(PutParameterCommand).filter((input) => input.Name!.startsWith(`${PREFIX}chunks/2/`))
    expect(loserPuts.length).toBeGreaterThan(0)
    expect(loserPuts.every((input) => chunkSet(input.Name) !== winnerSet)).toBe(true)
    expect(new Set(chunkNames(2).map(chunkSet))).toEqual(new Set([winnerSet]))
    expect(chunkNames(2).every((name) => fake.get(name)!.Version === 1)).toBe(true)
    await expect(fresh().load()).resolves.toEqual(bigDocument(201, 2))
    ssmMock.resetHistory()
    await expect(loser.save(bigDocument(203, 3))).rejects.toBe(error)
    expect(operations()).toEqual([])
  })

  it('catches a stale run whose next serial the winner already deleted, and deletes the stale header again', async () => {
    await store.save(bigDocument(3, 1))
    const [stale, winner] = [fresh(), fresh()]
    await Promise.all([stale.load(), winner.load()])
    await saveSerials(winner, 2, 4)
    expect(headerNames()).toEqual([header(3), header(4)]) // serial 2 is free again
    const error = await caught(stale.save(bigDocument(9, 2)))
    expect(error).toBeInstanceOf(StateConflictError)
    expect(error).toMatchObject({serial: 4, how: 'committed'})
    expect(headerNames()).toEqual([header(3), header(4)])
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 4))
  })

  it('catches a stale run whose state was deleted by a teardown meanwhile, and leaves no state behind', async () => {
    await store.save(bigDocument(3, 1))
    const stale = fresh()
    await stale.load()
    const teardown = fresh()
    await teardown.load()
    await teardown.destroy()
    const error = await caught(stale.save(bigDocument(3, 2)))
    expect(error).toBeInstanceOf(StateConflictError)
    expect(error).toMatchObject({serial: 1, how: 'deleted'})
    expect(error.message).toContain('was deleted by another run (a teardown?) after serial 1')
    expect(fake.names()).toEqual([])
    await expect(fresh().load()).resolves.toBeUndefined()
  })

  it("settles a lost header put as a conflict when another run's header is there", async () => {
    await store.save(bigDocument(3, 1))
    const [alice, bob] = [fresh(), fresh()]
    await Promise.all([alice.load(), bob.load()])
    wrap(PutParameterCommand, (input) => {
      throw new SSMServiceException({name: 'InternalServerError', $fault: 'server', $metadata: {}, message: `lost ${String(input.Name)}`})
    })
    await expect(alice.save(bigDocument(3, 2))).rejects.toThrow('lost')
    const original = fake.handlers().find((h) => h.command === PutParameterCommand)!.handle
    ssmMock.on(PutParameterCommand).callsFake(original)
    await bob.save(bigDocument(4, 2))
    await expect(alice.save(bigDocument(3, 3))).rejects.toBeInstanceOf(StateConflictError)
    await expect(fresh().load()).resolves.toEqual(bigDocument(4, 2))
  })

  it('refuses to destroy the state another run committed since this one loaded', async () => {
    await store.save(bigDocument(3, 1))
    const teardown = fresh()
    await teardown.load()
    await fresh().save(bigDocument(3, 2))
    await expect(teardown.destroy()).rejects.toBeInstanceOf(StateConflictError)
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 2))
  })
})

describe('SsmStateStore: loading', () => {
  it('lists again when commits race its chunk reads (the serial it listed lost its chunks)', async () => {
    const writer = fresh()
    await writer.load()
    await saveSerials(writer, 1, 2, 200)
    let raced = false
    wrap(GetParametersCommand, async (input, original) => {
      if (!raced) {
        raced = true
        // Two commits land between the reader's listing and its chunk read: serial 2's chunks are deleted.
        await saveSerials(writer, 3, 4, 200)
      }
      return original(input)
    })
    await expect(store.load()).resolves.toEqual(bigDocument(200, 4))
  })

  it('reads the serial it listed when one commit lands meanwhile: its chunks are kept', async () => {
    const writer = fresh()
    await writer.load()
    await writer.save(bigDocument(200, 1))
    let raced = false
    wrap(GetParametersCommand, async (input, original) => {
      if (!raced) {
        raced = true
        await writer.save(bigDocument(200, 2))
      }
      return original(input)
    })
    await expect(store.load()).resolves.toEqual(bigDocument(200, 1))
  })

  it('says how to get a good state back when chunks are missing and no commit explains it', async () => {
    await store.load()
    await saveSerials(store, 1, 2, 200)
    const lost = chunkNames(2)[0]!
    fake.deleteParameter({Name: lost})
    const error = await caught(fresh().load())
    expect(error).toBeInstanceOf(StateFormatError)
    expect(error.message).toBe(
      `the state of stack teststack cannot be read from ${header(2)} (serial 2): missing chunks ${lost}\n` +
        'Nothing was changed; `containrlab state show --raw --stack teststack` prints what is stored. Ways out:\n' +
        `  - if the parameter was edited by hand, its earlier versions are in its history: \`aws ssm get-parameter-history --name ${header(2)}\`; ` +
        `put a good one back with \`aws ssm put-parameter --name ${header(2)} --type String --overwrite --value file://good-value.json\`\n` +
        `  - otherwise delete it, and serial 1 (kept for this) is the state again: \`aws ssm delete-parameter --name ${header(2)}\`; ` +
        '`containrlab state show` then shows it, and `containrlab up` reconciles what changed since by the tags',
    )
  })

  it('names every problem of a hand-edited document and the parameter it came from', async () => {
    await store.load()
    const bad = bigDocument(3, 1) as unknown as Record<string, any>
    bad.resources = {vpc: 42}
    const {value} = encodeState(bad as unknown as StateDocument, 'hand')
    fake.putParameter({Name: header(1), Value: value, Type: 'String'})
    const error = await caught(fresh().load())
    expect(error).toBeInstanceOf(StateFormatError)
    expect(error.message).toContain(`the state of stack teststack cannot be read from ${header(1)} (serial 1): the state document is not valid (1 problem):\n  - resources["vpc"]: expected an object, got 42\n`)
    expect(error.message).toContain(`aws ssm get-parameter-history --name ${header(1)}`)
    expect(error.message).toContain('no earlier serial is kept, so the stack then has no state')
  })

  it('refuses a header written by a newer containrlab, saying to upgrade', async () => {
    fake.putParameter({Name: header(1), Value: JSON.stringify({v: 3, serial: 1}), Type: 'String'})
    const error = await caught(store.load())
    expect(error).toBeInstanceOf(StateVersionError)
    expect(error.message).toMatch(/format v3.*upgrade containrlab/)
  })

  it('ignores names under serial/ that are not serials', async () => {
    await store.save(bigDocument(3, 1))
    fake.putParameter({Name: `${PREFIX}serial/notes`, Value: 'x', Type: 'String'})
    fake.putParameter({Name: `${PREFIX}serial/007`, Value: 'x', Type: 'String'})
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 1))
  })

  it('refuses the state of another stack', async () => {
    const other = bigDocument(3, 1, 'otherstack')
    fake.putParameter({Name: header(1), Value: encodeState(other, 'w').value, Type: 'String'})
    await expect(store.load()).rejects.toThrow(/belongs to stack otherstack/)
  })

  it('propagates errors other than ParameterNotFound', async () => {
    ssmMock.rejects(new SSMServiceException({name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'not allowed'}))
    await expect(store.load()).rejects.toThrow(/not allowed/)
  })

  it('treats the modeled ParameterNotFound of the first release\'s header as "no state"', async () => {
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({$metadata: {}, message: `Parameter ${PREFIX}state not found.`}))
    await expect(store.load()).resolves.toBeUndefined()
  })
})

describe("SsmStateStore: the first release's state", () => {
  it('loads an inline schema-1 state as schema 2, and writes nothing until the next save', async () => {
    const v1 = bigV1Document(6, 7)
    putV1State(fake, v1)
    ssmMock.resetHistory()
    const doc = await store.load()
    expect(doc).toMatchObject({schemaVersion: 2, serial: 7, intents: {}, generations: {}})
    expect(doc!.retired.map((entry) => entry.reason)).toEqual(['replaced', 'orphan'])
    expect(operations()).toEqual(['GetParametersByPath', 'GetParameter'])
  })

  it('migrates on the next save: serial 8 in the new layout, the old header becomes a marker the first release refuses', async () => {
    putV1State(fake, bigV1Document(6, 7))
    const doc = (await store.load())!
    doc.serial++
    await store.save(doc)
    expect(fake.names()).toEqual([`${PREFIX}serial/8`, `${PREFIX}state`])
    // The first release reads only `v: 1` headers: it stops with "format v2 … upgrade containrlab".
    expect(JSON.parse(fake.get(`${PREFIX}state`)!.Value)).toEqual({v: 2, moved: `${PREFIX}serial/`})
    await expect(fresh().load()).resolves.toEqual(doc)
  })

  it('migrates a chunked schema-1 state and deletes its chunks', async () => {
    const {chunks} = putV1State(fake, bigV1Document(300, 3))
    expect(chunks.length).toBeGreaterThan(1)
    const doc = (await store.load())!
    expect(Object.keys(doc.resources)).toHaveLength(300)
    doc.serial++
    await store.save(doc)
    expect(fake.names().filter((name) => name.includes('/state-chunks/'))).toEqual([])
    expect(headerNames()).toEqual([header(4)])
    await expect(fresh().load()).resolves.toEqual(doc)
  })

  it('lets exactly one of two runs migrate', async () => {
    putV1State(fake, bigV1Document(6, 7))
    const [alice, bob] = [fresh(), fresh()]
    const [aliceDoc, bobDoc] = await Promise.all([alice.load(), bob.load()])
    aliceDoc!.serial++
    bobDoc!.serial++
    bobDoc!.intents['x'] = {kind: 'ec2.vpc', token: 't', startedAt: '2026-11-26T06:00:00.000Z'}
    await alice.save(aliceDoc!)
    await expect(bob.save(bobDoc!)).rejects.toBeInstanceOf(StateConflictError)
    await expect(fresh().load()).resolves.toEqual(aliceDoc)
  })

  it('reads the marker with no serial header as no state', async () => {
    fake.putParameter({Name: `${PREFIX}state`, Value: JSON.stringify({v: 2, moved: `${PREFIX}serial/`}), Type: 'String'})
    await expect(store.load()).resolves.toBeUndefined()
  })

  it("points at the parameter history of the first release's header when it cannot be read", async () => {
    fake.putParameter({Name: `${PREFIX}state`, Value: JSON.stringify({v: 1, serial: 2, encoding: 'gzip+base64', chunks: 2, sha256: 'a'.repeat(64)}), Type: 'String'})
    const error = await caught(store.load())
    expect(error.message).toContain(`cannot be read from ${PREFIX}state (serial 2): missing chunks`)
    expect(error.message).toContain(`this parameter keeps its earlier versions in its history: \`aws ssm get-parameter-history --name ${PREFIX}state\``)
    expect(error.message).toContain('a version holding "data" stands alone')
  })
})

describe('SsmStateStore: destroy', () => {
  it("removes every state parameter, including leftovers of crashed saves and of the first release, but not the lock or the stack's own parameters", async () => {
    const handle = await store.lock(currentLockInfo('containrlab teardown'))
    fake.putParameter({Name: `${PREFIX}app/DATABASE_URL`, Value: 'secret', Type: 'SecureString'})
    putV1State(fake, bigV1Document(300, 1))
    await store.load()
    await saveSerials(store, 2, 4, 200)
    // What a crashed save leaves: chunks no header points to.
    for (let i = 0; i < 12; i++) fake.putParameter({Name: `${PREFIX}chunks/9/0123456789abcdef/${i}`, Value: 'orphan', Type: 'String'})
    fake.putParameter({Name: `${PREFIX}state-chunks/1/0`, Value: 'orphan', Type: 'String'})
    await store.destroy()
    expect(fake.names()).toEqual([`${PREFIX}app/DATABASE_URL`, `${PREFIX}lock`])
    await expect(store.load()).resolves.toBeUndefined()
    await handle.release()
  })

  it('deletes the headers lowest first and the chunks last', async () => {
    await store.load()
    await saveSerials(store, 1, 2, 200)
    ssmMock.resetHistory()
    await store.destroy()
    const deleted = inputsOf(DeleteParametersCommand).flatMap((input) => input.Names!)
    expect(deleted.slice(0, 3)).toEqual([`${PREFIX}state`, header(1), header(2)])
    expect(deleted.slice(3).every((name) => name.startsWith(`${PREFIX}chunks/`))).toBe(true)
  })

  it('is a no-op that succeeds on a stack without state', async () => {
    await expect(store.destroy()).resolves.toBeUndefined()
    expect(fake.names()).toEqual([])
  })

  it('lets the stack start again from serial 1', async () => {
    await store.load()
    await saveSerials(store, 1, 5)
    await store.destroy()
    await store.save(bigDocument(3, 1))
    await expect(fresh().load()).resolves.toEqual(bigDocument(3, 1))
  })
})
