import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
  paginateDescribeLoadBalancers,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type LoadBalancerAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {paginateDescribeNetworkInterfaces} from '@aws-sdk/client-ec2'
import {collectPages} from '../ec2/describe.js'
import {ownerOfCreated} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {waitFor} from '../wait.js'
import {describeByArns, elbv2Client, ensureCreatedBy, ownedObjects, PAGE_SIZE, setChange, sortedSet, withTags} from './describe.js'
import type {LoadBalancerDesired} from './desired.js'
import {classifyElbv2Error, DUPLICATE_LOAD_BALANCER_NAME, hasElbv2Code, isElbv2Gone, OPERATION_NOT_PERMITTED} from './errors.js'

/** One Application Load Balancer; `id` is its ARN. */
export interface LoadBalancerObserved extends Observed {
  arn: string
  name: string
  scheme: string
  subnetIds: string[]
  securityGroupIds: string[]
  idleTimeoutSeconds: number
  deletionProtection: boolean
  http2: boolean
  /** `provisioning` | `active` | `active_impaired` | `failed`. */
  state: string
  /** Why it is `failed` or `active_impaired`, as AWS says it. */
  stateReason?: string
  dnsName: string
  canonicalHostedZoneId: string
  vpcId?: string
}

/**
 * The attributes the desired properties set, their keys and AWS's defaults
 * (a new load balancer has these until told otherwise).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html
 */
const ATTRIBUTES = {
  idleTimeoutSeconds: {key: 'idle_timeout.timeout_seconds', default: 60, parse: Number},
  deletionProtection: {key: 'deletion_protection.enabled', default: false, parse: (value: string) => value === 'true'},
  http2: {key: 'routing.http2.enabled', default: true, parse: (value: string) => value === 'true'},
} as const
type AttributeField = keyof typeof ATTRIBUTES
const ATTRIBUTE_FIELDS = Object.keys(ATTRIBUTES) as AttributeField[]
type Attributes = Pick<LoadBalancerDesired, AttributeField>

const DEFAULT_ATTRIBUTES: Attributes = {idleTimeoutSeconds: ATTRIBUTES.idleTimeoutSeconds.default, deletionProtection: ATTRIBUTES.deletionProtection.default, http2: ATTRIBUTES.http2.default}

function parseAttributes(attributes: LoadBalancerAttribute[]): Attributes {
  const values = new Map(attributes.map((attribute) => [attribute.Key, attribute.Value ?? '']))
  const read = <F extends AttributeField>(field: F): Attributes[F] => {
    const value = values.get(ATTRIBUTES[field].key)
    return (value === undefined ? ATTRIBUTES[field].default : ATTRIBUTES[field].parse(value)) as Attributes[F]
  }
  return {idleTimeoutSeconds: read('idleTimeoutSeconds'), deletionProtection: read('deletionProtection'), http2: read('http2')}
}

/** The attributes of `wanted` that differ from `current`, as ModifyLoadBalancerAttributes takes them. */
export function attributeChanges(wanted: Attributes, current: Attributes): LoadBalancerAttribute[] {
  return ATTRIBUTE_FIELDS.filter((field) => wanted[field] !== current[field]).map((field) => ({Key: ATTRIBUTES[field].key, Value: String(wanted[field])}))
}

/** States in which the load balancer routes traffic (`active_impaired`: routing, but short of what it needs to scale). */
const SERVING_STATES = new Set(['active', 'active_impaired'])

/**
 * The name and scheme are fixed at creation; subnets and security groups
 * change in place (SetSubnets, SetSecurityGroups), as do the attributes
 * (ModifyLoadBalancerAttributes).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSubnets.html
 */
export function diffLoadBalancer(desired: LoadBalancerDesired, observed: LoadBalancerObserved): Change[] {
  const changes: Change[] = []
  for (const field of ['name', 'scheme'] as const) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: true})
  }
  changes.push(...setChange('subnetIds', observed.subnetIds, desired.subnetIds), ...setChange('securityGroupIds', observed.securityGroupIds, desired.securityGroupIds))
  for (const field of ATTRIBUTE_FIELDS) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: false})
  }
  return changes
}

function toObserved(lb: LoadBalancer, attributes: Attributes): LoadBalancerObserved {
  const observed: LoadBalancerObserved = {
    id: lb.LoadBalancerArn!,
    arn: lb.LoadBalancerArn!,
    name: lb.LoadBalancerName ?? '',
    scheme: lb.Scheme ?? '',
    subnetIds: sortedSet((lb.AvailabilityZones ?? []).flatMap((zone) => (zone.SubnetId ? [zone.SubnetId] : []))),
    securityGroupIds: sortedSet(lb.SecurityGroups ?? []),
    ...attributes,
    state: lb.State?.Code ?? 'unknown',
    dnsName: lb.DNSName ?? '',
    canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? '',
  }
  if (lb.State?.Reason) observed.stateReason = lb.State.Reason
  if (lb.VpcId) observed.vpcId = lb.VpcId
  return observed
}

