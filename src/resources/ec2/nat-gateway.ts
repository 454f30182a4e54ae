import {CreateNatGatewayCommand, DeleteNatGatewayCommand, DescribeAddressesCommand, paginateDescribeNatGateways, type Address, type Filter, type NatGateway} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, tagSpecifications, withOwner} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext} from '../types.js'
import {waitFor} from '../wait.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, nothingChangesInPlace} from './describe.js'
import {isEc2NotFound} from './errors.js'
import type {NatGatewayDesired} from './desired.js'

export interface NatGatewayObserved extends Observed {
  subnetId: string
  allocationId: string
  vpcId?: string
  /** `pending` | `available` (`deleting`, `deleted` and `failed` ones count as absent). */
  state: string
  /** Known once AWS has associated the address (usually in the create response). */
  publicIp?: string
  failureCode?: string
  failureMessage?: string
}

export function diffNatGateway(desired: NatGatewayDesired, observed: NatGatewayObserved): Change[] {
  // Neither the subnet nor the primary Elastic IP of a NAT gateway can change.
  return immutableChanges(desired, observed, ['subnetId', 'allocationId'])
}

/**
 * A NAT gateway `deleting` will never serve again, one `deleted` stays
 * visible for about an hour, and one that `failed` is deleted by AWS on its
 * own: none exists for our purposes, so one deleted by hand is made anew at
 * once (create waits for its address). Until `deleted` (or `failed`) it
 * still holds its network interface and address: delete waits for that.
 * https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html
 */
const GONE_STATES = new Set(['deleting', 'deleted', 'failed'])
const RELEASED_STATES = new Set(['deleted', 'failed'])

function isGone(gateway: NatGateway): boolean {
  return GONE_STATES.has(gateway.State ?? '')
}

function toObserved(gateway: NatGateway): NatGatewayObserved {
  const addresses = gateway.NatGatewayAddresses ?? []
  const primary = addresses.find((address) => address.IsPrimary) ?? addresses[0]
  return {
    id: gateway.NatGatewayId!,
    ...ownerOf(gateway.Tags),
    subnetId: gateway.SubnetId ?? '',
    allocationId: primary?.AllocationId ?? '',
    vpcId: gateway.VpcId,
    state: gateway.State ?? 'unknown',
    publicIp: primary?.PublicIp,
    failureCode: gateway.FailureCode,
    failureMessage: gateway.FailureMessage,
  }
}

/** Every state, `deleted` and `failed` included. Note the parameter is `Filter`, not `Filters`, in this API. */
async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<NatGateway[]> {
  return collectPages(paginateDescribeNatGateways({client: await ctx.aws.ec2()}, {Filter: filters}), (page) => page.NatGateways)
}

/** The gateways that exist for our purposes (see GONE_STATES). */
async function describeLive(ctx: ReconcileContext, filters: Filter[]): Promise<NatGatewayObserved[]> {
  return (await describe(ctx, filters)).filter((gateway) => !isGone(gateway)).map(toObserved)
}

async function describeOne(ctx: ReconcileContext, id: string): Promise<NatGateway | undefined> {
  return (await describe(ctx, [{Name: 'nat-gateway-id', Values: [id]}])).find((gateway) => gateway.NatGatewayId === id)
}

/** The NAT gateway (any state but `failed`) whose address is `address`: the one on its network interface, else any. */
async function natGatewayHolding(ctx: ReconcileContext, address: Address): Promise<NatGateway | undefined> {
  const gateways = await describe(ctx, [{Name: 'state', Values: ['pending', 'available', 'deleting', 'deleted']}])
  const holding = gateways.filter((gateway) => (gateway.NatGatewayAddresses ?? []).some((held) => held.AllocationId === address.AllocationId))
  // A deleted gateway still lists the address it once had: the holder is the one whose interface has it now.
  if (address.NetworkInterfaceId) return holding.find((gateway) => gateway.NatGatewayAddresses!.some((held) => held.NetworkInterfaceId === address.NetworkInterfaceId))
  return holding[0]
}

function holderOf(address: Address, gateway: NatGateway | undefined): string {
  if (gateway) {
    const owner = ownerOf(gateway.Tags)
    return `NAT gateway ${gateway.NatGatewayId} (${gateway.State}${owner.logicalId ? `, ${owner.logicalId} of stack ${owner.stack}` : ''})`
  }
  if (address.InstanceId) return `instance ${address.InstanceId}`
  return `network interface ${address.NetworkInterfaceId ?? address.AssociationId}`
}

/**
 * A NAT gateway's Elastic IP stays associated until the gateway is
 * `deleted`, and a gateway created on an address still held fails
 * (FailureCode Resource.AlreadyAssociated). So before a create: an address
 * held by a NAT gateway on its way out (deleted by hand moments ago) is
 * waited for; one held by this very create's earlier attempt (same tags,
 * subnet and address: the ClientToken replays it) is fine; one held by
 * anything else fails at once.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html
 * https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html
 */
