import {describe, expect, it} from 'vitest'
import {up} from '../../src/app/up.js'
import {afterCrash, cleanRun, everyK, expectConverged, LAGGING, MATRIX_TIMEOUT_MS, yes, type Harness} from '../helpers/crash.js'
import {exampleEdited} from '../helpers/stack.js'

const deploy = async ({open}: Harness) => {
  await up(await open(), yes)
}

const REPLACEMENTS: [string, (text: string) => string][] = [
  // A new VPC CIDR needs the subnets inside it: every 10.0. of the example becomes 10.1.
  ['the VPC CIDR (a delete-first cascade)', (text) => text.replaceAll('10.0.', '10.1.')],
  ['a security group description', (text) => text.replace('description: Internet-facing load balancer', 'description: Public load balancer')],
]

describe.each(LAGGING)('a replacement killed after its k-th mutating call (%s)', (_, lag) => {
  it.each(REPLACEMENTS)('of %s: the re-run converges, for every k', {timeout: MATRIX_TIMEOUT_MS}, async (_, edit) => {
    const file = exampleEdited(edit)
    const clean = await cleanRun(deploy, async ({open}) => up(await open({file}), yes))
    expect(clean.mutatingCalls).toBeGreaterThan(0)
    await everyK(clean.mutatingCalls, lag, {
      setup: deploy,
      crashRun: async ({open}) => up(await open({file}), yes),
      check: async (harness, k) => {
        const rerun = await up(await afterCrash(harness, file), yes)
        expect(rerun.errors, `k=${k}`).toEqual([])
        await expectConverged(harness, `k=${k}`, clean.resources, file)
      },
    })
  })
})
