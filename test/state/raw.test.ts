import {beforeEach, describe, expect, it} from 'vitest'
import type {AwsClients} from '../../src/aws/clients.js'
import {encodeState} from '../../src/state/codec.js'
import {currentLockInfo} from '../../src/state/lock.js'
import {SsmStateStore} from '../../src/state/ssm-store.js'
import type {StateDocument} from '../../src/state/types.js'
import {formatRawState} from '../../src/ui/format.js'
import type {FakeSsm} from '../fake-cloud/ssm.js'
import {bigDocument, bigV1Document, putV1State} from './document-fixture.js'
import {ssmHarness} from './ssm-harness.js'

const PREFIX = '/containrlab/teststack/'
const header = (serial: number) => `${PREFIX}serial/${serial}`

let fake: FakeSsm
let aws: AwsClients
let store: SsmStateStore

beforeEach(() => {
  ;({fake, aws} = ssmHarness())
  store = new SsmStateStore(aws, 'teststack', {gcBatch: 1})
})

const put = (Name: string, Value: string) => fake.putParameter({Name, Value, Type: 'String', Overwrite: true})

/** `state show --raw`: what is stored, as it is, and what it decodes to, whatever is wrong with it. */
describe('SsmStateStore.readRaw', () => {
  it('shows a document that does not validate (`resources: {vpc: 42}`): the header as stored, the decoded JSON, and the problem in words', async () => {
    const bad = bigDocument(3, 1) as unknown as Record<string, unknown>
    bad.resources = {vpc: 42}
    const {value} = encodeState(bad as unknown as StateDocument, 'hand')
    put(header(1), value)
    await expect(new SsmStateStore(aws, 'teststack').load()).rejects.toThrow(/resources\["vpc"\]: expected an object, got 42/)

    const raw = await store.readRaw()
    expect(raw.prefix).toBe(PREFIX)
    expect(raw.parameters).toEqual([
      {
        name: header(1),
        role: 'header',
        serial: 1,
        value,
        version: 1,
        lastModified: expect.any(String),
        chunks: [],
        document: expect.objectContaining({resources: {vpc: 42}, serial: 1}),
        problem: 'the state document is not valid (1 problem):\n  - resources["vpc"]: expected an object, got 42',
      },
    ])
    const text = formatRawState({stack: 'teststack', ...raw})
    expect(text).toContain(`${header(1)}  (header of serial 1; version 1, modified `)
    expect(text).toContain('  decodes to:\n    {\n      "schemaVersion": 2,')
    expect(text).toContain('      "vpc": 42')
    expect(text).toContain('  ✖ the state document is not valid (1 problem):\n      - resources["vpc"]: expected an object, got 42')
    expect(text).not.toMatch(/StateFormatError|Error:/)
  })

  it('lists a chunked serial with its chunk names, the lock, and a header that is not even JSON; newest serial first', async () => {
    await store.load()
    await store.save(bigDocument(200, 1))
    await store.save(bigDocument(200, 2))
    const lock = await store.lock(currentLockInfo('containrlab up'))
    put(header(3), '{"v": 2, "serial": 3, oops')
    const raw = await store.readRaw()
    expect(raw.parameters.map((p) => [p.role, p.name.slice(PREFIX.length)])).toEqual([
      ['header', 'serial/3'],
      ['header', 'serial/2'],
      ['header', 'serial/1'],
      ['lock', 'lock'],
      ...raw.parameters.filter((p) => p.role === 'chunk').map((p) => ['chunk', p.name.slice(PREFIX.length)]),
    ])
    const [broken, newest] = raw.parameters
    expect(broken).toMatchObject({value: '{"v": 2, "serial": 3, oops', problem: 'the value is not JSON'})
    expect(newest!.chunks!.length).toBeGreaterThan(1)
    expect(newest!.chunks!.every((name) => name.startsWith(`${PREFIX}chunks/2/`))).toBe(true)
    expect(newest!.document).toEqual(bigDocument(200, 2))
    expect(newest!.problem).toBeUndefined()
    const chunk = raw.parameters.find((p) => p.role === 'chunk')!
    expect(chunk.value).toBeUndefined()
    expect(chunk.length).toBeGreaterThan(0)
    await lock.release()
  })

  it('says which chunks are missing', async () => {
    await store.load()
    await store.save(bigDocument(200, 1))
    const [first] = fake.names().filter((name) => name.startsWith(`${PREFIX}chunks/`))
    fake.deleteParameter({Name: first!})
    const [head] = (await store.readRaw()).parameters
    expect(head).toMatchObject({missingChunks: [first], problem: expect.stringMatching(/^1 of its \d+ chunks are missing$/)})
    expect(head!.document).toBeUndefined()
  })

  it("shows the first release's header and what it decodes to", async () => {
    putV1State(fake, bigV1Document(3, 4))
    const [legacy] = (await store.readRaw()).parameters
    expect(legacy).toMatchObject({role: 'legacy-header', serial: 4, document: expect.objectContaining({schemaVersion: 1})})
    expect(legacy!.problem).toBeUndefined()
  })

  it('shows nothing for a stack without state', async () => {
    const raw = await store.readRaw()
    expect(raw.parameters).toEqual([])
    expect(formatRawState({stack: 'teststack', ...raw})).toContain('Nothing is stored: the stack has no state.')
  })
})
