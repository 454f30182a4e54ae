import {DeleteParametersCommand, GetParametersCommand, ParameterNotFound, PutParameterCommand, SSMServiceException} from '@aws-sdk/client-ssm'
import {beforeEach, describe, expect, it} from 'vitest'
import type {AwsClients} from '../../src/aws/clients.js'
import {MAX_PARAMETER_CHARS} from '../../src/state/codec.js'
import {currentLockInfo} from '../../src/state/lock.js'
import {SsmStateStore} from '../../src/state/ssm-store.js'
import type {FakeSsm} from '../fake-cloud/ssm.js'
import {bigDocument} from './document-fixture.js'
import {inputsOf, ssmHarness, ssmMock} from './ssm-harness.js'

let fake: FakeSsm
let aws: AwsClients
let store: SsmStateStore

beforeEach(() => {
  ;({fake, aws} = ssmHarness())
  store = new SsmStateStore(aws, 'teststack')
})

const chunkNames = () => fake.names().filter((name) => name.includes('/state-chunks/'))

/** Replaces one fake handler with a wrapper (the wrapper gets the original). */
function wrap(command: any, wrapper: (input: any, original: (input: any) => unknown) => unknown): void {
  const original = fake.handlers().find((h) => h.command === command)!.handle
  ssmMock.on(command).callsFake((input: any) => wrapper(input, original))
}

