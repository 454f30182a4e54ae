import {
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeVpcAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeVpcs,
  type EC2Client,
  type Filter,
  type Vpc,
} from '@aws-sdk/client-ec2'
import {ownerOf, tagSpecifications} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {findByStack, readByIdFilter, retryWhileNewIdNotFound} from './describe.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'
import type {VpcDesired} from './desired.js'

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
  const changes: Change[] = []
  if (desired.cidr !== observed.cidr) changes.push({field: 'cidr', before: observed.cidr, after: desired.cidr, replace: true})
  for (const field of ['enableDnsSupport', 'enableDnsHostnames'] as const) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: false})
  }
  return changes
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
  const vpcs: Vpc[] = []
  for await (const page of paginateDescribeVpcs({client: ec2}, {Filters: filters})) vpcs.push(...(page.Vpcs ?? []))
  const observed = await Promise.all(vpcs.map((vpc) => withAttributes(ec2, vpc)))
  return observed.filter((vpc): vpc is VpcObserved => vpc !== undefined)
}

export const vpc: Reconciler<VpcDesired, VpcObserved> = {
  kind: 'ec2.vpc',
  classifyError: classifyEc2Error,
  // A VPC's CIDR cannot change, and the subnets in it must go first anyway.
  replaceStrategy: 'delete-before-create',

  read(ctx, ids) {
    return readByIdFilter(ids, 'vpc-id', (filters) => describe(ctx, filters))
  },

  find(ctx, query) {
    return findByStack(query.stack, (filters) => describe(ctx, filters))
  },

  diff: diffVpc,

  async create(ctx, desired, meta: CreateMeta) {
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
      logicalId: meta.logicalId,
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

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    try {
      await ec2.send(new DeleteVpcCommand({VpcId: observed.id}))
    } catch (error) {
      // DependencyViolation (subnets, gateways, ENIs still inside) is thrown: the engine retries it with backoff.
      if (!isEc2NotFound(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, cidr: observed.cidr}
  },
}
