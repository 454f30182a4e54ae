import {errorCode} from '../aws/errors.js'
import {type ErrorClass, inUseBy, type ReconcileContext, type Reconciler} from '../resources/types.js'

/**
 * The engine's waits for AWS's lags, driven by each kind's own error
 * classes (`Reconciler.classifyError`). Throttling is not here: the SDK's
 * retry policy (src/aws/retry.ts) owns it.
 */

/** Classes worth retrying right after the objects a call references were made. */
const NEW_OBJECT_LAG: ReadonlySet<ErrorClass> = new Set(['not-found', 'not-yet-visible', 'retryable'])
/** Classes worth retrying while what uses an object goes away. */
const IN_USE: ReadonlySet<ErrorClass> = new Set(['in-use', 'retryable'])

/**
 * Retries `operation` while the kind says AWS does not see something the call
 * references yet (EC2: a NotFound for an id made moments ago; ECS: an IAM role
 * not propagated), about 7 attempts with doubling delays (~25 s at the
 * default poll interval).
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export async function retryWhileNewlyCreatedNotFound<T>(ctx: ReconcileContext, reconciler: Reconciler, operation: () => Promise<T>, attempts = 7): Promise<T> {
  let delay = Math.max(100, ctx.pollIntervalMs / 5)
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      const kind = reconciler.classifyError(error)
      if (!kind || !NEW_OBJECT_LAG.has(kind) || attempt >= attempts) throw error
      ctx.progress(`${errorCode(error)} (eventual consistency), retrying in ${Math.round(delay / 1000)}s`)
      await ctx.clock.sleep(delay, ctx.signal)
      delay *= 2
    }
  }
}

/**
 * Retries a deletion while the kind says something still uses the object
 * (ENIs draining from a deleted endpoint, a NAT gateway still `deleting`),
 * for at most `limitMs`; then throws AWS's last error.
 */
export async function retryWhileInUse<T>(ctx: ReconcileContext, reconciler: Reconciler, operation: () => Promise<T>, limitMs = ctx.waitTimeoutMs): Promise<T> {
  const started = ctx.clock.now()
  let delay = ctx.pollIntervalMs
  for (;;) {
    try {
      return await operation()
    } catch (error) {
      const waited = ctx.clock.now() - started
      const kind = reconciler.classifyError(error)
      if (!kind || !IN_USE.has(kind) || waited >= limitMs) throw error
      const holder = inUseBy(error)
      ctx.progress(holder ? `held by ${holder}; retrying (${Math.round(waited / 1000)}s so far)` : `${errorCode(error)}: something still uses it, retrying (${Math.round(waited / 1000)}s so far)`)
      await ctx.clock.sleep(delay, ctx.signal)
      delay = Math.min(delay * 1.5, ctx.pollIntervalMs * 6)
    }
  }
}

/** Whether an error says the object is in use (for messages that tell the user what to do). */
export function isInUse(reconciler: Reconciler, error: unknown): boolean {
  return reconciler.classifyError(error) === 'in-use'
}

/**
 * True when AWS answered a create with a definite refusal (a 4xx service
 * error other than throttling): nothing was made, so a recorded create
 * intent can be dropped. Anything else (a network error, a 5xx, a crash)
 * leaves it unknown whether the object exists.
 */
export function definitelyRefused(error: unknown): boolean {
  const status = (error as {$metadata?: {httpStatusCode?: number}})?.$metadata?.httpStatusCode
  const throttled = (error as {$retryable?: {throttling?: boolean}})?.$retryable?.throttling === true || /Throttl|RequestLimitExceeded/.test(errorCode(error) ?? '')
  return typeof status === 'number' && status >= 400 && status < 500 && !throttled
}
