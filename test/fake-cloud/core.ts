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

/** A method of a fake that answers one operation. */
export type OperationHandler = (input: any) => unknown

/** Operations that change nothing (the call log's reads; the rest count as mutating, and a crash can follow them). */
const READ_OPERATION = /^(Describe|List|Get|Filter)/

/**
 * Handlers from a table of SDK command classes and the methods that answer
 * them: the operation is named after the command, mutating unless it is a
 * read (`Describe*`, `List*`, `Get*`, `Filter*`); `prepare` runs first (a
 * fake's sweep of what time changed, and what it does to the input), the
 * answer is a copy, so neither side can change the other's objects
 * afterwards, and `settle` runs last (what the call set off that takes
 * effect at once).
 */
export function handlersOf(
  table: [FakeHandler['command'], OperationHandler][],
  prepare: (operation: string, input: Record<string, unknown>) => unknown = (_operation, input) => input,
  settle?: () => void,
): FakeHandler[] {
  return table.map(([command, handle]) => {
    const operation = command.name.replace(/Command$/, '')
    return {
      command,
      operation,
      mutating: !READ_OPERATION.test(operation),
      handle: (input: unknown) => {
        const output = structuredClone(handle(prepare(operation, (input ?? {}) as Record<string, unknown>)))
        settle?.()
        return output
      },
    }
  })
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
  /** Resources a stack can leave behind in this service (FakeCloud.resourceCount sums them; SSM's parameters are the state's). */
  resourceCount?(): number
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
  /**
   * Network interfaces of other services in the fake EC2's subnets (see
   * FakeNetworkInterfaces). Set by the fake EC2 when it is built, so every
   * FakeCloud has it; absent only where no fake EC2 was built.
   */
  networkInterfaces?: FakeNetworkInterfaces
}

// ---------------------------------------------------------------- network interfaces other fakes make (owned by the EC2 fake)

/**
 * A network interface another fake service places in the fake EC2's subnets,
 * as AWS services do: an Application Load Balancer has one per subnet, an
 * ECS task (awsvpc) one, a Lambda function one per subnet and group set.
 * The fake EC2 serves them through DescribeNetworkInterfaces and, as AWS
 * does, refuses DeleteSubnet, DeleteSecurityGroup and DeleteVpc
 * (DependencyViolation) while one is in the subnet, has the group, or is in
 * the VPC. What an ALB's looks like (DescribeNetworkInterfaces on a live one):
 * `{subnetId, groupIds: <the ALB's groups>, description: 'ELB app/<name>/<16 hex>',
 *   interfaceType: 'interface', requesterId: 'amazon-elb', requesterManaged: true,
 *   attachment: {instanceOwnerId: 'amazon-elb'}}`.
 */
export interface FakeNetworkInterfaceSpec {
  subnetId: string
  /** Security groups (of the subnet's VPC). Default: none. */
  groupIds?: string[]
  /** How AWS services say whose it is: `ELB app/<name>/<id>`, `arn:aws:ecs:<region>:<account>:attachment/<uuid>`. */
  description: string
  /** `interface` (ALB, ECS task), `lambda`, `network_load_balancer`… Default `interface`. */
  interfaceType?: string
  /** The principal or service that made it: `amazon-elb`; an AWS account id for ECS. Default: none shown. */
  requesterId?: string
  /** Made by an AWS service on the account's behalf (we cannot detach or change it). Default false. */
  requesterManaged?: boolean
  /** Attached (status `in-use`) to `instanceOwnerId` (`amazon-elb`, `amazon-aws`, an account id), optionally an instance. Absent: `available`. */
  attachment?: {instanceOwnerId: string; instanceId?: string}
  tags?: {Key: string; Value: string}[]
  /**
   * A managed resource (EKS Auto Mode, ECS Managed Instances): `Operator` in
   * the answer. `hiddenByDefault`: the account hides managed resources, so
   * describes leave it out unless `IncludeManagedResources` is true.
   */
  operator?: {principal: string; hiddenByDefault?: boolean}
}

/** What the fake EC2 made of a registered interface. */
export interface FakeNetworkInterface {
  /** `eni-` and 17 hex characters. */
  id: string
  vpcId: string
  availabilityZone: string
  privateIpAddress: string
}

