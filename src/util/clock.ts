/**
 * Time as the engine and reconcilers see it. Production uses the wall clock;
 * tests use a virtual clock so that a NAT gateway's two minutes of `pending`
 * cost nothing, and benchmarks use the wall clock with scaled AWS latencies.
 */
export interface Clock {
  now(): number
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, {once: true})
    }),
}

/**
 * A clock whose `sleep` advances virtual time at once and yields to other
 * tasks. Concurrent sleepers each advance it, so virtual durations are an
 * upper bound, which is all tests need.
 */
export class VirtualClock implements Clock {
  private current: number

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason
    this.current += ms
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (signal?.aborted) throw signal.reason
  }

  advance(ms: number): void {
    this.current += ms
  }
}
