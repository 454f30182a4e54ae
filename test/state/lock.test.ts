import {DeleteParameterCommand, GetParameterCommand, PutParameterCommand} from '@aws-sdk/client-ssm'
import {beforeEach, describe, expect, it} from 'vitest'
import type {AwsClients} from '../../src/aws/clients.js'
import {currentLockInfo, describeLock, parseLockInfo} from '../../src/state/lock.js'
import {SsmStateStore} from '../../src/state/ssm-store.js'
import {LockHeldError, type LockInfo} from '../../src/state/types.js'
import type {FakeSsm} from '../fake-cloud/ssm.js'
import {inputsOf, ssmHarness, ssmMock} from './ssm-harness.js'

const LOCK = '/containrlab/teststack/lock'

const alice: LockInfo = {id: 'lock-alice', who: 'alice', host: 'laptop', pid: 4242, command: 'containrlab up', since: '2026-11-26T05:00:00Z'}
const bob: LockInfo = {id: 'lock-bob', who: 'bob', host: 'ci-runner-7', pid: 17, command: 'containrlab teardown', since: '2026-11-26T05:10:00Z'}

let fake: FakeSsm
let aws: AwsClients
let store: SsmStateStore

beforeEach(() => {
  ;({fake, aws} = ssmHarness())
  store = new SsmStateStore(aws, 'teststack')
})

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('state lock', () => {
  it('is acquired with PutParameter Overwrite=false and holds the JSON lock info', async () => {
    await store.lock(alice)
    expect(inputsOf(PutParameterCommand)).toEqual([expect.objectContaining({Name: LOCK, Overwrite: false, Type: 'String'})])
    expect(JSON.parse(fake.get(LOCK)!.Value)).toEqual(alice)
    await expect(store.readLock()).resolves.toEqual(alice)
  })

  it('fails fast with LockHeldError naming the holder when someone holds it', async () => {
    await store.lock(alice)
    const error = await caught(new SsmStateStore(aws, 'teststack').lock(bob))
    expect(error).toBeInstanceOf(LockHeldError)
    expect((error as LockHeldError).holder).toEqual(alice)
    expect((error as LockHeldError).exitCode).toBe(3)
    expect((error as Error).message).toContain('held by alice@laptop (pid 4242) since 2026-11-26T05:00:00Z for `containrlab up`')
    expect((error as Error).message).toContain('`containrlab state unlock --force`')
    expect(JSON.parse(fake.get(LOCK)!.Value)).toEqual(alice)
  })

  it('is released by its handle, and a second release makes no call', async () => {
    const handle = await store.lock(alice)
    await handle.release()
    expect(fake.names()).toEqual([])
    const calls = ssmMock.calls().length
    await handle.release()
    expect(ssmMock.calls().length).toBe(calls)
    await expect(store.lock(bob)).resolves.toBeDefined()
  })

  it('tries once more when the holder releases between our failed put and our read', async () => {
    await store.lock(alice)
    const original = fake.handlers().find((h) => h.command === GetParameterCommand)!.handle
    let released = false
    ssmMock.on(GetParameterCommand).callsFake(async (input: {Name: string}) => {
      if (!released) {
        released = true
        fake.deleteParameter({Name: LOCK}) // alice's run finishes right now
      }
      return original(input)
    })
    await store.lock(bob)
    expect(JSON.parse(fake.get(LOCK)!.Value)).toEqual(bob)
    expect(inputsOf(PutParameterCommand).filter((input) => input.Name === LOCK)).toHaveLength(3)
  })

  it('is broken by forceUnlock, which returns the holder it removed', async () => {
    await store.lock(alice)
    await expect(store.forceUnlock()).resolves.toEqual(alice)
    expect(fake.names()).toEqual([])
    await expect(store.forceUnlock()).resolves.toBeUndefined()
    await expect(store.readLock()).resolves.toBeUndefined()
  })

  it('does not delete a lock someone else took after a force-unlock', async () => {
    const aliceHandle = await store.lock(alice)
    await store.forceUnlock()
    await new SsmStateStore(aws, 'teststack').lock(bob)
    ssmMock.resetHistory()
    await aliceHandle.release()
    expect(inputsOf(DeleteParameterCommand)).toEqual([])
    expect(JSON.parse(fake.get(LOCK)!.Value)).toEqual(bob)
  })

  it('releases quietly when the lock was force-removed and nobody took it', async () => {
    const handle = await store.lock(alice)
    await store.forceUnlock()
    ssmMock.resetHistory()
    await expect(handle.release()).resolves.toBeUndefined()
    expect(inputsOf(DeleteParameterCommand)).toEqual([])
  })

  it('can retry a release that failed', async () => {
    const handle = await store.lock(alice)
    ssmMock.on(GetParameterCommand).rejectsOnce(new Error('network down'))
    await expect(handle.release()).rejects.toThrow('network down')
    expect(fake.names()).toEqual([LOCK])
    // rejectsOnce is spent: the fake answers again.
    const original = fake.handlers().find((h) => h.command === GetParameterCommand)!.handle
    ssmMock.on(GetParameterCommand).callsFake(original)
    await handle.release()
    expect(fake.names()).toEqual([])
  })

  it('reports a hand-written lock it cannot parse as an unknown holder', async () => {
    fake.putParameter({Name: LOCK, Value: 'taken by the release script', Type: 'String'})
    const error = await caught(store.lock(alice))
    expect((error as LockHeldError).holder).toEqual({id: 'unknown', who: 'unknown', host: 'unknown', pid: 0, command: 'unknown', since: 'unknown'})
    expect(parseLockInfo(JSON.stringify(bob))).toEqual(bob)
  })
})

describe('lock info', () => {
  it('describes the holder in one line', () => {
    expect(describeLock(alice)).toBe('held by alice@laptop (pid 4242) since 2026-11-26T05:00:00Z for `containrlab up`')
  })

  it('identifies this process with a fresh id each time', () => {
    const info = currentLockInfo('containrlab up')
    expect(info).toMatchObject({pid: process.pid, command: 'containrlab up'})
    expect(info.who).not.toBe('')
    expect(info.host).not.toBe('')
    expect(Number.isNaN(Date.parse(info.since))).toBe(false)
    expect(currentLockInfo('containrlab up').id).not.toBe(info.id)
  })
})
