import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {parseSince} from '../../src/app/logs.js'
import {Session} from '../../src/app/session.js'
import {up} from '../../src/app/up.js'
import Logs from '../../src/commands/logs.js'
import type {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud, onFakeClock} from '../helpers/stack.js'
import {runCommand as run} from './run-command.js'

const GROUP = '/ecs/containrlab-api'
const STREAM = 'api/api/0123456789abcdef'

describe('parseSince', () => {
  const now = Date.UTC(2026, 0, 2, 12)
  it.each([
    ['30s', now - 30_000],
    ['10m', now - 600_000],
    ['1h', now - 3_600_000],
    ['2d', now - 2 * 86_400_000],
    ['1w', now - 7 * 86_400_000],
    ['2026-01-01T12:00:00Z', Date.UTC(2026, 0, 1, 12)],
    ['2026-01-01', Date.UTC(2026, 0, 1)],
  ])('%s', (value, expected) => expect(parseSince(value, now)).toBe(expected))

  it.each(['1', '10 minutes', 'June', '-5m', ''])('refuses %j', (value) => expect(() => parseSince(value, now)).toThrow(/neither a duration \(like 30s, 10m, 1h, 2d or 1w\) nor an ISO 8601 time/))
})

describe('containrlab logs', () => {
  let cloud: FakeCloud
  beforeEach(async () => {
    cloud = exampleCloud()
    onFakeClock(cloud)
    expect((await up(await Session.open({file: EXAMPLE, concurrency: 10}), async () => true)).errors).toEqual([])
  })
  afterEach(() => {
    vi.restoreAllMocks()
    cloud.restore()
  })

  it('prints the events since --since (10m by default) as `aws logs tail` does, every page of them', async () => {
    const now = cloud.clock.now()
    cloud.logs.putEvents(GROUP, STREAM, [
      {timestamp: now - 2 * 3_600_000, message: 'too old'},
      {timestamp: now - 30 * 60_000, message: 'half an hour ago'},
      {timestamp: now - 60_000, message: 'a minute ago\n'},
    ])
    // More events than one page holds (FilterLogEvents gives at most 10000).
    cloud.logs.putEvents(
      GROUP,
      'api/api/other',
      Array.from({length: 10_005}, (_, i) => ({timestamp: now - 5 * 60_000 + (i % 1000), message: `bulk ${i}`})),
    )

    const recent = await run(Logs, ['api', '-f', EXAMPLE])
    expect(recent.exitCode).toBe(0)
    const lines = recent.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(10_006)
    expect(lines.at(-1)).toBe(`${new Date(now - 60_000).toISOString()} ${STREAM} a minute ago`)

    const hour = await run(Logs, ['api', '-f', EXAMPLE, '--since', '1h', '--json'])
    const doc = JSON.parse(hour.stdout)
    expect(doc).toMatchObject({service: 'api', logGroup: GROUP, count: 10_007, since: new Date(now - 3_600_000).toISOString()})
    expect(doc.events[0]).toMatchObject({stream: STREAM, message: 'half an hour ago', timestamp: now - 30 * 60_000})
    expect(cloud.calls.filter((call) => call.operation === 'FilterLogEvents').length).toBeGreaterThanOrEqual(4)
  })

  it('--follow prints new events as they come, each once (events of the last millisecond seen included), until Ctrl-C (exit 130)', async () => {
    const t = cloud.clock.now()
    cloud.logs.putEvents(GROUP, STREAM, [{timestamp: t - 1000, message: 'first'}])
    let polls = 0
    const sleep = cloud.clock.sleep.bind(cloud.clock)
    vi.spyOn(cloud.clock, 'sleep').mockImplementation(async (ms, signal) => {
      polls++
      // Between polls, the containers write: one event at the very millisecond already shown, one later.
      if (polls === 1) cloud.logs.putEvents(GROUP, 'api/api/second-task', [{timestamp: t - 1000, message: 'same millisecond'}])
      if (polls === 2) cloud.logs.putEvents(GROUP, STREAM, [{timestamp: t + 3000, message: 'later'}])
      if (polls === 4) process.emit('SIGINT', 'SIGINT')
      return sleep(ms, signal)
    })
    const result = await run(Logs, ['api', '-f', EXAMPLE, '--follow'])
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(' ').slice(2).join(' ')),
    ).toEqual(['first', 'same millisecond', 'later'])
    expect(result.exitCode).toBe(130)
    expect(result.stderr).toContain('SIGINT: stopping')
    expect(polls).toBe(4)
  })

  it('says so when the log group does not exist', async () => {
    cloud.logs.deleteOutOfBand(GROUP)
    const result = await run(Logs, ['api', '-f', EXAMPLE])
    expect(result.exitCode).toBe(1)
    expect(result.error?.message).toMatch(/service api has no log group \/ecs\/containrlab-api in us-east-1: its tasks have written nothing yet, or the stack is not deployed/)
  })

  it('refuses an unknown service (exit 64), and --follow with --json', async () => {
    expect((await run(Logs, ['apii', '-f', EXAMPLE])).error?.message).toMatch(/unknown service "apii"/)
    const both = await run(Logs, ['api', '-f', EXAMPLE, '--follow', '--json'])
    expect(both.exitCode).toBe(64)
    expect(JSON.parse(both.stdout).error.message).toMatch(/give one of them/)
  })
})
