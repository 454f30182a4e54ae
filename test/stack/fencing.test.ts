import {describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import type {RunReport} from '../../src/app/report.js'
import {up} from '../../src/app/up.js'
import {formatRunSummary} from '../../src/ui/format.js'
import {stackHarness} from '../helpers/stack.js'

describe('a run whose lock was broken while it ran (`state unlock --force` beside a live run)', () => {
  it('fails its next save and stops; the other run keeps the state; a later up converges with nothing duplicated', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      let other: Promise<RunReport> | undefined
      const first = await open({
        // Once the first run has made its VPC, someone breaks its lock and runs `up` themselves.
        emit: (event) => {
          if (event.type === 'node-done' && event.id === 'vpc' && !other) {
            other = (async () => {
              const session = await open()
              await session.store.forceUnlock()
              return up(session, yes)
            })()
          }
        },
      })
      const stale = await up(first, yes)
      const winner = await other!
      expect(stale.ok).toBe(false)
      expect(stale.errors.join('\n')).toMatch(/committed by another run .*its lock was broken/)
      // A lost state is a failure, not an interrupt; no class name reaches the report.
      expect(stale.interrupted).toBeUndefined()
      expect(formatRunSummary(stale)).toMatch(/^Apply FAILED for stack containrlab/)
      expect(JSON.stringify(stale)).not.toMatch(/StateConflictError/)
      // The run that broke the lock completed, and its state is what is stored (it loads cleanly).
      expect(winner.errors).toEqual([])
      const stored = await (await open()).store.load()
      expect(stored!.serial).toBeGreaterThan(0)

      // Whatever the stale run made before it stopped is found by its tags: one more up converges.
      const clean = await up(await open(), yes)
      expect(clean.errors).toEqual([])
      const report = await status(await open())
      expect(report.resources.filter((r) => r.condition !== 'ok').map((r) => `${r.id}: ${r.condition}`)).toEqual([])
      const again = await up(await open(), yes)
      expect(again.summary.noop).toBe(again.resources.length)
      expect(cloud.ec2.resourceCount()).toBe(15)
    } finally {
      cloud.restore()
    }
  })
})
