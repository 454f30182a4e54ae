import {
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
  ModifyListenerCommand,
  paginateDescribeListeners,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type ModifyListenerInput,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {collectPages} from '../ec2/describe.js'
import {ownerOfCreated, withOwner} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {actionLabel, fromAwsActions, sameAction, toAwsActions, type ObservedAction} from './actions.js'
import {describeByArns, elbv2Client, ensureCreatedBy, ownedObjects, PAGE_SIZE, withTags} from './describe.js'
import type {ListenerDesired} from './desired.js'
import {classifyElbv2Error, DUPLICATE_LISTENER, hasElbv2Code, isElbv2Gone} from './errors.js'
import {stackLoadBalancers} from './load-balancer.js'

/** One listener; `id` is its ARN. */
export interface ListenerObserved extends Observed {
  arn: string
  loadBalancerArn: string
  port: number
  protocol: string
  /** The default certificate (HTTPS). */
  certificateArn?: string
  /** HTTPS: the policy in force, AWS's default when none was given. */
  sslPolicy?: string
  defaultAction: ObservedAction
}

/** The certificate a listener of this protocol should have: none unless HTTPS. */
const wantedCertificate = (desired: ListenerDesired) => (desired.protocol === 'HTTPS' ? desired.certificateArn : undefined)

/**
 * A listener is found by its load balancer and port: both fixed (the port a
 * new listener takes beside the old one). Protocol, certificate, security
 * policy and default action change in place (ModifyListener). A desired
 * HTTPS listener without a policy takes AWS's default, whatever it is.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html
 */
export function diffListener(desired: ListenerDesired, observed: ListenerObserved): Change[] {
  const changes: Change[] = []
  for (const field of ['loadBalancerArn', 'port'] as const) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: true})
  }
  if (desired.protocol !== observed.protocol) changes.push({field: 'protocol', before: observed.protocol, after: desired.protocol, replace: false})
  const certificate = wantedCertificate(desired)
  if (certificate !== observed.certificateArn) changes.push({field: 'certificateArn', before: observed.certificateArn, after: certificate, replace: false})
  if (desired.protocol === 'HTTPS' && desired.sslPolicy !== undefined && desired.sslPolicy !== observed.sslPolicy) {
    changes.push({field: 'sslPolicy', before: observed.sslPolicy, after: desired.sslPolicy, replace: false})
  }
  if (!sameAction(desired.defaultAction, observed.defaultAction)) {
    changes.push({field: 'defaultAction', before: actionLabel(observed.defaultAction), after: actionLabel(desired.defaultAction), replace: false})
  }
  return changes
}

function toObserved(listener: Listener): ListenerObserved {
  const observed: ListenerObserved = {
    id: listener.ListenerArn!,
    arn: listener.ListenerArn!,
    loadBalancerArn: listener.LoadBalancerArn ?? '',
    port: listener.Port ?? 0,
    protocol: listener.Protocol ?? '',
    defaultAction: fromAwsActions(listener.DefaultActions),
  }
  const certificates = listener.Certificates ?? []
  const certificate = (certificates.find((candidate) => candidate.IsDefault) ?? certificates[0])?.CertificateArn
  if (certificate) observed.certificateArn = certificate
  if (listener.SslPolicy) observed.sslPolicy = listener.SslPolicy
  return observed
}

async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, ListenerObserved>> {
  const client = await elbv2Client(ctx)
  const listeners = await describeByArns(ids, async (batch) => (await client.send(new DescribeListenersCommand({ListenerArns: batch}))).Listeners ?? [])
  const observed = await withTags(client, listeners.map(toObserved))
  return new Map(observed.map((listener) => [listener.id, listener]))
}

/** Every listener of a load balancer; none once it is gone. */
async function listenersOf(client: ElasticLoadBalancingV2Client, loadBalancerArn: string): Promise<ListenerObserved[]> {
  try {
    return (await collectPages(paginateDescribeListeners({client}, {LoadBalancerArn: loadBalancerArn, PageSize: PAGE_SIZE}), (page) => page.Listeners)).map(toObserved)
  } catch (error) {
    if (isElbv2Gone(error)) return []
    throw error
  }
}

/**
 * Listeners carry tags (CreateListener's `Tags`): the listeners of the
 * stack's load balancers, kept when their own tags say they are the stack's.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html
 */
