import {
  ClientException,
  CreateCapacityProviderCommand,
  DeleteCapacityProviderCommand,
  DescribeCapacityProvidersCommand,
  ResourceInUseException,
  UpdateCapacityProviderCommand,
  type Compatibility,
  type NetworkMode,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  type ContainerDefinition,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  type Tag,
  type TaskDefinition,
  UpdateClusterSettingsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {type FakeEnv, type FakeHandler, type FakeInstanceView, type FakeService, handlersOf, type OperationHandler} from './core.js'
import {IdGenerator} from './ids.js'

/**
 * An in-memory Amazon ECS: clusters, task definitions (revisions, ACTIVE →
 * INACTIVE → DELETE_IN_PROGRESS, AWS's defaults filled in on register),
 * services with rolling deployments driven by the fake's clock (tasks
 * PROVISIONING → PENDING → RUNNING, old tasks stopped within the
 * minimum/maximum percent, the deployment circuit breaker and its rollback),
 * service events, tasks (stopped ones visible for an hour) and, for awsvpc
 * tasks, a network interface in the fake EC2's subnet until the task stops.
 * The scheduler acts when the fake is called (each call first brings every
 * service up to the clock), which is when a caller could see it.
 * API reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Operations.html
 * Auto Scaling group capacity providers exist as objects (a cluster may list
 * them; deletion is refused, DELETE_FAILED, while one does), but place no
 * tasks of their own. Container instances are the fake EC2's instances
 * whose user data sets `ECS_CLUSTER=<cluster>` (as the ECS-optimised AMI's
 * agent reads it from /etc/ecs/ecs.config), registered once the instance is
 * running, the agent disconnected while it shuts down, deregistered once it
 * is terminated; the cluster's tasks are placed on them, in launch order,
 * where their CPU and memory fit. A load-balanced service's tasks are healthy
 * `targetHealthyMs` after RUNNING and drain for `deregistrationDelayMs` when
 * told to stop (both 0 by default: healthy once RUNNING, no draining). Not
 * modelled: a cluster refusing deletion while instances are registered,
 * tasks waiting for capacity, load balancer target registration (the fake
 * ELBv2 lists no ECS targets), task sets, service connect.
 */

/**
 * What the ECS agent registers for some instance types: 1024 CPU units a
 * vCPU, and the memory left after the operating system and the agent
 * (approximately what AWS reports; "Container instance memory management").
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
 */
const INSTANCE_RESOURCES: Record<string, {cpu: number; memory: number}> = {
  't3.micro': {cpu: 2048, memory: 952},
  't3.small': {cpu: 2048, memory: 1932},
  't3.medium': {cpu: 2048, memory: 3904},
  't3.large': {cpu: 2048, memory: 7957},
  'm5.large': {cpu: 2048, memory: 7681},
  'c5.large': {cpu: 2048, memory: 3704},
}

/** The cluster an instance's user data joins (`echo ECS_CLUSTER=name >> /etc/ecs/ecs.config`), if any. */
function clusterOfUserData(userData: string | undefined): string | undefined {
  if (!userData) return undefined
  return /ECS_CLUSTER=([A-Za-z0-9_-]+)/.exec(Buffer.from(userData, 'base64').toString('utf8'))?.[1]
}

/** How long ECS's asynchronous transitions take, in ms of the fake's clock. */
export interface EcsTimings {
  /** A new task is PROVISIONING this long (Fargate: capacity and its network interface)… */
  provisioningMs: number
  /** …then PENDING this long (image pull, container start), then RUNNING. */
  pendingMs: number
  /** A task being stopped is DEPROVISIONING this long before STOPPED (load balancer draining, interface released). */
  stoppingMs: number
  /** STOPPED tasks stay in ListTasks/DescribeTasks this long ("at least 1 hour", API_DescribeTasks). */
  stoppedVisibleMs: number
  /** INACTIVE services and clusters still answer describes this long. */
  inactiveVisibleMs: number
  /** A capacity provider deleted is DELETE_IN_PROGRESS this long, then INACTIVE. */
  capacityProviderDeleteMs: number
  /**
   * A RUNNING task of a service behind a load balancer counts as healthy (for
   * its deployment's completion and the minimum healthy percent) this long
   * after it started running: the target group's HealthyThresholdCount
   * checks, HealthCheckIntervalSeconds apart. 0: healthy once RUNNING.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-healthcheck.html
   */
  targetHealthyMs: number
  /**
   * A RUNNING task of a service behind a load balancer that is told to stop is
   * DEACTIVATING this long first, while the target group drains it (its
   * deregistration delay, AWS's default 300 s), then stops as any task does.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
   */
  deregistrationDelayMs: number
}

export const DEFAULT_ECS_TIMINGS: EcsTimings = {
  provisioningMs: 10_000,
  pendingMs: 20_000,
  stoppingMs: 30_000,
  stoppedVisibleMs: 3_600_000,
  inactiveVisibleMs: 3_600_000,
  capacityProviderDeleteMs: 20_000,
  targetHealthyMs: 0,
  deregistrationDelayMs: 0,
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode: number}; message: string}) => E

function ecsError<E>(Exception: Modeled<E>, message: string): E {
  return new Exception({$metadata: {httpStatusCode: 400}, message})
}

const invalid = (message: string) => ecsError(InvalidParameterException, message)

/**
 * Fargate task sizes (cpu → memory MiB allowed), a subset.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_SIZES: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': [1024, 2048, 3072, 4096],
  '1024': [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  '2048': Array.from({length: 13}, (_, i) => 4096 + i * 1024),
  '4096': Array.from({length: 23}, (_, i) => 8192 + i * 1024),
}

interface ClusterRecord {
  arn: string
  name: string
  status: 'ACTIVE' | 'INACTIVE'
  tags: Tag[]
  settings: {name: string; value: string}[]
  capacityProviders: string[]
  defaultStrategy: {capacityProvider: string; weight: number; base: number}[]
  inactiveAt?: number
}

interface CapacityProviderRecord {
  arn: string
  name: string
  autoScalingGroupProvider: {autoScalingGroupArn: string; managedScaling: Record<string, unknown>; managedTerminationProtection: string}
  tags: Tag[]
  updateStatus: string
  updateStatusReason?: string
  deleteRequestedAt?: number
}

interface RevisionRecord {
  definition: TaskDefinition
  tags: Tag[]
}

interface DeploymentRecord {
  id: string
  status: 'PRIMARY' | 'ACTIVE'
  taskDefinition: string
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'
  rolloutStateReason: string
  failedTasks: number
  createdAt: number
  updatedAt: number
  /** The deployment a rollback returns to: the last one that completed. */
}

interface ServiceRecord {
  arn: string
  name: string
  clusterArn: string
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE'
  desiredCount: number
  launchType?: string
  capacityProviderStrategy?: {capacityProvider: string; weight: number; base: number}[]
  network?: {subnets: string[]; securityGroups: string[]; assignPublicIp: string}
  loadBalancers: {targetGroupArn?: string; containerName?: string; containerPort?: number}[]
  deploymentConfiguration: {deploymentCircuitBreaker: {enable: boolean; rollback: boolean}; minimumHealthyPercent: number; maximumPercent: number}
  healthCheckGracePeriodSeconds?: number
  enableExecuteCommand: boolean
  tags: Tag[]
  clientToken?: string
  deployments: DeploymentRecord[]
  /** The task definition of the last deployment that COMPLETED: where a rollback goes. */
  lastCompleted?: string
  events: {id: string; createdAt: number; message: string}[]
  steady: boolean
  createdAt: number
  inactiveAt?: number
}