async function attributesOf(client: ElasticLoadBalancingV2Client, arn: string): Promise<Attributes> {
  const response = await client.send(new DescribeLoadBalancerAttributesCommand({LoadBalancerArn: arn}))
  return parseAttributes(response.Attributes ?? [])
}

/**
 * The load balancers with their attributes (one DescribeLoadBalancerAttributes
 * each: the API reads one load balancer at a time); one gone in between is left out.
 */
async function withAttributes(client: ElasticLoadBalancingV2Client, lbs: LoadBalancer[]): Promise<LoadBalancerObserved[]> {
  const observed = await Promise.all(
    lbs.map(async (lb) => {
      try {
        return toObserved(lb, await attributesOf(client, lb.LoadBalancerArn!))
      } catch (error) {
        if (isElbv2Gone(error)) return undefined
        throw error
      }
    }),
  )
  return observed.filter((lb) => lb !== undefined)
}

/** Only Application Load Balancers are this kind's (a Network Load Balancer of the same account is not). */
const isApplication = (lb: LoadBalancer) => lb.Type === undefined || lb.Type === 'application'

async function describeArns(client: ElasticLoadBalancingV2Client, arns: string[]): Promise<LoadBalancer[]> {
  return describeByArns(arns, async (batch) => (await client.send(new DescribeLoadBalancersCommand({LoadBalancerArns: batch}))).LoadBalancers ?? [])
}

/** One load balancer as DescribeLoadBalancers reports it (no attributes, no tags); undefined once it is gone. */
async function describeOne(client: ElasticLoadBalancingV2Client, arn: string): Promise<LoadBalancer | undefined> {
  return (await describeArns(client, [arn]))[0]
}

/** Batched read: one DescribeLoadBalancers per 20 ARNs, the attributes of each, one DescribeTags per 20. */
async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, LoadBalancerObserved>> {
  const client = await elbv2Client(ctx)
  const lbs = (await describeArns(client, ids)).filter(isApplication)
  const observed = await withTags(client, await withAttributes(client, lbs))
  return new Map(observed.map((lb) => [lb.id, lb]))
}

/**
 * The stack's Application Load Balancers, each with its owner: every one of
 * the region is listed and its tags read (DescribeLoadBalancers filters by
 * nothing but names and ARNs). Names alone would miss one whose name changed
 * in the spec, or every one when teardown runs without the spec.
 */
export async function stackLoadBalancers(client: ElasticLoadBalancingV2Client, stack: string): Promise<(Observed & {lb: LoadBalancer})[]> {
  const all = (await collectPages(paginateDescribeLoadBalancers({client}, {PageSize: PAGE_SIZE}), (page) => page.LoadBalancers)).filter(isApplication)
  return ownedObjects(
    client,
    stack,
    all.map((lb) => ({id: lb.LoadBalancerArn!, lb})),
  )
}

/** The stack's load balancers (see stackLoadBalancers), read in full. */
async function find(ctx: ReconcileContext, query: {stack: string}): Promise<LoadBalancerObserved[]> {
  const client = await elbv2Client(ctx)
  const owned = await stackLoadBalancers(client, query.stack)
  const owners = new Map(owned.map((found) => [found.id, found]))
  const observed = await withAttributes(
    client,
    owned.map((found) => found.lb),
  )
  return observed.map((lb) => ({...lb, logicalId: owners.get(lb.id)!.logicalId, stack: owners.get(lb.id)!.stack}))
}

/**
 * The load balancer named `name`, made by an earlier attempt at this create
 * with other settings (DuplicateLoadBalancerName), adopted when its tags say
 * it is this logical id's; anything else holding the name is an error.
 */
async function adoptOwn(ctx: ReconcileContext, client: ElasticLoadBalancingV2Client, desired: LoadBalancerDesired, meta: CreateMeta, cause: unknown): Promise<LoadBalancerObserved> {
  const lb = (await client.send(new DescribeLoadBalancersCommand({Names: [desired.name]}))).LoadBalancers?.[0]
  if (!lb) throw cause
  const arn = lb.LoadBalancerArn!
  await checkOwner(client, arn, desired.name, meta)
  const observed: LoadBalancerObserved = {...toObserved(lb, await attributesOf(client, arn)), ...ownerOfCreated(meta)}
  // The earlier attempt was made with other settings: bring what can change in place to the desired ones.
  return update(ctx, desired, observed)
}

