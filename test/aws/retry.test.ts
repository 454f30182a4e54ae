import {performance} from 'node:perf_hooks'
import {DescribeVpcsCommand} from '@aws-sdk/client-ec2'
import {GetParameterCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {AdaptiveRateLimiter, ClockRetryStrategy} from '../../src/aws/retry.js'
import {VirtualClock, wallClock} from '../../src/util/clock.js'
import {HttpStub, ec2DescribeVpcs, ec2Error, ec2Throttling, rejection, ssmGetParameter, ssmThrottling, stubbedClients} from './http-stub.js'

describe('throttling through the SDK retry middleware (HTTP stubbed, no fake)', () => {
  it('retries EC2 RequestLimitExceeded (HTTP 503) and succeeds on the fourth attempt, waiting on the virtual clock', async () => {
    const stub = new HttpStub(() => ec2DescribeVpcs('vpc-0ok')).next(ec2Throttling(), 3)
    const clock = new VirtualClock()
    const started = {virtual: clock.now(), wall: performance.now()}
    const ec2 = await stubbedClients(stub, {clock}).ec2()

    const output = await ec2.send(new DescribeVpcsCommand({}))

    expect(output.Vpcs).toEqual([{VpcId: 'vpc-0ok'}])
    expect(stub.requests).toHaveLength(4)
    expect(output.$metadata.attempts).toBe(4)
    // Back-offs of 1 s, 2 s and 4 s (jitter pinned to its maximum), spent on the virtual clock.
    expect(output.$metadata.totalRetryDelay).toBe(7_000)
    expect(clock.now() - started.virtual).toBeGreaterThanOrEqual(7_000)
    expect(performance.now() - started.wall).toBeLessThan(2_000)
  })

  it('retries SSM ThrottlingException (HTTP 400, JSON protocol) the same way', async () => {
    const stub = new HttpStub(() => ssmGetParameter('/app/a', 'one')).next(ssmThrottling(), 2)
    const clock = new VirtualClock()
    const ssm = await stubbedClients(stub, {clock}).ssm()

    const output = await ssm.send(new GetParameterCommand({Name: '/app/a'}))

    expect(output.Parameter?.Value).toBe('one')
    expect(stub.requests).toHaveLength(3)
    expect(output.$metadata).toMatchObject({attempts: 3, totalRetryDelay: 3_000})
  })

  it('gives up after exactly 8 attempts with the throttling error (one retry loop, not one inside another)', async () => {
    const stub = new HttpStub(ec2Throttling)
    const ec2 = await stubbedClients(stub).ec2()

    const error = await rejection(ec2.send(new DescribeVpcsCommand({})))

    expect(error.name).toBe('RequestLimitExceeded')
    expect(stub.requests).toHaveLength(8)
    expect(error.$metadata?.attempts).toBe(8)
  })

  it('takes its attempt budget from the options', async () => {
    const stub = new HttpStub(ssmThrottling)
    const ssm = await stubbedClients(stub, {retry: {maxAttempts: 3}}).ssm()

    expect((await rejection(ssm.send(new GetParameterCommand({Name: '/app/a'})))).name).toBe('ThrottlingException')
    expect(stub.requests).toHaveLength(3)
  })

  it('does not retry a client error', async () => {
    const stub = new HttpStub(() => ec2Error(400, 'InvalidVpcID.NotFound', "The vpc ID 'vpc-1' does not exist"))
    const ec2 = await stubbedClients(stub).ec2()

    expect((await rejection(ec2.send(new DescribeVpcsCommand({VpcIds: ['vpc-1']})))).name).toBe('InvalidVpcID.NotFound')
    expect(stub.requests).toHaveLength(1)
  })

  it('retries a transient server error with the short back-off', async () => {
    const stub = new HttpStub(() => ec2DescribeVpcs()).next(ec2Error(500, 'InternalError', 'An internal error has occurred'))
    const ec2 = await stubbedClients(stub).ec2()

    const output = await ec2.send(new DescribeVpcsCommand({}))

    expect(stub.requests).toHaveLength(2)
    expect(output.$metadata.totalRetryDelay).toBe(100)
  })

  it('rejects promptly with the throttling error when the run is aborted during a 20 s wall-clock back-off', async () => {
    const stub = new HttpStub(ec2Throttling)
    const controller = new AbortController()
    const ec2 = await stubbedClients(stub, {clock: wallClock, signal: controller.signal, retry: {throttlingBaseDelayMs: 20_000}}).ec2()
    const started = performance.now()
    setTimeout(() => controller.abort(new Error('interrupted (SIGINT)')), 50)

    const error = await rejection(ec2.send(new DescribeVpcsCommand({})))

    expect(performance.now() - started).toBeLessThan(2_000)
    expect(error.name).toBe('RequestLimitExceeded')
    expect(error.$metadata?.attempts).toBe(1)
    expect(stub.requests).toHaveLength(1)
  })

  it('sends a call made after the abort at once, with one attempt and no waiting (the lock release of an interrupted run)', async () => {
    const stub = new HttpStub(ssmThrottling)
    const controller = new AbortController()
    const clock = new VirtualClock()
    const ssm = await stubbedClients(stub, {clock, signal: controller.signal}).ssm()
    // Throttling seen before the abort turns on the adaptive rate limiter's pacing...
    await rejection(ssm.send(new GetParameterCommand({Name: '/app/a'})))
    controller.abort()
    stub.requests.length = 0
    const before = clock.now()

    // ...but after it nothing waits: one attempt, sent at once.
    expect((await rejection(ssm.send(new GetParameterCommand({Name: '/app/a'})))).name).toBe('ThrottlingException')
    expect(stub.requests).toHaveLength(1)
    expect(clock.now()).toBe(before)
  })
})

describe('ClockRetryStrategy back-off', () => {
  const strategy = (random: number) => new ClockRetryStrategy({clock: new VirtualClock(), random: () => random})

  it('doubles from 1 s after throttling and from 100 ms after a transient error, capped at 20 s', () => {
    const delays = (errorType: 'THROTTLING' | 'TRANSIENT', random = 1) => [0, 1, 2, 3, 4, 5, 6].map((retries) => strategy(random).backoffMs(retries, {errorType}))
    expect(delays('THROTTLING')).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000])
    expect(delays('TRANSIENT')).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400])
    // Full jitter: a uniform fraction of the exponential bound.
    expect(delays('THROTTLING', 0.25)).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000])
  })

  it('waits at least as long as a Retry-After hint asks, up to 5 s more than its own back-off', () => {
    const hint = (ms: number) => new Date(Date.now() + ms)
    expect(strategy(0.1).backoffMs(0, {errorType: 'THROTTLING', retryAfterHint: hint(3_000)})).toBeGreaterThan(2_900)
    expect(strategy(0.1).backoffMs(0, {errorType: 'THROTTLING', retryAfterHint: hint(60_000)})).toBe(5_100)
  })
})

