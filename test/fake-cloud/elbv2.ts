import {
  type Action,
  AddTagsCommand,
  type AddTagsInput,
  type Certificate,
  CreateListenerCommand,
  type CreateListenerInput,
  type CreateListenerOutput,
  CreateLoadBalancerCommand,
  type CreateLoadBalancerInput,
  type CreateLoadBalancerOutput,
  CreateRuleCommand,
  type CreateRuleInput,
  type CreateRuleOutput,
  CertificateNotFoundException,
  CreateTargetGroupCommand,
  type CreateTargetGroupInput,
  type CreateTargetGroupOutput,
  DeleteListenerCommand,
  type DeleteListenerInput,
  DeleteLoadBalancerCommand,
  type DeleteLoadBalancerInput,
  DeleteRuleCommand,
  type DeleteRuleInput,
  DeleteTargetGroupCommand,
  type DeleteTargetGroupInput,
  DeregisterTargetsCommand,
  type DeregisterTargetsInput,
  DescribeListenersCommand,
  type DescribeListenersInput,
  type DescribeListenersOutput,
  DescribeLoadBalancerAttributesCommand,
  type DescribeLoadBalancerAttributesInput,
  type DescribeLoadBalancerAttributesOutput,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersInput,
  type DescribeLoadBalancersOutput,
  DescribeRulesCommand,
  type DescribeRulesInput,
  type DescribeRulesOutput,
  DescribeTagsCommand,
  type DescribeTagsInput,
  type DescribeTagsOutput,
  DescribeTargetGroupAttributesCommand,
  type DescribeTargetGroupAttributesInput,
  type DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsInput,
  type DescribeTargetGroupsOutput,
  DescribeTargetHealthCommand,
  type DescribeTargetHealthInput,
  type DescribeTargetHealthOutput,
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTagKeysException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2ServiceException,
  IncompatibleProtocolsException,
  InvalidConfigurationRequestException,
  InvalidSecurityGroupException,
  type Listener,
  ListenerNotFoundException,
  type LoadBalancer,
  type LoadBalancerAttribute,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  type ModifyListenerInput,
  type ModifyListenerOutput,
  ModifyLoadBalancerAttributesCommand,
  type ModifyLoadBalancerAttributesInput,
  type ModifyLoadBalancerAttributesOutput,
  ModifyRuleCommand,
  type ModifyRuleInput,
  type ModifyRuleOutput,
  ModifyTargetGroupAttributesCommand,
  type ModifyTargetGroupAttributesInput,
  type ModifyTargetGroupAttributesOutput,
  ModifyTargetGroupCommand,
  type ModifyTargetGroupInput,
  type ModifyTargetGroupOutput,
  OperationNotPermittedException,
  PriorityInUseException,
  RegisterTargetsCommand,
  type RegisterTargetsInput,
  RemoveTagsCommand,
  type RemoveTagsInput,
  ResourceInUseException,
  type Rule,
  type RuleCondition,
  RuleNotFoundException,
  SetRulePrioritiesCommand,
  type SetRulePrioritiesInput,
  type SetRulePrioritiesOutput,
  SetSecurityGroupsCommand,
  type SetSecurityGroupsInput,
  type SetSecurityGroupsOutput,
  SetSubnetsCommand,
  type SetSubnetsInput,
  type SetSubnetsOutput,
  SSLPolicyNotFoundException,
  SubnetNotFoundException,
  type Tag,
  type TargetGroup,
  TargetGroupAssociationLimitException,
  type TargetGroupAttribute,
  TargetGroupNotFoundException,
  type TargetHealthDescription,
  type TargetHealthReasonEnum,
  type TargetHealthStateEnum,
  TooManyTagsException,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {type FakeEnv, type FakeHandler, type FakeNetworkInterfaces, type FakeService, handlersOf, type OperationHandler} from './core.js'
import {stableJson} from './ec2-support.js'
import {IdGenerator} from './ids.js'

/**
 * An in-memory Elastic Load Balancing (v2), Application Load Balancers only:
 * load balancers (provisioning → active on the fake's clock, their network
 * interfaces placed in their subnets through the fake EC2), target groups and
 * their targets' health,
 * listeners and their rules, tags; AWS's ARNs, names, limits, pagination
 * (Marker/NextMarker) and error codes, raised as the SDK's modeled exceptions
 * with the wire code in `Code`, as the SDK's deserializer makes them.
 * API reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Operations.html
 */

/** How long ELBv2's asynchronous transitions take, in ms of the fake's clock. */
export interface Elbv2Timings {
  /** A new load balancer is `provisioning` this long, then `active` (AWS: a few minutes). */
  activeMs: number
  /** A deleted load balancer still answers describes this long (its name is not free before). */
  deletedMs: number
  /** A registered target passes its health checks after this long, once its group serves an active load balancer. */
  targetHealthyMs: number
}

export const DEFAULT_ELBV2_TIMINGS: Elbv2Timings = {
  activeMs: 120_000,
  deletedMs: 5_000,
  targetHealthyMs: 30_000,
}

/** "You can specify up to 20 resources in a single call." (API_DescribeTags, and LoadBalancerArns of API_DescribeLoadBalancers) */
const ARN_LIMIT = 20
/** Tags per resource. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html */
const TAG_LIMIT = 50
const PAGE_SIZE_MAX = 400

/**
 * Route 53 alias hosted zone ids of Application Load Balancers, per region.
 * https://docs.aws.amazon.com/general/latest/gr/elb.html
 */
const ALB_HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
}

/**
 * Predefined security policies a listener may name (a subset), and the one an
 * HTTPS listener created through the API gets when it names none.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 */
const SSL_POLICIES = new Set([
  'ELBSecurityPolicy-2016-08',
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
  'ELBSecurityPolicy-TLS-1-2-2017-01',
  'ELBSecurityPolicy-FS-1-2-Res-2020-10',
])
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08'

/** Attributes of a new Application Load Balancer (a subset), with AWS's defaults. */
const LB_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'idle_timeout.timeout_seconds': '60',
  'deletion_protection.enabled': 'false',
  'routing.http2.enabled': 'true',
  'access_logs.s3.enabled': 'false',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
}

const TG_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'load_balancing.algorithm.type': 'round_robin',
  'slow_start.duration_seconds': '0',
}

interface Tracked {
  arn: string
  tags: Tag[]
  createdAt: number
}

interface LoadBalancerRecord extends Tracked {
  name: string
  /** The 16 hex characters ending its ARN. */
  hexId: string
  scheme: string
  subnets: string[]
  securityGroups: string[]
  vpcId?: string
  dnsName: string
  attributes: Record<string, string>
  /** subnet id → the load balancer's network interface there. */
  interfaces: Record<string, PlacedInterface>
  deleteRequestedAt?: number
  /** Set by `failNextLoadBalancer`: it ends `failed` instead of `active`. */
  failure?: string
}

interface HealthCheck {
  path: string
  intervalSeconds: number
  timeoutSeconds: number
  healthyThreshold: number
  unhealthyThreshold: number
  matcher: string
}

interface TargetRecord {
  id: string
  port: number
  registeredAt: number
  /** Set by `setTargetHealth`: wins over the health the fake works out. */
  forced?: {state: TargetHealthStateEnum; reason?: TargetHealthReasonEnum}
}

interface TargetGroupRecord extends Tracked {
  name: string
  protocol: string
  port: number
  vpcId: string
  targetType: string
  healthCheck: HealthCheck
  attributes: Record<string, string>
  targets: Map<string, TargetRecord>
}

interface ListenerRecord extends Tracked {
  loadBalancerArn: string
  port: number
  protocol: string
  certificates: Certificate[]
  sslPolicy?: string
  defaultActions: Action[]
}

