import {CreateSubnetCommand, DeleteSubnetCommand, ModifySubnetAttributeCommand, paginateDescribeSubnets, type EC2Client, type Filter, type Subnet} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, Observed, ReconcileContext} from '../types.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, mutableChanges, retryWhileNewIdNotFound} from './describe.js'
import type {SubnetDesired} from './desired.js'
import {deleteNamingInterfaces, inSubnet} from './network-interfaces.js'

export interface SubnetObserved extends Observed {
  vpcId: string
  cidr: string
  availabilityZone: string
  mapPublicIpOnLaunch: boolean
  /** `pending` | `available`. */
  state: string
}

export function diffSubnet(desired: SubnetDesired, observed: SubnetObserved): Change[] {
  // AWS cannot move a subnet to another VPC or zone, nor change its IPv4 CIDR.
  return [...immutableChanges(desired, observed, ['vpcId', 'cidr', 'availabilityZone']), ...mutableChanges(desired, observed, ['mapPublicIpOnLaunch'])]
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
  const subnets = await collectPages(paginateDescribeSubnets({client: await ctx.aws.ec2()}, {Filters: filters}), (page) => page.Subnets)
  return subnets.map(toObserved)
}

function setMapPublicIp(ec2: EC2Client, subnetId: string, value: boolean) {
  return ec2.send(new ModifySubnetAttributeCommand({SubnetId: subnetId, MapPublicIpOnLaunch: {Value: value}}))
}

export const subnet = ec2Kind<SubnetDesired, SubnetObserved>({
  kind: 'ec2.subnet',
  // Two subnets of one VPC cannot overlap, so the replacement's CIDR is free only once the old one is gone.
  replaceStrategy: 'delete-before-create',
  idFilter: 'subnet-id',
  describe,
  diff: diffSubnet,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const response = await ec2.send(
      new CreateSubnetCommand({
        VpcId: desired.vpcId,
        CidrBlock: desired.cidr,
        AvailabilityZone: desired.availabilityZone,
        TagSpecifications: tagSpecifications('subnet', meta.tags),
      }),
    )
    const created = {...toObserved(response.Subnet!), ...ownerOfCreated(meta)}
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

  /**
   * DependencyViolation means network interfaces are still in the subnet: a
   * deleted load balancer's (for minutes), a NAT gateway's or endpoint's still
   * going, a task's. The error thrown names whose they are, and the engine
   * retries it while they go (network-interfaces.ts).
   */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    await deleteNamingInterfaces(ctx, inSubnet(observed.id), () => deleteIgnoringNotFound(() => ec2.send(new DeleteSubnetCommand({SubnetId: observed.id}))))
  },

  outputs(observed) {
    return {id: observed.id, availabilityZone: observed.availabilityZone, cidr: observed.cidr, vpcId: observed.vpcId}
  },
})