describe('AdaptiveRateLimiter (the SDK adaptive mode, on the run clock)', () => {
  it('does not pace sends until throttling is seen', async () => {
    const clock = new VirtualClock()
    const limiter = new AdaptiveRateLimiter(clock)
    const before = clock.now()
    for (let i = 0; i < 50; i++) {
      await limiter.acquire()
      limiter.update(false)
    }
    expect(clock.now()).toBe(before)
    expect(limiter.pacing).toBe(false)
  })

  it('after throttling, paces sends at the minimum fill rate (0.5 a second) on the virtual clock', async () => {
    const clock = new VirtualClock()
    const limiter = new AdaptiveRateLimiter(clock)
    limiter.update(true)
    const before = clock.now()
    for (let i = 0; i < 5; i++) await limiter.acquire()
    expect(limiter.pacing).toBe(true)
    expect(clock.now() - before).toBe(10_000)
  })

  it('waits whole milliseconds, so that a virtual clock at epoch milliseconds always moves', async () => {
    const sleeps: number[] = []
    const clock = new (class extends VirtualClock {
      override sleep(ms: number, signal?: AbortSignal): Promise<void> {
        sleeps.push(ms)
        return super.sleep(ms, signal)
      }
    })()
    const limiter = new AdaptiveRateLimiter(clock)
    limiter.update(true)
    for (let i = 0; i < 200; i++) {
      clock.advance(0.37)
      await limiter.acquire()
      limiter.update(i % 50 === 49)
    }
    expect(sleeps.length).toBeGreaterThan(0)
    expect(sleeps.filter((ms) => !Number.isInteger(ms) || ms < 1)).toEqual([])
  }, 5_000)

  it('stops pacing once the signal is aborted, and an aborted wait rejects with the reason', async () => {
    const clock = new VirtualClock()
    const limiter = new AdaptiveRateLimiter(clock)
    limiter.update(true)
    const controller = new AbortController()
    controller.abort(new Error('interrupted'))
    const before = clock.now()
    await limiter.acquire(controller.signal)
    expect(clock.now()).toBe(before)

    const pending = new AbortController()
    const waiting = limiter.acquire(pending.signal)
    pending.abort(new Error('interrupted while waiting'))
    await expect(waiting).rejects.toThrow('interrupted while waiting')
  })
})
