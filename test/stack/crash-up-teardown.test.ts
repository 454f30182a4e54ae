import {describe, expect, it} from 'vitest'
import {teardown} from '../../src/app/teardown.js'
import {up} from '../../src/app/up.js'
import {afterCrash, cleanRun, everyK, expectTornDown, LAGGING, MATRIX_TIMEOUT_MS, yes} from '../helpers/crash.js'
import {stackHarness, stackParameters} from '../helpers/stack.js'

// With describes lagging only: a teardown that can see everything the crashed run made is the easier
// case of the same code (and crash-up.test.ts tears down after every re-run, describes up to date too).
describe.each(LAGGING)('up killed after its k-th mutating call (%s), then teardown', (_, lag) => {
  it('a teardown right after the crash leaves nothing, for every k', {timeout: MATRIX_TIMEOUT_MS}, async () => {
    const clean = await cleanRun(
      async () => {},
      async ({open}) => up(await open(), yes),
    )
    await everyK(clean.mutatingCalls, lag, {
      crashRun: async ({open}) => up(await open(), yes),
      check: async (harness, k) => {
        await afterCrash(harness)
        await expectTornDown(harness, `k=${k}`)
      },
    })
  })
})

describe('a lost state', () => {
  it('teardown finds everything by its tags and leaves nothing', async () => {
    const harness = stackHarness()
    try {
      await up(await harness.open(), yes)
      for (const name of stackParameters(harness.cloud)) harness.cloud.ssm.deleteParameter({Name: name})
      const down = await teardown(await harness.open(), {confirm: yes})
      expect(down.errors).toEqual([])
      // Every tagged or marked object is an orphan now: 15 in EC2 (security-group rules carry no tags: they go
      // with their groups), 3 target groups, the load balancer, 2 listeners (their rules go with them), the
      // certificate, its validation records and 3 alias records; 4 repositories, 3 log groups, 3 roles and
      // the instance profile, 2 clusters, 3 task definitions and 3 services. Not the user's hosted zone nor
      // AWS's AMI, left as they were.
      expect(down.orphans.length).toBe(45)
      expect(down.orphans.some((orphan) => orphan.startsWith('hosted-zone') || orphan.startsWith('ami/'))).toBe(false)
      expect(down.leftAsFound).toEqual([expect.stringMatching(/^hosted-zone \(Z[A-Z0-9]+\)$/), expect.stringMatching(/^ami\/x86_64 /)])
      expect(harness.cloud.resourceCount()).toBe(0)
    } finally {
      harness.cloud.restore()
    }
  })
})
