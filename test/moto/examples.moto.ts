import {afterAll, describe, it} from 'vitest'
import {EXAMPLES, removeSpecs} from './harness.js'
import {cleanUp, containersAreSeen, deployImage, planIsEmpty, rollout, statusIsOk, teardown, up, upAgainChangesNothing, type Deployed} from './steps.js'

/**
 * Every example, end to end over HTTP against moto (or the endpoint in
 * AWS_ENDPOINT_URL), through the built CLI as a user runs it:
 * up (and the leftover checks see what it made) → up again (no changes) → rollout of the first service that
 * follows its spec's image to another image → `deploy` of the first `imageSource: deploy` service to another tag,
 * then up again (no changes: it keeps that image) → plan (no changes) → status (all ok) →
 * teardown (nothing left).
 * Where moto departs from AWS's documentation (DescribeTags lists the tags of
 * deleted objects; DescribeNatGateways ignores tag filters), the checks follow
 * AWS: see `leftovers` in harness.ts.
 */
afterAll(removeSpecs)

describe('examples against moto: up → up → plan → status → teardown', () => {
  it.each(EXAMPLES)('%s', async (example) => {
    let deployed: Deployed | undefined
    let tornDown = false
    try {
      deployed = await up(example)
      await containersAreSeen(deployed)
      await upAgainChangesNothing(deployed)
      await rollout(deployed)
      if (await deployImage(deployed)) await upAgainChangesNothing(deployed)
      await planIsEmpty(deployed)
      await statusIsOk(deployed)
      tornDown = true
      await teardown(deployed)
    } finally {
      if (!tornDown) await cleanUp(deployed)
    }
  })
})
