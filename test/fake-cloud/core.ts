import type {Clock} from '../../src/util/clock.js'

/**
 * Shared plumbing of the in-memory fake cloud: the call log, fault injection
 * and the handler table each fake service exposes. `index.ts` answers the
 * SDK clients' calls with the handlers, from inside the SDK's middleware
 * stack (after the retry middleware, before signing).
 */

export interface FakeHandler {
  /** The SDK command class, e.g. `CreateVpcCommand`. */
  command: abstract new (...args: any[]) => any
  /** Operation name without `Command`, e.g. `CreateVpc`. */
  operation: string
  /** Changes cloud state (counts for "zero mutating calls" and crash injection). */
  mutating: boolean
  handle: (input: any) => unknown
}

/**
 * One fake AWS service: a file in this folder, registered with one line in
 * index.ts. Calls are routed to a handler by the SDK command class the
 * caller sent, so services never collide on operation names.
 */
export interface FakeService {
  /** The service name used in the call log (`ec2`, `ssm`: the names src/aws/clients.ts uses). */
  readonly service: string
  handlers(): FakeHandler[]
  /** The error this service answers with when `faults.throttle` fires (default: index.ts's, per protocol). */
  throttlingError?(): Error
}

export interface CallRecord {
  service: string
  operation: string
  mutating: boolean
  input: unknown
  /** Error code when the call failed. */
  error?: string
  /** The resource node that made the call (the engine's node scope), if any. */
  node?: string
  /** Fake-clock time the call arrived, and the latency the fake applied to it. */
  at: number
  latencyMs: number
}

/** Thrown by every call once the simulated process has "died". */
export class SimulatedCrash extends Error {
  constructor(readonly afterMutatingCalls: number) {
    super(`simulated crash after mutating call #${afterMutatingCalls}`)
    this.name = 'SimulatedCrash'
  }
}

/** An answer that is not AWS's: its HTTP status and body. */
export interface Garbage {
  status: number
  body: string
}

/** nginx's page for a dead upstream, as a proxy in front of an endpoint serves it. */
export const BAD_GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'

export class Faults {
  /** operation (or '*') → how many more calls of it answer with throttling. */
  private readonly throttles = new Map<string, number>()
  /**
   * How long (ms of the fake's clock) a newly created resource stays invisible
   * to describes by id and to calls that reference it: EC2's eventual
   * consistency. https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
   */
  consistencyDelayMs = 0
  /** After this many mutating calls have been applied, every later call throws SimulatedCrash. */
  crashAfterMutatingCalls: number | undefined
  /**
   * Operations (e.g. 'DescribeNatGateways') whose `tag:` filters the fake
   * ignores, returning every item the other filters match, as moto does for
   * some describes: lets tests prove that ownership is checked on the client,
   * whatever a server-side filter returned (DESIGN.md, "find").
   */
  ignoreTagFilters = new Set<string>()
  /** operation (or '*') → what answers it instead of AWS (see `garbage`). */
  private readonly garbled = new Map<string, Garbage & {left: number}>()
  /** Per-operation latency (ms of the fake's clock), for benchmarks. */
  latencyMs: (service: string, operation: string) => number = () => 0

  throttle(operation: string | '*', times: number): void {
    this.throttles.set(operation, (this.throttles.get(operation) ?? 0) + times)
  }

  /**
   * The next `times` calls of `operation` (default: every one) are answered
   * the way a proxy or load balancer in front of the endpoint answers when
   * the service behind it is down: an HTML page (`502 Bad Gateway` unless
   * told otherwise) instead of AWS's XML or JSON. The caller gets the error
   * the real SDK client throws for it (index.ts feeds the page through the
   * client's own deserializer): for EC2, `XML parse error: mismatched tags…`
   * with `$metadata.httpStatusCode`; a 5xx is retried by the SDK like any
   * server error.
   */
  garbage(operation: string | '*', options: Partial<Garbage> & {times?: number} = {}): void {
    this.garbled.set(operation, {status: options.status ?? 502, body: options.body ?? BAD_GATEWAY_PAGE, left: options.times ?? Infinity})
  }

  /** Consumes one injected garbage answer for this operation, if any. */
  takeGarbage(operation: string): Garbage | undefined {
    for (const key of [operation, '*']) {
      const garbage = this.garbled.get(key)
      if (garbage && garbage.left > 0) {
        garbage.left--
        return {status: garbage.status, body: garbage.body}
      }
    }
    return undefined
  }

  /** Consumes one injected throttle for this operation, if any. */
  takeThrottle(operation: string): boolean {
    for (const key of [operation, '*']) {
      const left = this.throttles.get(key) ?? 0
      if (left > 0) {
        this.throttles.set(key, left - 1)
        return true
      }
    }
    return false
  }
}

export interface FakeEnv {
  clock: Clock
  faults: Faults
  region: string
  accountId: string
}

/**
 * What one fake service asks of another, each hook set by the service that
 * answers it (declaration merging keeps them beside FakeEnv's own fields).
 */
export interface FakeEnv {
  /** Set by FakeRoute53: the values of the record sets of `type` at `name`, in any zone (what ACM's DNS validation sees). */
  dnsRecords?: (name: string, type: string) => string[]
  /**
   * Set by the fake ELBv2: the ARNs of the listeners that use a certificate.
   * FakeAcm refuses to delete a certificate in use (ResourceInUseException)
   * and lists them in DescribeCertificate's InUseBy.
   */
  certificateUsers?: (certificateArn: string) => string[]
  /**
   * Set by FakeAcm: a certificate's status (`ISSUED`, `PENDING_VALIDATION`…),
   * undefined when ACM has no such certificate: the fake ELBv2 answers a
   * listener given an unknown or unissued one with CertificateNotFound.
   */
  certificateStatus?: (certificateArn: string) => string | undefined
}