async function waitForAddressFree(ctx: ReconcileContext, desired: NatGatewayDesired, meta: CreateMeta): Promise<void> {
  const ec2 = await ctx.aws.ec2()
  const describeAddress = async () => (await ec2.send(new DescribeAddressesCommand({Filters: [{Name: 'allocation-id', Values: [desired.allocationId]}]}))).Addresses?.[0]
  const address = await describeAddress()
  // Free, or not visible yet (CreateNatGateway then answers NotFound, which the engine retries).
  if (!address?.AssociationId) return
  const holder = await natGatewayHolding(ctx, address)
  if (holder && (holder.State === 'deleting' || holder.State === 'deleted')) {
    await waitFor(ctx, {
      what: `${desired.allocationId} to be released by ${holder.NatGatewayId} (${holder.State})`,
      poll: describeAddress,
      state: (current) => (current?.AssociationId ? 'associated' : 'free'),
      done: (current) => !current?.AssociationId,
    })
    return
  }
  if (holder && isEarlierAttempt(holder, desired, meta)) return
  // An earlier run sent this very create, and the gateway whose interface holds the address is not
  // visible yet (EC2's describes lag): the ClientToken replays it.
  if (!holder && meta.resuming && !address.InstanceId) return
  throw new Error(`Elastic IP ${desired.allocationId} is associated with ${holderOf(address, holder)}; a NAT gateway needs an address nothing else holds: free it, or give the gateway another one`)
}

/** The gateway this create's earlier attempt made: our tags, the desired subnet (the create's ClientToken returns it). */
function isEarlierAttempt(gateway: NatGateway, desired: NatGatewayDesired, meta: CreateMeta): boolean {
  const owner = ownerOf(gateway.Tags)
  return owner.stack === ownerOfCreated(meta).stack && owner.logicalId === meta.logicalId && gateway.SubnetId === desired.subnetId
}

export const natGateway = ec2Kind<NatGatewayDesired, NatGatewayObserved>({
  kind: 'ec2.nat-gateway',
  // Private subnets keep their route to the old gateway until the new one is available.
  replaceStrategy: 'create-before-delete',
  // `pending` → `available` takes ~60–120 s; `deleting` → `deleted` ~60 s.
  typicalMs: {create: 90_000, delete: 60_000},
  // create passes meta.token as ClientToken: a retried create returns what the first attempt made.
  idempotentCreate: true,
  idFilter: 'nat-gateway-id',
  describe: describeLive,
  diff: diffNatGateway,
  update: nothingChangesInPlace,

  async create(ctx, desired, meta) {
    await waitForAddressFree(ctx, desired, meta)
    const ec2 = await ctx.aws.ec2()
    // (A second gateway would be a second bill: see idempotentCreate.)
    const response = await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: desired.subnetId,
        AllocationId: desired.allocationId,
        ConnectivityType: 'public',
        ClientToken: meta.token,
        TagSpecifications: tagSpecifications('natgateway', meta.tags),
      }),
    )
    const created = toObserved(response.NatGateway!)
    return {
      ...created,
      ...ownerOfCreated(meta),
      subnetId: created.subnetId || desired.subnetId,
      allocationId: created.allocationId || desired.allocationId,
      state: response.NatGateway?.State ?? 'pending',
    }
  },

  async waitReady(ctx, observed) {
    // A fresh id may be missing from describes for a while (eventual consistency): that is "not yet", not "gone".
    const gateway = await waitFor(ctx, {
      what: `${observed.id} to be available`,
      isGone: isEc2NotFound,
      poll: () => describeOne(ctx, observed.id),
      state: (value) => value?.State ?? 'not visible yet',
      done: (value) => value?.State === 'available',
      failed: (value) => {
        if (value?.State === 'failed') return `${value.FailureCode ?? 'failed'}: ${value.FailureMessage ?? 'no reason given'}`
        if (value?.State === 'deleting' || value?.State === 'deleted') return `it is ${value.State}`
        return undefined
      },
    })
    return withOwner(toObserved(gateway!), observed)
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    const deleting = await deleteIgnoringNotFound(() => ec2.send(new DeleteNatGatewayCommand({NatGatewayId: observed.id})))
    if (!deleting) return
    // The gateway holds its network interface in the subnet and its Elastic IP until it is `deleted`; the
    // subnet's and the address's own deletion fail until then.
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteNatGateway.html
    await waitFor(ctx, {
      what: `${observed.id} to be deleted`,
      isGone: isEc2NotFound,
      poll: () => describeOne(ctx, observed.id),
      state: (value) => value?.State ?? 'gone',
      done: (value) => value === undefined || RELEASED_STATES.has(value.State ?? ''),
    })
  },

  outputs(observed) {
    const outputs: Record<string, string> = {id: observed.id, subnetId: observed.subnetId, allocationId: observed.allocationId}
    if (observed.publicIp) outputs.publicIp = observed.publicIp
    return outputs
  },

  health(observed) {
    return {state: observed.state, ready: observed.state === 'available', detail: observed.failureMessage}
  },
})
