import {EC2ServiceException} from '@aws-sdk/client-ec2'
import {Client, ServiceException} from '@smithy/core/client'
import {type FinalizeRequestMiddleware, type HandlerExecutionContext, SMITHY_CONTEXT_KEY} from '@smithy/types'
import {errorCode} from '../../src/aws/errors.js'
import {currentNodeId} from '../../src/engine/scope.js'
import {type Clock, VirtualClock} from '../../src/util/clock.js'
import {type CallRecord, type FakeEnv, type FakeHandler, type FakeService, Faults, type Garbage, SimulatedCrash} from './core.js'
import {type Ec2Timings, FakeEc2} from './ec2.js'
import {FakeSsm} from './ssm.js'
import {type AcmTimings, FakeAcm} from './acm.js'
import {FakeRoute53, type Route53Timings} from './route53.js'
import {type Elbv2Timings, FakeElbv2} from './elbv2.js'
import {FakeIam, type IamTimings} from './iam.js'
import {FakeEcr} from './ecr.js'
import {FakeLogs} from './logs.js'
import {type AutoScalingTimings, FakeAutoScaling} from './autoscaling.js'
import {type EcsTimings, FakeEcs} from './ecs.js'

export {SimulatedCrash} from './core.js'

export interface FakeCloudOptions {
  clock?: Clock
  region?: string
  timings?: Partial<Ec2Timings>
  acmTimings?: Partial<AcmTimings>
  route53Timings?: Partial<Route53Timings>
  elbv2Timings?: Partial<Elbv2Timings>
  iamTimings?: Partial<IamTimings>
  autoscalingTimings?: Partial<AutoScalingTimings>
  ecsTimings?: Partial<EcsTimings>
  /** Further fake services (a test's own), routed like the built-in ones. */
  services?: ((env: FakeEnv) => FakeService)[]
}

/**
 * The fake services every FakeCloud has, each reachable as `cloud.<name>`.
 * Adding a service is one file in this folder and one line here.
 */
const SERVICES = {
  ec2: (env: FakeEnv, options: FakeCloudOptions) => new FakeEc2(env, options.timings),
  ssm: (env: FakeEnv) => new FakeSsm(env),
  acm: (env: FakeEnv, options: FakeCloudOptions) => new FakeAcm(env, options.acmTimings),
  route53: (env: FakeEnv, options: FakeCloudOptions) => new FakeRoute53(env, options.route53Timings),
  elbv2: (env: FakeEnv, options: FakeCloudOptions) => new FakeElbv2(env, options.elbv2Timings),
  iam: (env: FakeEnv, options: FakeCloudOptions) => new FakeIam(env, options.iamTimings),
  ecr: (env: FakeEnv) => new FakeEcr(env),
  logs: (env: FakeEnv) => new FakeLogs(env),
  autoscaling: (env: FakeEnv, options: FakeCloudOptions) => new FakeAutoScaling(env, options.autoscalingTimings),
  ecs: (env: FakeEnv, options: FakeCloudOptions) => new FakeEcs(env, options.ecsTimings),
} satisfies Record<string, (env: FakeEnv, options: FakeCloudOptions) => FakeService>

type BuiltInServices = {readonly [Name in keyof typeof SERVICES]: ReturnType<(typeof SERVICES)[Name]>}

/** Name of the fake's middleware in each client's stack. */
export const FAKE_CLOUD_MIDDLEWARE = 'fakeCloud'

/** Credentials the SDK resolves (before the fake answers) for clients the fake serves: no credential chain, no IMDS. */
const FAKE_CREDENTIALS = async () => ({accessKeyId: 'AKIAFAKECLOUD', secretAccessKey: 'fake-cloud'})

type SmithyClient = Client<any, any, any, any> & {config: {credentials?: unknown}}
type Send = (this: SmithyClient, ...args: unknown[]) => unknown
const smithySend = Client.prototype.send as Send
let installed: FakeCloud | undefined

/** A call the fake answers: which service and handler the SDK command class maps to. */
interface Route {
  service: FakeService
  handler: FakeHandler
}

