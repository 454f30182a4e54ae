import {DeleteNetworkInterfaceCommand, paginateDescribeNetworkInterfaces, type NetworkInterface} from '@aws-sdk/client-ec2'
import {describeError, hasCode} from '../../aws/errors.js'
import {tagValue} from '../tags.js'
import {TAG_STACK, type ReconcileContext} from '../types.js'
import {collectPages} from './describe.js'
import {isEc2NotFound} from './errors.js'

/**
 * What holds a subnet, a security group or a VPC when AWS refuses to delete
 * it (DependencyViolation): network interfaces, most of them an AWS
 * service's. An Application Load Balancer's outlive it by minutes; a NAT
 * gateway's, an endpoint's or an ECS task's go with their owner, which may
 * still be going. The delete names them, so that while the engine waits
 * (it retries `in-use` deletions, bounded) and when it gives up, the user
 * reads whose interfaces they are rather than a bare DependencyViolation.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html
 */

/** Whose a network interface is, as far as its description, type and requester tell. */
export type InterfaceOwner = 'elb' | 'nat-gateway' | 'vpc-endpoint' | 'ecs-task' | 'lambda' | 'other'

export interface NetworkInterfaceHolder {
  /** `eni-…`. */
  id: string
  owner: InterfaceOwner
  /** Whose it is, in words: `ELB app/containrlab-alb/50dc6c495c0c9188`, `NAT gateway nat-0abc…`, `ECS tasks`. */
  label: string
  /** AWS's status: `in-use` (attached), `available` (detached: going away, or left behind). */
  status: string
  /** Made by an AWS service on the account's behalf: that service deletes it. */
  requesterManaged: boolean
  /** The `containrlab:stack` tag, when it carries one. */
  stack?: string
}

/** The object whose deletion network interfaces block, and how to find them. */
export interface InterfaceScope {
  /** The DescribeNetworkInterfaces filter that selects them. */
  filter: 'subnet-id' | 'group-id' | 'vpc-id'
  id: string
  /** The interfaces' relation to the object, for messages: `in subnet-0abc`, `using security group sg-0abc`. */
  where: string
}

export const inSubnet = (subnetId: string): InterfaceScope => ({filter: 'subnet-id', id: subnetId, where: `in ${subnetId}`})
export const usingGroup = (groupId: string): InterfaceScope => ({filter: 'group-id', id: groupId, where: `using security group ${groupId}`})
export const inVpc = (vpcId: string): InterfaceScope => ({filter: 'vpc-id', id: vpcId, where: `in ${vpcId}`})

