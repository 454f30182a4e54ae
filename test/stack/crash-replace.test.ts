import {describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'
import {up} from '../../src/app/up.js'
import {afterCrash, cleanRun, everyK, expectConverged, LAGGING, MATRIX_TIMEOUT_MS, yes, type Harness} from '../helpers/crash.js'
import {EXAMPLE, exampleEdited} from '../helpers/stack.js'

/**
 * The example with one service (api, Fargate) and the runner's instance: what the VPC cascade replaces
 * of each kind of container (a service's tasks and an instance sit in the subnets), at two thirds of the
 * full example's calls for each of the matrix's k.
 */
function oneService(text: string): string {
  const doc = parseDocument(text)
  doc.set(
    'services',
    (doc.toJS() as {services: {name: string}[]}).services.filter((service) => service.name === 'api'),
  )
  return doc.toString()
}

/** What is deployed first, and the edit whose run is killed. */
const REPLACEMENTS: [string, ((text: string) => string) | undefined, (text: string) => string][] = [
  // A new VPC CIDR needs the subnets inside it: every 10.0. of the example becomes 10.1.
  ['the VPC CIDR (a delete-first cascade)', oneService, (text) => text.replaceAll('10.0.', '10.1.')],
  ['a security group description', undefined, (text) => text.replace('description: Internet-facing load balancer', 'description: Public load balancer')],
]

describe.each(LAGGING)('a replacement killed after its k-th mutating call (%s)', (_, lag) => {
  it.each(REPLACEMENTS)('of %s: the re-run converges, for every k', {timeout: MATRIX_TIMEOUT_MS}, async (_, base, edit) => {
    const deployed = base ? exampleEdited(base) : EXAMPLE
    const file = exampleEdited((text) => edit(base ? base(text) : text))
    const deploy = async ({open}: Harness) => {
      await up(await open({file: deployed}), yes)
    }
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
