import {
  type Cluster,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  type ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  paginateListClusters,
  PutClusterCapacityProvidersCommand,
  UpdateClusterSettingsCommand,
} from '@aws-sdk/client-ecs'
import {collectPages} from '../ec2/describe.js'
import {ownedBy, ownerOfCreated} from '../tags.js'
import type {Change, Health, Observed, ReconcileContext, Reconciler} from '../types.js'
import {batches, ecsClient, ensureOurs, ownerOfEcs, sameSet, toEcsTags} from './common.js'
import type {CapacityProviderStrategyItem, ClusterDesired} from './desired.js'
import {classifyEcsError, hasEcsCode, isEcsGone, withHolder} from './errors.js'
import {clustersDetails} from './status.js'

/** One ECS cluster; `id` is its ARN. */
export interface ClusterObserved extends Observed {
  arn: string
  name: string
  /** `ACTIVE`, `PROVISIONING`, `DEPROVISIONING`, `FAILED` (INACTIVE ones are gone: never observed). */
  status: string
  containerInsights: boolean
  capacityProviders: string[]
  defaultStrategy: CapacityProviderStrategyItem[]
  activeServices: number
  runningTasks: number
  pendingTasks: number
  containerInstances: number
}

/** "You can specify up to 100 clusters in a single operation." (API_DescribeClusters) */
const DESCRIBE_LIMIT = 100
const CONTAINER_INSIGHTS = 'containerInsights'

function toObserved(cluster: Cluster): ClusterObserved {
  const insights = cluster.settings?.find((setting) => setting.name === CONTAINER_INSIGHTS)?.value
  return {
    id: cluster.clusterArn!,
    arn: cluster.clusterArn!,
    name: cluster.clusterName ?? '',
    status: cluster.status ?? '',
    // `enhanced` (Container Insights with enhanced observability) is on too.
    containerInsights: insights !== undefined && insights !== 'disabled',
    capacityProviders: cluster.capacityProviders ?? [],
    defaultStrategy: (cluster.defaultCapacityProviderStrategy ?? []).map((item) => ({capacityProvider: item.capacityProvider ?? '', weight: item.weight ?? 0, base: item.base ?? 0})),
    activeServices: cluster.activeServicesCount ?? 0,
    runningTasks: cluster.runningTasksCount ?? 0,
    pendingTasks: cluster.pendingTasksCount ?? 0,
    containerInstances: cluster.registeredContainerInstancesCount ?? 0,
    ...ownerOfEcs(cluster.tags),
  }
}

/**
 * DescribeClusters answers clusters it does not know in `failures`
 * (`MISSING`), not with an error; a deleted cluster stays describable as
 * INACTIVE for a while ("INACTIVE clusters … may remain discoverable in your
 * account for a period of time", API_DeleteCluster): both count as gone.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeClusters.html
 */
export async function describeClusters(client: ECSClient, clusters: string[]): Promise<ClusterObserved[]> {
  const found: ClusterObserved[] = []
  for (const batch of batches([...new Set(clusters)], DESCRIBE_LIMIT)) {
    const response = await client.send(new DescribeClustersCommand({clusters: batch, include: ['TAGS', 'SETTINGS']}))
    for (const cluster of response.clusters ?? []) if (cluster.status !== 'INACTIVE') found.push(toObserved(cluster))
  }
  return found
}

const canonicalStrategy = (strategy: CapacityProviderStrategyItem[] | undefined) => [...(strategy ?? [])].map((item) => `${item.capacityProvider}:${item.weight}:${item.base}`).sort()

function sameStrategy(a: CapacityProviderStrategyItem[] | undefined, b: CapacityProviderStrategyItem[] | undefined): boolean {
  return JSON.stringify(canonicalStrategy(a)) === JSON.stringify(canonicalStrategy(b))
}

/**
 * The name is fixed (replacement); Container Insights changes in place
 * (UpdateClusterSettings), the providers and default strategy together
 * (PutClusterCapacityProviders sets both, whole). Order does not count.
 */
export function diffCluster(desired: ClusterDesired, observed: ClusterObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  if (desired.containerInsights !== observed.containerInsights) changes.push({field: 'containerInsights', before: observed.containerInsights, after: desired.containerInsights, replace: false})
  if (!sameSet(desired.capacityProviders, observed.capacityProviders)) changes.push({field: 'capacityProviders', before: observed.capacityProviders, after: desired.capacityProviders, replace: false})
  if (!sameStrategy(desired.defaultStrategy, observed.defaultStrategy)) changes.push({field: 'defaultStrategy', before: observed.defaultStrategy, after: desired.defaultStrategy ?? [], replace: false})
  return changes
}

async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, ClusterObserved>> {
  const client = await ecsClient(ctx)
  return new Map((await describeClusters(client, ids)).map((cluster) => [cluster.id, cluster]))
}

