import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DetachInternetGatewayCommand,
  paginateDescribeInternetGateways,
  type EC2Client,
  type Filter,
  type InternetGateway,
} from '@aws-sdk/client-ec2'
import {hasCode} from '../../aws/errors.js'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, Observed, ReconcileContext} from '../types.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, mutableChanges, retryWhileNewIdNotFound} from './describe.js'
import {isEc2NotFound} from './errors.js'
import type {InternetGatewayDesired} from './desired.js'

/** The gateway and its attachment are one resource: `vpcId` is the VPC it is attached to, if any. */
export interface InternetGatewayObserved extends Observed {
  vpcId?: string
}

export function diffInternetGateway(desired: InternetGatewayDesired, observed: InternetGatewayObserved): Change[] {
  // Re-attaching to another VPC is a detach + attach on the same gateway.
  return mutableChanges(desired, observed, ['vpcId'])
}

/**
 * DescribeInternetGateways reports an attached gateway's attachment as
 * `available` (not `attached`); one being detached as `detaching`.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InternetGatewayAttachment.html
 */
function toObserved(gateway: InternetGateway): InternetGatewayObserved {
  const attachment = gateway.Attachments?.find((candidate) => candidate.State !== 'detaching' && candidate.State !== 'detached')
  return {id: gateway.InternetGatewayId!, ...ownerOf(gateway.Tags), vpcId: attachment?.VpcId}
}

async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<InternetGatewayObserved[]> {
  const gateways = await collectPages(paginateDescribeInternetGateways({client: await ctx.aws.ec2()}, {Filters: filters}), (page) => page.InternetGateways)
  return gateways.map(toObserved)
}

/**
 * The attachment is already gone: `Gateway.NotAttached`, or NotFound for the
 * gateway or the VPC.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
async function detach(ec2: EC2Client, gatewayId: string, vpcId: string): Promise<void> {
  try {
    await ec2.send(new DetachInternetGatewayCommand({InternetGatewayId: gatewayId, VpcId: vpcId}))
  } catch (error) {
    // DependencyViolation ("has some mapped public address(es)": a NAT gateway or EIP still in the VPC) is thrown for the engine to retry.
    if (!isEc2NotFound(error) && !hasCode(error, 'Gateway.NotAttached')) throw error
  }
}

/**
 * Attaches. The gateway or the VPC may have been created moments ago and
 * answer NotFound for a while; CreateInternetGateway has no idempotency
 * token, so only the attach is retried.
 */
async function attach(ctx: ReconcileContext, ec2: EC2Client, gatewayId: string, vpcId: string): Promise<void> {
  await retryWhileNewIdNotFound(ctx, `${gatewayId} to attach to ${vpcId}`, () => ec2.send(new AttachInternetGatewayCommand({InternetGatewayId: gatewayId, VpcId: vpcId})))
}

export const internetGateway = ec2Kind<InternetGatewayDesired, InternetGatewayObserved>({
  kind: 'ec2.internet-gateway',
  // Nothing forces replacement today; should something, a second gateway can exist while the first goes.
  replaceStrategy: 'create-before-delete',
  idFilter: 'internet-gateway-id',
  describe,
  diff: diffInternetGateway,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const response = await ec2.send(new CreateInternetGatewayCommand({TagSpecifications: tagSpecifications('internet-gateway', meta.tags)}))
    const gatewayId = response.InternetGateway!.InternetGatewayId!
    // Should the attach fail, the tagged gateway is adopted by find() on the next run and attached by update().
    await attach(ctx, ec2, gatewayId, desired.vpcId)
    return {id: gatewayId, ...ownerOfCreated(meta), vpcId: desired.vpcId}
  },

  async update(ctx, desired, observed, changes) {
    if (!changes.some((change) => change.field === 'vpcId') || desired.vpcId === observed.vpcId) return observed
    const ec2 = await ctx.aws.ec2()
    // A gateway attaches to one VPC at a time.
    if (observed.vpcId) await detach(ec2, observed.id, observed.vpcId)
    await attach(ctx, ec2, observed.id, desired.vpcId)
    return {...observed, vpcId: desired.vpcId}
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    // An attached gateway cannot be deleted (DependencyViolation).
    if (observed.vpcId) await detach(ec2, observed.id, observed.vpcId)
    await deleteIgnoringNotFound(() => ec2.send(new DeleteInternetGatewayCommand({InternetGatewayId: observed.id})))
  },

  outputs(observed) {
    const outputs: Record<string, string> = {id: observed.id}
    if (observed.vpcId) outputs.vpcId = observed.vpcId
    return outputs
  },
})
