import {expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {SimulatedCrash} from '../fake-cloud/index.js'
import {EXAMPLE, stackHarness, stackParameters} from './stack.js'

/**
 * Helpers of the crash matrices (test/stack/crash-*.test.ts): a run is
 * killed after its k-th mutating call, for every k, and what follows must
 * converge with nothing duplicated or lost.
 */

export const yes = async () => true

/**
 * EC2 is eventually consistent: an object may be invisible to describes (and
 * to calls that reference it) for a while after its create returned. Three
 * seconds is plenty to hide what a crashed run made from the run after it.
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export const LAG_MS = 3_000

export const UP_TO_DATE: [string, number] = ['describes up to date', 0]
export const LAGGED: [string, number] = ['describes lagging 3 s', LAG_MS]

/** The `up` matrix runs with describes up to date and lagging. */
export const LAGS: [string, number][] = [UP_TO_DATE, LAGGED]

/**
 * The replacement and teardown matrices run with describes lagging only: the
 * case where a re-run cannot see what the crashed run made (the up-to-date
 * case of the same code paths is the `up` matrix's), at half the cost.
 */
export const LAGGING: [string, number][] = [LAGGED]

/** A whole matrix takes a few seconds of CPU per lag. */
export const MATRIX_TIMEOUT_MS = 180_000

export type Harness = ReturnType<typeof stackHarness>

/** A run that dies with the process: its last call took effect, nothing after it ran; the lock stays behind. */
export async function crashing(run: () => Promise<unknown>): Promise<void> {
  await run().catch((error: unknown) => {
    if (!(error instanceof SimulatedCrash)) throw error
  })
}

/** Mutating calls of a clean run of `work` after `setup`, and the fake's resource count after it. */
export async function cleanRun(setup: (h: Harness) => Promise<void>, work: (h: Harness) => Promise<unknown>): Promise<{mutatingCalls: number; resources: number}> {
  const harness = stackHarness()
  try {
    await setup(harness)
    harness.cloud.resetCalls()
    await work(harness)
    return {mutatingCalls: harness.cloud.mutatingCalls().length, resources: harness.cloud.resourceCount()}
  } finally {
    harness.cloud.restore()
  }
}

/**
 * For every k in 1..calls: a fresh fake cloud (describes lagging `lag` ms),
 * `setup`, then `crashRun` killed after its k-th mutating call, then `check`.
 */
export async function everyK(calls: number, lag: number, steps: {setup?: (h: Harness) => Promise<void>; crashRun: (h: Harness) => Promise<unknown>; check: (h: Harness, k: number) => Promise<void>}): Promise<void> {
  expect(calls).toBeGreaterThan(0)
  for (let k = 1; k <= calls; k++) {
    const harness = stackHarness()
    try {
      harness.cloud.faults.consistencyDelayMs = lag
      await steps.setup?.(harness)
      harness.cloud.resetCalls()
      harness.cloud.faults.crashAfterMutatingCalls = k
      await crashing(() => steps.crashRun(harness))
      harness.cloud.resetCalls()
      await steps.check(harness, k)
    } finally {
      harness.cloud.restore()
    }
  }
}

/** After a crash: the next run breaks the dead run's lock, as its user would (`state unlock --force`). */
export async function afterCrash(harness: Harness, file = EXAMPLE) {
  const session = await harness.open({file})
  await session.store.forceUnlock()
  return session
}

/** The stack converged: as many objects as a clean run makes, status all ok, an empty plan. */
export async function expectConverged(harness: Harness, label: string, expected: number, file = EXAMPLE): Promise<void> {
  const {cloud, open} = harness
  expect(cloud.resourceCount(), `${label}: resources`).toBe(expected)
  const report = await status(await open({file}))
  expect(
    report.resources.filter((r) => r.condition !== 'ok').map((r) => `${r.id}: ${r.condition}`),
    label,
  ).toEqual([])
  expect((await plan(await open({file}), {offline: false})).changes, `${label}: plan after`).toBe(false)
}

/** Teardown leaves no object and no state parameter (the dead run's lock aside). */
export async function expectTornDown(harness: Harness, label: string, file = EXAMPLE): Promise<void> {
  const down = await teardown(await harness.open({file}), {confirm: yes})
  expect(down.errors, label).toEqual([])
  expect(harness.cloud.resourceCount(), `${label}: resources after teardown`).toBe(0)
  expect(
    stackParameters(harness.cloud).filter((name) => !name.endsWith('/lock')),
    label,
  ).toEqual([])
}

/**
 * The `up` resume matrix (test/stack/crash-up*.test.ts, one lag per file so
 * the two run on two workers): `up` killed after its k-th mutating call, for
 * every k; the re-run converges with no duplicate. With describes lagging,
 * the stack then tears down to nothing too (a state holding intents and
 * objects the re-run had to wait for); with them up to date, the converged
 * stack is the clean run's (same objects, status all ok, an empty plan),
 * whose teardown the other tests cover.
 */
export function upResumeMatrix(lag: number): void {
  const title = lag > 0 ? 'the re-run converges with no duplicate, and the stack then tears down to nothing, for every k' : 'the re-run converges with no duplicate, for every k'
  it(title, {timeout: MATRIX_TIMEOUT_MS}, async () => {
    const clean = await cleanRun(
      async () => {},
      async ({open}) => up(await open(), yes),
    )
    expect(clean.mutatingCalls).toBeGreaterThan(20)
    await everyK(clean.mutatingCalls, lag, {
      crashRun: async ({open}) => up(await open(), yes),
      check: async (harness, k) => {
        const rerun = await up(await afterCrash(harness), yes)
        expect(rerun.errors, `k=${k}`).toEqual([])
        await expectConverged(harness, `k=${k}`, clean.resources)
        if (lag > 0) await expectTornDown(harness, `k=${k}`)
      },
    })
  })
}