interface RuleRecord extends Tracked {
  listenerArn: string
  priority: number | 'default'
  conditions: RuleCondition[]
  actions: Action[]
}

/** A load balancer's interface in one subnet, with the subnet's zone and VPC as EC2 answered them (none without a fake EC2). */
interface PlacedInterface {
  id?: string
  availabilityZone?: string
  vpcId?: string
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode: number}; message: string}) => E

/** A modeled ELBv2 error as the SDK raises it from AWS's answer: the class, its wire code in `Code`. */
function elbError<E extends ElasticLoadBalancingV2ServiceException>(Exception: Modeled<E>, message: string): E {
  const error = new Exception({$metadata: {httpStatusCode: 400}, message})
  return Object.assign(error, {Code: error.name.replace(/Exception$/, ''), Type: 'Sender'})
}

/**
 * The fake EC2's answer about subnets and groups, as ELBv2 words it: a subnet
 * that does not exist is SubnetNotFound, a group that does not exist or is in
 * another VPC InvalidSecurityGroup.
 */
function fromEc2Error(error: unknown): unknown {
  if (error instanceof ElasticLoadBalancingV2ServiceException) return error
  const message = (error as Error).message
  switch ((error as {name?: string}).name) {
    case 'InvalidSubnetID.NotFound':
      return elbError(SubnetNotFoundException, message)
    case 'InvalidGroup.NotFound':
    case 'InvalidParameter':
    case 'InvalidParameterValue':
      return elbError(InvalidSecurityGroupException, message)
    default:
      return error
  }
}

/** An error with no modeled class (ValidationError, Throttling): the service exception named by its code. */
function serviceError(code: string, message: string, status = 400): ElasticLoadBalancingV2ServiceException {
  const error = new ElasticLoadBalancingV2ServiceException({name: code, $fault: 'client', $metadata: {httpStatusCode: status}, message})
  return Object.assign(error, {Code: code, Type: 'Sender'})
}

const validation = (message: string) => serviceError('ValidationError', message)

/**
 * Load balancer and target group names: "a maximum of 32 characters, must
 * contain only alphanumeric characters or hyphens, must not begin or end with
 * a hyphen, and must not begin with 'internal-'" (the last for load balancers).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
 */
function checkName(what: 'load balancer' | 'target group', name: string | undefined): string {
  const value = name ?? ''
  if (value.length === 0 || value.length > 32) throw validation(`The ${what} name '${value}' must be 1 to 32 characters long`)
  if (!/^[a-zA-Z0-9-]+$/.test(value)) throw validation(`The ${what} name '${value}' can contain only alphanumeric characters and hyphens`)
  if (value.startsWith('-') || value.endsWith('-')) throw validation(`The ${what} name '${value}' cannot begin or end with a hyphen`)
  if (what === 'load balancer' && value.startsWith('internal-')) throw validation(`The load balancer name '${value}' cannot begin with 'internal-'`)
  return value
}

function checkTags(tags: Tag[] | undefined): Tag[] {
  const list = (tags ?? []).map((tag) => ({Key: tag.Key, Value: tag.Value ?? ''}))
  const keys = list.map((tag) => tag.Key)
  if (new Set(keys).size !== keys.length) throw elbError(DuplicateTagKeysException, 'A tag key was specified more than once.')
  if (list.length > TAG_LIMIT) throw elbError(TooManyTagsException, `You've reached the limit on the number of tags for this resource (${TAG_LIMIT}).`)
  return list
}

function range(what: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) throw validation(`${what} '${value}' must be between ${min} and ${max}`)
}

/**
 * Marker pagination: pages of PageSize (1–400; at most `pageSize` whatever
 * the caller asks, so tests can force several pages) and an opaque NextMarker
 * while more remain.
 */
function paginate<T>(items: T[], pageSize: number | undefined, marker: string | undefined, limit: number): {page: T[]; NextMarker?: string} {
  range('PageSize', pageSize, 1, PAGE_SIZE_MAX)
  const size = Math.min(pageSize ?? PAGE_SIZE_MAX, limit)
  let offset = 0
  if (marker) {
    offset = Number(Buffer.from(marker, 'base64url').toString('utf8'))
    if (!Number.isInteger(offset) || offset < 0) throw validation(`Invalid marker: ${marker}`)
  }
  const page = items.slice(offset, offset + size)
  const next = offset + size
  return next < items.length ? {page, NextMarker: Buffer.from(String(next)).toString('base64url')} : {page}
}