/**
 * CreateLoadBalancer returns the existing load balancer when one of that name
 * has the same settings ("This operation is idempotent", API_CreateLoadBalancer),
 * whoever made it: its tags say whether it is ours.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 */
async function checkOwner(client: ElasticLoadBalancingV2Client, arn: string, name: string, meta: CreateMeta): Promise<void> {
  await ensureCreatedBy(client, arn, meta, `load balancer ${name}`, 'names are unique per region and account: give this one another name')
}

async function create(ctx: ReconcileContext, desired: LoadBalancerDesired, meta: CreateMeta): Promise<LoadBalancerObserved> {
  const client = await elbv2Client(ctx)
  let lb: LoadBalancer
  try {
    const response = await client.send(
      new CreateLoadBalancerCommand({
        Name: desired.name,
        Type: 'application',
        Scheme: desired.scheme,
        IpAddressType: 'ipv4',
        Subnets: desired.subnetIds,
        SecurityGroups: desired.securityGroupIds,
        Tags: meta.tags,
      }),
    )
    lb = response.LoadBalancers![0]!
  } catch (error) {
    if (!hasElbv2Code(error, DUPLICATE_LOAD_BALANCER_NAME)) throw error
    return adoptOwn(ctx, client, desired, meta, error)
  }
  await checkOwner(client, lb.LoadBalancerArn!, desired.name, meta)
  // A new load balancer has AWS's default attributes: only the ones that differ are sent.
  const changed = attributeChanges(desired, DEFAULT_ATTRIBUTES)
  if (changed.length > 0) await client.send(new ModifyLoadBalancerAttributesCommand({LoadBalancerArn: lb.LoadBalancerArn!, Attributes: changed}))
  return {...toObserved(lb, {idleTimeoutSeconds: desired.idleTimeoutSeconds, deletionProtection: desired.deletionProtection, http2: desired.http2}), ...ownerOfCreated(meta)}
}

/** One call per kind of change: SetSubnets, SetSecurityGroups, and one ModifyLoadBalancerAttributes for every attribute that differs. */
async function update(ctx: ReconcileContext, desired: LoadBalancerDesired, observed: LoadBalancerObserved): Promise<LoadBalancerObserved> {
  const client = await elbv2Client(ctx)
  const next = {...observed}
  const arn = observed.arn
  if (setChange('subnetIds', observed.subnetIds, desired.subnetIds).length > 0) {
    await client.send(new SetSubnetsCommand({LoadBalancerArn: arn, Subnets: desired.subnetIds}))
    next.subnetIds = sortedSet(desired.subnetIds)
  }
  if (setChange('securityGroupIds', observed.securityGroupIds, desired.securityGroupIds).length > 0) {
    await client.send(new SetSecurityGroupsCommand({LoadBalancerArn: arn, SecurityGroups: desired.securityGroupIds}))
    next.securityGroupIds = sortedSet(desired.securityGroupIds)
  }
  const changed = attributeChanges(desired, observed)
  if (changed.length > 0) {
    await client.send(new ModifyLoadBalancerAttributesCommand({LoadBalancerArn: arn, Attributes: changed}))
    Object.assign(next, {idleTimeoutSeconds: desired.idleTimeoutSeconds, deletionProtection: desired.deletionProtection, http2: desired.http2})
  }
  return next
}

async function turnOffDeletionProtection(ctx: ReconcileContext, client: ElasticLoadBalancingV2Client, observed: LoadBalancerObserved): Promise<void> {
  ctx.progress(`turning deletion protection of ${observed.name} off, to delete it`)
  await client.send(new ModifyLoadBalancerAttributesCommand({LoadBalancerArn: observed.arn, Attributes: [{Key: ATTRIBUTES.deletionProtection.key, Value: 'false'}]}))
}

/**
 * Sends DeleteLoadBalancer, deletion protection turned off first when it is
 * on; false when the load balancer was gone already. "If the load balancer
 * does not exist or has already been deleted, the call succeeds"
 * (API_DeleteLoadBalancer); LoadBalancerNotFound, also listed, means the same.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html
 */
async function sendDelete(ctx: ReconcileContext, client: ElasticLoadBalancingV2Client, observed: LoadBalancerObserved, protection: boolean): Promise<boolean> {
  try {
    if (protection) await turnOffDeletionProtection(ctx, client, observed)
    await client.send(new DeleteLoadBalancerCommand({LoadBalancerArn: observed.arn}))
    return true
  } catch (error) {
    if (isElbv2Gone(error)) return false
    // Deletion protection was turned on since the load balancer was read: off with it, and once more.
    if (!protection && hasElbv2Code(error, OPERATION_NOT_PERMITTED)) return sendDelete(ctx, client, observed, true)
    throw error
  }
}