async function find(ctx: ReconcileContext, query: {stack: string}): Promise<ListenerObserved[]> {
  const client = await elbv2Client(ctx)
  const lbs = await stackLoadBalancers(client, query.stack)
  const listeners = (await Promise.all(lbs.map((lb) => listenersOf(client, lb.id)))).flat()
  return ownedObjects(client, query.stack, listeners)
}

function certificates(desired: ListenerDesired): {Certificates?: {CertificateArn: string}[]; SslPolicy?: string} {
  if (desired.protocol !== 'HTTPS') return {}
  const out: {Certificates?: {CertificateArn: string}[]; SslPolicy?: string} = {}
  if (desired.certificateArn) out.Certificates = [{CertificateArn: desired.certificateArn}]
  if (desired.sslPolicy) out.SslPolicy = desired.sslPolicy
  return out
}

/**
 * The listener on the desired port, made by an earlier attempt at this
 * create with other settings (DuplicateListener): adopted when its tags say
 * it is this logical id's, and modified to the desired settings.
 */
async function adoptOwn(ctx: ReconcileContext, client: ElasticLoadBalancingV2Client, desired: ListenerDesired, meta: CreateMeta, cause: unknown): Promise<ListenerObserved> {
  const listener = (await listenersOf(client, desired.loadBalancerArn)).find((candidate) => candidate.port === desired.port)
  if (!listener) throw cause
  await ensureCreatedBy(client, listener.arn, meta, `the listener on port ${desired.port} of ${desired.loadBalancerArn}`)
  return update(ctx, desired, {...listener, ...ownerOfCreated(meta)})
}

async function create(ctx: ReconcileContext, desired: ListenerDesired, meta: CreateMeta): Promise<ListenerObserved> {
  const client = await elbv2Client(ctx)
  try {
    // Idempotent: the same settings on the same port return the listener a first attempt made (API_CreateListener).
    const response = await client.send(
      new CreateListenerCommand({
        LoadBalancerArn: desired.loadBalancerArn,
        Port: desired.port,
        Protocol: desired.protocol,
        ...certificates(desired),
        DefaultActions: toAwsActions(desired.defaultAction),
        Tags: meta.tags,
      }),
    )
    return {...toObserved(response.Listeners![0]!), ...ownerOfCreated(meta)}
  } catch (error) {
    if (!hasElbv2Code(error, DUPLICATE_LISTENER)) throw error
    return adoptOwn(ctx, client, desired, meta, error)
  }
}

/**
 * One ModifyListener with what differs. A listener turning HTTPS needs its
 * certificate in the same call; one turning HTTP drops both certificate and
 * policy with the protocol.
 */
async function update(ctx: ReconcileContext, desired: ListenerDesired, observed: ListenerObserved): Promise<ListenerObserved> {
  const changed = new Set(
    diffListener(desired, observed)
      .filter((change) => !change.replace)
      .map((change) => change.field),
  )
  if (changed.size === 0) return observed
  const input: ModifyListenerInput = {ListenerArn: observed.arn}
  if (changed.has('protocol')) input.Protocol = desired.protocol
  if (changed.has('protocol') || changed.has('certificateArn') || changed.has('sslPolicy')) Object.assign(input, certificates(desired))
  if (changed.has('defaultAction')) input.DefaultActions = toAwsActions(desired.defaultAction)
  const client = await elbv2Client(ctx)
  const response = await client.send(new ModifyListenerCommand(input))
  const modified = response.Listeners?.[0]
  return modified ? withOwner(toObserved(modified), observed) : observed
}

export const listener: Reconciler<ListenerDesired, ListenerObserved> = {
  kind: 'elbv2.listener',
  // A port change makes the listener on the new port while the old one still serves; a load balancer's
  // replacement replaces its listeners with it (delete-first cascade).
  replaceStrategy: 'create-before-delete',
  // CreateListener is idempotent for the same settings on a port, and an earlier attempt with other settings
  // is adopted by its tags (DuplicateListener): a retried create never makes a second listener.
  idempotentCreate: true,
  classifyError: classifyElbv2Error,
  read,
  find,
  diff: diffListener,
  create,
  update,

  /** Its rules go with it; one already gone (with its load balancer, say) counts as deleted. */
  async delete(ctx, observed) {
    const client = await elbv2Client(ctx)
    try {
      await client.send(new DeleteListenerCommand({ListenerArn: observed.arn}))
    } catch (error) {
      if (!isElbv2Gone(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, port: String(observed.port)}
  },
}
