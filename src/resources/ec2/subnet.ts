import {
  CreateSubnetCommand,
  DeleteSubnetCommand,
  ModifySubnetAttributeCommand,
  paginateDescribeSubnets,
  type EC2Client,
  type Filter,
  type Subnet,
} from '@aws-sdk/client-ec2'
import {ownerOf, tagSpecifications} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {findByStack, readByIdFilter, retryWhileNewIdNotFound} from './describe.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'
import type {SubnetDesired} from './desired.js'

export interface SubnetObserved extends Observed {
  vpcId: string
  cidr: string
  availabilityZone: string
  mapPublicIpOnLaunch: boolean
  /** `pending` | `available`. */
  state: string
}

export function diffSubnet(desired: SubnetDesired, observed: SubnetObserved): Change[] {
  const changes: Change[] = []
  // AWS cannot move a subnet to another VPC or zone, nor change its IPv4 CIDR.
  for (const field of ['vpcId', 'cidr', 'availabilityZone'] as const) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: true})
  }
  if (desired.mapPublicIpOnLaunch !== observed.mapPublicIpOnLaunch) {
    changes.push({field: 'mapPublicIpOnLaunch', before: observed.mapPublicIpOnLaunch, after: desired.mapPublicIpOnLaunch, replace: false})
  }
  return changes
}

function toObserved(subnet: Subnet): SubnetObserved {
  return {
    id: subnet.SubnetId!,
    ...ownerOf(subnet.Tags),
    vpcId: subnet.VpcId ?? '',
    cidr: subnet.CidrBlock ?? '',
    availabilityZone: subnet.AvailabilityZone ?? '',
    mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch ?? false,
    state: subnet.State ?? 'unknown',
  }
}

async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<SubnetObserved[]> {
  const ec2 = await ctx.aws.ec2()
  const out: SubnetObserved[] = []
  for await (const page of paginateDescribeSubnets({client: ec2}, {Filters: filters})) out.push(...(page.Subnets ?? []).map(toObserved))
  return out
}

function setMapPublicIp(ec2: EC2Client, subnetId: string, value: boolean) {
  return ec2.send(new ModifySubnetAttributeCommand({SubnetId: subnetId, MapPublicIpOnLaunch: {Value: value}}))
}

export const subnet: Reconciler<SubnetDesired, SubnetObserved> = {
  kind: 'ec2.subnet',
  classifyError: classifyEc2Error,
  // Two subnets of one VPC cannot overlap, so the replacement's CIDR is free only once the old one is gone.
  replaceStrategy: 'delete-before-create',

  read(ctx, ids) {
    return readByIdFilter(ids, 'subnet-id', (filters) => describe(ctx, filters))
  },

  find(ctx, query) {
    return findByStack(query.stack, (filters) => describe(ctx, filters))
  },

  diff: diffSubnet,

  async create(ctx, desired, meta: CreateMeta) {
    const ec2 = await ctx.aws.ec2()
    const response = await ec2.send(
      new CreateSubnetCommand({
        VpcId: desired.vpcId,
        CidrBlock: desired.cidr,
        AvailabilityZone: desired.availabilityZone,
        TagSpecifications: tagSpecifications('subnet', meta.tags),
      }),
    )
    const created = {...toObserved(response.Subnet!), logicalId: meta.logicalId}
    // CreateSubnet has no parameter for it; new subnets start with MapPublicIpOnLaunch false.
    if (desired.mapPublicIpOnLaunch && !created.mapPublicIpOnLaunch) {
      // CreateSubnet has no idempotency token: while the new id answers NotFound, only this call is retried.
      await retryWhileNewIdNotFound(ctx, `${created.id} to be visible`, () => setMapPublicIp(ec2, created.id, true))
      created.mapPublicIpOnLaunch = true
    }
    return created
  },

  async update(ctx, desired, observed, changes) {
    const ec2 = await ctx.aws.ec2()
    const updated = {...observed}
    if (changes.some((change) => change.field === 'mapPublicIpOnLaunch') && desired.mapPublicIpOnLaunch !== observed.mapPublicIpOnLaunch) {
      await setMapPublicIp(ec2, observed.id, desired.mapPublicIpOnLaunch)
      updated.mapPublicIpOnLaunch = desired.mapPublicIpOnLaunch
    }
    return updated
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    try {
      await ec2.send(new DeleteSubnetCommand({SubnetId: observed.id}))
    } catch (error) {
      // DependencyViolation (ENIs of a NAT gateway, endpoint or task still draining) is thrown: the engine retries it.
      if (!isEc2NotFound(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, availabilityZone: observed.availabilityZone, cidr: observed.cidr, vpcId: observed.vpcId}
  },
}
