import {afterEach, describe, expect, it} from 'vitest'
import Plan from '../../src/commands/plan.js'
import StateShow from '../../src/commands/state/show.js'
import Up from '../../src/commands/up.js'
import Validate from '../../src/commands/validate.js'
import {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud} from '../helpers/stack.js'
import {runCommand} from './run-command.js'

/** Every failure under --json: one small document on stdout, nothing on stderr, no oclif internals. */
function expectErrorDocument(result: {stdout: string; stderr: string; exitCode: number}, code: string, exitCode: number) {
  expect(result.stderr).toBe('')
  expect(result.stdout.length).toBeLessThan(2_000)
  const doc = JSON.parse(result.stdout)
  expect(Object.keys(doc).sort()).toEqual(['command', 'error', 'exitCode', 'ok'])
  expect(doc.ok).toBe(false)
  expect(doc.error.code).toBe(code)
  expect(typeof doc.error.message).toBe('string')
  expect(doc.exitCode).toBe(exitCode)
  expect(result.exitCode).toBe(exitCode)
  // Neither the command manifest nor the machine's folders (oclif's error carries its whole config).
  expect(result.stdout).not.toMatch(/cacheDir|configDir|pjson|"stack"\s*:\s*\{|\/root|home/)
  return doc
}

describe('--json errors', () => {
  let cloud: FakeCloud | undefined
  afterEach(() => {
    cloud?.restore()
    cloud = undefined
  })

  it('an unknown flag (a parse error, before the flags exist) is one small document with the suggestion', async () => {
    const doc = expectErrorDocument(await runCommand(Plan, ['--detailed-exitcod', '--json']), 'usage', 64)
    expect(doc.command).toBe('plan')
    expect(doc.error.message).toMatch(/did you mean --detailed-exitcode\?/)
  })

  it('--json anywhere on the line counts, also after the bad flag value', async () => {
    expectErrorDocument(await runCommand(Plan, ['--concurrency', 'lots', '--json']), 'usage', 64)
  })

  it('a bad spec: the problems with their paths and lines', async () => {
    const result = await runCommand(Validate, ['-f', '/nonexistent/containrlab.yaml', '--json'])
    const doc = expectErrorDocument(result, 'spec', 1)
    expect(doc.error.issues.length).toBeGreaterThan(0)
  })

  it('a held lock: code locked, the holder, exit 3', async () => {
    cloud = exampleCloud()
    const holder = {id: 'other-run', who: 'alice', host: 'laptop', pid: 4242, command: 'up', since: '2026-11-26T05:00:00.000Z'}
    await cloud.ssm
      .handlers()
      .find((h) => h.operation === 'PutParameter')!
      .handle({Name: '/containrlab/containrlab/lock', Value: JSON.stringify(holder), Type: 'String'})
    const doc = expectErrorDocument(await runCommand(Up, ['-f', EXAMPLE, '--yes', '--json']), 'locked', 3)
    expect(doc.error.holder).toMatchObject({who: 'alice', host: 'laptop'})
  })

  it('the command is named as typed, with a space', async () => {
    const doc = expectErrorDocument(await runCommand(StateShow, ['--bogus', '--json'], 'state:show'), 'usage', 64)
    expect(doc.command).toBe('state show')
    expect(doc.error.message).toMatch(/`containrlab state show --help`/)
  })
})