// `cloud.ec2`, `cloud.ssm`…: defined per registered service in the constructor, typed here.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface FakeCloud extends BuiltInServices {}

/**
 * The in-memory AWS the whole-stack tests and benchmarks run against: fake
 * services behind the real SDK clients, one clock, a call log, and fault
 * injection (throttling, eventual consistency, a crash after the k-th
 * mutating call, latency).
 *
 * Wiring: `install()` patches `send` of smithy's `Client`, the class every
 * SDK v3 client extends, so that the first call of each client instance adds
 * one middleware to its stack, right before `httpSigningMiddleware`. The
 * request therefore goes through the client's real middleware: serialization
 * and endpoint resolution (which need a region: vitest.config.ts sets
 * AWS_REGION), the SDK's retry middleware with src/aws/retry.ts's strategy,
 * and src/aws/clients.ts's call counter (right after the retry middleware,
 * so before the fake) — and the fake answers `args.input` for the command
 * class in `context`, once per attempt, where the request would be signed
 * and sent: no signing, no HTTP. Injected throttling is thus retried by the
 * real retry strategy on the run's clock, and each attempt is in `calls`.
 * The clients the fake serves resolve fixed fake credentials (identity is
 * resolved before the fake, in the serialize step), so no credential chain
 * runs.
 *
 * aws-sdk-client-mock: `mockClient(EC2Client)` stubs `send` on
 * EC2Client.prototype, which shadows the patched `Client.prototype.send` for
 * that class while the stub is active (the stub answers, no middleware
 * runs), and its `restore()` deletes the stub so the patch shows again. The
 * two never fight, in any order; a mocked class simply bypasses the fake.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class FakeCloud {
  readonly clock: Clock
  readonly faults = new Faults()
  readonly env: FakeEnv
  readonly calls: CallRecord[] = []
  private readonly routes = new Map<FakeHandler['command'], Route>()
  private readonly services: FakeService[] = []
  /** Clients this installation added its middleware to, with the credentials they had. */
  private readonly attached = new Map<SmithyClient, unknown>()
  private mutations = 0
  private crashedAt: number | undefined

  constructor(options: FakeCloudOptions = {}) {
    this.clock = options.clock ?? new VirtualClock()
    this.env = {clock: this.clock, faults: this.faults, region: options.region ?? 'us-east-1', accountId: '123456789012'}
    for (const [name, make] of Object.entries(SERVICES)) {
      Object.defineProperty(this, name, {value: this.register(make(this.env, options)), enumerable: true})
    }
    for (const make of options.services ?? []) this.register(make(this.env))
  }

  /** Routes every SDK client call of this process to the fake (a previously installed fake is restored first). Call `restore()` after. */
  install(): this {
    installed?.restore()
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the one installed fake, module-wide
    installed = this
    // The patched `send` needs both the client (its own `this`) and this fake.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const cloud = this
    Client.prototype.send = function (this: SmithyClient, ...args: unknown[]) {
      cloud.attach(this)
      return smithySend.apply(this, args)
    } as typeof Client.prototype.send
    return this
  }

  /** Undoes `install()`: `send` is smithy's again and no client keeps the fake's middleware. */
  restore(): void {
    if (installed === this) {
      Client.prototype.send = smithySend as typeof Client.prototype.send
      installed = undefined
    }
    for (const [client, credentials] of this.attached) {
      client.middlewareStack.remove(FAKE_CLOUD_MIDDLEWARE)
      client.config.credentials = credentials
    }
    this.attached.clear()
  }

  /**
   * Resources of every service a stack can leave behind (EC2, ELBv2, ACM,
   * Route 53 records and zones it made), not the state's SSM parameters:
   * "teardown leaves nothing" is this being 0.
   */
  resourceCount(): number {
    let count = 0
    for (const service of this.services) count += service.resourceCount?.() ?? 0
    return count
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

  private register<S extends FakeService>(service: S): S {
    this.services.push(service)
    for (const handler of service.handlers()) this.routes.set(handler.command, {service, handler})
    return service
  }

  private attach(client: SmithyClient): void {
    if (this.attached.has(client)) return
    this.attached.set(client, client.config.credentials)
    client.config.credentials = FAKE_CREDENTIALS
    client.middlewareStack.addRelativeTo(this.middleware(client), {
      name: FAKE_CLOUD_MIDDLEWARE,
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      override: true,
    })
  }

  /** Answers each attempt with the fake's output for `args.input`, or throws its error; never calls `next`. */
  private middleware(client: SmithyClient): FinalizeRequestMiddleware<any, any> {
    return (_next, context: HandlerExecutionContext) => async (args) => {
      const command: unknown = context[SMITHY_CONTEXT_KEY]?.commandInstance
      const route = typeof command === 'object' && command !== null ? this.routes.get(command.constructor as FakeHandler['command']) : undefined
      if (!route) {
        // An operation the fake does not implement fails loudly (and is not retried: a plain Error is a client error).
        throw new Error(`fake cloud: ${context.clientName} ${context.commandName} is not implemented (input ${JSON.stringify(args.input)})`)
      }
      const garbage = (input: unknown, answer: Garbage) => garbageError(client, (command as object).constructor as new (input: unknown) => unknown, input, answer)
      const output = await this.dispatch(route.service, route.handler, args.input, garbage)
      return {
        response: {statusCode: 200, headers: {}},
        output: {...(output as object), $metadata: {httpStatusCode: 200, requestId: `fake-${this.calls.length}`}},
      }
    }
  }

  private async dispatch(fake: FakeService, handler: FakeHandler, input: unknown, garbage: (input: unknown, answer: Garbage) => Promise<Error>): Promise<unknown> {
    const service = fake.service
    const latency = this.faults.latencyMs(service, handler.operation)
    const record: CallRecord = {service, operation: handler.operation, mutating: handler.mutating, input: structuredClone(input), node: currentNodeId(), at: this.clock.now(), latencyMs: latency}
    this.calls.push(record)
    if (this.crashedAt !== undefined) {
      record.error = 'SimulatedCrash'
      throw new SimulatedCrash(this.crashedAt)
    }
    if (latency > 0) await this.clock.sleep(latency)
    const answer = this.faults.takeGarbage(handler.operation)
    if (answer) {
      const error = await garbage(input, answer)
      record.error = `HTTP ${answer.status}: not AWS's answer`
      throw error
    }
    if (this.faults.takeThrottle(handler.operation)) {
      const error = fake.throttlingError?.() ?? throttlingError(service)
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

/**
 * The error the real SDK client throws when `answer` comes back instead of
 * AWS's: a client of the caller's class whose HTTP handler returns the page
 * (one attempt, its own `send`: not through the fake) runs the same command
 * through its real deserializer. A new error per call: the SDK writes the
 * attempt count into it.
 */
async function garbageError(caller: SmithyClient, command: new (input: unknown) => unknown, input: unknown, answer: Garbage): Promise<Error> {
  const ClientClass = caller.constructor as new (config: object) => SmithyClient
  const client = new ClientClass({
    region: await (caller.config as {region: () => Promise<string>}).region(),
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {handle: async () => ({response: {statusCode: answer.status, headers: {'content-type': 'text/html'}, body: Buffer.from(answer.body)}})},
  })
  try {
    await smithySend.call(client, new command(input))
  } catch (error) {
    return error as Error
  }
  throw new Error(`fake cloud: the SDK accepted ${answer.body.slice(0, 40)}… as an answer`)
}

/** What a service that does not say otherwise (FakeService.throttlingError) answers when it throttles: EC2's query API vs the JSON APIs. */
function throttlingError(service: string): Error {
  if (service === 'ec2') {
    return new EC2ServiceException({name: 'RequestLimitExceeded', $fault: 'client', $metadata: {httpStatusCode: 503}, message: 'Request limit exceeded.'})
  }
  return new ServiceException({name: 'ThrottlingException', $fault: 'client', $metadata: {httpStatusCode: 400}, message: 'Rate exceeded'})
}