/** The stack's clusters. ListClusters filters by nothing: every cluster of the region is described with its tags, 100 at a time. */
export async function stackClusters(client: ECSClient, stack: string): Promise<ClusterObserved[]> {
  const arns = await collectPages(paginateListClusters({client}, {}), (page) => page.clusterArns)
  return ownedBy(stack, await describeClusters(client, arns))
}

async function find(ctx: ReconcileContext, query: {stack: string}): Promise<ClusterObserved[]> {
  return stackClusters(await ecsClient(ctx), query.stack)
}

const settingsOf = (desired: ClusterDesired) => [{name: 'containerInsights' as const, value: desired.containerInsights ? 'enabled' : 'disabled'}]

export const cluster: Reconciler<ClusterDesired, ClusterObserved> = {
  kind: 'ecs.cluster',
  typicalMs: {create: 3_000, delete: 3_000},
  replaceStrategy: 'delete-before-create',
  // CreateCluster of a name that is ACTIVE returns that cluster ("If you create a cluster with the name of an
  // existing cluster, the existing cluster is returned"): a retried create makes nothing twice; its tags are checked.
  idempotentCreate: true,
  classifyError: classifyEcsError,
  read,
  find,
  diff: diffCluster,

  async create(ctx, desired, meta) {
    const client = await ecsClient(ctx)
    const [existing] = await describeClusters(client, [desired.name])
    if (existing) {
      ensureOurs(existing, meta, ctx.stack, `ECS cluster ${desired.name}`)
      return this.update(ctx, desired, existing, diffCluster(desired, existing))
    }
    const response = await client.send(
      new CreateClusterCommand({
        clusterName: desired.name,
        settings: settingsOf(desired),
        capacityProviders: desired.capacityProviders,
        ...(desired.defaultStrategy ? {defaultCapacityProviderStrategy: desired.defaultStrategy} : {}),
        tags: toEcsTags(meta),
      }),
    )
    return {...toObserved(response.cluster!), ...ownerOfCreated(meta)}
  },

  async update(ctx, desired, observed) {
    const client = await ecsClient(ctx)
    let next = observed
    if (desired.containerInsights !== observed.containerInsights) {
      await client.send(new UpdateClusterSettingsCommand({cluster: observed.arn, settings: settingsOf(desired)}))
      next = {...next, containerInsights: desired.containerInsights}
    }
    if (!sameSet(desired.capacityProviders, observed.capacityProviders) || !sameStrategy(desired.defaultStrategy, observed.defaultStrategy)) {
      // "When you use this operation, you must specify the full list of capacity providers and the full
      // default capacity provider strategy." (API_PutClusterCapacityProviders)
      await client.send(new PutClusterCapacityProvidersCommand({cluster: observed.arn, capacityProviders: desired.capacityProviders, defaultCapacityProviderStrategy: desired.defaultStrategy ?? []}))
      next = {...next, capacityProviders: [...desired.capacityProviders], defaultStrategy: [...(desired.defaultStrategy ?? [])]}
    }
    return next
  },

  /**
   * DeleteCluster refuses while services, tasks or container instances are in
   * it (ClusterContains*Exception, `in-use`): the error names them, and the
   * engine retries while they go. Gone (or INACTIVE) counts as deleted.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCluster.html
   */
  async delete(ctx, observed) {
    const client = await ecsClient(ctx)
    try {
      await client.send(new DeleteClusterCommand({cluster: observed.arn}))
    } catch (error) {
      if (isEcsGone(error, 'ClusterNotFoundException')) return
      throw withHolder(error, await holderOf(client, observed.arn, error))
    }
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name}
  },

  health(observed): Health {
    const instances = observed.containerInstances > 0 ? `, ${observed.containerInstances} container instance${observed.containerInstances === 1 ? '' : 's'}` : ''
    return {state: observed.status.toLowerCase(), ready: observed.status === 'ACTIVE', detail: `${observed.activeServices} services, ${observed.runningTasks} running tasks, ${observed.pendingTasks} pending${instances}`}
  },

  statusDetails: clustersDetails,
}

/** What still holds a cluster a delete was refused for: its services by name, its tasks and instances by count. Best effort. */
async function holderOf(client: ECSClient, clusterArn: string, error: unknown): Promise<string | undefined> {
  try {
    if (hasEcsCode(error, 'ClusterContainsServicesException')) {
      const arns = (await client.send(new ListServicesCommand({cluster: clusterArn}))).serviceArns ?? []
      const names = arns.map((arn) => `service ${arn.split('/').pop()}`)
      return names.length > 0 ? names.join(', ') : 'services'
    }
    if (hasEcsCode(error, 'ClusterContainsTasksException')) {
      const arns = (await client.send(new ListTasksCommand({cluster: clusterArn}))).taskArns ?? []
      return `${arns.length} tasks`
    }
    if (hasEcsCode(error, 'ClusterContainsContainerInstancesException')) {
      const arns = (await client.send(new ListContainerInstancesCommand({cluster: clusterArn}))).containerInstanceArns ?? []
      return `${arns.length} container instances`
    }
  } catch {
    // Who holds it is a courtesy: the in-use error itself is what counts.
  }
  return undefined
}
