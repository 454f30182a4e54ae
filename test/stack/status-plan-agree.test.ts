import {describe, expect, it} from 'vitest'
import type {RunReport} from '../../src/app/report.js'
import {status, type StatusReport} from '../../src/app/status.js'
import {plan, up} from '../../src/app/up.js'
import {cleanRun, everyK, LAGS, MATRIX_TIMEOUT_MS, yes, type Harness} from '../helpers/crash.js'
import {EXAMPLE_RESOURCES, stackParameters} from '../helpers/stack.js'

/** What `up` would do with a resource, as status says it: nothing, change it, make it, delete it. */
const FROM_STATUS: Record<StatusReport['resources'][number]['condition'], string> = {
  ok: 'nothing',
  pending: 'nothing',
  degraded: 'nothing',
  drifted: 'change',
  'not-created': 'make',
  missing: 'make',
  removed: 'delete',
  stray: 'delete',
  unknown: 'unknown',
}
const FROM_PLAN: Record<RunReport['resources'][number]['action'], string> = {noop: 'nothing', update: 'change', replace: 'change', create: 'make', delete: 'delete'}

/** One line per resource (strays and removed ones included), sorted: `<id>: <what up would do>`. */
async function bothViews(harness: Harness): Promise<{status: string[]; plan: string[]; found: number}> {
  const seen = await status(await harness.open())
  const planned = await plan(await harness.open(), {offline: false})
  return {
    status: seen.resources.map((r) => `${r.id}: ${FROM_STATUS[r.condition]}`).sort(),
    plan: planned.resources.map((r) => `${r.id}: ${FROM_PLAN[r.action]}`).sort(),
    found: seen.resources.filter((r) => r.foundByTags).length,
  }
}

/**
 * After a crash or a lost state, `status` reads what `plan` reads (the
 * state's ids, then the tags) and the two agree resource by resource:
 * ok/pending/degraded ⇔ no-op, drifted ⇔ update/replace, not-created/missing ⇔
 * create, removed/stray ⇔ delete.
 */
// Describes up to date: lagging ones hide the same objects from both (neither waits for them), at twice the cost.
describe.each(LAGS.slice(0, 1))('status and plan after up was killed after its k-th mutating call (%s)', (_, lag) => {
  it('agree resource by resource, with the state and with the state parameters deleted, for every k', {timeout: MATRIX_TIMEOUT_MS}, async () => {
    const clean = await cleanRun(
      async () => {},
      async ({open}) => up(await open(), yes),
    )
    let adopted = 0
    await everyK(clean.mutatingCalls, lag, {
      crashRun: async ({open}) => up(await open(), yes),
      check: async (harness, k) => {
        const withState = await bothViews(harness)
        expect(withState.status, `k=${k}, with the state`).toEqual(withState.plan)
        expect(withState.status, `k=${k}`).toHaveLength(EXAMPLE_RESOURCES + withState.status.filter((line) => line.endsWith(': delete')).length)

        for (const name of stackParameters(harness.cloud)) harness.cloud.ssm.deleteParameter({Name: name})
        const lost = await bothViews(harness)
        expect(lost.status, `k=${k}, state lost`).toEqual(lost.plan)
        adopted += lost.found
      },
    })
    // With the state gone, what the crashed runs made was found by its tags (status does not say "not-created" for it).
    expect(adopted).toBeGreaterThan(0)
  })
})
