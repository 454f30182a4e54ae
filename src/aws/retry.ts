import type {RetryErrorInfo, RetryErrorType, RetryStrategyV2, StandardRetryToken} from '@smithy/types'
import type {Clock} from '../util/clock.js'

/** The bounds of the retry policy (DEFAULT_RETRY_POLICY; AwsClients' `retry` option overrides them). */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number
  /** Base of the exponential back-off after a throttling error (ms). */
  throttlingBaseDelayMs: number
  /** Base of the exponential back-off after a transient error (ms). */
  transientBaseDelayMs: number
  /** Cap of one back-off (ms); the SDK's MAXIMUM_RETRY_DELAY. */
  maxDelayMs: number
  /** Jitter source in [0, 1); tests pin it. */
  random: () => number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  // The SDK's own bases (@smithy/core/retry `Retry.throttlingDelay()` / `Retry.delay()` = 1 s / 50 ms,
  // 100 ms before its 2026 retry revision): throttling backs off hard, a dropped connection does not.
  throttlingBaseDelayMs: 1_000,
  transientBaseDelayMs: 100,
  maxDelayMs: 20_000,
  random: Math.random,
}

export interface RetryStrategyOptions extends Partial<RetryPolicy> {
  clock: Clock
  signal?: AbortSignal
}

/**
 * The one retry policy of every AWS client of a run (src/aws/clients.ts
 * passes it as the SDK's `retryStrategy`).
 *
 * The SDK's retry middleware (`retryMiddleware`, finalizeRequest step)
 * stays in charge of the loop: it classifies each failed attempt with the
 * SDK's own rules (`THROTTLING`: 429s and codes such as RequestLimitExceeded
 * or ThrottlingException; `TRANSIENT`: 500/502/503/504, timeouts, connection
 * resets; see `@smithy/core/retry` service-error-classification) and asks
 * this strategy whether and when to try again. What this strategy changes
 * from the SDK's AdaptiveRetryStrategy:
 *
 * - every wait (the back-off, and the adaptive rate limiter's pacing) is a
 *   `sleep` on the run's Clock, so a test on a VirtualClock does not really
 *   wait; the SDK's strategies wait with `setTimeout`;
 * - every wait is cut short by the run's AbortSignal (Ctrl-C). An aborted
 *   back-off ends the call at once and the call rejects with the last error
 *   AWS returned (its `$metadata.attempts` says how many attempts were made):
 *   that is what the SDK's middleware throws whenever a retry is refused,
 *   and the error is true — the call did not succeed. Callers tell an
 *   interrupted run from a failed one by `signal.aborted`. A call waiting for
 *   its first send token when the signal fires rejects with the signal's
 *   reason (it was never sent). Once the signal is aborted nothing waits: a
 *   call made afterwards (the state save and lock release of an interrupted
 *   run) is sent at once and gets one attempt. Requests already on the wire
 *   are never aborted — their outcome would be unknown;
 * - no retry quota (the SDK's 500-token bucket that stops retrying after a
 *   burst of failures): a deployment would rather wait out throttling, within
 *   the attempt bound, than fail resources because another branch of the
 *   graph was throttled a moment earlier.
 *
 * It is a RetryStrategyV2, the interface the retry middleware drives:
 * `acquireInitialRetryToken` before the first attempt,
 * `refreshRetryTokenForRetry` after each failed one (throwing refuses the
 * retry: the middleware then throws the attempt's error), `recordSuccess`
 * after the attempt that succeeds. One instance per client (throttling is
 * per service), all with the same policy.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export class ClockRetryStrategy implements RetryStrategyV2 {
  readonly policy: RetryPolicy
  private readonly limiter: AdaptiveRateLimiter
  private readonly clock: Clock
  private readonly signal: AbortSignal | undefined

  constructor(options: RetryStrategyOptions) {
    const {clock, signal, ...policy} = options
    this.policy = {...DEFAULT_RETRY_POLICY, ...policy}
    this.clock = clock
    this.signal = signal
    this.limiter = new AdaptiveRateLimiter(clock)
  }

  async acquireInitialRetryToken(_retryTokenScope: string): Promise<StandardRetryToken> {
    await this.limiter.acquire(this.signal)
    return retryToken(0, 0)
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    this.limiter.update(errorInfo.errorType === 'THROTTLING')
    const retries = token.getRetryCount()
    if (!isRetryable(errorInfo.errorType)) throw new Error(`not retried: ${errorInfo.errorType}`)
    if (retries + 1 >= this.policy.maxAttempts) throw new Error(`not retried: ${this.policy.maxAttempts} attempts made`)
    if (this.signal?.aborted) throw new Error('not retried: the run was interrupted')
    const delay = this.backoffMs(retries, errorInfo)
    // Rejects with the signal's reason when aborted; the middleware then throws the attempt's error.
    if (delay > 0) await this.clock.sleep(delay, this.signal)
    await this.limiter.acquire(this.signal)
    return retryToken(retries + 1, delay)
  }

  recordSuccess(_token: StandardRetryToken): void {
    this.limiter.update(false)
  }

  /**
   * Exponential back-off with full jitter, as the SDK computes it:
   * random × min(base × 2^retries, cap); a Retry-After hint from the service
   * may lengthen it by up to 5 s.
   */
  backoffMs(retries: number, errorInfo: Pick<RetryErrorInfo, 'errorType' | 'retryAfterHint'>): number {
    const {throttlingBaseDelayMs, transientBaseDelayMs, maxDelayMs, random} = this.policy
    const base = errorInfo.errorType === 'THROTTLING' ? throttlingBaseDelayMs : transientBaseDelayMs
    const delay = Math.floor(random() * Math.min(base * 2 ** retries, maxDelayMs))
    if (!errorInfo.retryAfterHint) return delay
    // The SDK turned the header into a wall-clock Date (Date.now() + seconds); turn it back into a duration.
    const hinted = errorInfo.retryAfterHint.getTime() - Date.now()
    return Math.max(delay, Math.min(hinted, delay + 5_000))
  }
}

