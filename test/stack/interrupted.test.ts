import {describe, expect, it} from 'vitest'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {formatRunSummary} from '../../src/ui/format.js'
import {plainLine} from '../../src/ui/progress.js'
import {EXAMPLE_CREATED, EXAMPLE_FOUND, stackHarness, stackParameters} from '../helpers/stack.js'

/**
 * Ctrl-C / SIGTERM abort the session's signal: the run says it was
 * interrupted (not that it failed), what it did, what it had started and
 * not finished, and what it did not start; the next run finishes the job.
 */
describe('an interrupted run is reported as interrupted, not failed', () => {
  it('up interrupted while the NAT gateway becomes available: done, in flight and not started are listed; the next up finishes', async () => {
    const {cloud, open, yes, events} = stackHarness()
    try {
      const abort = new AbortController()
      const session = await open({
        signal: abort.signal,
        emit: (event) => {
          events.push(event)
          if (event.type === 'node-progress' && event.id === 'nat-gateway/us-east-1a' && !abort.signal.aborted) abort.abort(new Error('interrupted by SIGINT'))
        },
      })
      const report = await up(session, yes)

      // The NAT gateway and the load balancer (and whatever else had started: the runner's instance) were each waiting for AWS.
      expect(report).toMatchObject({ok: false, interrupted: true, stopped: 'the run was interrupted', errors: [], inFlight: expect.arrayContaining(['nat-gateway/us-east-1a', 'load-balancer'])})
      const nat = report.resources.find((r) => r.id === 'nat-gateway/us-east-1a')!
      // Made, and recorded in the state; only the wait for `available` was cut short.
      expect(nat).toMatchObject({status: 'interrupted', action: 'create', physicalId: expect.stringMatching(/^nat-/)})
      const done = report.resources.filter((r) => r.status === 'done').map((r) => r.id)
      expect(done).toContain('vpc')
      // Done: what was made, and the hosted zone and the AMI, found.
      expect(report.summary.create).toBe(done.length - EXAMPLE_FOUND)
      const notStarted = report.resources.filter((r) => r.status === 'blocked').map((r) => r.id)
      expect(notStarted).toContain('route-table/private-us-east-1a')
      expect(report.notStarted).toEqual(notStarted)
      expect(report.resources.filter((r) => r.status === 'failed')).toEqual([])

      const text = formatRunSummary(report)
      expect(text).not.toMatch(/FAILED|not attempted because/)
      expect(text.split('\n')[0]).toBe(
        `Apply INTERRUPTED for stack containrlab: ${done.length - EXAMPLE_FOUND} created, 0 updated, 0 replaced, 0 deleted, ${EXAMPLE_FOUND} unchanged; ${report.inFlight!.length} in flight, ${notStarted.length} not started.`,
      )
      expect(text).toMatch(/\nDone before the interrupt:\n {2}\+ vpc +vpc-/)
      expect(text).toContain(`\nIn flight, cut short (the next \`up\` finds what they made):\n  • nat-gateway/us-east-1a: create ${nat.physicalId}`)
      expect(text).toMatch(/\nNot started:\n {2}.*route-table\/private-us-east-1a/)
      expect(text).toContain('What was done is saved in the state. Run `containrlab up` again to finish.')
      const lines = events.map(plainLine).filter((line): line is string => line !== undefined)
      expect(lines.some((line) => line.endsWith('nat-gateway/us-east-1a: interrupted before it finished (creating)'))).toBe(true)
      expect(lines.some((line) => line.endsWith('route-table/private-us-east-1a: not started (the run was interrupted)'))).toBe(true)
      expect(lines.join('\n')).not.toMatch(/FAILED/)

      expect(stackParameters(cloud).some((name) => name.endsWith('/lock'))).toBe(false)
      const resumed = await up(await open(), yes)
      expect(resumed.errors).toEqual([])
      expect(resumed.resources.find((r) => r.id === 'nat-gateway/us-east-1a')).toMatchObject({action: 'noop', physicalId: nat.physicalId})
      expect(cloud.ec2.resourceCount()).toBe(15)
      expect((await plan(await open(), {offline: false})).changes).toBe(false)
    } finally {
      cloud.restore()
    }
  })

  it('teardown interrupted: deleted, in flight and not started are listed; teardown again leaves nothing', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      await up(await open(), yes)
      const abort = new AbortController()
      const session = await open({
        signal: abort.signal,
        emit: (event) => {
          if (event.type === 'node-done' && event.action === 'delete' && !abort.signal.aborted) abort.abort(new Error('interrupted by SIGTERM'))
        },
      })
      const report = await teardown(session, {confirm: yes})
      expect(report).toMatchObject({ok: false, interrupted: true, errors: []})
      expect(report.summary.delete).toBeGreaterThan(0)
      expect(report.notStarted!.length).toBeGreaterThan(0)
      // Everything but the user's hosted zone, which is left as it was.
      expect(report.summary.delete + (report.inFlight?.length ?? 0) + report.notStarted!.length).toBe(EXAMPLE_CREATED)
      const text = formatRunSummary(report)
      expect(text).toMatch(new RegExp(`^Teardown INTERRUPTED for stack containrlab: ${report.summary.delete} deleted; (\\d+ in flight, )?${report.notStarted!.length} not started\\.`))
      expect(text).not.toMatch(/FAILED/)
      expect(text).toContain('Run `containrlab teardown` again to finish.')
      // The state of what is left is kept.
      expect(stackParameters(cloud).filter((name) => name.includes('/serial/')).length).toBeGreaterThan(0)

      const again = await teardown(await open(), {confirm: yes})
      expect(again.errors).toEqual([])
      expect(cloud.resourceCount()).toBe(0)
    } finally {
      cloud.restore()
    }
  })
})