const NAT_DESCRIPTION = /^Interface for NAT Gateway (nat-[0-9a-f]+)/
/** "VPC Endpoint Interface vpce-…" (older ones: "VPC Endpoint Interface: vpce-…"). */
const ENDPOINT_DESCRIPTION = /^VPC Endpoint Interface:? (vpce-[0-9a-f]+)/
/** An awsvpc task's: `arn:aws:ecs:<region>:<account>:attachment/<uuid>`. */
const ECS_DESCRIPTION = /^arn:aws[a-z-]*:ecs:[^:]*:\d*:attachment\//
/** `AWS Lambda VPC ENI-<function name>` (Hyperplane adds `-<uuid>`). */
const LAMBDA_DESCRIPTION = /^AWS Lambda VPC ENI-(.*?)(-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/
const LOAD_BALANCER_TYPES = new Set(['load_balancer', 'network_load_balancer', 'gateway_load_balancer'])

/**
 * Whose an interface is. An Application Load Balancer's says so in its
 * description, `ELB app/<name>/<id>` (type `interface`, requester
 * `amazon-elb`); a Network Load Balancer's is `ELB net/…` of type
 * `network_load_balancer`; a NAT gateway's and an endpoint's have types of
 * their own and name their owner in the description.
 */
export function classifyNetworkInterface(eni: NetworkInterface): Pick<NetworkInterfaceHolder, 'owner' | 'label'> {
  const description = eni.Description ?? ''
  // A string: the SDK's enum spells it `natGateway`, while AWS answers `nat_gateway` (the filter's value too).
  const type: string = eni.InterfaceType ?? ''
  const nat = NAT_DESCRIPTION.exec(description)
  if (type === 'nat_gateway' || type === 'natGateway' || nat) return {owner: 'nat-gateway', label: nat ? `NAT gateway ${nat[1]}` : `NAT gateway interface ${eni.NetworkInterfaceId}`}
  const endpoint = ENDPOINT_DESCRIPTION.exec(description)
  if (type === 'vpc_endpoint' || endpoint) return {owner: 'vpc-endpoint', label: endpoint ? `VPC endpoint ${endpoint[1]}` : `VPC endpoint interface ${eni.NetworkInterfaceId}`}
  if (description.startsWith('ELB ') || LOAD_BALANCER_TYPES.has(type) || eni.RequesterId === 'amazon-elb') {
    return {owner: 'elb', label: description.startsWith('ELB ') ? description : `ELB interface ${eni.NetworkInterfaceId}`}
  }
  if (ECS_DESCRIPTION.test(description)) return {owner: 'ecs-task', label: 'ECS tasks'}
  const lambda = LAMBDA_DESCRIPTION.exec(description)
  if (type === 'lambda' || lambda) return {owner: 'lambda', label: lambda?.[1] ? `Lambda ${lambda[1]}` : 'Lambda'}
  // Anything else: the instance it is attached to, else the interface itself with its description (or
  // type) and the service that made it: `eni-0abc "RDSNetworkInterface" from amazon-rds`.
  if (eni.Attachment?.InstanceId) return {owner: 'other', label: `instance ${eni.Attachment.InstanceId}`}
  const from = eni.RequesterManaged && eni.RequesterId ? ` from ${eni.RequesterId}` : ''
  return {owner: 'other', label: `${eni.NetworkInterfaceId} ${description ? JSON.stringify(description) : `of type ${type || 'interface'}`}${from}`}
}

export function toHolder(eni: NetworkInterface): NetworkInterfaceHolder {
  const stack = tagValue(eni.TagSet, TAG_STACK)
  return {
    id: eni.NetworkInterfaceId ?? '',
    ...classifyNetworkInterface(eni),
    status: eni.Status ?? 'unknown',
    requesterManaged: eni.RequesterManaged ?? false,
    ...(stack !== undefined ? {stack} : {}),
  }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

/** AWS's status words as a user reads them; others (`attaching`, `detaching`) are shown as they are. */
const STATUS_WORDS: Record<string, string> = {'in-use': 'in use', 'available': 'detached'}
/** In use first, then detached, then any other word (-1 as unsigned: last). */
const statusRank = (word: string) => ['in use', 'detached'].indexOf(word) >>> 0

/**
 * The holders grouped by whose they are, most first:
 * `ELB app/containrlab-alb/50dc6c495c0c9188 (2 in use), NAT gateway nat-0abc (1 detached)`;
 * a group in more than one state says `(3: 2 in use, 1 detached)`.
 */
export function summarizeHolders(holders: NetworkInterfaceHolder[]): string {
  const groups = new Map<string, Map<string, number>>()
  for (const holder of holders) {
    const counts = groups.get(holder.label) ?? new Map<string, number>()
    const word = STATUS_WORDS[holder.status] ?? holder.status
    counts.set(word, (counts.get(word) ?? 0) + 1)
    groups.set(holder.label, counts)
  }
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0)
  return [...groups]
    .sort(([a, x], [b, y]) => total(y) - total(x) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, counts]) => {
      const parts = [...counts].sort(([a], [b]) => statusRank(a) - statusRank(b)).map(([word, n]) => `${n} ${word}`)
      return `${label} (${parts.length === 1 ? parts[0] : `${total(counts)}: ${parts.join(', ')}`})`
    })
    .join(', ')
}

/** `3 network interfaces still in subnet-0abc: ELB app/containrlab-alb/50dc6c495c0c9188 (2 in use), NAT gateway nat-0abc (1 in use)`. */
export function holdersMessage(scope: InterfaceScope, holders: NetworkInterfaceHolder[]): string {
  return `${plural(holders.length, 'network interface')} still ${scope.where}: ${summarizeHolders(holders)}`
}

/**
 * AWS's DependencyViolation with whose interfaces hold the object: an
 * `in-use` error (its name is AWS's code, so the kind's classifyError says
 * `in-use` and the engine keeps retrying), with the service, operation and
 * HTTP status of the refused call, so that it is worded as AWS errors are:
 * `EC2 DeleteSubnet (HTTP 400): DependencyViolation: 2 network interfaces still in subnet-0abc: ELB app/… (2 in use)`.
 */
export class InterfacesInUseError extends Error {
  /** What holds the object, in words (the summary without the count). */
  readonly inUseBy: string