/**
 * How EC2 describes the load balancer's network interfaces:
 * `ELB app/<name>/<16 hex>`, the end of its ARN.
 */
export function interfaceDescription(arn: string): string {
  return `ELB ${arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length)}`
}

/**
 * A deleted load balancer's network interfaces stay in its subnets, holding
 * them and its security groups (DependencyViolation), for minutes after the
 * load balancer is gone: "the cleanup is asynchronous and may take time which
 * then blocks IGW, SG or VPC on deletion" (terraform-provider-aws, which
 * waits for them too). They are requester-managed: only AWS removes them.
 * Waits until EC2 lists none.
 */
async function waitForInterfacesReleased(ctx: ReconcileContext, observed: LoadBalancerObserved): Promise<void> {
  const ec2 = await ctx.aws.ec2()
  const filters = [{Name: 'description', Values: [interfaceDescription(observed.arn)]}]
  await waitFor(ctx, {
    what: `the network interfaces of load balancer ${observed.name} to be released`,
    poll: () => collectPages(paginateDescribeNetworkInterfaces({client: ec2}, {Filters: filters}), (page) => page.NetworkInterfaces),
    state: (interfaces) => `${interfaces?.length ?? 0} still in its subnets`,
    done: (interfaces) => interfaces?.length === 0,
  })
}

export const loadBalancer: Reconciler<LoadBalancerDesired, LoadBalancerObserved> = {
  kind: 'elbv2.load-balancer',
  // The name is the spec's and unique per region: the old load balancer must go before the new one can have it.
  replaceStrategy: 'delete-before-create',
  // `provisioning` → `active` takes a few minutes (waitReady); a deleted one leaves describes within seconds,
  // its network interfaces its subnets within a minute or few.
  typicalMs: {create: 150_000, delete: 90_000},
  // CreateLoadBalancer is idempotent by name and settings (checkOwner), and an earlier attempt with other
  // settings is adopted by its tags (adoptOwn): a retried create never makes a second load balancer.
  idempotentCreate: true,
  classifyError: classifyElbv2Error,
  read,
  find,
  diff: diffLoadBalancer,
  create,
  update,

  /**
   * Waits for `active`. CreateListener and CreateRule accept a load balancer
   * that is still `provisioning`, but the engine runs this before any
   * dependent: `up` then ends with a load balancer that serves (as
   * Terraform's aws_lb waits for `active`, hashicorp/terraform#10386), and
   * one that `failed` fails the run that made it rather than later requests.
   */
  async waitReady(ctx, observed) {
    const client = await elbv2Client(ctx)
    const lb = await waitFor(ctx, {
      what: `load balancer ${observed.name} to be active`,
      poll: () => describeOne(client, observed.arn),
      state: (value) => value?.State?.Code ?? 'not visible yet',
      done: (value) => SERVING_STATES.has(value?.State?.Code ?? ''),
      failed: (value) => (value?.State?.Code === 'failed' ? `failed: ${value.State.Reason ?? 'no reason given'}` : undefined),
    })
    const {state, stateReason, dnsName, canonicalHostedZoneId} = toObserved(lb!, observed)
    const ready: LoadBalancerObserved = {...observed, state, dnsName: dnsName || observed.dnsName, canonicalHostedZoneId: canonicalHostedZoneId || observed.canonicalHostedZoneId}
    if (stateReason) ready.stateReason = stateReason
    else delete ready.stateReason
    return ready
  },

  /**
   * Deletion protection is the user's guard against deleting by hand; a
   * teardown (or a replacement the plan showed) is the user asking for the
   * deletion, so it is turned off first, and the progress says so. The
   * listeners go with the load balancer. Waits until describes no longer
   * show it, then until its network interfaces are released: until then its
   * subnets and security groups cannot be deleted, and a replacement's
   * cascade (a new VPC) would wait for them past its bound. One already gone
   * may have been deleted moments ago: its interfaces are waited for too.
   */
  async delete(ctx, observed) {
    const client = await elbv2Client(ctx)
    if (await sendDelete(ctx, client, observed, observed.deletionProtection)) {
      await waitFor(ctx, {
        what: `load balancer ${observed.name} to be deleted`,
        poll: () => describeOne(client, observed.arn),
        state: (value) => value?.State?.Code ?? 'gone',
        done: (value) => value === undefined,
      })
    }
    await waitForInterfacesReleased(ctx, observed)
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name, dnsName: observed.dnsName, canonicalHostedZoneId: observed.canonicalHostedZoneId}
  },

  health(observed) {
    const health = {state: observed.state, ready: SERVING_STATES.has(observed.state)}
    return observed.stateReason ? {...health, detail: observed.stateReason} : health
  },
}
