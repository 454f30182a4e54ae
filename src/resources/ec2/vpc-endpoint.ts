import {CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, ModifyVpcEndpointCommand, paginateDescribeVpcEndpoints, type Filter, type ModifyVpcEndpointRequest, type VpcEndpoint} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, tagSpecifications, withOwner} from '../tags.js'
import type {Change, Health, Observed, ReconcileContext} from '../types.js'
import {waitFor} from '../wait.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges} from './describe.js'
import {isEc2NotFound} from './errors.js'
import type {VpcEndpointDesired} from './desired.js'

export interface VpcEndpointObserved extends Observed {
  vpcId: string
  serviceName: string
  /** `Gateway` | `Interface` (| `GatewayLoadBalancer`…, never ours). */
  type: string
  /** Lower-case: `pending`, `available`, `deleting`, `deleted`, `failed`, `rejected`… */
  state: string
  routeTableIds: string[]
  subnetIds: string[]
  securityGroupIds: string[]
  privateDnsEnabled: boolean
  /** Interface endpoints: the regional DNS name. */
  dnsName?: string
  /** The endpoint policy as AWS reports it (a JSON string); absent for services without endpoint policies. */
  policyDocument?: string
}

/** States in which the endpoint is, for us, gone: it will never serve again. */
const GONE_STATES = new Set(['deleting', 'deleted', 'failed', 'rejected'])
/** States from which `available` can no longer be reached. */
const FAILED_STATES = new Set(['failed', 'rejected', 'expired'])

const sorted = (ids: string[]) => [...new Set(ids)].sort()

function sameSet(a: string[], b: string[]): boolean {
  const left = sorted(a)
  const right = sorted(b)
  return left.length === right.length && left.every((id, i) => id === right[i])
}

/**
 * The policy AWS attaches when none is given: full access. AWS reports it
 * in more than one spelling (a gateway endpoint's with `"Version":
 * "2008-10-17"`, an interface endpoint's without a Version and
 * pretty-printed), so it is recognised by its statements.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html#default-endpoint-policy
 * https://docs.aws.amazon.com/ec2/latest/devguide/example_ec2_DescribeVpcEndpoints_section.html
 */
const DEFAULT_POLICY_STATEMENTS = canonicalJson([{Effect: 'Allow', Principal: '*', Action: '*', Resource: '*'}])

/** JSON with object keys sorted and no white space: two spellings of one document compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item))
}

/** A policy document as compared: canonical JSON, or the text itself when it is not JSON. */
export function normalisePolicy(document: string): string {
  try {
    return canonicalJson(JSON.parse(document))
  } catch {
    return document
  }
}

/**
 * Whether a reported policy is AWS's default. An endpoint of a service
 * without endpoint policies reports none: it allows full access, as the
 * default does.
 */
export function isDefaultPolicy(document: string | undefined): boolean {
  if (document === undefined) return true
  try {
    const {Version: _version, ...rest} = JSON.parse(document) as Record<string, unknown>
    return Object.keys(rest).length === 1 && canonicalJson(rest.Statement) === DEFAULT_POLICY_STATEMENTS
  } catch {
    return false
  }
}

/** The policy change, if any: a desired document that differs, or a custom policy where the default is wanted. */
function policyChange(desired: VpcEndpointDesired, observed: VpcEndpointObserved): Change | undefined {
  const wanted = desired.policyDocument
  const same = wanted === undefined ? isDefaultPolicy(observed.policyDocument) : observed.policyDocument !== undefined && normalisePolicy(wanted) === normalisePolicy(observed.policyDocument)
  if (same) return undefined
  const shown = (document: string | undefined) => (isDefaultPolicy(document) ? '(default: full access)' : normalisePolicy(document!))
  return {field: 'policyDocument', before: shown(observed.policyDocument), after: shown(wanted), replace: false}
}

/**
 * The in-place fields of one endpoint type. Gateway endpoints have route
 * tables only; interface endpoints have subnets, security groups and private
 * DNS. An interface endpoint created without security groups gets the VPC's
 * default group, so an empty desired list means "AWS's default" and is not
 * diffed.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
 */