  constructor(
    readonly scope: InterfaceScope,
    readonly holders: NetworkInterfaceHolder[],
    cause: unknown,
  ) {
    const detached = holders.filter((holder) => holder.status === 'available').map((holder) => holder.id)
    const hint =
      detached.length > 0
        ? `; AWS deletes a service's detached interfaces by itself, and \`aws ec2 delete-network-interface --network-interface-id <id>\` deletes one it left behind (detached: ${detached.join(', ')})`
        : ''
    super(`${holdersMessage(scope, holders)}${hint}`, {cause})
    this.name = 'DependencyViolation'
    this.inUseBy = summarizeHolders(holders)
    // As src/aws/clients.ts's middleware adds them to SDK errors: hidden, so that JSON of the error stays its own.
    const context = (cause ?? {}) as Record<string, unknown>
    for (const key of ['$service', '$operation', '$metadata', '$fault']) {
      if (context[key] !== undefined) Object.defineProperty(this, key, {value: context[key], enumerable: false, writable: true, configurable: true})
    }
  }
}

/**
 * The network interfaces in scope, each with whose it is; undefined when
 * they cannot be listed (no ec2:DescribeNetworkInterfaces permission, an
 * endpoint that knows no IncludeManagedResources): naming them is a help,
 * never a reason for the delete to fail otherwise. IncludeManagedResources:
 * an account may hide managed resources from describes, and their
 * interfaces hold subnets all the same.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 */
export async function interfacesIn(ctx: ReconcileContext, scope: InterfaceScope): Promise<NetworkInterfaceHolder[] | undefined> {
  try {
    const client = await ctx.aws.ec2()
    const enis = await collectPages(paginateDescribeNetworkInterfaces({client}, {Filters: [{Name: scope.filter, Values: [scope.id]}], IncludeManagedResources: true}), (page) => page.NetworkInterfaces)
    return enis.map(toHolder)
  } catch (error) {
    if (ctx.signal.aborted) throw error
    ctx.progress(`could not list the network interfaces ${scope.where}: ${describeError(error)}`)
    return undefined
  }
}

/**
 * Deletes the stack's own detached interfaces among `holders`: `available`,
 * not requester-managed (an AWS service's are that service's to delete, and
 * it does), and tagged `containrlab:stack=<stack>`: the ownership rule every
 * other object of the stack is deleted by. An interface that is attached
 * again, or that cannot be deleted, stays and is named. Returns the ids
 * that are gone.
 */
async function deleteOwnDetached(ctx: ReconcileContext, holders: NetworkInterfaceHolder[]): Promise<string[]> {
  const own = holders.filter((holder) => holder.status === 'available' && !holder.requesterManaged && holder.stack === ctx.stack)
  const gone: string[] = []
  for (const holder of own) {
    try {
      await (await ctx.aws.ec2()).send(new DeleteNetworkInterfaceCommand({NetworkInterfaceId: holder.id}))
      ctx.progress(`deleted network interface ${holder.id}: detached, and tagged with stack ${ctx.stack}`)
      gone.push(holder.id)
    } catch (error) {
      if (ctx.signal.aborted) throw error
      if (isEc2NotFound(error)) gone.push(holder.id)
      else ctx.progress(`could not delete network interface ${holder.id} (detached, tagged with stack ${ctx.stack}): ${describeError(error)}`)
    }
  }
  return gone
}

/** Reports what holds the object and returns the error that names it. */
function holdersError(ctx: ReconcileContext, scope: InterfaceScope, holders: NetworkInterfaceHolder[], cause: unknown): InterfacesInUseError {
  ctx.progress(holdersMessage(scope, holders))
  return new InterfacesInUseError(scope, holders, cause)
}

/**
 * After AWS refused a delete with DependencyViolation (`error`): looks at the
 * network interfaces in scope. None (or none visible): AWS's error as it is,
 * something else holds the object. The stack's own detached ones are
 * deleted and `retry` (the delete) runs once more. The others are reported
 * through `ctx.progress` and thrown as an InterfacesInUseError naming them,
 * which the engine retries while they go. Never deletes another's interface.
 */
export async function explainDependencyViolation(ctx: ReconcileContext, scope: InterfaceScope, error: unknown, retry: () => Promise<unknown>): Promise<void> {
  const holders = await interfacesIn(ctx, scope)
  if (!holders?.length) throw error
  const gone = await deleteOwnDetached(ctx, holders)
  if (gone.length === 0) throw holdersError(ctx, scope, holders, error)
  try {
    await retry()
  } catch (again) {
    if (!hasCode(again, 'DependencyViolation')) throw again
    const left = await interfacesIn(ctx, scope)
    if (!left?.length) throw again
    throw holdersError(ctx, scope, left, again)
  }
}

/** Runs a delete call (`remove`); on DependencyViolation, see explainDependencyViolation. */
export async function deleteNamingInterfaces(ctx: ReconcileContext, scope: InterfaceScope, remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove()
  } catch (error) {
    if (!hasCode(error, 'DependencyViolation')) throw error
    await explainDependencyViolation(ctx, scope, error, remove)
  }
}