/** THROTTLING and TRANSIENT are retried, as in the SDK's standard and adaptive modes; SERVER_ERROR and CLIENT_ERROR are not. */
function isRetryable(errorType: RetryErrorType): boolean {
  return errorType === 'THROTTLING' || errorType === 'TRANSIENT'
}

/**
 * The strategy has already waited when it hands out a token, so the
 * middleware must not wait again: `getRetryDelay()` is 0, and the time
 * waited goes to `$retryLog` for the SDK's `$metadata.totalRetryDelay`.
 */
function retryToken(retryCount: number, waitedMs: number): StandardRetryToken {
  return {
    getRetryCount: () => retryCount,
    getRetryDelay: () => 0,
    getRetryCost: () => undefined,
    $retryLog: {acquisitionDelay: waitedMs},
  }
}

/**
 * The client-side rate limiting of the SDK's `adaptive` retry mode: a token
 * bucket, off until the first throttling error, whose fill rate follows
 * CUBIC — cut to β × the measured send rate on throttling, regrown along a
 * cubic curve on success. A port of `@smithy/core/retry`'s DefaultRateLimiter
 * (same constants and formulas) whose time is the run's Clock and whose
 * waits are abortable: the SDK's reads `Date.now()` and waits with
 * `setTimeout`, which under a test's VirtualClock would be real seconds.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export class AdaptiveRateLimiter {
  private readonly beta = 0.7
  private readonly minCapacity = 1
  private readonly minFillRate = 0.5
  private readonly scaleConstant = 0.4
  private readonly smooth = 0.8
  private enabled = false
  private availableTokens = 0
  private lastMaxRate = 0
  private measuredTxRate = 0
  private requestCount = 0
  private fillRate = this.minFillRate
  private maxCapacity = this.minCapacity
  private lastThrottleTime: number
  private lastTimestamp = 0
  private lastTxRateBucket: number
  private timeWindow = 0

  constructor(private readonly clock: Clock) {
    this.lastThrottleTime = this.seconds()
    this.lastTxRateBucket = Math.floor(this.seconds())
  }

  /** Whether throttling has been seen, so that sends are paced. */
  get pacing(): boolean {
    return this.enabled
  }

  /**
   * Waits until the bucket holds a token for one request. Sends are not
   * paced once the signal is aborted; a wait in progress then rejects with
   * the signal's reason.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (!this.enabled || signal?.aborted) return
    this.refill()
    while (this.availableTokens < 1) {
      // Whole milliseconds: a wait of a few nanoseconds (the bucket a hair short of a token) would
      // not move a virtual clock at all (epoch milliseconds are ~1e12: a float64 step is ~2e-4 ms).
      await this.clock.sleep(Math.ceil(((1 - this.availableTokens) / this.fillRate) * 1000), signal)
      this.refill()
    }
    this.availableTokens -= 1
  }

  /** Feeds one response to the rate estimate: `throttled` cuts the fill rate, anything else lets it regrow. */
  update(throttled: boolean): void {
    this.updateMeasuredRate()
    let rate: number
    if (throttled) {
      const rateToUse = this.enabled ? Math.min(this.measuredTxRate, this.fillRate) : this.measuredTxRate
      this.lastMaxRate = rateToUse
      this.calculateTimeWindow()
      this.lastThrottleTime = this.seconds()
      rate = rateToUse * this.beta
      this.enabled = true
    } else {
      this.calculateTimeWindow()
      rate = this.scaleConstant * (this.seconds() - this.lastThrottleTime - this.timeWindow) ** 3 + this.lastMaxRate
    }
    this.updateTokenBucketRate(Math.min(rate, 2 * this.measuredTxRate))
  }

  private seconds(): number {
    return this.clock.now() / 1000
  }

  private refill(): void {
    const now = this.seconds()
    if (!this.lastTimestamp) {
      this.lastTimestamp = now
      return
    }
    this.availableTokens = Math.min(this.maxCapacity, this.availableTokens + (now - this.lastTimestamp) * this.fillRate)
    this.lastTimestamp = now
  }

  private calculateTimeWindow(): void {
    this.timeWindow = ((this.lastMaxRate * (1 - this.beta)) / this.scaleConstant) ** (1 / 3)
  }

  private updateTokenBucketRate(rate: number): void {
    this.refill()
    this.fillRate = Math.max(rate, this.minFillRate)
    this.maxCapacity = Math.max(rate, this.minCapacity)
    this.availableTokens = Math.min(this.availableTokens, this.maxCapacity)
  }

  private updateMeasuredRate(): void {
    const timeBucket = Math.floor(this.seconds() * 2) / 2
    this.requestCount++
    if (timeBucket > this.lastTxRateBucket) {
      const currentRate = this.requestCount / (timeBucket - this.lastTxRateBucket)
      this.measuredTxRate = currentRate * this.smooth + this.measuredTxRate * (1 - this.smooth)
      this.requestCount = 0
      this.lastTxRateBucket = timeBucket
    }
  }
}
