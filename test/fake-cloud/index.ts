import {EC2Client, EC2ServiceException} from '@aws-sdk/client-ec2'
import {SSMClient, SSMServiceException} from '@aws-sdk/client-ssm'
import {type AwsStub, mockClient} from 'aws-sdk-client-mock'
import {errorCode} from '../../src/aws/errors.js'
import {currentNodeId} from '../../src/engine/scope.js'
import {type Clock, VirtualClock} from '../../src/util/clock.js'
import {type CallRecord, type FakeEnv, type FakeHandler, Faults, SimulatedCrash} from './core.js'
import {type Ec2Timings, FakeEc2} from './ec2.js'
import {FakeSsm} from './ssm.js'

export {SimulatedCrash} from './core.js'

/**
 * The in-memory AWS the whole-stack tests and benchmarks run against: EC2 and
 * SSM fakes behind the real SDK clients (aws-sdk-client-mock replaces `send`),
 * one virtual clock, a call log, and fault injection (throttling, eventual
 * consistency, a crash after the k-th mutating call, latency).
 */
export class FakeCloud {
  readonly clock: Clock
  readonly faults = new Faults()
  readonly env: FakeEnv
  readonly ec2: FakeEc2
  readonly ssm: FakeSsm
  readonly calls: CallRecord[] = []
  private mutations = 0
  private crashedAt: number | undefined
  private stubs: AwsStub<any, any, any>[] = []

  constructor(options: {clock?: Clock; region?: string; timings?: Partial<Ec2Timings>} = {}) {
    this.clock = options.clock ?? new VirtualClock()
    this.env = {clock: this.clock, faults: this.faults, region: options.region ?? 'us-east-1', accountId: '123456789012'}
    this.ec2 = new FakeEc2(this.env, options.timings)
    this.ssm = new FakeSsm(this.env)
  }

  /** Routes every EC2 and SSM client call of this process to the fake. Call `restore()` after. */
  install(): this {
    this.restore()
    const ec2 = mockClient(EC2Client)
    const ssm = mockClient(SSMClient)
    this.wire(ec2, 'ec2', this.ec2.handlers())
    this.wire(ssm, 'ssm', this.ssm.handlers())
    this.stubs = [ec2, ssm]
    return this
  }

  restore(): void {
    for (const stub of this.stubs) stub.restore()
    this.stubs = []
  }

  /** Forgets the call log (and a crash): the next run starts counting from zero. */
  resetCalls(): void {
    this.calls.length = 0
    this.mutations = 0
    this.crashedAt = undefined
    this.faults.crashAfterMutatingCalls = undefined
  }

  mutatingCalls(): CallRecord[] {
    return this.calls.filter((call) => call.mutating)
  }

  /** Calls per operation, for assertions and benchmarks. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const call of this.calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1
    return counts
  }

  private wire(stub: AwsStub<any, any, any>, service: string, handlers: FakeHandler[]): void {
    // An operation the fake does not implement must fail loudly, not return undefined.
    // (Set first: a default behaviour set after `.on()` would override the per-command ones.)
    stub.callsFake((input: unknown) => {
      throw new Error(`fake ${service}: operation not implemented (input ${JSON.stringify(input)})`)
    })
    for (const handler of handlers) {
      stub.on(handler.command as never).callsFake((input: unknown) => this.dispatch(service, handler, input))
    }
  }

  private async dispatch(service: string, handler: FakeHandler, input: unknown): Promise<unknown> {
    const latency = this.faults.latencyMs(service, handler.operation)
    const record: CallRecord = {service, operation: handler.operation, mutating: handler.mutating, input: structuredClone(input), node: currentNodeId(), at: this.clock.now(), latencyMs: latency}
    this.calls.push(record)
    if (this.crashedAt !== undefined) {
      record.error = 'SimulatedCrash'
      throw new SimulatedCrash(this.crashedAt)
    }
    if (latency > 0) await this.clock.sleep(latency)
    if (this.faults.takeThrottle(handler.operation)) {
      const error = throttlingError(service)
      record.error = errorCode(error)
      throw error
    }
    try {
      const output = await handler.handle(input)
      if (handler.mutating) {
        this.mutations++
        const crashAfter = this.faults.crashAfterMutatingCalls
        if (crashAfter !== undefined && this.mutations >= crashAfter) {
          // The call took effect; the process died before it saw the response.
          this.crashedAt = this.mutations
          throw new SimulatedCrash(this.mutations)
        }
      }
      return output
    } catch (error) {
      record.error = errorCode(error)
      throw error
    }
  }
}

/** What each service answers when it throttles (EC2's query API vs SSM's JSON API). */
function throttlingError(service: string): Error {
  if (service === 'ec2') {
    return new EC2ServiceException({name: 'RequestLimitExceeded', $fault: 'client', $metadata: {httpStatusCode: 503}, message: 'Request limit exceeded.'})
  }
  return new SSMServiceException({name: 'ThrottlingException', $fault: 'client', $metadata: {httpStatusCode: 400}, message: 'Rate exceeded'})
}
