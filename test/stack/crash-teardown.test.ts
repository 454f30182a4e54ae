import {describe, it} from 'vitest'
import {teardown} from '../../src/app/teardown.js'
import {up} from '../../src/app/up.js'
import {afterCrash, cleanRun, everyK, expectTornDown, LAGGING, MATRIX_TIMEOUT_MS, yes, type Harness} from '../helpers/crash.js'

const deploy = async ({open}: Harness) => {
  await up(await open(), yes)
}

describe.each(LAGGING)('teardown killed after its k-th mutating call (%s)', (_, lag) => {
  it('teardown again leaves nothing, for every k', {timeout: MATRIX_TIMEOUT_MS}, async () => {
    const clean = await cleanRun(deploy, async ({open}) => teardown(await open(), {confirm: yes}))
    await everyK(clean.mutatingCalls, lag, {
      setup: deploy,
      crashRun: async ({open}) => teardown(await open(), {confirm: yes}),
      check: async (harness, k) => {
        await afterCrash(harness)
        await expectTornDown(harness, `k=${k}`)
      },
    })
  })
})