/**
 * `env.networkInterfaces`: how other fakes put network interfaces into the
 * fake EC2 and take them out. Errors are EC2's (InvalidSubnetID.NotFound,
 * InvalidGroup.NotFound, InvalidNetworkInterfaceID.NotFound), for the
 * caller to translate into its own service's.
 */
export interface FakeNetworkInterfaces {
  /** Makes one in `spec.subnetId`. The subnet and groups must exist (NotFound), the groups in the subnet's VPC (InvalidParameter). */
  add(spec: FakeNetworkInterfaceSpec): FakeNetworkInterface
  /**
   * What AWS does with a service's interfaces after the resource is deleted
   * (DeleteLoadBalancer): they stay `in-use` for `attachedMs`, then
   * `available` (detached) for `detachedMs`, then are gone. Defaults: the fake
   * EC2's `releasedInterfaceAttachedMs` / `releasedInterfaceDetachedMs`
   * timings (3 minutes and none; `new FakeCloud({timings})` sets them).
   * Releasing again changes nothing; an unknown id is NotFound.
   */
  release(id: string, timing?: {attachedMs?: number; detachedMs?: number}): void
  /**
   * Replaces its security groups (what SetSecurityGroups on a load balancer
   * does to its interfaces, at once): the old groups are free to go. Checks
   * the groups as `add` does; an unknown id is NotFound.
   */
  setGroups(id: string, groupIds: string[]): void
  /** Gone at once (an unknown id: nothing happens). */
  remove(id: string): void
  /** Whether it still exists (a released one until it goes). */
  has(id: string): boolean
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
  /**
   * Set by FakeIam: whether another service may use a role or instance
   * profile now (`arn:aws:iam::<account>:role/…`, `…:instance-profile/…`, or a
   * name: an instance profile's unless `kind` says `role`). False for one
   * made less than IAM's `propagationMs` ago, and for one that does not
   * exist: the fake ECS, EC2 and Auto Scaling then refuse it as AWS does
   * (src/resources/iam/errors.ts, isIamPropagationError, has their messages).
   */
  iamUsable?: (arnOrName: string, kind?: 'role' | 'instance-profile') => boolean
}

// ---------------------------------------------------------------- EC2 capacity: instances other fakes launch, public parameters

/** An instance the fake EC2 launched for another fake (an Auto Scaling group's). */
export interface FakeLaunchedInstance {
  id: string
  /** The launch template version it was launched from (`$Default`/`$Latest` resolved to a number). */
  launchTemplateVersion: number
}

/**
 * `env.ec2Instances`: how the fake Auto Scaling launches and terminates its
 * instances through the fake EC2's RunInstances and TerminateInstances logic
 * (ids, states on the clock, a network interface holding the subnet and
 * groups until `terminated`). Errors are EC2's.
 */
export interface FakeEc2Instances {
  /** Launches one instance from a launch template version (`$Default`, `$Latest` or a number) in `subnetId`. */
  launchFromTemplate(spec: {launchTemplateId: string; version: string; subnetId: string; tags: {Key: string; Value: string}[]}): FakeLaunchedInstance
  /** The number a version selector names now (for "is this instance up to date"). */
  resolveVersion(launchTemplateId: string, version: string): number
  terminate(id: string): void
  /** `pending`, `running`, `shutting-down`, `terminated`; undefined once it is no longer listed. */
  state(id: string): string | undefined
  /** Every instance still listed, however launched (RunInstances or a group's): what the fake ECS's agents run on. */
  list(): FakeInstanceView[]
}

/** An instance as another fake sees it (the fake ECS: which cluster its user data joins, its size). */
export interface FakeInstanceView {
  id: string
  instanceType: string
  state: string
  /** Base64, as given at launch. */
  userData?: string
  /** When it turned `running`, if it did (before any termination). */
  runningAt?: number
}

export interface FakeEnv {
  /** Set by the fake EC2: see FakeEc2Instances. */
  ec2Instances?: FakeEc2Instances
  /** Set by the fake SSM: a parameter's value (what EC2's `resolve:ssm:<name>` image ids read), undefined when there is none. */
  ssmParameterValue?: (name: string) => string | undefined
}