export class FakeElbv2 implements FakeService {
  readonly service = 'elbv2'
  /** Change at any time: read at every call. */
  readonly timings: Elbv2Timings
  /** The largest page any describe returns (AWS: 400): lower it to make callers page. */
  pageSize = PAGE_SIZE_MAX
  // Its own seed: ids never meet the EC2 fake's (`eni-` ids especially).
  private readonly ids = new IdGenerator(0xe1b)
  private readonly loadBalancers = new Map<string, LoadBalancerRecord>()
  private readonly targetGroups = new Map<string, TargetGroupRecord>()
  private readonly listeners = new Map<string, ListenerRecord>()
  private readonly rules = new Map<string, RuleRecord>()
  private nextFailure: string | undefined

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<Elbv2Timings> = {},
  ) {
    this.timings = {...DEFAULT_ELBV2_TIMINGS, ...timings}
    // The fake ACM refuses to delete a certificate a listener uses, and names the listeners.
    env.certificateUsers = (certificateArn) => [...this.listeners.values()].filter((listener) => listener.certificates.some((certificate) => certificate.CertificateArn === certificateArn)).map((listener) => listener.arn)
  }

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateLoadBalancerCommand, (i) => this.createLoadBalancer(i)],
      [DescribeLoadBalancersCommand, (i) => this.describeLoadBalancers(i)],
      [DeleteLoadBalancerCommand, (i) => this.deleteLoadBalancer(i)],
      [DescribeLoadBalancerAttributesCommand, (i) => this.describeLoadBalancerAttributes(i)],
      [ModifyLoadBalancerAttributesCommand, (i) => this.modifyLoadBalancerAttributes(i)],
      [SetSubnetsCommand, (i) => this.setSubnets(i)],
      [SetSecurityGroupsCommand, (i) => this.setSecurityGroups(i)],
      [CreateTargetGroupCommand, (i) => this.createTargetGroup(i)],
      [DescribeTargetGroupsCommand, (i) => this.describeTargetGroups(i)],
      [ModifyTargetGroupCommand, (i) => this.modifyTargetGroup(i)],
      [DescribeTargetGroupAttributesCommand, (i) => this.describeTargetGroupAttributes(i)],
      [ModifyTargetGroupAttributesCommand, (i) => this.modifyTargetGroupAttributes(i)],
      [DeleteTargetGroupCommand, (i) => this.deleteTargetGroup(i)],
      [RegisterTargetsCommand, (i) => this.registerTargets(i)],
      [DeregisterTargetsCommand, (i) => this.deregisterTargets(i)],
      [DescribeTargetHealthCommand, (i) => this.describeTargetHealth(i)],
      [CreateListenerCommand, (i) => this.createListener(i)],
      [DescribeListenersCommand, (i) => this.describeListeners(i)],
      [ModifyListenerCommand, (i) => this.modifyListener(i)],
      [DeleteListenerCommand, (i) => this.deleteListener(i)],
      [CreateRuleCommand, (i) => this.createRule(i)],
      [DescribeRulesCommand, (i) => this.describeRules(i)],
      [ModifyRuleCommand, (i) => this.modifyRule(i)],
      [SetRulePrioritiesCommand, (i) => this.setRulePriorities(i)],
      [DeleteRuleCommand, (i) => this.deleteRule(i)],
      [DescribeTagsCommand, (i) => this.describeTags(i)],
      [AddTagsCommand, (i) => this.addTags(i)],
      [RemoveTagsCommand, (i) => this.removeTags(i)],
    ]
    return handlersOf(table, (_operation, input) => {
      this.sweep()
      return structuredClone(input)
    })
  }

  /** ELBv2 throttles with the query protocol's `Throttling` (HTTP 400), which the SDK retries as throttling. */
  throttlingError(): Error {
    return serviceError('Throttling', 'Rate exceeded')
  }

  // ---------------------------------------------------------------- helpers for tests

  /** Live objects: load balancers (not deleted), target groups, listeners and rules other than default ones. */
  resourceCount(): number {
    this.sweep()
    const lbs = [...this.loadBalancers.values()].filter((lb) => lb.deleteRequestedAt === undefined).length
    const rules = [...this.rules.values()].filter((rule) => rule.priority !== 'default').length
    return lbs + this.targetGroups.size + this.listeners.size + rules
  }

  /** The next load balancer created ends `failed` (with this reason) instead of `active`. */
  failNextLoadBalancer(reason = 'Insufficient capacity in the Availability Zones'): void {
    this.nextFailure = reason
  }

  /** Sets a target's health, whatever the fake would work out (`unhealthy` with `Target.ResponseCodeMismatch`…). */
  setTargetHealth(targetGroupArn: string, targetId: string, state: TargetHealthStateEnum, reason?: TargetHealthReasonEnum): void {
    const target = this.mustHave(this.targetGroups, targetGroupArn).targets.get(targetId)
    if (!target) throw new Error(`FakeElbv2: no target ${targetId} in ${targetGroupArn}`)
    target.forced = reason === undefined ? {state} : {state, reason}
  }

  /**
   * Removes an object at once, as someone in the console would: a load
   * balancer with its listeners and rules (deletion protection aside), a
   * listener with its rules, a target group, a rule.
   */
  deleteOutOfBand(arn: string): void {
    this.sweep()
    if (this.loadBalancers.has(arn)) this.removeLoadBalancer(this.loadBalancers.get(arn)!)
    else if (this.targetGroups.has(arn)) this.targetGroups.delete(arn)
    else if (this.listeners.has(arn)) this.removeListener(arn)
    else if (this.rules.has(arn)) this.rules.delete(arn)
    else throw new Error(`FakeElbv2.deleteOutOfBand: unknown ARN ${arn}`)
  }

  /** Plain data of everything, for debugging a failing test. */
  snapshot(): object {
    this.sweep()
    return structuredClone({
      now: this.now(),
      loadBalancers: [...this.loadBalancers.values()].map((lb) => ({...lb, state: this.stateOf(lb)})),
      targetGroups: [...this.targetGroups.values()].map((group) => ({...group, targets: [...group.targets.values()]})),
      listeners: [...this.listeners.values()],
      rules: [...this.rules.values()],
    })
  }

  // ---------------------------------------------------------------- time, ids, lookups

  private now(): number {
    return this.env.clock.now()
  }

  private hex16(): string {
    return this.ids.next('elb').slice(-16)
  }

  private arn(resource: string): string {
    return `arn:aws:elasticloadbalancing:${this.env.region}:${this.env.accountId}:${resource}`
  }

  private mustHave<T>(map: Map<string, T>, arn: string): T {
    const record = map.get(arn)
    if (!record) throw new Error(`FakeElbv2: no object ${arn}`)
    return record
  }

  /** Removes deleted load balancers once their deletion shows. */
  private sweep(): void {
    for (const lb of [...this.loadBalancers.values()]) {
      if (lb.deleteRequestedAt !== undefined && this.now() >= lb.deleteRequestedAt + this.timings.deletedMs) this.loadBalancers.delete(lb.arn)
    }
  }

  private stateOf(lb: LoadBalancerRecord): {Code: 'provisioning' | 'active' | 'failed'; Reason?: string} {
    if (this.now() < lb.createdAt + this.timings.activeMs) return {Code: 'provisioning'}
    return lb.failure ? {Code: 'failed', Reason: lb.failure} : {Code: 'active'}
  }

  /** A load balancer that exists for the API: not deleted. */
  private liveLoadBalancer(arn: string | undefined): LoadBalancerRecord {
    const lb = arn === undefined ? undefined : this.loadBalancers.get(arn)
    if (!lb || lb.deleteRequestedAt !== undefined) throw elbError(LoadBalancerNotFoundException, `Load balancer '${arn}' not found`)
    return lb
  }

  private targetGroup(arn: string | undefined): TargetGroupRecord {
    const group = arn === undefined ? undefined : this.targetGroups.get(arn)
    if (!group) throw elbError(TargetGroupNotFoundException, `Target groups '${arn}' not found`)
    return group
  }

  private listener(arn: string | undefined): ListenerRecord {
    const listener = arn === undefined ? undefined : this.listeners.get(arn)
    if (!listener) throw elbError(ListenerNotFoundException, `Listener '${arn}' not found`)
    return listener
  }

  private rule(arn: string | undefined): RuleRecord {
    const rule = arn === undefined ? undefined : this.rules.get(arn)
    if (!rule) throw elbError(RuleNotFoundException, `One or more rules not found`)
    return rule
  }

  // ---------------------------------------------------------------- load balancers

  /**
   * The fake EC2's `env.networkInterfaces` (core.ts FakeNetworkInterfaces): a
   * load balancer's interfaces are EC2's, made in its subnets (EC2 checks the
   * subnets and groups, and refuses to delete a subnet, group or VPC they
   * hold), released when the load balancer goes. A FakeElbv2 built without a
   * fake EC2 places no interface and takes any subnet.
   */
  private ec2Interfaces(): FakeNetworkInterfaces | undefined {
    return this.env.networkInterfaces
  }

  /**
   * Places the load balancer's interface in each of `subnets` not in `placed`
   * yet, and checks what an Application Load Balancer needs of its subnets:
   * at least two, in different Availability Zones, all in one VPC (its own,
   * once it has one)
   * (API_CreateLoadBalancer, API_SetSubnets). The interfaces this call made
   * are taken out again when a check fails; EC2's errors become ELBv2's.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSubnets.html
   */
  private placeInterfaces(lb: Pick<LoadBalancerRecord, 'name' | 'hexId' | 'securityGroups' | 'vpcId'>, subnetIds: string[] | undefined, placed: Record<string, PlacedInterface> = {}): Record<string, PlacedInterface> {
    const subnets = [...new Set(subnetIds ?? [])]
    if (subnets.length < 2) throw validation('At least two subnets in two different Availability Zones must be specified')
    const ec2 = this.ec2Interfaces()
    const result: Record<string, PlacedInterface> = {}
    const made: string[] = []
    try {
      for (const subnetId of subnets) {
        if (placed[subnetId] || !ec2) {
          result[subnetId] = placed[subnetId] ?? {}
          continue
        }
        // Groups after the subnets' checks: a subnet of another VPC is that, not a group of another VPC.
        const eni = ec2.add({
          subnetId,
          description: `ELB app/${lb.name}/${lb.hexId}`,
          interfaceType: 'interface',
          requesterId: 'amazon-elb',
          requesterManaged: true,
          attachment: {instanceOwnerId: 'amazon-elb'},
        })
        made.push(eni.id)
        result[subnetId] = {id: eni.id, availabilityZone: eni.availabilityZone, vpcId: eni.vpcId}
      }
      const zones = new Map<string, string>()
      for (const [subnetId, eni] of Object.entries(result)) {
        if (eni.availabilityZone === undefined) continue
        const other = zones.get(eni.availabilityZone)
        if (other) throw elbError(InvalidConfigurationRequestException, `A load balancer cannot be attached to multiple subnets in the same Availability Zone (${other}, ${subnetId})`)
        zones.set(eni.availabilityZone, subnetId)
      }
      // A load balancer's new subnets are in its VPC.
      const vpcs = new Set([...(lb.vpcId ? [lb.vpcId] : []), ...Object.values(result).flatMap((eni) => (eni.vpcId ? [eni.vpcId] : []))])
      if (vpcs.size > 1) throw elbError(InvalidConfigurationRequestException, `The subnets must all be in one VPC (they are in ${[...vpcs].join(', ')})`)
      if (lb.securityGroups.length > 0) for (const id of made) ec2!.setGroups(id, lb.securityGroups)
      return result
    } catch (error) {
      for (const id of made) ec2!.remove(id)
      throw fromEc2Error(error)
    }
  }

  /** Lets EC2 release the interfaces (they linger a while, holding their subnets and groups, as an ALB's do). */
  private releaseInterfaces(interfaces: PlacedInterface[]): void {
    for (const eni of interfaces) if (eni.id) this.ec2Interfaces()?.release(eni.id)
  }

  private loadBalancerOut(lb: LoadBalancerRecord): LoadBalancer {
    return {
      LoadBalancerArn: lb.arn,
      DNSName: lb.dnsName,
      CanonicalHostedZoneId: ALB_HOSTED_ZONES[this.env.region] ?? 'ZFAKEALBZONE',
      CreatedTime: new Date(lb.createdAt),
      LoadBalancerName: lb.name,
      Scheme: lb.scheme as LoadBalancer['Scheme'],
      ...(lb.vpcId ? {VpcId: lb.vpcId} : {}),
      State: this.stateOf(lb),
      Type: 'application',
      AvailabilityZones: lb.subnets.map((subnetId, index) => ({
        // Without a fake EC2 the zone is unknown: one per subnet, in order.
        ZoneName: lb.interfaces[subnetId]?.availabilityZone ?? `${this.env.region}${String.fromCharCode(97 + index)}`,
        SubnetId: subnetId,
        LoadBalancerAddresses: [],
      })),
      SecurityGroups: [...lb.securityGroups],
      IpAddressType: 'ipv4',
    }
  }

  /**
   * "This operation is idempotent … If you attempt to create multiple load
   * balancers with the same settings, each call succeeds": the same name with
   * the same scheme, subnets and security groups returns the existing one
   * (tags are not compared: the fake's choice); other settings are
   * DuplicateLoadBalancerName.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
   */
  private createLoadBalancer(input: CreateLoadBalancerInput): CreateLoadBalancerOutput {
    const name = checkName('load balancer', input.Name)
    if (input.Type !== undefined && input.Type !== 'application') throw validation(`This fake makes Application Load Balancers only, not '${input.Type}'`)
    const scheme = input.Scheme ?? 'internet-facing'
    if (scheme !== 'internet-facing' && scheme !== 'internal') throw validation(`Scheme '${scheme}' is not valid`)
    if (input.IpAddressType !== undefined && input.IpAddressType !== 'ipv4') throw validation(`This fake supports IpAddressType ipv4 only`)
    const subnets = [...new Set(input.Subnets ?? [])]
    const securityGroups = [...new Set(input.SecurityGroups ?? [])]
    const tags = checkTags(input.Tags)
    const existing = [...this.loadBalancers.values()].find((lb) => lb.name === name)
    if (existing) {
      const same =
        existing.deleteRequestedAt === undefined &&
        existing.scheme === scheme &&
        stableJson([...existing.subnets].sort()) === stableJson([...subnets].sort()) &&
        stableJson([...existing.securityGroups].sort()) === stableJson([...securityGroups].sort())
      if (!same) throw elbError(DuplicateLoadBalancerNameException, `A load balancer with the name '${name}' already exists`)
      return {LoadBalancers: [this.loadBalancerOut(existing)]}
    }
    const hexId = this.hex16()
    const interfaces = this.placeInterfaces({name, hexId, securityGroups}, subnets)
    const vpcId = Object.values(interfaces).find((eni) => eni.vpcId)?.vpcId
    const digits = (BigInt(`0x${hexId}`) % 10_000_000_000n).toString().padStart(10, '0')
    const lb: LoadBalancerRecord = {
      arn: this.arn(`loadbalancer/app/${name}/${hexId}`),
      tags,
      createdAt: this.now(),
      name,
      hexId,
      scheme,
      subnets,
      securityGroups,
      ...(vpcId ? {vpcId} : {}),
      dnsName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${digits}.${this.env.region}.elb.amazonaws.com`.toLowerCase(),
      attributes: {...LB_ATTRIBUTE_DEFAULTS},
      interfaces,
      ...(this.nextFailure ? {failure: this.nextFailure} : {}),
    }
    this.nextFailure = undefined
    this.loadBalancers.set(lb.arn, lb)
    return {LoadBalancers: [this.loadBalancerOut(lb)]}
  }

  private describeLoadBalancers(input: DescribeLoadBalancersInput): DescribeLoadBalancersOutput {
    const live = [...this.loadBalancers.values()]
    let found: LoadBalancerRecord[]
    if (input.LoadBalancerArns?.length && input.Names?.length) throw validation('LoadBalancerArns and Names cannot be given together')
    if (input.LoadBalancerArns?.length) {
      if (input.LoadBalancerArns.length > ARN_LIMIT) throw validation(`At most ${ARN_LIMIT} load balancer ARNs can be given`)
      found = [...new Set(input.LoadBalancerArns)].map((arn) => this.loadBalancers.get(arn) ?? this.notFound(LoadBalancerNotFoundException, 'One or more load balancers not found'))
    } else if (input.Names?.length) {
      found = [...new Set(input.Names)].map((name) => live.find((lb) => lb.name === name) ?? this.notFound(LoadBalancerNotFoundException, 'One or more load balancers not found'))
    } else {
      found = live
    }
    const {page, NextMarker} = paginate(found, input.PageSize, input.Marker, this.pageSize)
    return {LoadBalancers: page.map((lb) => this.loadBalancerOut(lb)), ...(NextMarker ? {NextMarker} : {})}
  }

  private notFound<E extends ElasticLoadBalancingV2ServiceException>(Exception: Modeled<E>, message: string): never {
    throw elbError(Exception, message)
  }

  /** "If the load balancer does not exist or has already been deleted, the call succeeds." Its listeners (and their rules) go with it. */
  private deleteLoadBalancer(input: DeleteLoadBalancerInput): object {
    const lb = input.LoadBalancerArn === undefined ? undefined : this.loadBalancers.get(input.LoadBalancerArn)
    if (!lb || lb.deleteRequestedAt !== undefined) return {}
    if (lb.attributes['deletion_protection.enabled'] === 'true') {
      throw elbError(OperationNotPermittedException, `Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`)
    }
    this.removeLoadBalancer(lb)
    lb.deleteRequestedAt = this.now()
    this.loadBalancers.set(lb.arn, lb)
    return {}
  }

  /** Its listeners and rules go at once, its interfaces are released (EC2 keeps them a while); the record itself is the caller's to drop or keep. */
  private removeLoadBalancer(lb: LoadBalancerRecord): void {
    for (const listener of [...this.listeners.values()]) if (listener.loadBalancerArn === lb.arn) this.removeListener(listener.arn)
    this.releaseInterfaces(Object.values(lb.interfaces))
    this.loadBalancers.delete(lb.arn)
  }

  private attributesOut(attributes: Record<string, string>): LoadBalancerAttribute[] {
    return Object.entries(attributes).map(([Key, Value]) => ({Key, Value}))
  }

  private describeLoadBalancerAttributes(input: DescribeLoadBalancerAttributesInput): DescribeLoadBalancerAttributesOutput {
    return {Attributes: this.attributesOut(this.liveLoadBalancer(input.LoadBalancerArn).attributes)}
  }

  /**
   * Known keys only, each with a valid value (idle timeout 1–4000 seconds,
   * booleans `true`/`false`).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html
   */
  private modifyLoadBalancerAttributes(input: ModifyLoadBalancerAttributesInput): ModifyLoadBalancerAttributesOutput {
    const lb = this.liveLoadBalancer(input.LoadBalancerArn)
    const changed: Record<string, string> = {}
    for (const {Key: key = '', Value: value = ''} of input.Attributes ?? []) {
      if (!(key in LB_ATTRIBUTE_DEFAULTS)) throw elbError(InvalidConfigurationRequestException, `Load balancer attribute key '${key}' is not recognized`)
      if (key === 'idle_timeout.timeout_seconds') range('Idle timeout', Number(value), 1, 4000)
      else if (value !== 'true' && value !== 'false') throw validation(`Load balancer attribute '${key}' must be 'true' or 'false', not '${value}'`)
      changed[key] = value
    }
    Object.assign(lb.attributes, changed)
    return {Attributes: this.attributesOut(lb.attributes)}
  }

  private setSubnets(input: SetSubnetsInput): SetSubnetsOutput {
    const lb = this.liveLoadBalancer(input.LoadBalancerArn)
    const subnets = [...new Set(input.Subnets ?? [])]
    const interfaces = this.placeInterfaces(lb, subnets, lb.interfaces)
    this.releaseInterfaces(lb.subnets.filter((subnetId) => !subnets.includes(subnetId)).map((subnetId) => lb.interfaces[subnetId]!))
    lb.subnets = subnets
    lb.interfaces = interfaces
    return {AvailabilityZones: this.loadBalancerOut(lb).AvailabilityZones!, IpAddressType: 'ipv4'}
  }

  private setSecurityGroups(input: SetSecurityGroupsInput): SetSecurityGroupsOutput {
    const lb = this.liveLoadBalancer(input.LoadBalancerArn)
    const groups = [...new Set(input.SecurityGroups ?? [])]
    if (groups.length === 0) throw validation('An Application Load Balancer needs at least one security group')
    // EC2 checks the groups (they exist, in the load balancer's VPC) as it changes the interfaces'.
    try {
      for (const eni of Object.values(lb.interfaces)) if (eni.id) this.ec2Interfaces()?.setGroups(eni.id, groups)
    } catch (error) {
      throw fromEc2Error(error)
    }
    lb.securityGroups = groups
    return {SecurityGroupIds: [...groups]}
  }

  // ---------------------------------------------------------------- target groups

  /** Load balancers whose listeners or rules forward to the group. */
  private loadBalancersUsing(groupArn: string): string[] {
    const lbs = new Set<string>()
    for (const listener of this.listeners.values()) {
      const actions = [...listener.defaultActions, ...[...this.rules.values()].filter((rule) => rule.listenerArn === listener.arn).flatMap((rule) => rule.actions)]
      if (actions.some((action) => forwardTargets(action).includes(groupArn))) lbs.add(listener.loadBalancerArn)
    }
    return [...lbs]
  }

  private targetGroupOut(group: TargetGroupRecord): TargetGroup {
    const check = group.healthCheck
    return {
      TargetGroupArn: group.arn,
      TargetGroupName: group.name,
      Protocol: group.protocol as TargetGroup['Protocol'],
      ProtocolVersion: 'HTTP1',
      Port: group.port,
      VpcId: group.vpcId,
      HealthCheckProtocol: group.protocol as TargetGroup['Protocol'],
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: check.intervalSeconds,
      HealthCheckTimeoutSeconds: check.timeoutSeconds,
      HealthyThresholdCount: check.healthyThreshold,
      UnhealthyThresholdCount: check.unhealthyThreshold,
      HealthCheckPath: check.path,
      Matcher: {HttpCode: check.matcher},
      LoadBalancerArns: this.loadBalancersUsing(group.arn),
      TargetType: group.targetType as TargetGroup['TargetType'],
      IpAddressType: 'ipv4',
    }
  }

  /**
   * Health check bounds: interval 5–300 s, timeout 2–120 s and shorter than
   * the interval, thresholds 2–10, a path starting with `/`.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
   */
  private checkHealthCheck(check: HealthCheck): HealthCheck {
    range('Health check interval', check.intervalSeconds, 5, 300)
    range('Health check timeout', check.timeoutSeconds, 2, 120)
    range('Healthy threshold', check.healthyThreshold, 2, 10)
    range('Unhealthy threshold', check.unhealthyThreshold, 2, 10)
    if (check.timeoutSeconds >= check.intervalSeconds) {
      throw elbError(InvalidConfigurationRequestException, `Health check timeout '${check.timeoutSeconds}' must be smaller than the interval '${check.intervalSeconds}'`)
    }
    if (!check.path.startsWith('/')) throw validation(`Health check path '${check.path}' must begin with '/'`)
    if (!/^\d{3}([-,]\d{3})*$/.test(check.matcher)) throw validation(`Health check matcher '${check.matcher}' is not valid`)
    return check
  }

  /** Idempotent like CreateLoadBalancer: the same name with the same settings (tags aside) returns the existing group. */
  private createTargetGroup(input: CreateTargetGroupInput): CreateTargetGroupOutput {
    const name = checkName('target group', input.Name)
    const targetType = input.TargetType ?? 'instance'
    if (targetType !== 'instance' && targetType !== 'ip') throw validation(`This fake supports target types instance and ip, not '${targetType}'`)
    const protocol = input.Protocol
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw validation(`A target group of an Application Load Balancer needs protocol HTTP or HTTPS, not '${protocol}'`)
    if (input.Port === undefined) throw validation('A port must be specified')
    range('Port', input.Port, 1, 65535)
    if (!input.VpcId) throw validation('A VPC ID must be specified')
    const healthCheck = this.checkHealthCheck({
      path: input.HealthCheckPath ?? '/',
      intervalSeconds: input.HealthCheckIntervalSeconds ?? 30,
      timeoutSeconds: input.HealthCheckTimeoutSeconds ?? 5,
      healthyThreshold: input.HealthyThresholdCount ?? 5,
      unhealthyThreshold: input.UnhealthyThresholdCount ?? 2,
      matcher: input.Matcher?.HttpCode ?? '200',
    })
    const tags = checkTags(input.Tags)
    const settings = stableJson({protocol, port: input.Port, vpcId: input.VpcId, targetType, healthCheck})
    const existing = [...this.targetGroups.values()].find((group) => group.name === name)
    if (existing) {
      const same = stableJson({protocol: existing.protocol, port: existing.port, vpcId: existing.vpcId, targetType: existing.targetType, healthCheck: existing.healthCheck}) === settings
      if (!same) throw elbError(DuplicateTargetGroupNameException, `A target group with the same name '${name}' exists, but with different settings`)
      return {TargetGroups: [this.targetGroupOut(existing)]}
    }
    const group: TargetGroupRecord = {
      arn: this.arn(`targetgroup/${name}/${this.hex16()}`),
      tags,
      createdAt: this.now(),
      name,
      protocol,
      port: input.Port,
      vpcId: input.VpcId,
      targetType,
      healthCheck,
      attributes: {...TG_ATTRIBUTE_DEFAULTS},
      targets: new Map(),
    }
    this.targetGroups.set(group.arn, group)
    return {TargetGroups: [this.targetGroupOut(group)]}
  }

  private describeTargetGroups(input: DescribeTargetGroupsInput): DescribeTargetGroupsOutput {
    let found: TargetGroupRecord[]
    if (input.TargetGroupArns?.length) {
      found = [...new Set(input.TargetGroupArns)].map((arn) => this.targetGroups.get(arn) ?? this.notFound(TargetGroupNotFoundException, 'One or more target groups not found'))
    } else if (input.Names?.length) {
      found = [...new Set(input.Names)].map((name) => [...this.targetGroups.values()].find((group) => group.name === name) ?? this.notFound(TargetGroupNotFoundException, 'One or more target groups not found'))
    } else {
      found = [...this.targetGroups.values()]
    }
    if (input.LoadBalancerArn !== undefined) {
      this.liveLoadBalancer(input.LoadBalancerArn)
      found = found.filter((group) => this.loadBalancersUsing(group.arn).includes(input.LoadBalancerArn!))
    }
    const {page, NextMarker} = paginate(found, input.PageSize, input.Marker, this.pageSize)
    return {TargetGroups: page.map((group) => this.targetGroupOut(group)), ...(NextMarker ? {NextMarker} : {})}
  }

  private modifyTargetGroup(input: ModifyTargetGroupInput): ModifyTargetGroupOutput {
    const group = this.targetGroup(input.TargetGroupArn)
    const check = {...group.healthCheck}
    if (input.HealthCheckPath !== undefined) check.path = input.HealthCheckPath
    if (input.HealthCheckIntervalSeconds !== undefined) check.intervalSeconds = input.HealthCheckIntervalSeconds
    if (input.HealthCheckTimeoutSeconds !== undefined) check.timeoutSeconds = input.HealthCheckTimeoutSeconds
    if (input.HealthyThresholdCount !== undefined) check.healthyThreshold = input.HealthyThresholdCount
    if (input.UnhealthyThresholdCount !== undefined) check.unhealthyThreshold = input.UnhealthyThresholdCount
    if (input.Matcher?.HttpCode !== undefined) check.matcher = input.Matcher.HttpCode
    group.healthCheck = this.checkHealthCheck(check)
    return {TargetGroups: [this.targetGroupOut(group)]}
  }

  private describeTargetGroupAttributes(input: DescribeTargetGroupAttributesInput): DescribeTargetGroupAttributesOutput {
    return {Attributes: this.attributesOut(this.targetGroup(input.TargetGroupArn).attributes)}
  }

  /** https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html: the delay is 0–3600 seconds. */
  private modifyTargetGroupAttributes(input: ModifyTargetGroupAttributesInput): ModifyTargetGroupAttributesOutput {
    const group = this.targetGroup(input.TargetGroupArn)
    const changed: Record<string, string> = {}
    for (const {Key: key = '', Value: value = ''} of input.Attributes ?? []) {
      if (!(key in TG_ATTRIBUTE_DEFAULTS)) throw elbError(InvalidConfigurationRequestException, `Target group attribute key '${key}' is not recognized`)
      if (key === 'deregistration_delay.timeout_seconds') range('Deregistration delay', Number(value), 0, 3600)
      changed[key] = value
    }
    Object.assign(group.attributes, changed)
    return {Attributes: this.attributesOut(group.attributes) as TargetGroupAttribute[]}
  }

  /**
   * "You can delete a target group if it is not referenced by any actions";
   * one that does not exist counts as deleted (the operation lists no
   * TargetGroupNotFound).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteTargetGroup.html
   */
  private deleteTargetGroup(input: DeleteTargetGroupInput): object {
    const group = input.TargetGroupArn === undefined ? undefined : this.targetGroups.get(input.TargetGroupArn)
    if (!group) return {}
    if (this.loadBalancersUsing(group.arn).length > 0) throw elbError(ResourceInUseException, `Target group '${group.arn}' is currently in use by a listener or a rule`)
    this.targetGroups.delete(group.arn)
    return {}
  }

  private registerTargets(input: RegisterTargetsInput): object {
    const group = this.targetGroup(input.TargetGroupArn)
    for (const target of input.Targets ?? []) {
      if (!target.Id) throw validation('A target needs an Id')
      group.targets.set(target.Id, {id: target.Id, port: target.Port ?? group.port, registeredAt: this.now()})
    }
    return {}
  }

  private deregisterTargets(input: DeregisterTargetsInput): object {
    const group = this.targetGroup(input.TargetGroupArn)
    for (const target of input.Targets ?? []) group.targets.delete(target.Id ?? '')
    return {}
  }

  /**
   * A target is `unused` while its group serves no active load balancer
   * (Target.NotInUse), `initial` until it has passed its first checks, then
   * `healthy`; `setTargetHealth` overrides.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
   */
  private targetHealth(group: TargetGroupRecord, target: TargetRecord): {State: TargetHealthStateEnum; Reason?: TargetHealthReasonEnum} {
    if (target.forced) return target.forced.reason ? {State: target.forced.state, Reason: target.forced.reason} : {State: target.forced.state}
    const serving = this.loadBalancersUsing(group.arn).some((arn) => {
      const lb = this.loadBalancers.get(arn)
      return lb !== undefined && this.stateOf(lb).Code === 'active'
    })
    if (!serving) return {State: 'unused', Reason: 'Target.NotInUse'}
    return this.now() >= target.registeredAt + this.timings.targetHealthyMs ? {State: 'healthy'} : {State: 'initial', Reason: 'Elb.InitialHealthChecking'}
  }

  private describeTargetHealth(input: DescribeTargetHealthInput): DescribeTargetHealthOutput {
    const group = this.targetGroup(input.TargetGroupArn)
    const descriptions: TargetHealthDescription[] = [...group.targets.values()].map((target) => ({
      Target: {Id: target.id, Port: target.port},
      HealthCheckPort: String(target.port),
      TargetHealth: this.targetHealth(group, target),
    }))
    return {TargetHealthDescriptions: descriptions}
  }

  // ---------------------------------------------------------------- actions

  /**
   * Checks actions as CreateListener, ModifyListener, CreateRule and
   * ModifyRule do, and returns them as AWS then reports them: a forward with
   * its ForwardConfig, a redirect with `#{…}` for what it keeps. An
   * Application Load Balancer's target group serves one load balancer
   * (TargetGroupAssociationLimit) and must speak HTTP or HTTPS.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
   */
  private checkActions(actions: Action[] | undefined, loadBalancerArn: string): Action[] {
    if (!actions?.length) throw validation('At least one action must be specified')
    return actions.map((action) => {
      switch (action.Type) {
        case 'forward': {
          const targets = forwardTargets(action)
          if (targets.length === 0) throw validation('A forward action needs a target group')
          for (const arn of targets) {
            const group = this.targetGroup(arn)
            const others = this.loadBalancersUsing(group.arn).filter((lb) => lb !== loadBalancerArn)
            if (others.length > 0) throw elbError(TargetGroupAssociationLimitException, `The following target groups cannot be associated with more than one load balancer: ${group.arn}`)
            if (group.protocol !== 'HTTP' && group.protocol !== 'HTTPS') throw elbError(IncompatibleProtocolsException, `Target group '${group.arn}' has protocol ${group.protocol}`)
          }
          const groups = action.ForwardConfig?.TargetGroups ?? [{TargetGroupArn: action.TargetGroupArn!, Weight: 1}]
          return {
            Type: 'forward',
            ...(targets.length === 1 ? {TargetGroupArn: targets[0]} : {}),
            ForwardConfig: {TargetGroups: groups.map((group) => ({TargetGroupArn: group.TargetGroupArn, Weight: group.Weight ?? 1})), TargetGroupStickinessConfig: {Enabled: false}},
          }
        }
        case 'redirect': {
          const config = action.RedirectConfig
          if (!config?.StatusCode) throw validation('A redirect action needs a status code')
          return {Type: 'redirect', RedirectConfig: {Protocol: '#{protocol}', Port: '#{port}', Host: '#{host}', Path: '/#{path}', Query: '#{query}', ...config}}
        }
        case 'fixed-response': {
          const config = action.FixedResponseConfig
          if (!config?.StatusCode || !/^[245]\d\d$/.test(config.StatusCode)) throw validation(`A fixed response needs a status code 2XX, 4XX or 5XX, not '${config?.StatusCode}'`)
          return {Type: 'fixed-response', FixedResponseConfig: {...config}}
        }
        default:
          throw validation(`This fake supports forward, redirect and fixed-response actions, not '${action.Type}'`)
      }
    })
  }

  // ---------------------------------------------------------------- listeners

  private listenerOut(listener: ListenerRecord): Listener {
    return {
      ListenerArn: listener.arn,
      LoadBalancerArn: listener.loadBalancerArn,
      Port: listener.port,
      Protocol: listener.protocol as Listener['Protocol'],
      ...(listener.certificates.length > 0 ? {Certificates: listener.certificates.map((certificate) => ({CertificateArn: certificate.CertificateArn}))} : {}),
      ...(listener.sslPolicy ? {SslPolicy: listener.sslPolicy} : {}),
      DefaultActions: structuredClone(listener.defaultActions),
    }
  }

  /** Protocol, certificates and policy as a listener of that protocol takes them. */
  private listenerSecurity(protocol: string | undefined, certificates: Certificate[] | undefined, sslPolicy: string | undefined): Pick<ListenerRecord, 'protocol' | 'certificates' | 'sslPolicy'> {
    if (protocol === 'HTTP') {
      if (certificates?.length || sslPolicy) throw validation('Certificates and an SSL policy apply to HTTPS listeners only')
      return {protocol, certificates: []}
    }
    if (protocol !== 'HTTPS') throw validation(`An Application Load Balancer listener's protocol is HTTP or HTTPS, not '${protocol}'`)
    if (!certificates?.length) throw validation('A certificate must be specified for HTTPS listeners')
    for (const {CertificateArn: arn = ''} of certificates) {
      if (!/^arn:aws[-a-z]*:(acm|iam):/.test(arn)) throw validation(`A certificate ARN is not valid: '${arn}'`)
      // The fake ACM says whether it has the certificate, issued: one still pending validation cannot serve.
      const status = arn.includes(':acm:') ? this.env.certificateStatus?.(arn) : 'ISSUED'
      if (this.env.certificateStatus && status !== 'ISSUED') throw elbError(CertificateNotFoundException, `Certificate '${arn}' not found${status ? ` (it is ${status})` : ''}`)
    }
    const policy = sslPolicy ?? DEFAULT_SSL_POLICY
    if (!SSL_POLICIES.has(policy)) throw elbError(SSLPolicyNotFoundException, `SSL policy '${policy}' not found`)
    return {protocol, certificates: certificates.map((certificate) => ({CertificateArn: certificate.CertificateArn})), sslPolicy: policy}
  }

  /** "If you attempt to create multiple listeners with the same settings, each call succeeds" (API_CreateListener); a port taken with other settings is DuplicateListener. */
  private createListener(input: CreateListenerInput): CreateListenerOutput {
    const lb = this.liveLoadBalancer(input.LoadBalancerArn)
    range('Port', input.Port, 1, 65535)
    if (input.Port === undefined) throw validation('A port must be specified')
    const security = this.listenerSecurity(input.Protocol, input.Certificates, input.SslPolicy)
    const defaultActions = this.checkActions(input.DefaultActions, lb.arn)
    const tags = checkTags(input.Tags)
    const existing = [...this.listeners.values()].find((listener) => listener.loadBalancerArn === lb.arn && listener.port === input.Port)
    if (existing) {
      const same = stableJson({...security, defaultActions}) === stableJson({protocol: existing.protocol, certificates: existing.certificates, sslPolicy: existing.sslPolicy, defaultActions: existing.defaultActions})
      if (!same) throw elbError(DuplicateListenerException, `A listener already exists on port ${input.Port} of '${lb.arn}'`)
      return {Listeners: [this.listenerOut(existing)]}
    }
    const listener: ListenerRecord = {
      arn: this.arn(`listener/app/${lb.name}/${lb.hexId}/${this.hex16()}`),
      tags,
      createdAt: this.now(),
      loadBalancerArn: lb.arn,
      port: input.Port,
      ...security,
      defaultActions,
    }
    this.listeners.set(listener.arn, listener)
    // Every listener has a default rule, holding its default actions.
    const rule: RuleRecord = {arn: this.ruleArn(listener), tags: [], createdAt: this.now(), listenerArn: listener.arn, priority: 'default', conditions: [], actions: defaultActions}
    this.rules.set(rule.arn, rule)
    return {Listeners: [this.listenerOut(listener)]}
  }

  private ruleArn(listener: ListenerRecord): string {
    return listener.arn.replace(':listener/', ':listener-rule/') + `/${this.hex16()}`
  }

  private describeListeners(input: DescribeListenersInput): DescribeListenersOutput {
    let found: ListenerRecord[]
    if (input.ListenerArns?.length && input.LoadBalancerArn) throw validation('ListenerArns and LoadBalancerArn cannot be given together')
    if (input.ListenerArns?.length) {
      found = [...new Set(input.ListenerArns)].map((arn) => this.listeners.get(arn) ?? this.notFound(ListenerNotFoundException, 'One or more listeners not found'))
    } else if (input.LoadBalancerArn) {
      const lb = this.liveLoadBalancer(input.LoadBalancerArn)
      found = [...this.listeners.values()].filter((listener) => listener.loadBalancerArn === lb.arn)
    } else {
      throw validation('You must specify either listener ARNs or a load balancer ARN')
    }
    const {page, NextMarker} = paginate(found, input.PageSize, input.Marker, this.pageSize)
    return {Listeners: page.map((listener) => this.listenerOut(listener)), ...(NextMarker ? {NextMarker} : {})}
  }

  private modifyListener(input: ModifyListenerInput): ModifyListenerOutput {
    const listener = this.listener(input.ListenerArn)
    const port = input.Port ?? listener.port
    range('Port', port, 1, 65535)
    if (port !== listener.port && [...this.listeners.values()].some((other) => other.loadBalancerArn === listener.loadBalancerArn && other.port === port)) {
      throw elbError(DuplicateListenerException, `A listener already exists on port ${port}`)
    }
    const protocol = input.Protocol ?? listener.protocol
    // Turning HTTP drops certificates and policy; otherwise what is not given stays.
    const security =
      protocol === 'HTTP' ? this.listenerSecurity('HTTP', input.Certificates, input.SslPolicy) : this.listenerSecurity(protocol, input.Certificates ?? listener.certificates, input.SslPolicy ?? listener.sslPolicy)
    const defaultActions = input.DefaultActions ? this.checkActions(input.DefaultActions, listener.loadBalancerArn) : listener.defaultActions
    Object.assign(listener, {port, ...security, defaultActions})
    if (security.sslPolicy === undefined) delete listener.sslPolicy
    const defaultRule = [...this.rules.values()].find((rule) => rule.listenerArn === listener.arn && rule.priority === 'default')
    if (defaultRule) defaultRule.actions = defaultActions
    return {Listeners: [this.listenerOut(listener)]}
  }

  private deleteListener(input: DeleteListenerInput): object {
    this.removeListener(this.listener(input.ListenerArn).arn)
    return {}
  }

  private removeListener(arn: string): void {
    for (const rule of [...this.rules.values()]) if (rule.listenerArn === arn) this.rules.delete(rule.arn)
    this.listeners.delete(arn)
  }

  // ---------------------------------------------------------------- rules

  private ruleOut(rule: RuleRecord): Rule {
    return {
      RuleArn: rule.arn,
      Priority: String(rule.priority),
      // AWS answers each condition with both its config and the older `Values`.
      Conditions: rule.conditions.map((condition) => {
        const values = condition.HostHeaderConfig?.Values ?? condition.PathPatternConfig?.Values ?? condition.Values
        return {...structuredClone(condition), ...(values ? {Values: [...values]} : {})}
      }),
      Actions: structuredClone(rule.actions),
      IsDefault: rule.priority === 'default',
    }
  }

  /**
   * host-header and path-pattern conditions (the kinds this fake knows), at
   * least one per rule, each kind once, each value 1–128 characters.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html
   */
  private checkConditions(conditions: RuleCondition[] | undefined): RuleCondition[] {
    if (!conditions?.length) throw validation('A rule needs at least one condition')
    const fields = new Set<string>()
    return conditions.map((condition) => {
      const field = condition.Field ?? ''
      if (field !== 'host-header' && field !== 'path-pattern') throw validation(`This fake supports host-header and path-pattern conditions, not '${field}'`)
      if (fields.has(field)) throw validation(`A rule can have one ${field} condition`)
      fields.add(field)
      const values = (field === 'host-header' ? condition.HostHeaderConfig?.Values : condition.PathPatternConfig?.Values) ?? condition.Values ?? []
      if (values.length === 0 || values.some((value) => value.length === 0 || value.length > 128)) throw validation(`The ${field} condition needs values of 1 to 128 characters`)
      return field === 'host-header' ? {Field: field, HostHeaderConfig: {Values: [...values]}} : {Field: field, PathPatternConfig: {Values: [...values]}}
    })
  }

  private checkPriority(priority: number | undefined): number {
    if (priority === undefined) throw validation('A priority must be specified')
    range('Priority', priority, 1, 50_000)
    return priority
  }

  private rulesOf(listenerArn: string): RuleRecord[] {
    return [...this.rules.values()].filter((rule) => rule.listenerArn === listenerArn)
  }

  private createRule(input: CreateRuleInput): CreateRuleOutput {
    const listener = this.listener(input.ListenerArn)
    const priority = this.checkPriority(input.Priority)
    const conditions = this.checkConditions(input.Conditions)
    const actions = this.checkActions(input.Actions, listener.loadBalancerArn)
    const tags = checkTags(input.Tags)
    if (this.rulesOf(listener.arn).some((rule) => rule.priority === priority)) throw elbError(PriorityInUseException, `Priority '${priority}' is currently in use`)
    const rule: RuleRecord = {arn: this.ruleArn(listener), tags, createdAt: this.now(), listenerArn: listener.arn, priority, conditions, actions}
    this.rules.set(rule.arn, rule)
    return {Rules: [this.ruleOut(rule)]}
  }

  /** By listener (its rules, by priority, the default one last) or by rule ARNs. */
  private describeRules(input: DescribeRulesInput): DescribeRulesOutput {
    let found: RuleRecord[]
    if (input.RuleArns?.length && input.ListenerArn) throw validation('RuleArns and ListenerArn cannot be given together')
    if (input.RuleArns?.length) {
      found = [...new Set(input.RuleArns)].map((arn) => this.rule(arn))
    } else if (input.ListenerArn) {
      found = this.rulesOf(this.listener(input.ListenerArn).arn).sort((a, b) => (a.priority === 'default' ? 1 : b.priority === 'default' ? -1 : a.priority - b.priority))
    } else {
      throw validation('You must specify either rule ARNs or a listener ARN')
    }
    const {page, NextMarker} = paginate(found, input.PageSize, input.Marker, this.pageSize)
    return {Rules: page.map((rule) => this.ruleOut(rule)), ...(NextMarker ? {NextMarker} : {})}
  }

  private modifyRule(input: ModifyRuleInput): ModifyRuleOutput {
    const rule = this.rule(input.RuleArn)
    const listener = this.listener(rule.listenerArn)
    if (input.Conditions) {
      if (rule.priority === 'default') throw elbError(OperationNotPermittedException, "The default rule's conditions cannot be modified")
      rule.conditions = this.checkConditions(input.Conditions)
    }
    if (input.Actions) rule.actions = this.checkActions(input.Actions, listener.loadBalancerArn)
    if (rule.priority === 'default') listener.defaultActions = rule.actions
    return {Rules: [this.ruleOut(rule)]}
  }

  /**
   * "You can reorder the rules as long as there are no priority conflicts in
   * the new order. Any existing rules that you do not specify retain their
   * current priority." The new order is checked as a whole, so two rules may
   * swap priorities in one call.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetRulePriorities.html
   */
  private setRulePriorities(input: SetRulePrioritiesInput): SetRulePrioritiesOutput {
    const pairs = (input.RulePriorities ?? []).map((pair) => ({rule: this.rule(pair.RuleArn), priority: this.checkPriority(pair.Priority)}))
    if (pairs.length === 0) throw validation('At least one rule priority must be specified')
    const arns = pairs.map((pair) => pair.rule.arn)
    if (new Set(arns).size !== arns.length) throw validation('A rule is given more than once')
    if (pairs.some((pair) => pair.rule.priority === 'default')) throw elbError(OperationNotPermittedException, "The default rule's priority cannot be changed")
    const listeners = new Set(pairs.map((pair) => pair.rule.listenerArn))
    for (const listenerArn of listeners) {
      const next = new Map(this.rulesOf(listenerArn).map((rule) => [rule.arn, rule.priority]))
      for (const {rule, priority} of pairs) if (rule.listenerArn === listenerArn) next.set(rule.arn, priority)
      const taken = [...next.values()].filter((priority) => priority !== 'default')
      const clash = taken.find((priority, index) => taken.indexOf(priority) !== index)
      if (clash !== undefined) throw elbError(PriorityInUseException, `Priority '${clash}' is currently in use`)
    }
    for (const {rule, priority} of pairs) rule.priority = priority
    return {Rules: pairs.map(({rule}) => this.ruleOut(rule))}
  }

  private deleteRule(input: DeleteRuleInput): object {
    const rule = this.rule(input.RuleArn)
    if (rule.priority === 'default') throw elbError(OperationNotPermittedException, 'The default rule cannot be deleted')
    this.rules.delete(rule.arn)
    return {}
  }

  // ---------------------------------------------------------------- tags

  /** The tagged object of an ARN, or its kind's NotFound. */
  private tagged(arn: string | undefined): Tracked {
    const value = arn ?? ''
    if (value.includes(':loadbalancer/')) return this.liveLoadBalancer(value)
    if (value.includes(':targetgroup/')) return this.targetGroup(value)
    if (value.includes(':listener-rule/')) return this.rule(value)
    if (value.includes(':listener/')) return this.listener(value)
    throw validation(`'${value}' is not a valid Elastic Load Balancing resource ARN`)
  }

  private describeTags(input: DescribeTagsInput): DescribeTagsOutput {
    const arns = input.ResourceArns ?? []
    if (arns.length === 0 || arns.length > ARN_LIMIT) throw validation(`Between 1 and ${ARN_LIMIT} resource ARNs must be specified`)
    return {TagDescriptions: arns.map((arn) => ({ResourceArn: arn, Tags: structuredClone(this.tagged(arn).tags)}))}
  }

  private addTags(input: AddTagsInput): object {
    const added = checkTags(input.Tags)
    for (const arn of input.ResourceArns ?? []) {
      const object = this.tagged(arn)
      const tags = new Map(object.tags.map((tag) => [tag.Key, tag]))
      for (const tag of added) tags.set(tag.Key, tag)
      object.tags = checkTags([...tags.values()])
    }
    return {}
  }

  private removeTags(input: RemoveTagsInput): object {
    for (const arn of input.ResourceArns ?? []) {
      const object = this.tagged(arn)
      object.tags = object.tags.filter((tag) => !(input.TagKeys ?? []).includes(tag.Key ?? ''))
    }
    return {}
  }
}

/** The target groups a forward action names, whichever way it names them. */
function forwardTargets(action: Action): string[] {
  if (action.Type !== 'forward') return []
  const groups = action.ForwardConfig?.TargetGroups?.map((group) => group.TargetGroupArn ?? '') ?? []
  return groups.length > 0 ? groups : action.TargetGroupArn ? [action.TargetGroupArn] : []
}
