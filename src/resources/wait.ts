import type {ReconcileContext} from './types.js'

export class WaitTimeoutError extends Error {
  constructor(what: string, lastState: string, waitedMs: number) {
    super(`timed out after ${Math.round(waitedMs / 1000)}s waiting for ${what} (last state: ${lastState})`)
    this.name = 'WaitTimeoutError'
  }
}

export interface WaitOptions<T> {
  /** What is awaited, for progress and errors: "nat-0abc to be available". */
  what: string
  /** One poll. Returns the current value, or undefined when AWS does not (yet) know the resource. */
  poll: () => Promise<T | undefined>
  /** The state word to report for a value. */
  state: (value: T | undefined) => string
  done: (value: T | undefined) => boolean
  /** A state from which the target can no longer be reached (NAT gateway `failed`). */
  failed?: (value: T | undefined) => string | undefined
  /**
   * Errors thrown by `poll` that mean "AWS does not know the resource (yet)":
   * treated as `undefined` (a just-created id, eventual consistency). Any
   * other error ends the wait. Default: none.
   */
  isGone?: (error: unknown) => boolean
}

/**
 * Polls until `done`, reporting each state through `ctx.progress`, every
 * `ctx.pollIntervalMs` (constant: a wait then ends at most one interval after
 * AWS reaches the state; a growing interval would add its overshoot to every
 * NAT gateway or endpoint on the critical path). The whole wait is bounded by
 * `ctx.waitTimeoutMs`. Uses the context clock, never `setTimeout` directly.
 */
export async function waitFor<T>(ctx: ReconcileContext, options: WaitOptions<T>): Promise<T | undefined> {
  const started = ctx.clock.now()
  for (;;) {
    let value: T | undefined
    try {
      value = await options.poll()
    } catch (error) {
      if (!options.isGone?.(error)) throw error
      value = undefined
    }
    if (options.done(value)) return value
    const failure = options.failed?.(value)
    if (failure) throw new Error(`${options.what}: ${failure}`)
    const waited = ctx.clock.now() - started
    const state = options.state(value)
    if (waited >= ctx.waitTimeoutMs) throw new WaitTimeoutError(options.what, state, waited)
    ctx.progress(`waiting for ${options.what}: ${state}, ${Math.round(waited / 1000)}s`)
    await ctx.clock.sleep(ctx.pollIntervalMs, ctx.signal)
  }
}

/** Splits ids into chunks for EC2 filters (at most 200 values per filter). */
export function chunks<T>(items: T[], size = 200): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
