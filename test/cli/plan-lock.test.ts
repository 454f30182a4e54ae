import {afterEach, describe, expect, it} from 'vitest'
import Plan from '../../src/commands/plan.js'
import {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud} from '../helpers/stack.js'
import {runCommand} from './run-command.js'

const LOCK = '/containrlab/containrlab/lock'
const holder = {id: 'other-run', who: 'alice', host: 'laptop', pid: 4242, command: 'containrlab up', since: '2026-11-26T05:00:00.000Z'}

/** `plan` is read-only: it neither takes nor waits for the lock, but says that a run holds it. */
describe('plan while a run holds the lock', () => {
  let cloud: FakeCloud
  afterEach(() => cloud.restore())

  async function lockHeld() {
    cloud = exampleCloud()
    await cloud.ssm
      .handlers()
      .find((h) => h.operation === 'PutParameter')!
      .handle({Name: LOCK, Value: JSON.stringify(holder), Type: 'String'})
    cloud.resetCalls()
  }

  it('prints who holds it and since when, before the plan, and plans anyway', async () => {
    await lockHeld()
    const result = await runCommand(Plan, ['-f', EXAMPLE])
    expect(result.exitCode).toBe(0)
    const notice = result.stdout.indexOf('is locked')
    expect(notice).toBeGreaterThanOrEqual(0)
    expect(notice).toBeLessThan(result.stdout.indexOf('Plan: '))
    expect(result.stdout).toMatch(/alice@laptop/)
    expect(result.stdout).toMatch(/since 2026-11-26T05:00:00.000Z/)
    expect(result.stdout).toMatch(/Plan: 50 to create/)
    // Read, never taken, released or waited on.
    expect(cloud.mutatingCalls()).toEqual([])
    expect(cloud.ssm.names()).toContain(LOCK)
  })

  it('--json has the holder in `lock`', async () => {
    await lockHeld()
    const result = await runCommand(Plan, ['-f', EXAMPLE, '--json'])
    const doc = JSON.parse(result.stdout)
    expect(doc.lock).toMatchObject({who: 'alice', host: 'laptop', since: holder.since, command: 'containrlab up'})
    expect(doc.summary.create).toBe(50)
    expect(cloud.mutatingCalls()).toEqual([])
  })

  it('no lock: no notice and no `lock` field', async () => {
    cloud = exampleCloud()
    const text = await runCommand(Plan, ['-f', EXAMPLE])
    expect(text.stdout).not.toMatch(/locked/)
    expect(JSON.parse((await runCommand(Plan, ['-f', EXAMPLE, '--json'])).stdout).lock).toBeUndefined()
  })

  it('--offline reads no lock (no AWS call at all)', async () => {
    await lockHeld()
    const result = await runCommand(Plan, ['-f', EXAMPLE, '--offline', '--json'])
    expect(JSON.parse(result.stdout).lock).toBeUndefined()
    expect(cloud.calls).toEqual([])
  })
})
