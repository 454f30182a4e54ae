import {type CapacityProvider, CreateCapacityProviderCommand, DeleteCapacityProviderCommand, DescribeCapacityProvidersCommand, type ECSClient, UpdateCapacityProviderCommand} from '@aws-sdk/client-ecs'
import {ownedBy, ownerOfCreated, withOwner} from '../tags.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {waitFor} from '../wait.js'
import {batches, ecsClient, ensureOurs, ownerOfEcs, toEcsTags} from './common.js'
import {stackClusters} from './cluster.js'
import type {CapacityProviderDesired} from './desired.js'
import {classifyEcsError, withHolder} from './errors.js'

/** One Auto Scaling group capacity provider; `id` is its name (what clusters and strategies name it by). */
export interface CapacityProviderObserved extends Observed {
  name: string
  arn: string
  /** ACTIVE; INACTIVE ones (deleted) are gone. */
  status: string
  /** CREATE_COMPLETE, UPDATE_IN_PROGRESS, DELETE_IN_PROGRESS… */
  updateStatus: string
  autoScalingGroupArn: string
  managedScaling: CapacityProviderDesired['managedScaling']
  managedTerminationProtection: CapacityProviderDesired['managedTerminationProtection']
}

/** "Up to 100 capacity providers can be described in an action." (API_DescribeCapacityProviders) */
const DESCRIBE_LIMIT = 100

function toObserved(provider: CapacityProvider): CapacityProviderObserved {
  const group = provider.autoScalingGroupProvider
  const scaling = group?.managedScaling
  return {
    id: provider.name!,
    name: provider.name!,
    arn: provider.capacityProviderArn ?? '',
    status: provider.status ?? '',
    updateStatus: provider.updateStatus ?? '',
    autoScalingGroupArn: group?.autoScalingGroupArn ?? '',
    // AWS's defaults when none was given: "status DISABLED… targetCapacity 100, minimumScalingStepSize 1, maximumScalingStepSize 10000" (API_ManagedScaling).
    managedScaling: {
      status: (scaling?.status ?? 'DISABLED') as 'ENABLED' | 'DISABLED',
      targetCapacity: scaling?.targetCapacity ?? 100,
      minimumScalingStepSize: scaling?.minimumScalingStepSize ?? 1,
      maximumScalingStepSize: scaling?.maximumScalingStepSize ?? 10_000,
    },
    managedTerminationProtection: (group?.managedTerminationProtection ?? 'DISABLED') as 'ENABLED' | 'DISABLED',
    ...ownerOfEcs(provider.tags),
  }
}

/** Described by name, with tags; unknown names are in `failures`, deleted ones INACTIVE: both gone. */
async function describe(client: ECSClient, names: string[]): Promise<CapacityProviderObserved[]> {
  const found: CapacityProviderObserved[] = []
  for (const batch of batches([...new Set(names)], DESCRIBE_LIMIT)) {
    const response = await client.send(new DescribeCapacityProvidersCommand({capacityProviders: batch, include: ['TAGS']}))
    for (const provider of response.capacityProviders ?? []) if (provider.status === 'ACTIVE') found.push(toObserved(provider))
  }
  return found
}

/**
 * The Auto Scaling group is fixed (replacement: "You can't update the Auto
 * Scaling group" — UpdateCapacityProvider takes managed scaling, termination
 * protection and draining only); so is the name.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateCapacityProvider.html
 */
export function diffCapacityProvider(desired: CapacityProviderDesired, observed: CapacityProviderObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  if (desired.autoScalingGroupArn !== observed.autoScalingGroupArn) changes.push({field: 'autoScalingGroupArn', before: observed.autoScalingGroupArn, after: desired.autoScalingGroupArn, replace: true})
  for (const field of ['status', 'targetCapacity', 'minimumScalingStepSize', 'maximumScalingStepSize'] as const) {
    if (desired.managedScaling[field] !== observed.managedScaling[field]) changes.push({field: `managedScaling.${field}`, before: observed.managedScaling[field], after: desired.managedScaling[field], replace: false})
  }
  if (desired.managedTerminationProtection !== observed.managedTerminationProtection) {
    changes.push({field: 'managedTerminationProtection', before: observed.managedTerminationProtection, after: desired.managedTerminationProtection, replace: false})
  }
  return changes
}

async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, CapacityProviderObserved>> {
  const client = await ecsClient(ctx)
  return new Map((await describe(client, ids)).map((provider) => [provider.id, provider]))
}