interface TaskRecord {
  arn: string
  clusterArn: string
  service: string
  deploymentId: string
  taskDefinitionArn: string
  createdAt: number
  /** Set when it is told to stop or fails: DEACTIVATING for `drainMs`, DEPROVISIONING until `stoppingMs` later, then STOPPED. */
  stopAt?: number
  /** The deregistration delay it drains for (a load-balanced task that was RUNNING when told to stop). */
  drainMs?: number
  stoppedReason?: string
  stopCode?: string
  containerReason?: string
  /** Set by `failTasks`: the time it stops instead of turning RUNNING. */
  failure?: {at: number; stoppedReason: string; containerReason: string}
  counted?: boolean
  eniId?: string
}

/** What `failTasks` matches: tasks of a task definition ARN, or whose containers use an image. */
export interface TaskFailureMatch {
  taskDefinitionArn?: string
  image?: string
}

export class FakeEcs implements FakeService {
  readonly service = 'ecs'
  readonly timings: EcsTimings
  private readonly ids = new IdGenerator(0xec5)
  private readonly clusters = new Map<string, ClusterRecord>()
  private readonly capacityProviders = new Map<string, CapacityProviderRecord>()
  /** family → revisions (index = revision - 1). */
  private readonly families = new Map<string, RevisionRecord[]>()
  private readonly services = new Map<string, ServiceRecord>()
  private readonly tasks = new Map<string, TaskRecord>()
  private readonly failures: (TaskFailureMatch & {stoppedReason: string; containerReason: string})[] = []
  /** EC2 instance id → its container instance id (32 hex), given when it first registers. */
  private readonly containerInstanceIds = new Map<string, string>()

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<EcsTimings> = {},
  ) {
    this.timings = {...DEFAULT_ECS_TIMINGS, ...timings}
  }

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateClusterCommand, (i) => this.createCluster(i)],
      [DescribeClustersCommand, (i) => this.describeClusters(i)],
      [ListClustersCommand, () => ({clusterArns: [...this.clusters.values()].filter((c) => c.status === 'ACTIVE').map((c) => c.arn)})],
      [UpdateClusterSettingsCommand, (i) => this.updateClusterSettings(i)],
      [PutClusterCapacityProvidersCommand, (i) => this.putClusterCapacityProviders(i)],
      [DeleteClusterCommand, (i) => this.deleteCluster(i)],
      [CreateCapacityProviderCommand, (i) => this.createCapacityProvider(i)],
      [DescribeCapacityProvidersCommand, (i) => this.describeCapacityProviders(i)],
      [UpdateCapacityProviderCommand, (i) => this.updateCapacityProvider(i)],
      [DeleteCapacityProviderCommand, (i) => this.deleteCapacityProvider(i)],
      [RegisterTaskDefinitionCommand, (i) => this.registerTaskDefinition(i)],
      [DescribeTaskDefinitionCommand, (i) => this.describeTaskDefinition(i)],
      [ListTaskDefinitionsCommand, (i) => this.listTaskDefinitions(i)],
      [DeregisterTaskDefinitionCommand, (i) => this.deregisterTaskDefinition(i)],
      [DeleteTaskDefinitionsCommand, (i) => this.deleteTaskDefinitions(i)],
      [CreateServiceCommand, (i) => this.createService(i)],
      [DescribeServicesCommand, (i) => this.describeServices(i)],
      [ListServicesCommand, (i) => this.listServices(i)],
      [UpdateServiceCommand, (i) => this.updateService(i)],
      [DeleteServiceCommand, (i) => this.deleteService(i)],
      [ListTasksCommand, (i) => this.listTasks(i)],
      [DescribeTasksCommand, (i) => this.describeTasks(i)],
      [ListContainerInstancesCommand, (i) => this.listContainerInstances(i)],
      [DescribeContainerInstancesCommand, (i) => this.describeContainerInstances(i)],
    ]
    return handlersOf(
      table,
      (_operation, input) => {
        this.tick()
        return structuredClone(input)
      },
      // What the call changed takes effect at once (a new service launches its first tasks).
      () => this.tick(),
    )
  }

  // ---------------------------------------------------------------- helpers for tests

  /** Live objects: ACTIVE clusters, services not INACTIVE, task definition revisions not deleted, tasks not STOPPED. */
  resourceCount(): number {
    this.tick()
    const clusters = [...this.clusters.values()].filter((c) => c.status === 'ACTIVE').length
    const services = [...this.services.values()].filter((s) => s.status !== 'INACTIVE').length
    const revisions = [...this.families.values()].flat().filter((r) => r.definition.status === 'ACTIVE' || r.definition.status === 'INACTIVE').length
    const tasks = [...this.tasks.values()].filter((t) => this.lastStatus(t) !== 'STOPPED').length
    const providers = [...this.capacityProviders.values()].filter((p) => this.providerStatus(p) === 'ACTIVE').length
    return clusters + services + revisions + tasks + providers
  }

  /**
   * Tasks launched from now on that match stop instead of turning RUNNING,
   * with this reason (`CannotPullContainerError: …`,
   * `ResourceInitializationError: unable to pull secrets or registry auth: …`,
   * `Essential container in task exited`) and container reason.
   */
  failTasks(match: TaskFailureMatch, stoppedReason: string, containerReason = stoppedReason): void {
    this.failures.push({...match, stoppedReason, containerReason})
  }

  clearTaskFailures(): void {
    this.failures.length = 0
  }

  /** Plain data of everything, for debugging a failing test. */
  snapshot(): object {
    this.tick()
    return structuredClone({
      now: this.now(),
      clusters: [...this.clusters.values()],
      services: [...this.services.values()],
      tasks: [...this.tasks.values()].map((task) => ({...task, lastStatus: this.lastStatus(task)})),
    })
  }

  // ---------------------------------------------------------------- time, ids

  private now(): number {
    return this.env.clock.now()
  }

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.env.region}:${this.env.accountId}:${resource}`
  }

  private hex32(): string {
    return (this.ids.next('x').slice(2) + this.ids.next('x').slice(2)).slice(0, 32)
  }

  private uuid(): string {
    const hex = this.hex32()
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
  }

  // ---------------------------------------------------------------- clusters

  private cluster(ref: string | undefined): ClusterRecord {
    const name = ref === undefined || ref === '' ? 'default' : ref.startsWith('arn:') ? ref.split('/').pop()! : ref
    const cluster = this.clusters.get(name)
    if (!cluster || cluster.status !== 'ACTIVE') throw ecsError(ClusterNotFoundException, 'Cluster not found.')
    return cluster
  }

  private checkProviders(providers: string[] | undefined): string[] {
    for (const provider of providers ?? []) {
      const ours = this.capacityProviders.get(provider)
      if (provider !== 'FARGATE' && provider !== 'FARGATE_SPOT' && (!ours || this.providerStatus(ours) !== 'ACTIVE')) throw invalid(`The specified capacity provider ${provider} does not exist.`)
    }
    return providers ?? []
  }

  private createCluster(input: any) {
    const name: string = input.clusterName ?? 'default'
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name)) throw invalid('Cluster name must be 1-255 letters, numbers, hyphens and underscores.')
    const existing = this.clusters.get(name)
    // "If you create a cluster with the name of an existing cluster, the existing cluster is returned" (ACTIVE only).
    if (existing?.status === 'ACTIVE') return {cluster: this.clusterView(existing, ['TAGS', 'SETTINGS'])}
    const record: ClusterRecord = {
      arn: this.arn(`cluster/${name}`),
      name,
      status: 'ACTIVE',
      tags: input.tags ?? [],
      settings: [{name: 'containerInsights', value: 'disabled'}, ...(input.settings ?? [])].filter((s, i, all) => all.findLastIndex((t) => t.name === s.name) === i),
      capacityProviders: this.checkProviders(input.capacityProviders),
      defaultStrategy: (input.defaultCapacityProviderStrategy ?? []).map((item: any) => ({capacityProvider: item.capacityProvider, weight: item.weight ?? 0, base: item.base ?? 0})),
    }
    this.clusters.set(name, record)
    return {cluster: this.clusterView(record, ['TAGS', 'SETTINGS'])}
  }

  private clusterView(cluster: ClusterRecord, include: string[]) {
    const services = [...this.services.values()].filter((s) => s.clusterArn === cluster.arn && s.status === 'ACTIVE')
    const tasks = [...this.tasks.values()].filter((t) => t.clusterArn === cluster.arn)
    return {
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      status: cluster.status,
      registeredContainerInstancesCount: cluster.status === 'ACTIVE' ? this.containerInstances(cluster).length : 0,
      runningTasksCount: tasks.filter((t) => this.lastStatus(t) === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => ['PROVISIONING', 'PENDING'].includes(this.lastStatus(t))).length,
      activeServicesCount: services.length,
      capacityProviders: cluster.capacityProviders,
      defaultCapacityProviderStrategy: cluster.defaultStrategy,
      ...(include.includes('SETTINGS') ? {settings: cluster.settings} : {}),
      ...(include.includes('TAGS') && cluster.tags.length > 0 ? {tags: cluster.tags} : {}),
    }
  }

  private describeClusters(input: any) {
    const clusters = []
    const failures = []
    const refs: string[] = input.clusters?.length ? input.clusters : ['default']
    if (refs.length > 100) throw invalid('clusters can have at most 100 items.')
    for (const ref of refs) {
      const name = ref.startsWith('arn:') ? ref.split('/').pop()! : ref
      const cluster = this.clusters.get(name)
      if (cluster) clusters.push(this.clusterView(cluster, input.include ?? []))
      else failures.push({arn: ref.startsWith('arn:') ? ref : this.arn(`cluster/${ref}`), reason: 'MISSING'})
    }
    return {clusters, failures}
  }

  private updateClusterSettings(input: any) {
    const cluster = this.cluster(input.cluster)
    for (const setting of input.settings ?? []) {
      if (setting.name !== 'containerInsights' || !['enabled', 'disabled', 'enhanced'].includes(setting.value)) throw invalid(`Invalid cluster setting ${setting.name}=${setting.value}`)
      cluster.settings = [...cluster.settings.filter((s) => s.name !== setting.name), setting]
    }
    return {cluster: this.clusterView(cluster, ['SETTINGS'])}
  }

  private putClusterCapacityProviders(input: any) {
    const cluster = this.cluster(input.cluster)
    if (input.capacityProviders === undefined || input.defaultCapacityProviderStrategy === undefined) throw invalid('capacityProviders and defaultCapacityProviderStrategy are required.')
    const removed = cluster.capacityProviders.filter((provider) => !input.capacityProviders.includes(provider))
    const users = [...this.services.values()].filter((s) => s.clusterArn === cluster.arn && s.status !== 'INACTIVE' && s.capacityProviderStrategy?.some((item) => removed.includes(item.capacityProvider)))
    if (users.length > 0) throw ecsError(ResourceInUseException, 'The specified capacity provider is in use and cannot be removed.')
    cluster.capacityProviders = this.checkProviders(input.capacityProviders)
    for (const item of input.defaultCapacityProviderStrategy) {
      if (!cluster.capacityProviders.includes(item.capacityProvider)) throw invalid(`The capacity provider ${item.capacityProvider} is not associated with the cluster.`)
    }
    cluster.defaultStrategy = input.defaultCapacityProviderStrategy.map((item: any) => ({capacityProvider: item.capacityProvider, weight: item.weight ?? 0, base: item.base ?? 0}))
    return {cluster: this.clusterView(cluster, [])}
  }

  /** API_DeleteCluster: refused while services (ACTIVE or DRAINING) or tasks are in it. */
  private deleteCluster(input: any) {
    const cluster = this.cluster(input.cluster)
    if ([...this.services.values()].some((s) => s.clusterArn === cluster.arn && s.status !== 'INACTIVE')) {
      throw ecsError(ClusterContainsServicesException, 'The Cluster cannot be deleted while Services are active.')
    }
    if ([...this.tasks.values()].some((t) => t.clusterArn === cluster.arn && this.lastStatus(t) !== 'STOPPED')) {
      throw ecsError(ClusterContainsTasksException, 'The Cluster cannot be deleted while Tasks are active.')
    }
    cluster.status = 'INACTIVE'
    cluster.inactiveAt = this.now()
    return {cluster: this.clusterView(cluster, [])}
  }

  // ---------------------------------------------------------------- capacity providers

  private providerStatus(provider: CapacityProviderRecord): 'ACTIVE' | 'INACTIVE' {
    return provider.deleteRequestedAt !== undefined && this.now() >= provider.deleteRequestedAt + this.timings.capacityProviderDeleteMs ? 'INACTIVE' : 'ACTIVE'
  }

  private providerView(provider: CapacityProviderRecord, include: string[] = ['TAGS']) {
    const status = this.providerStatus(provider)
    return {
      capacityProviderArn: provider.arn,
      name: provider.name,
      status,
      type: 'EC2_AUTOSCALING',
      autoScalingGroupProvider: provider.autoScalingGroupProvider,
      updateStatus: status === 'INACTIVE' ? 'DELETE_COMPLETE' : provider.updateStatus,
      ...(provider.updateStatusReason ? {updateStatusReason: provider.updateStatusReason} : {}),
      ...(include.includes('TAGS') && provider.tags.length > 0 ? {tags: provider.tags} : {}),
    }
  }

  /** API_CreateCapacityProvider: "The name can't be prefixed with "aws", "ecs", or "fargate""; one provider per Auto Scaling group. */
  private createCapacityProvider(input: any) {
    const name: string = input.name ?? ''
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name) || /^(aws|ecs|fargate)/i.test(name)) throw invalid(`Invalid capacity provider name ${name}.`)
    const group = input.autoScalingGroupProvider
    if (!group?.autoScalingGroupArn) throw invalid('autoScalingGroupProvider.autoScalingGroupArn is required.')
    const live = [...this.capacityProviders.values()].filter((p) => this.providerStatus(p) === 'ACTIVE')
    if (live.some((p) => p.name === name)) throw ecsError(ClientException, 'The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.')
    if (live.some((p) => p.autoScalingGroupProvider.autoScalingGroupArn === group.autoScalingGroupArn)) {
      throw ecsError(ClientException, 'The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.')
    }
    const record: CapacityProviderRecord = {
      arn: this.arn(`capacity-provider/${name}`),
      name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: group.autoScalingGroupArn,
        managedScaling: {status: 'DISABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10_000, instanceWarmupPeriod: 300, ...group.managedScaling},
        managedTerminationProtection: group.managedTerminationProtection ?? 'DISABLED',
      },
      tags: input.tags ?? [],
      updateStatus: 'CREATE_COMPLETE',
    }
    this.capacityProviders.set(name, record)
    return {capacityProvider: this.providerView(record)}
  }

  private describeCapacityProviders(input: any) {
    const builtIn = ['FARGATE', 'FARGATE_SPOT'].map((name) => ({capacityProviderArn: this.arn(`capacity-provider/${name}`), name, status: 'ACTIVE', type: name === 'FARGATE' ? 'FARGATE' : 'FARGATE_SPOT'}))
    const refs: string[] | undefined = input.capacityProviders
    if (refs === undefined) return {capacityProviders: [...builtIn, ...[...this.capacityProviders.values()].map((p) => this.providerView(p, input.include ?? []))]}
    const capacityProviders = []
    const failures = []
    for (const ref of refs) {
      const name = ref.startsWith('arn:') ? ref.split('/').pop()! : ref
      const provider = this.capacityProviders.get(name)
      const fixed = builtIn.find((p) => p.name === name)
      if (provider) capacityProviders.push(this.providerView(provider, input.include ?? []))
      else if (fixed) capacityProviders.push(fixed)
      else failures.push({arn: this.arn(`capacity-provider/${name}`), reason: 'MISSING'})
    }
    return {capacityProviders, failures}
  }

  private liveProvider(ref: string | undefined): CapacityProviderRecord {
    const provider = ref === undefined ? undefined : this.capacityProviders.get(ref.startsWith('arn:') ? ref.split('/').pop()! : ref)
    if (!provider || this.providerStatus(provider) !== 'ACTIVE') throw ecsError(ClientException, 'The specified capacity provider does not exist. Specify a valid name or ARN and try again.')
    return provider
  }

  private updateCapacityProvider(input: any) {
    const provider = this.liveProvider(input.name)
    const group = input.autoScalingGroupProvider ?? {}
    if (group.managedScaling) provider.autoScalingGroupProvider.managedScaling = {...provider.autoScalingGroupProvider.managedScaling, ...group.managedScaling}
    if (group.managedTerminationProtection) provider.autoScalingGroupProvider.managedTerminationProtection = group.managedTerminationProtection
    provider.updateStatus = 'UPDATE_COMPLETE'
    return {capacityProvider: this.providerView(provider)}
  }

  /** Refused while a cluster lists it: the call succeeds and answers DELETE_FAILED (ekristen/aws-nuke#542). */
  private deleteCapacityProvider(input: any) {
    const provider = this.liveProvider(input.capacityProvider)
    const holder = [...this.clusters.values()].find((c) => c.status === 'ACTIVE' && c.capacityProviders.includes(provider.name))
    if (holder) {
      provider.updateStatus = 'DELETE_FAILED'
      provider.updateStatusReason = `The capacity provider cannot be deleted because it is associated with cluster: ${holder.name}. Remove the capacity provider from the cluster and try again.`
      return {capacityProvider: {...this.providerView(provider), cluster: holder.arn}}
    }
    provider.updateStatus = 'DELETE_IN_PROGRESS'
    delete provider.updateStatusReason
    provider.deleteRequestedAt ??= this.now()
    return {capacityProvider: this.providerView(provider)}
  }

  // ---------------------------------------------------------------- task definitions

  /** `family`, `family:revision` or an ARN → the revision record (latest ACTIVE for a bare family). */
  private revision(ref: string | undefined): RevisionRecord {
    const unknown = () => ecsError(ClientException, 'Unable to describe task definition.')
    if (!ref) throw unknown()
    const tail = ref.startsWith('arn:') ? ref.split('/').pop()! : ref
    const [family, revision] = tail.split(':')
    const revisions = this.families.get(family!) ?? []
    const record = revision === undefined ? revisions.filter((r) => r.definition.status === 'ACTIVE').at(-1) : revisions[Number(revision) - 1]
    if (!record || record.definition.status === 'DELETE_IN_PROGRESS') throw unknown()
    return record
  }

  /** AWS's defaults, as DescribeTaskDefinition answers them (see src/resources/ecs/normalise.ts for the sources). */
  private withDefaults(container: ContainerDefinition, networkMode: string): ContainerDefinition {
    const filled: ContainerDefinition = {
      ...container,
      cpu: container.cpu ?? 0,
      essential: container.essential ?? true,
      portMappings: (container.portMappings ?? []).map((port) => ({
        ...port,
        containerPort: port.containerPort!,
        hostPort: port.hostPort ?? (networkMode === 'bridge' ? 0 : port.containerPort!),
        protocol: port.protocol ?? 'tcp',
      })),
      environment: container.environment ?? [],
      mountPoints: (container.mountPoints ?? []).map((mount) => ({...mount, readOnly: mount.readOnly ?? false})),
      volumesFrom: container.volumesFrom ?? [],
      systemControls: container.systemControls ?? [],
    }
    if (container.logConfiguration) filled.logConfiguration = {...container.logConfiguration, secretOptions: container.logConfiguration.secretOptions ?? []}
    if (container.healthCheck) filled.healthCheck = {interval: 30, timeout: 5, retries: 3, ...container.healthCheck}
    return filled
  }

  private registerTaskDefinition(input: any) {
    const family: string = input.family ?? ''
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(family)) throw ecsError(ClientException, 'Family contains invalid characters.')
    if (!input.containerDefinitions?.length) throw ecsError(ClientException, 'Container list cannot be empty.')
    // A role made moments ago that ECS cannot see yet (IAM is eventually consistent); terraform-provider-aws
    // retries RegisterTaskDefinition on this very message (internal/service/ecs/task_definition.go).
    for (const role of [input.executionRoleArn, input.taskRoleArn]) {
      if (typeof role === 'string' && this.env.iamUsable?.(role, 'role') === false) throw ecsError(ClientException, 'Role is not valid')
    }
    const networkMode: string = input.networkMode ?? 'bridge'
    const compatibilities: string[] = input.requiresCompatibilities ?? []
    if (compatibilities.includes('FARGATE')) {
      if (networkMode !== 'awsvpc') throw ecsError(ClientException, 'Fargate only supports network mode ‘awsvpc’.')
      const memories = FARGATE_SIZES[String(input.cpu)]
      if (!memories || !memories.includes(Number(input.memory))) throw ecsError(ClientException, 'No Fargate configuration exists for given values.')
      if (input.containerDefinitions.some((c: ContainerDefinition) => c.privileged)) throw ecsError(ClientException, 'Privileged mode is not supported on Fargate.')
    }
    for (const container of input.containerDefinitions as ContainerDefinition[]) {
      for (const port of container.portMappings ?? []) {
        if (networkMode === 'awsvpc' && port.hostPort !== undefined && port.hostPort !== port.containerPort)
          throw ecsError(ClientException, 'When networkMode=awsvpc, the host ports and container ports in port mappings must match.')
      }
    }
    const revisions = this.families.get(family) ?? []
    const revision = revisions.length + 1
    const definition: TaskDefinition = {
      taskDefinitionArn: this.arn(`task-definition/${family}:${revision}`),
      family,
      revision,
      status: 'ACTIVE',
      networkMode: networkMode as NetworkMode,
      containerDefinitions: input.containerDefinitions.map((c: ContainerDefinition) => this.withDefaults(c, networkMode)),
      volumes: (input.volumes ?? []).map((volume: any) => ({...volume, ...(volume.host ? {host: volume.host} : {host: {}})})),
      placementConstraints: [],
      requiresAttributes: [{name: 'com.amazonaws.ecs.capability.logging-driver.awslogs'}, {name: 'ecs.capability.execution-role-awslogs'}],
      compatibilities: compatibilities.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2'],
      requiresCompatibilities: compatibilities as Compatibility[],
      registeredAt: new Date(this.now()),
      registeredBy: `arn:aws:sts::${this.env.accountId}:assumed-role/deployer/session`,
      ...(input.cpu !== undefined ? {cpu: String(input.cpu)} : {}),
      ...(input.memory !== undefined ? {memory: String(input.memory)} : {}),
      ...(input.runtimePlatform ? {runtimePlatform: input.runtimePlatform} : {}),
      ...(input.executionRoleArn ? {executionRoleArn: input.executionRoleArn} : {}),
      ...(input.taskRoleArn ? {taskRoleArn: input.taskRoleArn} : {}),
    }
    revisions.push({definition, tags: input.tags ?? []})
    this.families.set(family, revisions)
    return {taskDefinition: definition, tags: input.tags ?? []}
  }

  private describeTaskDefinition(input: any) {
    const record = this.revision(input.taskDefinition)
    return {taskDefinition: record.definition, ...(input.include?.includes('TAGS') ? {tags: record.tags} : {})}
  }

  private listTaskDefinitions(input: any) {
    const status = input.status ?? 'ACTIVE'
    const arns = [...this.families.entries()]
      .filter(([family]) => input.familyPrefix === undefined || family.startsWith(input.familyPrefix))
      .flatMap(([, revisions]) => revisions.filter((r) => r.definition.status === status).map((r) => r.definition.taskDefinitionArn!))
    return {taskDefinitionArns: arns}
  }

  private deregisterTaskDefinition(input: any) {
    if (!String(input.taskDefinition).includes(':')) throw ecsError(ClientException, 'Revision must be specified.')
    const record = this.revision(input.taskDefinition)
    record.definition.status = 'INACTIVE'
    record.definition.deregisteredAt = new Date(this.now())
    return {taskDefinition: record.definition}
  }

  /** API_DeleteTaskDefinitions: INACTIVE revisions only (ACTIVE ones come back in `failures`), up to 10. */
  private deleteTaskDefinitions(input: any) {
    const refs: string[] = input.taskDefinitions ?? []
    if (refs.length === 0 || refs.length > 10) throw invalid('taskDefinitions must have 1 to 10 items.')
    const taskDefinitions = []
    const failures = []
    for (const ref of refs) {
      let record: RevisionRecord
      try {
        record = this.revision(ref)
      } catch {
        failures.push({arn: ref, reason: 'The specified task definition does not exist.'})
        continue
      }
      if (record.definition.status !== 'INACTIVE') {
        failures.push({arn: ref, reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.'})
        continue
      }
      record.definition.status = 'DELETE_IN_PROGRESS'
      taskDefinitions.push(record.definition)
    }
    return {taskDefinitions, failures}
  }

  // ---------------------------------------------------------------- services

  private serviceIn(cluster: ClusterRecord, ref: string | undefined): ServiceRecord | undefined {
    const name = ref?.startsWith('arn:') ? ref.split('/').pop() : ref
    return [...this.services.values()].filter((s) => s.clusterArn === cluster.arn && s.name === name).at(-1)
  }

  private activeService(input: any): ServiceRecord {
    const cluster = this.cluster(input.cluster)
    const service = this.serviceIn(cluster, input.service)
    if (!service || service.status === 'INACTIVE') throw ecsError(ServiceNotFoundException, 'Service not found.')
    if (service.status !== 'ACTIVE') throw ecsError(ServiceNotActiveException, 'Service was not ACTIVE.')
    return service
  }

  private activeTaskDefinition(ref: string | undefined): string {
    let record: RevisionRecord
    try {
      record = this.revision(ref)
    } catch {
      throw invalid('Unable to use the specified task definition.')
    }
    if (record.definition.status !== 'ACTIVE') throw invalid(`TaskDefinition is inactive`)
    return record.definition.taskDefinitionArn!
  }

  private event(service: ServiceRecord, message: string): void {
    service.events.unshift({id: this.uuid(), createdAt: this.now(), message: `(service ${service.name}) ${message}`})
    service.events.length = Math.min(service.events.length, 100)
  }

  private newDeployment(service: ServiceRecord, taskDefinition: string): void {
    for (const old of service.deployments) old.status = 'ACTIVE'
    const id = `ecs-svc/${this.ids.next('d').replace(/\D/g, '').padEnd(19, '7').slice(0, 19)}`
    service.deployments.unshift({
      id,
      status: 'PRIMARY',
      taskDefinition,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment ' + id + ' in progress.',
      failedTasks: 0,
      createdAt: this.now(),
      updatedAt: this.now(),
    })
    service.steady = false
  }

  private checkNetwork(definition: TaskDefinition, input: any): ServiceRecord['network'] {
    const vpc = input.networkConfiguration?.awsvpcConfiguration
    if (definition.networkMode === 'awsvpc' && !vpc) throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
    if (definition.networkMode !== 'awsvpc' && vpc) throw invalid('Network Configuration is not valid for the given networkMode of this task definition.')
    if (!vpc) return undefined
    if (!vpc.subnets?.length) throw invalid('subnets can not be empty.')
    return {subnets: vpc.subnets, securityGroups: vpc.securityGroups ?? [], assignPublicIp: vpc.assignPublicIp ?? 'DISABLED'}
  }

  private createService(input: any) {
    const cluster = this.cluster(input.cluster)
    const existing = this.serviceIn(cluster, input.serviceName)
    if (existing && existing.status !== 'INACTIVE') {
      if (input.clientToken !== undefined && existing.clientToken === input.clientToken) return {service: this.serviceView(existing, [])}
      throw invalid(existing.status === 'DRAINING' ? 'Unable to Start a service that is still Draining.' : 'Creation of service was not idempotent.')
    }
    const taskDefinition = this.activeTaskDefinition(input.taskDefinition)
    const definition = this.revision(taskDefinition).definition
    if (input.launchType === 'FARGATE' && !definition.compatibilities?.includes('FARGATE')) throw invalid('Task definition does not support launch_type FARGATE.')
    const network = this.checkNetwork(definition, input)
    for (const binding of input.loadBalancers ?? []) {
      const container = definition.containerDefinitions?.find((c) => c.name === binding.containerName)
      if (!container?.portMappings?.some((port) => port.containerPort === binding.containerPort)) {
        throw invalid(`The container ${binding.containerName} did not have a container port ${binding.containerPort} defined.`)
      }
    }
    const config = input.deploymentConfiguration ?? {}
    const service: ServiceRecord = {
      arn: this.arn(`service/${cluster.name}/${input.serviceName}`),
      name: input.serviceName,
      clusterArn: cluster.arn,
      status: 'ACTIVE',
      desiredCount: input.desiredCount ?? 0,
      ...(input.launchType ? {launchType: input.launchType} : {}),
      ...(input.capacityProviderStrategy ? {capacityProviderStrategy: input.capacityProviderStrategy} : {}),
      ...(network ? {network} : {}),
      loadBalancers: input.loadBalancers ?? [],
      deploymentConfiguration: {
        deploymentCircuitBreaker: {enable: config.deploymentCircuitBreaker?.enable ?? false, rollback: config.deploymentCircuitBreaker?.rollback ?? false},
        minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
        maximumPercent: config.maximumPercent ?? 200,
      },
      ...(input.healthCheckGracePeriodSeconds !== undefined || input.loadBalancers?.length ? {healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0} : {}),
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      tags: input.tags ?? [],
      ...(input.clientToken ? {clientToken: input.clientToken} : {}),
      deployments: [],
      events: [],
      steady: false,
      createdAt: this.now(),
    }
    // A name freed by an INACTIVE service is reused: the old record goes.
    if (existing) this.services.delete(existing.arn)
    this.services.set(service.arn, service)
    this.newDeployment(service, taskDefinition)
    return {service: this.serviceView(service, [])}
  }

  private updateService(input: any) {
    const service = this.activeService(input)
    let redeploy = input.forceNewDeployment === true
    if (input.taskDefinition !== undefined) {
      const arn = this.activeTaskDefinition(input.taskDefinition)
      if (arn !== service.deployments[0]?.taskDefinition) redeploy = true
    }
    const definition = this.revision(input.taskDefinition ?? service.deployments[0]!.taskDefinition).definition
    if (input.networkConfiguration !== undefined) {
      service.network = this.checkNetwork(definition, input)
      redeploy = true
    }
    if (input.loadBalancers !== undefined) {
      service.loadBalancers = input.loadBalancers
      redeploy = true
    }
    if (input.capacityProviderStrategy !== undefined) service.capacityProviderStrategy = input.capacityProviderStrategy
    if (input.desiredCount !== undefined) {
      service.desiredCount = input.desiredCount
      service.steady = false
    }
    if (input.deploymentConfiguration !== undefined) {
      const config = input.deploymentConfiguration
      service.deploymentConfiguration = {
        deploymentCircuitBreaker: {enable: config.deploymentCircuitBreaker?.enable ?? false, rollback: config.deploymentCircuitBreaker?.rollback ?? false},
        minimumHealthyPercent: config.minimumHealthyPercent ?? service.deploymentConfiguration.minimumHealthyPercent,
        maximumPercent: config.maximumPercent ?? service.deploymentConfiguration.maximumPercent,
      }
    }
    if (input.healthCheckGracePeriodSeconds !== undefined) service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds
    if (input.enableExecuteCommand !== undefined) {
      service.enableExecuteCommand = input.enableExecuteCommand
      redeploy = true
    }
    if (redeploy) this.newDeployment(service, definition.taskDefinitionArn!)
    return {service: this.serviceView(service, [])}
  }

  /** API_DeleteService: "you must scale the service down to zero before you can delete it" unless `force`. */
  private deleteService(input: any) {
    const cluster = this.cluster(input.cluster)
    const service = this.serviceIn(cluster, input.service)
    if (!service || service.status === 'INACTIVE') throw ecsError(ServiceNotFoundException, 'Service not found.')
    if (service.status === 'ACTIVE') {
      if (!input.force && service.desiredCount > 0) throw invalid('The service cannot be stopped while it is scaled above 0.')
      service.status = 'DRAINING'
      service.desiredCount = 0
    }
    return {service: this.serviceView(service, [])}
  }

  private serviceView(service: ServiceRecord, include: string[]) {
    const tasks = this.tasksOf(service)
    const running = (deploymentId?: string) => tasks.filter((t) => (deploymentId === undefined || t.deploymentId === deploymentId) && this.lastStatus(t) === 'RUNNING').length
    const pending = (deploymentId?: string) => tasks.filter((t) => (deploymentId === undefined || t.deploymentId === deploymentId) && ['PROVISIONING', 'PENDING'].includes(this.lastStatus(t))).length
    const primary = service.deployments.find((d) => d.status === 'PRIMARY')
    return {
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.clusterArn,
      status: service.status,
      desiredCount: service.desiredCount,
      runningCount: running(),
      pendingCount: pending(),
      ...(service.launchType ? {launchType: service.launchType} : {}),
      ...(service.capacityProviderStrategy ? {capacityProviderStrategy: service.capacityProviderStrategy} : {}),
      taskDefinition: primary?.taskDefinition,
      loadBalancers: service.loadBalancers,
      deploymentConfiguration: service.deploymentConfiguration,
      ...(service.network ? {networkConfiguration: {awsvpcConfiguration: service.network}} : {}),
      ...(service.healthCheckGracePeriodSeconds !== undefined ? {healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds} : {}),
      enableExecuteCommand: service.enableExecuteCommand,
      deployments:
        service.status === 'INACTIVE'
          ? []
          : service.deployments.map((d) => ({
              id: d.id,
              status: d.status,
              taskDefinition: d.taskDefinition,
              desiredCount: d.status === 'PRIMARY' && d.rolloutState !== 'FAILED' ? service.desiredCount : 0,
              runningCount: running(d.id),
              pendingCount: pending(d.id),
              failedTasks: d.failedTasks,
              rolloutState: d.rolloutState,
              rolloutStateReason: d.rolloutStateReason,
              createdAt: new Date(d.createdAt),
              updatedAt: new Date(d.updatedAt),
            })),
      events: service.events.map((e) => ({id: e.id, createdAt: new Date(e.createdAt), message: e.message})),
      createdAt: new Date(service.createdAt),
      schedulingStrategy: 'REPLICA',
      deploymentController: {type: 'ECS'},
      ...(include.includes('TAGS') && service.tags.length > 0 ? {tags: service.tags} : {}),
    }
  }

  private describeServices(input: any) {
    const cluster = this.cluster(input.cluster)
    const refs: string[] = input.services ?? []
    if (refs.length === 0 || refs.length > 10) throw invalid('services must have 1 to 10 items.')
    const services = []
    const failures = []
    for (const ref of refs) {
      const service = this.serviceIn(cluster, ref)
      if (service) services.push(this.serviceView(service, input.include ?? []))
      else failures.push({arn: ref.startsWith('arn:') ? ref : this.arn(`service/${cluster.name}/${ref}`), reason: 'MISSING'})
    }
    return {services, failures}
  }

  /** DRAINING services are not listed ("the service is no longer visible in … the ListServices API operation"). */
  private listServices(input: any) {
    const cluster = this.cluster(input.cluster)
    return {serviceArns: [...this.services.values()].filter((s) => s.clusterArn === cluster.arn && s.status === 'ACTIVE').map((s) => s.arn)}
  }

  // ---------------------------------------------------------------- tasks

  private lastStatus(task: TaskRecord): string {
    const now = this.now()
    if (task.stopAt !== undefined && now >= task.stopAt) return now >= this.stoppedAt(task) ? 'STOPPED' : now < task.stopAt + (task.drainMs ?? 0) ? 'DEACTIVATING' : 'DEPROVISIONING'
    if (now < task.createdAt + this.timings.provisioningMs) return 'PROVISIONING'
    if (now < task.createdAt + this.timings.provisioningMs + this.timings.pendingMs) return 'PENDING'
    return 'RUNNING'
  }

  /** When a task told to stop is STOPPED: after draining (if it does) and deprovisioning. */
  private stoppedAt(task: TaskRecord): number {
    return task.stopAt! + (task.drainMs ?? 0) + this.timings.stoppingMs
  }

  /** RUNNING, and past its target group's health checks when the service is behind a load balancer. */
  private healthy(task: TaskRecord, service: ServiceRecord): boolean {
    if (this.lastStatus(task) !== 'RUNNING') return false
    const runningAt = task.createdAt + this.timings.provisioningMs + this.timings.pendingMs
    return service.loadBalancers.length === 0 || this.now() >= runningAt + this.timings.targetHealthyMs
  }

  private tasksOf(service: ServiceRecord): TaskRecord[] {
    return [...this.tasks.values()].filter((t) => t.clusterArn === service.clusterArn && t.service === service.name)
  }

  private live(task: TaskRecord): boolean {
    return task.stopAt === undefined || this.now() < task.stopAt
  }

  private stopTask(task: TaskRecord, at: number, reason: string, stopCode = 'ServiceSchedulerInitiated'): void {
    if (task.stopAt !== undefined && task.stopAt <= at) return
    // A load-balanced task that was serving drains from its target groups first.
    const service = [...this.services.values()].find((s) => s.clusterArn === task.clusterArn && s.name === task.service)
    const serving = task.failure === undefined && this.lastStatus(task) === 'RUNNING'
    if (serving && service && service.loadBalancers.length > 0 && this.timings.deregistrationDelayMs > 0) task.drainMs = this.timings.deregistrationDelayMs
    task.stopAt = at
    task.stoppedReason = reason
    task.stopCode = stopCode
    // The interface stays attached while the task drains and deprovisions, then goes.
    if (task.eniId) this.env.networkInterfaces?.release(task.eniId, {attachedMs: Math.max(0, this.stoppedAt(task) - this.now()), detachedMs: 0})
  }

  private launch(service: ServiceRecord, deployment: DeploymentRecord): void {
    const id = this.hex32()
    const definition = this.revision(deployment.taskDefinition).definition
    const task: TaskRecord = {
      arn: this.arn(`task/${service.clusterArn.split('/').pop()}/${id}`),
      clusterArn: service.clusterArn,
      service: service.name,
      deploymentId: deployment.id,
      taskDefinitionArn: deployment.taskDefinition,
      createdAt: this.now(),
    }
    const images = (definition.containerDefinitions ?? []).map((c) => c.image)
    const failure = this.failures.find((f) => (f.taskDefinitionArn === undefined || f.taskDefinitionArn === deployment.taskDefinition) && (f.image === undefined || images.includes(f.image)))
    if (failure) task.failure = {at: task.createdAt + this.timings.provisioningMs + this.timings.pendingMs, stoppedReason: failure.stoppedReason, containerReason: failure.containerReason}
    if (service.network) {
      const subnetId = service.network.subnets[this.tasks.size % service.network.subnets.length]!
      try {
        const eni = this.env.networkInterfaces?.add({
          subnetId,
          groupIds: service.network.securityGroups,
          description: this.arn(`attachment/${this.uuid()}`),
          interfaceType: 'interface',
          requesterId: this.env.accountId,
          requesterManaged: true,
          attachment: {instanceOwnerId: 'amazon-aws'},
        })
        if (eni) task.eniId = eni.id
      } catch (error) {
        // A subnet or group gone since: the task cannot get its interface and stops while provisioning.
        task.failure = {at: task.createdAt, stoppedReason: `ResourceInitializationError: failed to configure network interface: ${(error as Error).message}`, containerReason: ''}
      }
    }
    this.tasks.set(task.arn, task)
  }

  /**
   * The circuit breaker's threshold: "The failure threshold is calculated as
   * … 0.5 × desired task count …, with a minimum of 3 and a maximum of 200."
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
   */
  private failureThreshold(service: ServiceRecord): number {
    return Math.min(200, Math.max(3, Math.ceil(service.desiredCount / 2)))
  }

  /** Brings every service up to the clock: failed tasks, the circuit breaker, launches, old tasks stopped, rollouts completed. */
  private tick(): void {
    const now = this.now()
    for (const service of this.services.values()) this.schedule(service)
    for (const [arn, task] of this.tasks) if (task.stopAt !== undefined && now >= this.stoppedAt(task) + this.timings.stoppedVisibleMs) this.tasks.delete(arn)
    for (const [arn, service] of this.services) if (service.inactiveAt !== undefined && now >= service.inactiveAt + this.timings.inactiveVisibleMs) this.services.delete(arn)
    for (const [name, cluster] of this.clusters) if (cluster.inactiveAt !== undefined && now >= cluster.inactiveAt + this.timings.inactiveVisibleMs) this.clusters.delete(name)
  }

  private schedule(service: ServiceRecord): void {
    if (service.status === 'INACTIVE') return
    const now = this.now()
    const tasks = this.tasksOf(service)
    // Tasks that fail stop when they would have turned RUNNING.
    for (const task of tasks) {
      if (task.failure && task.stopAt === undefined && now >= task.failure.at) {
        this.stopTask(task, task.failure.at, task.failure.stoppedReason, 'EssentialContainerExited')
        task.containerReason = task.failure.containerReason
      }
      if (task.failure && task.stopAt !== undefined && !task.counted) {
        task.counted = true
        const deployment = service.deployments.find((d) => d.id === task.deploymentId)
        if (deployment) deployment.failedTasks++
        this.event(service, `has stopped 1 running tasks: (task ${task.arn.split('/').pop()}).`)
      }
    }
    if (service.status === 'DRAINING') {
      for (const task of tasks) if (this.live(task)) this.stopTask(task, now, 'Scaling activity initiated by (deployment ' + (service.deployments[0]?.id ?? '') + ')')
      if (tasks.every((t) => this.lastStatus(t) === 'STOPPED')) {
        service.status = 'INACTIVE'
        service.inactiveAt = now
      }
      return
    }
    const primary = service.deployments.find((d) => d.status === 'PRIMARY')
    if (!primary) return
    const config = service.deploymentConfiguration
    // The circuit breaker: FAILED, and with rollback a new deployment of the last one that completed.
    if (config.deploymentCircuitBreaker.enable && primary.rolloutState === 'IN_PROGRESS' && primary.failedTasks >= this.failureThreshold(service)) {
      primary.rolloutState = 'FAILED'
      primary.rolloutStateReason = `ECS deployment circuit breaker: tasks failed to start.`
      primary.updatedAt = now
      this.event(service, `(deployment ${primary.id}) deployment failed: tasks failed to start.`)
      for (const task of tasks) if (task.deploymentId === primary.id && this.live(task)) this.stopTask(task, now, 'Task stopped by the deployment circuit breaker')
      if (config.deploymentCircuitBreaker.rollback && service.lastCompleted && service.lastCompleted !== primary.taskDefinition) {
        const target = service.lastCompleted
        this.newDeployment(service, target)
        this.event(service, `(deployment ${primary.id}) rolling back to deployment ${service.deployments[0]!.id}.`)
      }
      return
    }
    if (primary.rolloutState === 'FAILED') return
    const liveTasks = tasks.filter((t) => this.live(t))
    const primaryLive = liveTasks.filter((t) => t.deploymentId === primary.id)
    const maxTotal = Math.floor((service.desiredCount * config.maximumPercent) / 100)
    const toLaunch = Math.min(service.desiredCount - primaryLive.length, Math.max(0, maxTotal - liveTasks.length))
    const launched: string[] = []
    for (let i = 0; i < toLaunch; i++) {
      this.launch(service, primary)
      launched.push([...this.tasks.keys()].at(-1)!.split('/').pop()!)
    }
    if (launched.length > 0) this.event(service, `has started ${launched.length} tasks: ${launched.map((id) => `(task ${id})`).join(' ')}.`)
    // Scale-in of the primary itself (a lower desired count): newest first.
    for (const task of primaryLive.slice(service.desiredCount).reverse()) this.stopTask(task, now, 'Scaling activity initiated by (deployment ' + primary.id + ')')
    // Old deployments' tasks go while enough tasks keep running (minimumHealthyPercent).
    const minHealthy = Math.ceil((service.desiredCount * config.minimumHealthyPercent) / 100)
    const runningNow = () => this.tasksOf(service).filter((t) => this.live(t) && this.healthy(t, service)).length
    for (const old of service.deployments.filter((d) => d !== primary)) {
      for (const task of this.tasksOf(service).filter((t) => t.deploymentId === old.id && this.live(t))) {
        const running = this.lastStatus(task) === 'RUNNING'
        if (running && runningNow() - 1 < minHealthy) continue
        this.stopTask(task, now, `Scaling activity initiated by (deployment ${primary.id})`)
      }
      if (this.tasksOf(service).every((t) => t.deploymentId !== old.id || !this.live(t))) service.deployments = service.deployments.filter((d) => d !== old)
    }
    const primaryRunning = this.tasksOf(service).filter((t) => t.deploymentId === primary.id && this.live(t) && this.healthy(t, service)).length
    if (primary.rolloutState === 'IN_PROGRESS' && primaryRunning === service.desiredCount && service.deployments.length === 1) {
      primary.rolloutState = 'COMPLETED'
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`
      primary.updatedAt = now
      service.lastCompleted = primary.taskDefinition
      this.event(service, `(deployment ${primary.id}) deployment completed.`)
    }
    const steady = primary.rolloutState === 'COMPLETED' && primaryRunning === service.desiredCount && service.deployments.length === 1
    if (steady && !service.steady) this.event(service, 'has reached a steady state.')
    service.steady = steady
  }

  private listTasks(input: any) {
    const cluster = this.cluster(input.cluster)
    this.checkMaxResults(input.maxResults)
    const desiredStatus = input.desiredStatus ?? 'RUNNING'
    if (input.serviceName !== undefined) {
      const service = this.serviceIn(cluster, input.serviceName)
      if (!service || service.status === 'INACTIVE') throw ecsError(ServiceNotFoundException, 'Service not found.')
    }
    const arns = [...this.tasks.values()]
      .filter((t) => t.clusterArn === cluster.arn && (input.serviceName === undefined || t.service === input.serviceName))
      // A task's desired status is STOPPED once it was told to stop (or failed).
      .filter((t) => (desiredStatus === 'STOPPED') === (t.stopAt !== undefined && this.now() >= t.stopAt))
      .map((t) => t.arn)
    return {taskArns: arns}
  }

  private describeTasks(input: any) {
    const cluster = this.cluster(input.cluster)
    const refs: string[] = input.tasks ?? []
    if (refs.length === 0 || refs.length > 100) throw invalid('tasks must have 1 to 100 items.')
    const tasks = []
    const failures = []
    for (const ref of refs) {
      const task = [...this.tasks.values()].find((t) => t.clusterArn === cluster.arn && (t.arn === ref || t.arn.endsWith(`/${ref}`)))
      if (!task) {
        failures.push({arn: ref, reason: 'MISSING'})
        continue
      }
      const lastStatus = this.lastStatus(task)
      const stopped = task.stopAt !== undefined && this.now() >= task.stopAt
      const definition = this.revision(task.taskDefinitionArn).definition
      tasks.push({
        taskArn: task.arn,
        clusterArn: task.clusterArn,
        taskDefinitionArn: task.taskDefinitionArn,
        group: `service:${task.service}`,
        startedBy: task.deploymentId,
        lastStatus,
        desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
        createdAt: new Date(task.createdAt),
        ...(stopped ? {stoppedReason: task.stoppedReason, stopCode: task.stopCode, stoppingAt: new Date(task.stopAt!)} : {}),
        ...(lastStatus === 'STOPPED' ? {stoppedAt: new Date(this.stoppedAt(task))} : {}),
        containers: (definition.containerDefinitions ?? []).map((c) => ({
          name: c.name,
          image: c.image,
          lastStatus: lastStatus === 'RUNNING' ? 'RUNNING' : stopped ? 'STOPPED' : 'PENDING',
          ...(stopped && task.containerReason ? {reason: task.containerReason} : {}),
        })),
      })
    }
    return {tasks, failures}
  }

  // ---------------------------------------------------------------- container instances

  /**
   * The cluster's container instances, in registration order, each with the
   * live tasks placed on it: a task goes to the first instance where its
   * CPU and memory fit (the task's own size, else its containers' sum).
   */
  private containerInstances(cluster: ClusterRecord): {instance: FakeInstanceView; arn: string; tasks: TaskRecord[]; cpu: number; memory: number}[] {
    // Registered once running; still listed (its agent gone) while it shuts down; deregistered once terminated.
    const joined = (this.env.ec2Instances?.list() ?? [])
      .filter((instance) => instance.runningAt !== undefined && (instance.state === 'running' || instance.state === 'shutting-down') && clusterOfUserData(instance.userData) === cluster.name)
      .sort((a, b) => a.runningAt! - b.runningAt!)
    const placed = joined.map((instance) => {
      if (!this.containerInstanceIds.has(instance.id)) this.containerInstanceIds.set(instance.id, this.hex32())
      const size = INSTANCE_RESOURCES[instance.instanceType] ?? {cpu: 2048, memory: 3904}
      return {instance, arn: this.arn(`container-instance/${cluster.name}/${this.containerInstanceIds.get(instance.id)}`), tasks: [] as TaskRecord[], cpu: size.cpu, memory: size.memory}
    })
    const live = [...this.tasks.values()].filter((task) => task.clusterArn === cluster.arn && this.lastStatus(task) !== 'STOPPED').sort((a, b) => a.createdAt - b.createdAt)
    for (const task of live) {
      const need = this.reservation(task)
      const host = placed.find((candidate) => candidate.instance.state === 'running' && candidate.cpu >= need.cpu && candidate.memory >= need.memory)
      if (!host) continue
      host.tasks.push(task)
      host.cpu -= need.cpu
      host.memory -= need.memory
    }
    return placed
  }

  /** What a task reserves on its instance: the task's cpu and memory, else the sum of its containers'. */
  private reservation(task: TaskRecord): {cpu: number; memory: number} {
    const definition = this.revision(task.taskDefinitionArn).definition
    const containers = definition.containerDefinitions ?? []
    const cpu = definition.cpu ? Number(definition.cpu) : containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0)
    const memory = definition.memory ? Number(definition.memory) : containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0)
    return {cpu, memory}
  }

  /** ListTasks and ListContainerInstances: "This value can be between 1 and 100" (no `nextToken` modelled: the fake's clusters are small). */
  private checkMaxResults(maxResults: number | undefined): void {
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 100)) throw invalid('maxResults must be between 1 and 100.')
  }

  /** API_ListContainerInstances: the ARNs of the cluster's container instances. */
  private listContainerInstances(input: any) {
    const cluster = this.cluster(input.cluster)
    this.checkMaxResults(input.maxResults)
    return {containerInstanceArns: this.containerInstances(cluster).map((entry) => entry.arn)}
  }

  /** API_DescribeContainerInstances: up to 100; unknown ones in `failures` (MISSING). */
  private describeContainerInstances(input: any) {
    const cluster = this.cluster(input.cluster)
    const refs: string[] = input.containerInstances ?? []
    if (refs.length === 0 || refs.length > 100) throw invalid('containerInstances must have 1 to 100 items.')
    const all = this.containerInstances(cluster)
    const containerInstances = []
    const failures = []
    for (const ref of refs) {
      const entry = all.find((candidate) => candidate.arn === ref || candidate.arn.endsWith(`/${ref}`))
      if (!entry) {
        failures.push({arn: ref, reason: 'MISSING'})
        continue
      }
      const size = INSTANCE_RESOURCES[entry.instance.instanceType] ?? {cpu: 2048, memory: 3904}
      const resources = (cpu: number, memory: number) => [
        {name: 'CPU', type: 'INTEGER', integerValue: cpu, doubleValue: 0, longValue: 0},
        {name: 'MEMORY', type: 'INTEGER', integerValue: memory, doubleValue: 0, longValue: 0},
        {name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'], doubleValue: 0, longValue: 0, integerValue: 0},
      ]
      containerInstances.push({
        containerInstanceArn: entry.arn,
        ec2InstanceId: entry.instance.id,
        version: 1,
        versionInfo: {agentVersion: '1.89.0', dockerVersion: 'DockerVersion: 25.0.6'},
        status: 'ACTIVE',
        agentConnected: entry.instance.state === 'running',
        runningTasksCount: entry.tasks.filter((task) => this.lastStatus(task) === 'RUNNING').length,
        pendingTasksCount: entry.tasks.filter((task) => ['PROVISIONING', 'PENDING'].includes(this.lastStatus(task))).length,
        registeredResources: resources(size.cpu, size.memory),
        remainingResources: resources(entry.cpu, entry.memory),
        registeredAt: new Date(entry.instance.runningAt!),
        attributes: [{name: 'ecs.os-type', value: 'linux'}],
      })
    }
    return {containerInstances, failures}
  }
}
