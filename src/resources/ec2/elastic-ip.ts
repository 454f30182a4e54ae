import {AllocateAddressCommand, DescribeAddressesCommand, ReleaseAddressCommand, type Address, type Filter} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, Observed, ReconcileContext} from '../types.js'
import {deleteIgnoringNotFound, ec2Kind, immutableChanges, nothingChangesInPlace} from './describe.js'
import type {ElasticIpDesired} from './desired.js'

/** `id` is the allocation id (`eipalloc-…`), the handle every API that uses the address takes. */
export interface ElasticIpObserved extends Observed {
  publicIp: string
  domain: string
  /** Set while the address is associated (e.g. with a NAT gateway's network interface). */
  associationId?: string
}

export function diffElasticIp(desired: ElasticIpDesired, observed: ElasticIpObserved): Change[] {
  // An address has nothing to change in place. Its domain is always `vpc` since EC2-Classic was retired;
  // compared anyway so that an adopted `standard` address would be replaced, not silently kept.
  return immutableChanges(desired, observed, ['domain'])
}

function toObserved(address: Address): ElasticIpObserved {
  return {
    id: address.AllocationId!,
    ...ownerOf(address.Tags),
    publicIp: address.PublicIp ?? '',
    domain: address.Domain ?? 'vpc',
    associationId: address.AssociationId,
  }
}

/** DescribeAddresses has no pagination: one call answers every match. */
async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<ElasticIpObserved[]> {
  const ec2 = await ctx.aws.ec2()
  const response = await ec2.send(new DescribeAddressesCommand({Filters: filters}))
  return (response.Addresses ?? []).filter((address) => address.AllocationId).map(toObserved)
}

export const elasticIp = ec2Kind<ElasticIpDesired, ElasticIpObserved>({
  kind: 'ec2.elastic-ip',
  // A new address can be allocated while the old one still serves (its public IP changes either way).
  replaceStrategy: 'create-before-delete',
  idFilter: 'allocation-id',
  describe,
  diff: diffElasticIp,
  update: nothingChangesInPlace,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    // AllocateAddress takes no idempotency token; find() by tags covers a crash between the call and the state save.
    const response = await ec2.send(new AllocateAddressCommand({Domain: desired.domain, TagSpecifications: tagSpecifications('elastic-ip', meta.tags)}))
    return {id: response.AllocationId!, ...ownerOfCreated(meta), publicIp: response.PublicIp ?? '', domain: response.Domain ?? desired.domain}
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    // An address still associated in a non-default VPC (a NAT gateway not yet `deleted`) answers
    // InvalidIPAddress.InUse (also seen as AuthFailure.AddressInUse): thrown for the engine to retry.
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReleaseAddress.html
    await deleteIgnoringNotFound(() => ec2.send(new ReleaseAddressCommand({AllocationId: observed.id})))
  },

  outputs(observed) {
    return {id: observed.id, publicIp: observed.publicIp}
  },
})
