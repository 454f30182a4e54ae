import {afterEach, describe, expect, it} from 'vitest'
import Plan from '../../src/commands/plan.js'
import Status from '../../src/commands/status.js'
import Teardown from '../../src/commands/teardown.js'
import Up from '../../src/commands/up.js'
import Validate from '../../src/commands/validate.js'
import {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud} from '../helpers/stack.js'
import {runCommand as run} from './run-command.js'

describe('commands', () => {
  let cloud: FakeCloud | undefined
  afterEach(() => cloud?.restore())

  it('plan --offline --json prints one JSON document and nothing else, with no AWS call', async () => {
    cloud = exampleCloud()
    const result = await run(Plan, ['-f', EXAMPLE, '--offline', '--json'])
    expect(result.error).toBeUndefined()
    const doc = JSON.parse(result.stdout)
    expect(doc.command).toBe('plan')
    expect(doc.summary).toMatchObject({create: 50, noop: 2})
    expect(doc.resources.map((r: {id: string}) => r.id)).toContain('nat-gateway/us-east-1a')
    expect(cloud.calls).toEqual([])
  })

  it('plan --offline prints a Terraform-like plan', async () => {
    const result = await run(Plan, ['-f', EXAMPLE, '--offline'])
    expect(result.stdout).toContain('+ vpc (ec2.vpc)')
    expect(result.stdout).toContain('Plan: 50 to create, 0 to update, 0 to replace, 0 to delete, 2 unchanged.')
  })

  it('plan --detailed-exitcode exits 2 when there are changes', async () => {
    const result = await run(Plan, ['-f', EXAMPLE, '--offline', '--detailed-exitcode'])
    expect(result.exitCode).toBe(2)
  })

  it('validate reports the example valid', async () => {
    const result = await run(Validate, ['-f', EXAMPLE])
    expect(result.error).toBeUndefined()
    expect(result.stdout).toContain('is valid: stack containrlab, 52 resources')
  })

  it('up fails fast with exit code 3 naming the holder when the lock is held', async () => {
    cloud = exampleCloud()
    const holder = {id: 'other-run', who: 'alice', host: 'laptop', pid: 4242, command: 'up', since: '2026-11-26T05:00:00.000Z'}
    await cloud.ssm
      .handlers()
      .find((h) => h.operation === 'PutParameter')!
      .handle({Name: '/containrlab/containrlab/lock', Value: JSON.stringify(holder), Type: 'String'})
    for (const command of [Up, Teardown]) {
      cloud.resetCalls()
      const result = await run(command, ['-f', EXAMPLE, '--yes'])
      expect(result.exitCode).toBe(3)
      expect(result.error?.message).toMatch(/alice/)
      expect(result.error?.message).toMatch(/laptop/)
      expect(result.error?.message).toMatch(/state unlock --force/)
      expect(cloud.calls.filter((call) => call.service === 'ec2')).toEqual([])
      expect(cloud.mutatingCalls().map((call) => call.operation)).toEqual(['PutParameter'])
    }
  })

  it('teardown without --yes and without a terminal refuses and deletes nothing', async () => {
    cloud = exampleCloud()
    const result = await run(Teardown, ['-f', EXAMPLE])
    expect(result.exitCode).toBe(1)
    expect(result.error?.message).toMatch(/--yes/)
    expect(
      cloud
        .mutatingCalls()
        .map((call) => call.operation)
        .sort(),
    ).toEqual(['DeleteParameter', 'PutParameter'])
  })

  it('status --json of a stack never deployed says so', async () => {
    cloud = exampleCloud()
    const result = await run(Status, ['-f', EXAMPLE, '--json'])
    expect(result.error).toBeUndefined()
    const doc = JSON.parse(result.stdout)
    expect(doc.deployed).toBe(false)
    // The domain's hosted zone is the user's: found, and used, it does not make the stack deployed.
    expect(doc.summary).toEqual({'not-created': 50, ok: 2})
  })
})