/** An in-use error (classified as ECS's ResourceInUseException) naming the cluster that holds the provider. */
function capacityProviderInUse(name: string, reason: string | undefined, cluster: string | undefined): Error {
  const error = new Error(`capacity provider ${name} cannot be deleted: ${reason ?? 'a cluster still uses it'}`)
  error.name = 'ResourceInUseException'
  return withHolder(error, cluster ? `cluster ${cluster.split('/').pop()}` : undefined)
}

export const capacityProvider: Reconciler<CapacityProviderDesired, CapacityProviderObserved> = {
  kind: 'ecs.capacity-provider',
  replaceStrategy: 'delete-before-create',
  // No token; `create` adopts its own provider of the name (a retried create) instead of failing.
  idempotentCreate: true,
  classifyError: classifyEcsError,
  read,

  /**
   * Described by name, the stack's kept by their tags: the names the spec
   * wants (`<stack>-…`) and every provider the stack's clusters list (a
   * provider the state lost is still attached to its cluster until teardown
   * detaches it). Not by listing them all: DescribeCapacityProviders without
   * `capacityProviders` would describe every provider of the account
   * (API_DescribeCapacityProviders:
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeCapacityProviders.html),
   * but moto 5.2.2 answers that call with a 500.
   */
  async find(ctx, query) {
    const client = await ecsClient(ctx)
    const wanted = query.wanted.map(({desired}) => (desired as Partial<CapacityProviderDesired> | undefined)?.name).filter((name): name is string => typeof name === 'string')
    const attached = (await stackClusters(client, query.stack)).flatMap((cluster) => cluster.capacityProviders)
    const names = [...wanted, ...attached]
    return names.length === 0 ? [] : ownedBy(query.stack, await describe(client, names))
  },

  diff: diffCapacityProvider,

  async create(ctx, desired, meta) {
    const client = await ecsClient(ctx)
    const [existing] = await describe(client, [desired.name])
    if (existing) {
      ensureOurs(existing, meta, ctx.stack, `ECS capacity provider ${desired.name}`)
      return this.update(ctx, desired, existing, diffCapacityProvider(desired, existing))
    }
    const response = await client.send(
      new CreateCapacityProviderCommand({
        name: desired.name,
        autoScalingGroupProvider: {autoScalingGroupArn: desired.autoScalingGroupArn, managedScaling: {...desired.managedScaling}, managedTerminationProtection: desired.managedTerminationProtection},
        tags: toEcsTags(meta),
      }),
    )
    return {...toObserved(response.capacityProvider!), ...ownerOfCreated(meta)}
  },

  async update(ctx, desired, observed) {
    if (diffCapacityProvider(desired, observed).filter((change) => !change.replace).length === 0) return observed
    const client = await ecsClient(ctx)
    const response = await client.send(
      new UpdateCapacityProviderCommand({name: observed.name, autoScalingGroupProvider: {managedScaling: {...desired.managedScaling}, managedTerminationProtection: desired.managedTerminationProtection}}),
    )
    return withOwner(toObserved(response.capacityProvider!), observed)
  },

  /**
   * A provider a cluster still lists cannot go (ResourceInUseException,
   * `in-use`: the cluster's PutClusterCapacityProviders or delete frees it).
   * Deletion is asynchronous (DELETE_IN_PROGRESS, then INACTIVE): waited
   * for, so that the Auto Scaling group can go after it.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCapacityProvider.html
   */
  async delete(ctx, observed) {
    const client = await ecsClient(ctx)
    const [current] = await describe(client, [observed.name])
    if (!current) return
    if (current.updateStatus !== 'DELETE_IN_PROGRESS') {
      // Refused asynchronously: the call succeeds and the provider answers DELETE_FAILED while a cluster
      // still lists it (ekristen/aws-nuke#542); that is in-use, retried once the cluster lets it go.
      const answer = (await client.send(new DeleteCapacityProviderCommand({capacityProvider: observed.name}))).capacityProvider
      if (answer?.updateStatus === 'DELETE_FAILED') throw capacityProviderInUse(observed.name, answer.updateStatusReason, answer.cluster)
    }
    await waitFor(ctx, {
      what: `capacity provider ${observed.name} to be deleted`,
      poll: async () => (await describe(client, [observed.name]))[0],
      state: (provider) => provider?.updateStatus.toLowerCase() ?? 'deleted',
      done: (provider) => provider === undefined,
    })
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name}
  },

  health(observed) {
    return {state: observed.updateStatus.toLowerCase() || observed.status.toLowerCase(), ready: observed.status === 'ACTIVE' && !observed.updateStatus.endsWith('IN_PROGRESS')}
  },
}
