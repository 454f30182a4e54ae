import {errorCode, isDependencyViolation, isNotFound} from '../aws/errors.js'
import type {ReconcileContext} from '../resources/types.js'

/**
 * Retries `operation` while AWS answers NotFound for something the call
 * references that was created moments ago: EC2 is eventually consistent and
 * a fresh id may be unknown to other calls for seconds.
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export async function retryWhileNewlyCreatedNotFound<T>(ctx: ReconcileContext, operation: () => Promise<T>, attempts = 7): Promise<T> {
  let delay = Math.max(100, ctx.pollIntervalMs / 5)
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      if (!isNotFound(error) || attempt >= attempts) throw error
      ctx.progress(`${errorCode(error)} (eventual consistency), retrying in ${Math.round(delay / 1000)}s`)
      await ctx.clock.sleep(delay, ctx.signal)
      delay *= 2
    }
  }
}

/**
 * Retries a deletion while AWS says something still depends on the resource
 * (ENIs draining from a deleted endpoint, a NAT gateway still `deleting`),
 * for at most `ctx.waitTimeoutMs`; then fails loudly with AWS's message.
 */
export async function retryWhileDependencyViolation<T>(ctx: ReconcileContext, operation: () => Promise<T>, limitMs = ctx.waitTimeoutMs): Promise<T> {
  const started = ctx.clock.now()
  let delay = ctx.pollIntervalMs
  for (;;) {
    try {
      return await operation()
    } catch (error) {
      const waited = ctx.clock.now() - started
      if (!isDependencyViolation(error) || waited >= limitMs) throw error
      ctx.progress(`${errorCode(error)}: something still uses it, retrying (${Math.round(waited / 1000)}s so far)`)
      await ctx.clock.sleep(delay, ctx.signal)
      delay = Math.min(delay * 1.5, ctx.pollIntervalMs * 6)
    }
  }
}