function inPlaceChanges(desired: VpcEndpointDesired, observed: VpcEndpointObserved): Change[] {
  const changes: Change[] = []
  const lists = desired.type === 'Gateway' ? (['routeTableIds'] as const) : desired.securityGroupIds.length > 0 ? (['subnetIds', 'securityGroupIds'] as const) : (['subnetIds'] as const)
  for (const field of lists) {
    if (!sameSet(desired[field], observed[field])) changes.push({field, before: sorted(observed[field]), after: sorted(desired[field]), replace: false})
  }
  if (desired.type === 'Interface' && desired.privateDnsEnabled !== observed.privateDnsEnabled) {
    changes.push({field: 'privateDnsEnabled', before: observed.privateDnsEnabled, after: desired.privateDnsEnabled, replace: false})
  }
  const policy = policyChange(desired, observed)
  if (policy) changes.push(policy)
  return changes
}

export function diffVpcEndpoint(desired: VpcEndpointDesired, observed: VpcEndpointObserved): Change[] {
  // AWS cannot change an endpoint's VPC, service or type.
  return [...immutableChanges(desired, observed, ['vpcId', 'serviceName', 'type']), ...inPlaceChanges(desired, observed)]
}

/** ModifyVpcEndpoint input for the in-place differences; undefined when there are none. */
export function modifyRequest(desired: VpcEndpointDesired, observed: VpcEndpointObserved): ModifyVpcEndpointRequest | undefined {
  const request: ModifyVpcEndpointRequest = {VpcEndpointId: observed.id}
  let any = false
  const lists = [
    ['routeTableIds', 'AddRouteTableIds', 'RemoveRouteTableIds'],
    ['subnetIds', 'AddSubnetIds', 'RemoveSubnetIds'],
    ['securityGroupIds', 'AddSecurityGroupIds', 'RemoveSecurityGroupIds'],
  ] as const
  const changed = new Set(inPlaceChanges(desired, observed).map((change) => change.field))
  for (const [field, addKey, removeKey] of lists) {
    if (!changed.has(field)) continue
    const add = sorted(desired[field]).filter((id) => !observed[field].includes(id))
    const remove = sorted(observed[field]).filter((id) => !desired[field].includes(id))
    if (add.length > 0) request[addKey] = add
    if (remove.length > 0) request[removeKey] = remove
    any ||= add.length > 0 || remove.length > 0
  }
  if (changed.has('privateDnsEnabled')) {
    request.PrivateDnsEnabled = desired.privateDnsEnabled
    any = true
  }
  if (changed.has('policyDocument')) {
    // Back to AWS's default is ResetPolicy, not the default's text.
    if (desired.policyDocument === undefined) request.ResetPolicy = true
    else request.PolicyDocument = desired.policyDocument
    any = true
  }
  return any ? request : undefined
}

/**
 * The API reference lists the states capitalised (`Available`), while
 * DescribeVpcEndpoints answers them in lower case (`available`,
 * `pendingAcceptance`); compare lower case.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html
 */
function toObserved(endpoint: VpcEndpoint): VpcEndpointObserved {
  const observed: VpcEndpointObserved = {
    id: endpoint.VpcEndpointId!,
    ...ownerOf(endpoint.Tags),
    vpcId: endpoint.VpcId ?? '',
    serviceName: endpoint.ServiceName ?? '',
    type: endpoint.VpcEndpointType ?? '',
    state: (endpoint.State ?? 'unknown').toLowerCase(),
    routeTableIds: endpoint.RouteTableIds ?? [],
    subnetIds: endpoint.SubnetIds ?? [],
    securityGroupIds: (endpoint.Groups ?? []).map((group) => group.GroupId!),
    privateDnsEnabled: endpoint.PrivateDnsEnabled ?? false,
  }
  const dnsName = endpoint.DnsEntries?.[0]?.DnsName
  if (dnsName) observed.dnsName = dnsName
  if (endpoint.PolicyDocument !== undefined) observed.policyDocument = endpoint.PolicyDocument
  return observed
}

/** Every endpoint the filters match, whatever its state. */
async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<VpcEndpointObserved[]> {
  const endpoints = await collectPages(paginateDescribeVpcEndpoints({client: await ctx.aws.ec2()}, {Filters: filters}), (page) => page.VpcEndpoints)
  return endpoints.map(toObserved)
}

/** The endpoints that are not gone (see GONE_STATES). */
async function describeLive(ctx: ReconcileContext, filters: Filter[]): Promise<VpcEndpointObserved[]> {
  return (await describe(ctx, filters)).filter((endpoint) => !GONE_STATES.has(endpoint.state))
}

async function describeOne(ctx: ReconcileContext, id: string): Promise<VpcEndpointObserved | undefined> {
  return (await describe(ctx, [{Name: 'vpc-endpoint-id', Values: [id]}]))[0]
}

