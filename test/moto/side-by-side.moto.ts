import {afterAll, expect, it} from 'vitest'
import {cli, deleteZone, EXAMPLES, existing, removeSpecs} from './harness.js'
import {cleanUp, planIsEmpty, statusIsOk, teardown, tornDown, up, type Deployed} from './steps.js'

/**
 * Stacks share an account: one stack's runs must never touch another's
 * objects. All examples come up side by side (each its own stack name), the
 * first is torn down, and every other stack must still have each of its
 * resources, report ok, and plan no change; then the rest are torn down.
 *
 * moto ignores tag filters on DescribeNatGateways, where AWS documents
 * `tag:<key>` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNatGateways.html):
 * lookups by tag that trust the filter to select the stack's own gateways see
 * every stack's: a later stack's first `up` takes an earlier stack's gateway of
 * the same logical id for its own (then replaces it), and a teardown deletes
 * every stack's gateways. That is what this test catches. Its checks are soft
 * (expect.soft): every step runs and every failure is reported, so one
 * cross-stack effect does not hide the next.
 */
afterAll(removeSpecs)

it('stacks side by side: up and teardown of one leave the others untouched', async () => {
  const soft = {soft: true}
  const stacks: Deployed[] = []
  const done = new Set<Deployed>()
  try {
    for (const example of EXAMPLES) stacks.push(await up(example, soft))
    const [first, ...others] = stacks
    expect(others.length).toBeGreaterThan(0)

    // Every object of every stack exists now (an SDK describe per id: cheaper than a CLI run per stack).
    for (const stack of stacks) expect.soft(await missing(stack), `${stack.example} (${stack.stack}): objects up made that are gone before any teardown`).toEqual([])

    done.add(first!)
    const down = await cli(['teardown', '-f', first!.file, '--yes', '--json'])

    for (const stack of others) {
      expect.soft(await missing(stack), `${stack.example} (${stack.stack}): its objects deleted by the teardown of ${first!.stack}`).toEqual([])
      await statusIsOk(stack, soft)
      await planIsEmpty(stack, soft)
    }
    await tornDown(first!, down, soft)
    if (first!.zoneId) await deleteZone(first!.zoneId)

    for (const stack of others) {
      done.add(stack)
      await teardown(stack, soft)
    }
  } finally {
    for (const stack of stacks) if (!done.has(stack)) await cleanUp(stack)
  }
})

/** The stack's objects (as `up` reported them) that no longer exist, as `logical id (AWS id)`. */
async function missing(stack: Deployed): Promise<string[]> {
  const states = await existing([...new Set(Object.values(stack.physicalIds))])
  return Object.entries(stack.physicalIds)
    .filter(([, id]) => states[id] === false)
    .map(([logical, id]) => `${logical} (${id})`)
}
