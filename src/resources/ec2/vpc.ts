import {CreateVpcCommand, DeleteVpcCommand, DescribeVpcAttributeCommand, ModifyVpcAttributeCommand, paginateDescribeVpcs, type EC2Client, type Filter, type Vpc} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, Observed, ReconcileContext} from '../types.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, mutableChanges, retryWhileNewIdNotFound} from './describe.js'
import {isEc2NotFound} from './errors.js'
import type {VpcDesired} from './desired.js'
import {deleteNamingInterfaces, inVpc} from './network-interfaces.js'

export interface VpcObserved extends Observed {
  cidr: string
  /** `pending` | `available`. */
  state: string
  enableDnsSupport: boolean
  enableDnsHostnames: boolean
}

type DnsAttribute = 'enableDnsSupport' | 'enableDnsHostnames'

/**
 * What CreateVpc gives a new (non-default) VPC: DNS resolution on, DNS
 * hostnames off. Only desired values that differ cost a ModifyVpcAttribute.
 * https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support
 */
const CREATE_DEFAULTS = {enableDnsSupport: true, enableDnsHostnames: false} as const

export function diffVpc(desired: VpcDesired, observed: VpcObserved): Change[] {
  return [...immutableChanges(desired, observed, ['cidr']), ...mutableChanges(desired, observed, ['enableDnsSupport', 'enableDnsHostnames'])]
}

/**
 * The order of attribute changes: hostnames need DNS support, so support is
 * switched on before hostnames and hostnames off before support.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcAttribute.html
 */
function attributeOrder(desired: VpcDesired): DnsAttribute[] {
  return desired.enableDnsSupport ? ['enableDnsSupport', 'enableDnsHostnames'] : ['enableDnsHostnames', 'enableDnsSupport']
}

/** ModifyVpcAttribute takes exactly one attribute per call. */
function modifyAttribute(ec2: EC2Client, vpcId: string, attribute: DnsAttribute, value: boolean) {
  const input = attribute === 'enableDnsSupport' ? {VpcId: vpcId, EnableDnsSupport: {Value: value}} : {VpcId: vpcId, EnableDnsHostnames: {Value: value}}
  return ec2.send(new ModifyVpcAttributeCommand(input))
}

/**
 * DescribeVpcs does not return the DNS attributes; DescribeVpcAttribute does,
 * one attribute per call. Undefined when the VPC went away in between.
 */
async function withAttributes(ec2: EC2Client, vpc: Vpc): Promise<VpcObserved | undefined> {
  const vpcId = vpc.VpcId!
  try {
    const [support, hostnames] = await Promise.all([
      ec2.send(new DescribeVpcAttributeCommand({VpcId: vpcId, Attribute: 'enableDnsSupport'})),
      ec2.send(new DescribeVpcAttributeCommand({VpcId: vpcId, Attribute: 'enableDnsHostnames'})),
    ])
    return {
      id: vpcId,
      ...ownerOf(vpc.Tags),
      cidr: vpc.CidrBlock ?? '',
      state: vpc.State ?? 'unknown',
      enableDnsSupport: support.EnableDnsSupport?.Value ?? CREATE_DEFAULTS.enableDnsSupport,
      enableDnsHostnames: hostnames.EnableDnsHostnames?.Value ?? CREATE_DEFAULTS.enableDnsHostnames,
    }
  } catch (error) {
    if (isEc2NotFound(error)) return undefined
    throw error
  }
}

async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<VpcObserved[]> {
  const ec2 = await ctx.aws.ec2()
  const vpcs = await collectPages(paginateDescribeVpcs({client: ec2}, {Filters: filters}), (page) => page.Vpcs)
  const observed = await Promise.all(vpcs.map((vpc) => withAttributes(ec2, vpc)))
  return observed.filter((vpc): vpc is VpcObserved => vpc !== undefined)
}

export const vpc = ec2Kind<VpcDesired, VpcObserved>({
  kind: 'ec2.vpc',
  // A VPC's CIDR cannot change, and the subnets in it must go first anyway.
  replaceStrategy: 'delete-before-create',
  idFilter: 'vpc-id',
  describe,
  diff: diffVpc,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const response = await ec2.send(new CreateVpcCommand({CidrBlock: desired.cidr, TagSpecifications: tagSpecifications('vpc', meta.tags)}))
    const vpcId = response.Vpc!.VpcId!
    for (const attribute of attributeOrder(desired)) {
      if (desired[attribute] === CREATE_DEFAULTS[attribute]) continue
      // CreateVpc has no idempotency token: while the new id answers NotFound, only this call is retried.
      await retryWhileNewIdNotFound(ctx, `${vpcId} to be visible`, () => modifyAttribute(ec2, vpcId, attribute, desired[attribute]))
    }
    return {
      id: vpcId,
      ...ownerOfCreated(meta),
      cidr: response.Vpc?.CidrBlock ?? desired.cidr,
      state: response.Vpc?.State ?? 'pending',
      enableDnsSupport: desired.enableDnsSupport,
      enableDnsHostnames: desired.enableDnsHostnames,
    }
  },

  async update(ctx, desired, observed, changes) {
    const ec2 = await ctx.aws.ec2()
    const changed = new Set(changes.map((change) => change.field))
    const updated = {...observed}
    for (const attribute of attributeOrder(desired)) {
      if (!changed.has(attribute) || desired[attribute] === observed[attribute]) continue
      await modifyAttribute(ec2, observed.id, attribute, desired[attribute])
      updated[attribute] = desired[attribute]
    }
    return updated
  },

  /**
   * DependencyViolation (subnets, gateways, network interfaces still inside)
   * is thrown for the engine to retry; network interfaces in the VPC are
   * named in it (network-interfaces.ts).
   */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    await deleteNamingInterfaces(ctx, inVpc(observed.id), () => deleteIgnoringNotFound(() => ec2.send(new DeleteVpcCommand({VpcId: observed.id}))))
  },

  outputs(observed) {
    return {id: observed.id, cidr: observed.cidr}
  },
})