export const vpcEndpoint = ec2Kind<VpcEndpointDesired, VpcEndpointObserved>({
  kind: 'ec2.vpc-endpoint',
  // Two endpoints of one service may coexist (with private DNS only one may claim the name, which AWS enforces).
  replaceStrategy: 'create-before-delete',
  // Interface endpoints take a minute or two to become `available` (gateway endpoints are at once).
  typicalMs: {create: 60_000, delete: 30_000},
  // create passes meta.token as ClientToken: a retried create returns what the first attempt made.
  idempotentCreate: true,
  idFilter: 'vpc-endpoint-id',
  describe: describeLive,
  diff: diffVpcEndpoint,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const gateway = desired.type === 'Gateway'
    const response = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: desired.type,
        VpcId: desired.vpcId,
        ServiceName: desired.serviceName,
        RouteTableIds: gateway ? desired.routeTableIds : undefined,
        SubnetIds: gateway ? undefined : desired.subnetIds,
        SecurityGroupIds: gateway || desired.securityGroupIds.length === 0 ? undefined : desired.securityGroupIds,
        PrivateDnsEnabled: gateway ? undefined : desired.privateDnsEnabled,
        // Absent: AWS attaches its default (full access).
        PolicyDocument: desired.policyDocument,
        // A retried create with the same token returns the same endpoint instead of a second one.
        ClientToken: meta.token,
        TagSpecifications: tagSpecifications('vpc-endpoint', meta.tags),
      }),
    )
    return {...toObserved(response.VpcEndpoint!), ...ownerOfCreated(meta)}
  },

  async update(ctx, desired, observed) {
    const request = modifyRequest(desired, observed)
    if (!request) return observed
    const ec2 = await ctx.aws.ec2()
    await ec2.send(new ModifyVpcEndpointCommand(request))
    const updated: VpcEndpointObserved = {...observed}
    if (desired.type === 'Gateway') updated.routeTableIds = sorted(desired.routeTableIds)
    else {
      updated.subnetIds = sorted(desired.subnetIds)
      if (request.AddSecurityGroupIds || request.RemoveSecurityGroupIds) updated.securityGroupIds = sorted(desired.securityGroupIds)
      updated.privateDnsEnabled = desired.privateDnsEnabled
    }
    if (request.PolicyDocument !== undefined) updated.policyDocument = request.PolicyDocument
    if (request.ResetPolicy) delete updated.policyDocument
    return updated
  },

  async waitReady(ctx, observed) {
    const ready = await waitFor(ctx, {
      what: `${observed.id} to be available`,
      isGone: isEc2NotFound,
      poll: () => describeOne(ctx, observed.id),
      state: (endpoint) => endpoint?.state ?? 'not visible yet',
      done: (endpoint) => endpoint?.state === 'available',
      failed: (endpoint) => (endpoint && FAILED_STATES.has(endpoint.state) ? `endpoint is ${endpoint.state}` : undefined),
    })
    return withOwner(ready!, observed)
  },

  /**
   * DeleteVpcEndpoints reports per-endpoint failures in `Unsuccessful`
   * instead of throwing. Then waits until the endpoint is gone: an interface
   * endpoint's ENIs block the deletion of its subnets and security groups
   * until it is `deleted`.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpcEndpoints.html
   */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    const response = await deleteIgnoringNotFound(() => ec2.send(new DeleteVpcEndpointsCommand({VpcEndpointIds: [observed.id]})))
    if (!response) return
    for (const item of response.Unsuccessful ?? []) {
      const code = item.Error?.Code
      if (code && isEc2NotFound({name: code})) return
      const error = new Error(`DeleteVpcEndpoints failed for ${item.ResourceId ?? observed.id}: ${code ?? 'Error'}: ${item.Error?.Message ?? ''}`)
      if (code) error.name = code
      throw error
    }
    await waitFor(ctx, {
      what: `${observed.id} to be deleted`,
      isGone: isEc2NotFound,
      poll: () => describeOne(ctx, observed.id),
      state: (endpoint) => endpoint?.state ?? 'gone',
      done: (endpoint) => endpoint === undefined || endpoint.state === 'deleted',
    })
  },

  outputs(observed) {
    const outputs: Record<string, string> = {id: observed.id}
    if (observed.type === 'Interface' && observed.dnsName) outputs.dnsName = observed.dnsName
    return outputs
  },

  health(observed): Health {
    return {state: observed.state, ready: observed.state === 'available'}
  },
})
