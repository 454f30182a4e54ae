import {join} from 'node:path'
import {Config} from '@oclif/core'
import {afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import {showState} from '../../src/app/state.js'
import {up} from '../../src/app/up.js'
import StateShow from '../../src/commands/state/show.js'
import {encodeState} from '../../src/state/codec.js'
import type {StateDocument} from '../../src/state/types.js'
import {stackHarness, stackParameters} from '../helpers/stack.js'

let config: Config
beforeAll(async () => {
  config = await Config.load(join(import.meta.dirname, '..', '..'))
})

/** Runs `state show` in-process; returns its stdout. */
async function stateShow(argv: string[]): Promise<{stdout: string; error?: Error}> {
  const out: string[] = []
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk))
    return true
  })
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  const previousExit = process.exitCode
  try {
    await StateShow.run(argv, config)
    return {stdout: out.join('')}
  } catch (error) {
    return {stdout: out.join(''), error: error as Error}
  } finally {
    stdout.mockRestore()
    stderr.mockRestore()
    process.exitCode = previousExit
  }
}

describe('state show', () => {
  let harness: ReturnType<typeof stackHarness> | undefined
  afterEach(() => harness?.cloud.restore())

  it('lists resources by logical id, whatever order the runs recorded them in', async () => {
    harness = stackHarness()
    await up(await harness.open(), harness.yes)
    const report = await showState(await harness.open())
    const ids = Object.keys(report.state!.resources)
    expect(ids).toEqual([...ids].sort())
    const text = await stateShow(['--stack', 'containrlab'])
    const rows = text.stdout
      .split('\n')
      .filter((line) => /^\S+ +[a-z0-9]+\.[a-z-]+ /.test(line))
      .map((line) => line.split(/ +/)[0])
    expect(rows).toEqual(ids)
  })

  it('--raw prints a state that does not validate (`resources: {vpc: 42}`) as stored, decoded, with its problem; the plain form fails with the way out, no class name', async () => {
    harness = stackHarness()
    const {cloud} = harness
    await up(await harness.open(), harness.yes)
    const [newest] = stackParameters(cloud)
      .filter((name) => /\/serial\/\d+$/.test(name))
      .sort((a, b) => Number(b.split('/').at(-1)) - Number(a.split('/').at(-1)))
    const stored = (await (await harness.open()).store.load())!
    const bad = {...stored, resources: {...stored.resources, vpc: 42}} as unknown as StateDocument
    cloud.ssm.putParameter({Name: newest!, Value: encodeState(bad, 'hand').value, Type: 'String', Overwrite: true})

    const plain = await stateShow(['--stack', 'containrlab'])
    expect(plain.error?.message).toMatch(/resources\["vpc"\]: expected an object, got 42/)
    expect(plain.error?.message).toContain('`containrlab state show --raw --stack containrlab` prints what is stored')

    const raw = await stateShow(['--stack', 'containrlab', '--raw'])
    expect(raw.error).toBeUndefined()
    expect(raw.stdout).toContain(`${newest}  (header of serial`)
    expect(raw.stdout).toContain('"vpc": 42')
    expect(raw.stdout).toContain('✖ the state document is not valid (1 problem):\n      - resources["vpc"]: expected an object, got 42')
    expect(raw.stdout).not.toMatch(/StateFormatError|TypeError/)

    const json = JSON.parse((await stateShow(['--stack', 'containrlab', '--raw', '--json'])).stdout)
    expect(json.parameters[0]).toMatchObject({name: newest, role: 'header', document: {resources: {vpc: 42}}, problem: expect.stringContaining('resources["vpc"]')})
  })

  it('its help says how to recover a state that cannot be read', () => {
    expect(StateShow.description).toContain('state show --raw')
    expect(StateShow.description).toContain('aws ssm get-parameter-history')
    expect(StateShow.description).toContain('aws ssm delete-parameter --name /containrlab/<stack>/serial/<n>')
  })
})
