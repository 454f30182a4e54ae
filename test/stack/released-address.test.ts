import {describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {plan, up} from '../../src/app/up.js'
import type {EngineEvent} from '../../src/engine/events.js'
import type {VirtualClock} from '../../src/util/clock.js'
import {formatPlan, formatRunSummary} from '../../src/ui/format.js'
import {plainLine} from '../../src/ui/progress.js'
import {EXAMPLE_RESOURCES, stackHarness} from '../helpers/stack.js'

/** A `#` glued to a word: how the first release's internal keys (`nat-gateway/a#retired-nat-1`) looked. Plan comments (` # reason`) are not that. */
const INTERNAL_KEY = /\S#/

/**
 * The scenario: the NAT gateway's Elastic IP was released by hand.
 * The plan's counts are what apply does, and no internal key reaches any
 * output (text, JSON, progress).
 */
describe("the NAT gateway's Elastic IP released by hand", () => {
  it('plan and apply count the same (1 create, 2 updates, 1 replace, no delete), and no output shows an internal key', async () => {
    const {cloud, open, yes, events} = stackHarness()
    try {
      const first = await up(await open(), yes)
      const allocation = first.resources.find((r) => r.id === 'elastic-ip/nat-us-east-1a')!.physicalId!
      const oldNat = first.resources.find((r) => r.id === 'nat-gateway/us-east-1a')!.physicalId!
      // Some time later, someone releases the address in the console.
      ;(cloud.clock as VirtualClock).advance(10 * 60_000)
      cloud.ec2.deleteOutOfBand(allocation)

      const before = await status(await open())
      expect(before.resources.find((r) => r.id === 'elastic-ip/nat-us-east-1a')).toMatchObject({condition: 'missing'})
      const preview = await plan(await open(), {offline: false})
      expect(preview.summary).toEqual({create: 1, update: 2, replace: 1, delete: 0, noop: EXAMPLE_RESOURCES - 4})
      expect(preview.resources.filter((r) => r.action !== 'noop').map((r) => [r.id, r.action])).toEqual([
        ['elastic-ip/nat-us-east-1a', 'create'],
        ['nat-gateway/us-east-1a', 'replace'],
        ['route-table/private-us-east-1a', 'update'],
        ['route-table/private-us-east-1b', 'update'],
      ])

      events.length = 0
      const applied = await up(await open(), yes)
      expect(applied.errors).toEqual([])
      // What the plan said is what apply did: the old NAT gateway's deletion is part of its replacement.
      expect(applied.summary).toEqual(preview.summary)
      const oldDeletion = applied.resources.find((r) => r.action === 'delete')!
      expect(oldDeletion).toMatchObject({id: 'nat-gateway/us-east-1a', physicalId: oldNat, partOf: 'nat-gateway/us-east-1a', status: 'done'})
      expect(applied.resources.find((r) => r.id === 'nat-gateway/us-east-1a' && r.action === 'replace')!.physicalId).not.toBe(oldNat)

      // No internal key anywhere: JSON documents, printed text, progress lines, event labels.
      for (const document of [preview, applied]) expect(JSON.stringify(document)).not.toContain('#')
      for (const text of [formatPlan(preview), formatRunSummary(applied)]) expect(text).not.toMatch(INTERNAL_KEY)
      const lines = events.map(plainLine).filter((line): line is string => line !== undefined)
      expect(lines.join('\n')).not.toMatch(INTERNAL_KEY)
      // The live task list (a terminal) has a task for everything the run reports on, the old gateway's deletion included.
      const start = events.find((event): event is Extract<EngineEvent, {type: 'run-start'}> => event.type === 'run-start')!
      const tasks = new Set(start.nodes.map((node) => node.id))
      const reported = new Set(events.filter((event) => event.type !== 'run-start' && event.id !== '').map((event) => (event as {id: string}).id))
      expect([...reported].filter((id) => !tasks.has(id))).toEqual([])
      expect(tasks).toContain(`nat-gateway/us-east-1a (old ${oldNat})`)
      expect(lines.some((line) => line.endsWith(`nat-gateway/us-east-1a (old ${oldNat}): deleting…`))).toBe(true)

      const after = await status(await open())
      expect(after.resources.filter((r) => r.condition !== 'ok')).toEqual([])
      expect((await plan(await open(), {offline: false})).changes).toBe(false)
      expect(cloud.ec2.resourceCount()).toBe(15)
    } finally {
      cloud.restore()
    }
  })
})