describe('SsmStateStore', () => {
  it('loads undefined when the stack has no state', async () => {
    await expect(store.load()).resolves.toBeUndefined()
  })

  it('stores a small document in the header alone: one Standard PutParameter with Overwrite', async () => {
    const doc = bigDocument(3, 1)
    await store.save(doc)
    expect(inputsOf(PutParameterCommand)).toEqual([expect.objectContaining({Name: '/containrlab/teststack/state', Tier: 'Standard', Type: 'String', Overwrite: true})])
    expect(fake.names()).toEqual(['/containrlab/teststack/state'])
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toEqual(doc)
  })

  it('saves and loads a 200-resource document with every parameter within 4096 characters', async () => {
    const doc = bigDocument(200, 1)
    await store.save(doc)
    expect(chunkNames().length).toBeGreaterThan(1)
    for (const name of fake.names()) expect(fake.get(name)!.Value.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS)
    for (const name of fake.names()) expect(fake.get(name)!.Tier).toBe('Standard')
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toEqual(doc)
  })

  it('writes the chunks before the header, and deletes the previous serial chunks after it', async () => {
    await store.save(bigDocument(200, 1))
    const first = chunkNames()
    expect(first.every((name) => name.startsWith('/containrlab/teststack/state-chunks/1/'))).toBe(true)
    ssmMock.resetHistory()

    const second = bigDocument(201, 2)
    await store.save(second)
    const puts = inputsOf(PutParameterCommand).map((input) => input.Name)
    expect(puts.at(-1)).toBe('/containrlab/teststack/state')
    expect(puts.slice(0, -1).every((name) => name?.startsWith('/containrlab/teststack/state-chunks/2/'))).toBe(true)
    expect(inputsOf(DeleteParametersCommand).flatMap((input) => input.Names)).toEqual(first)
    expect(chunkNames().every((name) => name.startsWith('/containrlab/teststack/state-chunks/2/'))).toBe(true)
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toEqual(second)
  })

  it('deletes the old chunks when the document shrinks back into the header', async () => {
    await store.save(bigDocument(200, 1))
    await store.save(bigDocument(2, 2))
    expect(chunkNames()).toEqual([])
    await expect(store.load()).resolves.toMatchObject({serial: 2})
  })

  it('still loads the old serial after a crash between the chunk writes and the header write', async () => {
    const old = bigDocument(200, 1)
    await store.save(old)
    wrap(PutParameterCommand, (input, original) => {
      if (input.Name === '/containrlab/teststack/state') throw new Error('simulated crash before the header write')
      return original(input)
    })
    await expect(store.save(bigDocument(210, 2))).rejects.toThrow(/simulated crash/)
    expect(chunkNames().some((name) => name.includes('/state-chunks/2/'))).toBe(true)
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toEqual(old)
  })

  it('succeeds when deleting the previous chunks fails: they are only clutter', async () => {
    await store.save(bigDocument(200, 1))
    ssmMock.on(DeleteParametersCommand).rejects(new Error('network down'))
    const next = bigDocument(200, 2)
    await expect(store.save(next)).resolves.toBeUndefined()
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toEqual(next)
  })

  it('serialises concurrent saves and never replaces a higher serial with a lower one', async () => {
    await Promise.all([store.save(bigDocument(200, 3)), store.save(bigDocument(200, 1)), store.save(bigDocument(200, 2))])
    const headers = inputsOf(PutParameterCommand).filter((input) => input.Name === '/containrlab/teststack/state')
    expect(headers).toHaveLength(1)
    expect(JSON.parse(headers[0]!.Value!)).toMatchObject({serial: 3})
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toMatchObject({serial: 3})
  })

  it('writes every serial of concurrent in-order saves and ends on the highest', async () => {
    const saves = [1, 2, 3, 4].map((serial) => store.save(bigDocument(50 * serial, serial)))
    await Promise.all(saves)
    await expect(new SsmStateStore(aws, 'teststack').load()).resolves.toEqual(bigDocument(200, 4))
    expect(chunkNames().every((name) => name.includes('/state-chunks/4/'))).toBe(true)
  })

  it('does not skip saves of a store that never loaded: it reads the header to find the committed serial', async () => {
    await store.save(bigDocument(200, 5))
    const other = new SsmStateStore(aws, 'teststack')
    await other.save(bigDocument(200, 6))
    expect(chunkNames().every((name) => name.includes('/state-chunks/6/'))).toBe(true)
    await expect(other.save(bigDocument(200, 4))).resolves.toBeUndefined()
    await expect(store.load()).resolves.toMatchObject({serial: 6})
  })

  it('refuses to rewrite the chunks of the serial already committed', async () => {
    await store.save(bigDocument(200, 1))
    await expect(store.save(bigDocument(201, 1))).rejects.toThrow(/serial must increase/)
    await expect(store.load()).resolves.toEqual(bigDocument(200, 1))
  })

  it('reads again when a save commits a new serial between its header and chunk reads', async () => {
    const writer = new SsmStateStore(aws, 'teststack')
    await writer.save(bigDocument(200, 1))
    let raced = false
    wrap(GetParametersCommand, async (input, original) => {
      if (!raced) {
        raced = true
        await writer.save(bigDocument(200, 2))
      }
      return original(input)
    })
    await expect(store.load()).resolves.toEqual(bigDocument(200, 2))
  })

  it('fails clearly when chunks are missing and the header has not moved', async () => {
    await store.save(bigDocument(200, 1))
    await fake.deleteParameter({Name: chunkNames()[0]})
    await expect(new SsmStateStore(aws, 'teststack').load()).rejects.toThrow(/state serial 1 is missing chunks/)
  })

  it('rejects a stored document of an unknown schema version', async () => {
    fake.putParameter({Name: '/containrlab/teststack/state', Value: JSON.stringify({v: 9, serial: 1, encoding: 'gzip+base64', data: ''}), Type: 'String'})
    await expect(store.load()).rejects.toThrow(/format v9.*upgrade containrlab/)
  })

  it('propagates errors other than ParameterNotFound from load', async () => {
    ssmMock.rejects(new SSMServiceException({name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'not allowed'}))
    await expect(store.load()).rejects.toThrow(/not allowed/)
  })

  it('destroy removes the header and every chunk, including orphans of a crashed save, but not the lock', async () => {
    const handle = await store.lock(currentLockInfo('containrlab teardown'))
    await store.save(bigDocument(200, 1))
    // Orphans a crashed save would leave: chunks of a serial the header never pointed to.
    for (let i = 0; i < 12; i++) fake.putParameter({Name: `/containrlab/teststack/state-chunks/7/${i}`, Value: 'orphan', Type: 'String'})
    await store.destroy()
    expect(fake.names()).toEqual(['/containrlab/teststack/lock'])
    await expect(store.load()).resolves.toBeUndefined()
    await handle.release()
    expect(fake.names()).toEqual([])
  })

  it('destroy of a stack without state is a no-op that succeeds', async () => {
    await expect(store.destroy()).resolves.toBeUndefined()
    expect(fake.names()).toEqual([])
  })

  it('saves again from serial 1 after destroy', async () => {
    await store.save(bigDocument(200, 5))
    await store.destroy()
    await store.save(bigDocument(3, 1))
    await expect(store.load()).resolves.toEqual(bigDocument(3, 1))
  })
})

describe('SsmStateStore with ParameterNotFound from the modeled class', () => {
  it('treats the SDK class as "no state"', async () => {
    ssmMock.rejects(new ParameterNotFound({$metadata: {}, message: 'Parameter /containrlab/teststack/state not found.'}))
    await expect(store.load()).resolves.toBeUndefined()
  })
})
