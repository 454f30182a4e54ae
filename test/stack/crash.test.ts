import {describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {up} from '../../src/app/up.js'
import {SimulatedCrash} from '../fake-cloud/index.js'
import {stackHarness, stackParameters} from '../helpers/stack.js'

const yes = async () => true

/** Mutating calls of a clean `up` of the example, and the fake's resource count after it. */
async function cleanRun(): Promise<{mutatingCalls: number; resources: number}> {
  const harness = stackHarness()
  try {
    await up(await harness.open(), yes)
    return {mutatingCalls: harness.cloud.mutatingCalls().length, resources: harness.cloud.ec2.resourceCount()}
  } finally {
    harness.cloud.restore()
  }
}

describe('a run killed after its k-th mutating call', () => {
  it('converges on re-run with no duplicates, for every k', async () => {
    const clean = await cleanRun()
    expect(clean.mutatingCalls).toBeGreaterThan(20)
    for (let k = 1; k <= clean.mutatingCalls; k++) {
      const {cloud, open} = stackHarness()
      try {
        cloud.faults.crashAfterMutatingCalls = k
        // The crashed process dies with whatever it was doing; its lock stays behind.
        await up(await open(), yes).catch((error: unknown) => {
          if (!(error instanceof SimulatedCrash)) throw error
        })
        cloud.resetCalls()
        const session = await open()
        await session.store.forceUnlock()
        const rerun = await up(session, yes)
        expect(rerun.errors, `k=${k}`).toEqual([])
        expect(cloud.ec2.resourceCount(), `k=${k}: resources after re-run`).toBe(clean.resources)
        const report = await status(await open())
        expect(report.resources.filter((r) => r.condition !== 'ok').map((r) => r.id), `k=${k}`).toEqual([])
        const teardownReport = await teardown(await open(), {confirm: yes})
        expect(teardownReport.errors, `k=${k}`).toEqual([])
        expect(cloud.ec2.resourceCount(), `k=${k}: resources after teardown`).toBe(0)
        expect(stackParameters(cloud).filter((name) => !name.endsWith('/lock')), `k=${k}`).toEqual([])
      } finally {
        cloud.restore()
      }
    }
  })
})
