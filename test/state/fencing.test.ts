import {beforeEach, describe, expect, it} from 'vitest'
import {newStateDocument} from '../../src/state/document.js'
import {currentLockInfo} from '../../src/state/lock.js'
import {SsmStateStore} from '../../src/state/ssm-store.js'
import {StateConflictError} from '../../src/state/types.js'
import {ssmHarness} from './ssm-harness.js'

describe('state unlock --force fences the run that held the lock', () => {
  let harness: ReturnType<typeof ssmHarness>
  beforeEach(() => {
    harness = ssmHarness()
  })

  it("commits the stored state once more, so the old holder's next save is a conflict and writes nothing", async () => {
    const holder = new SsmStateStore(harness.aws, 'teststack')
    await holder.lock(currentLockInfo('containrlab up'))
    const doc = newStateDocument('teststack')
    doc.serial = 1
    await holder.save(doc)

    const breaker = new SsmStateStore(harness.aws, 'teststack')
    expect(await breaker.forceUnlock()).toMatchObject({command: 'containrlab up'})
    const fenced = await new SsmStateStore(harness.aws, 'teststack').load()
    expect(fenced!.serial).toBe(2)
    expect(fenced!.lineage).toBe(doc.lineage)

    doc.serial = 2
    doc.resources.vpc = {kind: 'ec2.vpc', id: 'vpc-1', deps: [], outputs: {}, updatedAt: ''}
    await expect(holder.save(doc)).rejects.toBeInstanceOf(StateConflictError)
    expect((await new SsmStateStore(harness.aws, 'teststack').load())!.resources).toEqual({})
  })

  it('writes nothing when there was no lock to break', async () => {
    const doc = newStateDocument('teststack')
    doc.serial = 1
    await new SsmStateStore(harness.aws, 'teststack').save(doc)
    expect(await new SsmStateStore(harness.aws, 'teststack').forceUnlock()).toBeUndefined()
    expect((await new SsmStateStore(harness.aws, 'teststack').load())!.serial).toBe(1)
  })
})
