import {
  CreateServiceCommand,
  type CreateServiceRequest,
  DeleteServiceCommand,
  type Deployment,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type NetworkConfiguration,
  paginateListClusters,
  paginateListServices,
  type Service,
  type Task,
  UpdateServiceCommand,
  type UpdateServiceRequest,
} from '@aws-sdk/client-ecs'
import {collectPages} from '../ec2/describe.js'
import {ownedBy, ownerOfCreated, withOwner} from '../tags.js'
import type {Change, Health, Observed, ReconcileContext, Reconciler} from '../types.js'
import {waitFor} from '../wait.js'
import {batches, ecsClient, ensureOurs, ownerOfEcs, toEcsTags} from './common.js'
import type {CapacityProviderStrategyItem, DeploymentSettings, LoadBalancerBinding, ServiceDesired} from './desired.js'
import {classifyEcsError, hasEcsCode, isEcsGone} from './errors.js'
import {lastDeployment, revisionOf, servicesDetails, stopReason} from './status.js'

/** One deployment of a service (API_Deployment). */
export interface DeploymentObserved {
  id: string
  /** PRIMARY (the newest), ACTIVE (being replaced or rolled back from), INACTIVE. */
  status: string
  taskDefinitionArn: string
  /** IN_PROGRESS, COMPLETED, FAILED. */
  rolloutState: string
  rolloutStateReason?: string
  desired: number
  running: number
  pending: number
  failedTasks: number
}

/** One ECS service; `id` is its ARN. */
export interface ServiceObserved extends Observed {
  arn: string
  name: string
  clusterArn: string
  /** ACTIVE, DRAINING (being deleted); INACTIVE ones are gone. */
  status: string
  /** The PRIMARY deployment's task definition. */
  taskDefinitionArn: string
  desiredCount: number
  runningCount: number
  pendingCount: number
  launchType?: string
  /*
   * capacityProviderStrategy, deployment, healthCheckGracePeriodSeconds and
   * enableExecuteCommand are absent when DescribeServices did not return them
   * (AWS does; moto 5.2.2's CreateService drops them): `diffService` compares
   * only what was returned.
   */
  capacityProviderStrategy?: CapacityProviderStrategyItem[]
  network?: {subnetIds: string[]; securityGroupIds: string[]; assignPublicIp: boolean}
  loadBalancers: LoadBalancerBinding[]
  deployment?: DeploymentSettings
  healthCheckGracePeriodSeconds?: number
  enableExecuteCommand?: boolean
  deployments: DeploymentObserved[]
  /** The newest service events, newest first (at most EVENTS_KEPT). */
  events: {at: string; message: string}[]
}

/** "You may specify up to 10 services to describe." (API_DescribeServices) */
const DESCRIBE_LIMIT = 10
const EVENTS_KEPT = 5
/** Stopped tasks a failure names (DescribeTasks takes up to 100). */
const STOPPED_TASKS_SHOWN = 5

/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<name>` (the long ARN format, the default since 2021). */
export function clusterOfServiceArn(arn: string): string | undefined {
  const parts = arn.split(':')
  const resource = parts.slice(5).join(':').split('/')
  if (resource[0] !== 'service' || resource.length !== 3) return undefined
  return `${parts.slice(0, 5).join(':')}:cluster/${resource[1]}`
}

function networkOf(configuration: NetworkConfiguration | undefined): ServiceObserved['network'] {
  const vpc = configuration?.awsvpcConfiguration
  if (!vpc) return undefined
  return {subnetIds: vpc.subnets ?? [], securityGroupIds: vpc.securityGroups ?? [], assignPublicIp: vpc.assignPublicIp === 'ENABLED'}
}

function toDeployment(deployment: Deployment): DeploymentObserved {
  const observed: DeploymentObserved = {
    id: deployment.id ?? '',
    status: deployment.status ?? '',
    taskDefinitionArn: deployment.taskDefinition ?? '',
    rolloutState: deployment.rolloutState ?? '',
    desired: deployment.desiredCount ?? 0,
    running: deployment.runningCount ?? 0,
    pending: deployment.pendingCount ?? 0,
    failedTasks: deployment.failedTasks ?? 0,
  }
  if (deployment.rolloutStateReason) observed.rolloutStateReason = deployment.rolloutStateReason
  return observed
}

function toObserved(service: Service): ServiceObserved {
  const config = service.deploymentConfiguration
  const observed: ServiceObserved = {
    id: service.serviceArn!,
    arn: service.serviceArn!,
    name: service.serviceName ?? '',
    clusterArn: service.clusterArn ?? '',
    status: service.status ?? '',
    taskDefinitionArn: service.taskDefinition ?? '',
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    loadBalancers: (service.loadBalancers ?? []).map((binding) => ({targetGroupArn: binding.targetGroupArn ?? '', containerName: binding.containerName ?? '', containerPort: binding.containerPort ?? 0})),
    deployments: (service.deployments ?? []).map(toDeployment),
    events: (service.events ?? []).slice(0, EVENTS_KEPT).map((event) => ({at: event.createdAt?.toISOString() ?? '', message: event.message ?? ''})),
    ...ownerOfEcs(service.tags),
  }
  if (service.launchType) observed.launchType = service.launchType
  if (service.capacityProviderStrategy) {
    observed.capacityProviderStrategy = service.capacityProviderStrategy.map((item) => ({capacityProvider: item.capacityProvider ?? '', weight: item.weight ?? 0, base: item.base ?? 0}))
  }
  if (config) {
    observed.deployment = {
      circuitBreaker: {enable: config.deploymentCircuitBreaker?.enable ?? false, rollback: config.deploymentCircuitBreaker?.rollback ?? false},
      minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
      maximumPercent: config.maximumPercent ?? 200,
    }
  }
  if (service.enableExecuteCommand !== undefined) observed.enableExecuteCommand = service.enableExecuteCommand
  const network = networkOf(service.networkConfiguration)
  if (network) observed.network = network
  if (service.healthCheckGracePeriodSeconds !== undefined) observed.healthCheckGracePeriodSeconds = service.healthCheckGracePeriodSeconds
  return observed
}

/**
 * DescribeServices of one cluster, 10 at a time, with tags. Services it does
 * not know come back in `failures` (MISSING); a deleted service is INACTIVE
 * for a while: both are gone.
 */
async function describeServices(client: ECSClient, cluster: string, services: string[]): Promise<ServiceObserved[]> {
  const found: ServiceObserved[] = []
  for (const batch of batches([...new Set(services)], DESCRIBE_LIMIT)) {
    try {
      const response = await client.send(new DescribeServicesCommand({cluster, services: batch, include: ['TAGS']}))
      for (const service of response.services ?? []) if (service.status !== 'INACTIVE') found.push(toObserved(service))
    } catch (error) {
      if (isEcsGone(error, 'ClusterNotFoundException')) return []
      throw error
    }
  }
  return found
}

async function describeOne(client: ECSClient, clusterArn: string, service: string): Promise<ServiceObserved | undefined> {
  return (await describeServices(client, clusterArn, [service]))[0]
}

const strategyKey = (strategy: CapacityProviderStrategyItem[] | undefined) => JSON.stringify([...(strategy ?? [])].map((item) => `${item.capacityProvider}:${item.weight}:${item.base}`).sort())
const bindingKey = (bindings: LoadBalancerBinding[]) => JSON.stringify(bindings.map((binding) => `${binding.targetGroupArn}|${binding.containerName}|${binding.containerPort}`).sort())
const networkKey = (network: ServiceDesired['network']) => (network ? JSON.stringify({subnets: [...network.subnetIds].sort(), groups: [...network.securityGroupIds].sort(), publicIp: network.assignPublicIp}) : '')

/**
 * Name and cluster are fixed (replacement), and so is a launch type (a
 * service moves between launch types and capacity providers only with care:
 * a new service); everything else changes in place with UpdateService, most
 * of it by a new deployment.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 *
 * Only what DescribeServices returned is compared. AWS always returns
 * deploymentConfiguration and enableExecuteCommand, healthCheckGracePeriodSeconds
 * for a service with a load balancer (the only ones given one), and
 * capacityProviderStrategy for a service without a launch type
 * (API_Service: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html).
 * moto 5.2.2's CreateService drops all four: a field absent from the answer
 * cannot be compared, so it is no change (else every second `up` would update
 * every service there). On AWS nothing changes: the fields are always there.
 */
export function diffService(desired: ServiceDesired, observed: ServiceObserved): Change[] {
  const changes: Change[] = []
  const push = (field: string, before: unknown, after: unknown, replace = false) => changes.push({field, before, after, replace})
  if (desired.name !== observed.name) push('name', observed.name, desired.name, true)
  if (desired.clusterArn !== observed.clusterArn) push('clusterArn', observed.clusterArn, desired.clusterArn, true)
  if ((desired.launchType ?? undefined) !== (observed.launchType ?? undefined)) push('launchType', observed.launchType, desired.launchType, true)
  if (observed.capacityProviderStrategy && strategyKey(desired.capacityProviderStrategy) !== strategyKey(observed.capacityProviderStrategy)) {
    push('capacityProviderStrategy', observed.capacityProviderStrategy, desired.capacityProviderStrategy ?? [])
  }
  if (desired.taskDefinitionArn !== observed.taskDefinitionArn) push('taskDefinitionArn', observed.taskDefinitionArn, desired.taskDefinitionArn)
  if (desired.desiredCount !== observed.desiredCount) push('desiredCount', observed.desiredCount, desired.desiredCount)
  if (networkKey(desired.network) !== networkKey(observed.network)) push('network', observed.network, desired.network)
  if (bindingKey(desired.loadBalancers) !== bindingKey(observed.loadBalancers)) push('loadBalancers', observed.loadBalancers, desired.loadBalancers)
  const want = desired.deployment
  const have = observed.deployment
  if (have) {
    if (want.circuitBreaker.enable !== have.circuitBreaker.enable || want.circuitBreaker.rollback !== have.circuitBreaker.rollback) push('deployment.circuitBreaker', have.circuitBreaker, want.circuitBreaker)
    if (want.minimumHealthyPercent !== have.minimumHealthyPercent) push('deployment.minimumHealthyPercent', have.minimumHealthyPercent, want.minimumHealthyPercent)
    if (want.maximumPercent !== have.maximumPercent) push('deployment.maximumPercent', have.maximumPercent, want.maximumPercent)
  }
  // AWS answers 0 when none was set on a service with a load balancer: an unset desired value and 0 are the same.
  const grace = observed.healthCheckGracePeriodSeconds
  if (grace !== undefined && (desired.healthCheckGracePeriodSeconds ?? 0) !== grace) push('healthCheckGracePeriodSeconds', grace, desired.healthCheckGracePeriodSeconds)
  const exec = observed.enableExecuteCommand
  if (exec !== undefined && (desired.enableExecuteCommand ?? false) !== exec) push('enableExecuteCommand', exec, desired.enableExecuteCommand ?? false)
  return changes
}

function networkConfiguration(desired: ServiceDesired): NetworkConfiguration | undefined {
  if (!desired.network) return undefined
  return {awsvpcConfiguration: {subnets: desired.network.subnetIds, securityGroups: desired.network.securityGroupIds, assignPublicIp: desired.network.assignPublicIp ? 'ENABLED' : 'DISABLED'}}
}

function deploymentConfiguration(desired: ServiceDesired) {
  const deployment = desired.deployment
  return {deploymentCircuitBreaker: {...deployment.circuitBreaker}, minimumHealthyPercent: deployment.minimumHealthyPercent, maximumPercent: deployment.maximumPercent}
}

export function createInput(desired: ServiceDesired, tags: CreateServiceRequest['tags'], token: string): CreateServiceRequest {
  const network = networkConfiguration(desired)
  return {
    cluster: desired.clusterArn,
    serviceName: desired.name,
    taskDefinition: desired.taskDefinitionArn,
    desiredCount: desired.desiredCount,
    ...(desired.launchType ? {launchType: desired.launchType} : {}),
    ...(desired.capacityProviderStrategy?.length ? {capacityProviderStrategy: desired.capacityProviderStrategy} : {}),
    ...(network ? {networkConfiguration: network} : {}),
    ...(desired.loadBalancers.length > 0 ? {loadBalancers: desired.loadBalancers} : {}),
    deploymentConfiguration: deploymentConfiguration(desired),
    ...(desired.healthCheckGracePeriodSeconds !== undefined ? {healthCheckGracePeriodSeconds: desired.healthCheckGracePeriodSeconds} : {}),
    enableExecuteCommand: desired.enableExecuteCommand ?? false,
    // Tasks carry the service's tags (ownership shows on every task) and ECS's own cluster/service tags.
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
    tags,
    // "An identifier that you provide to ensure the idempotency of the request. It must be unique and is
    // case sensitive. Up to 36 ASCII characters in the range of 33-126 (inclusive) are allowed." (API_CreateService)
    clientToken: token,
  }
}

/** The UpdateService input bringing `observed` to `desired`, or undefined when nothing UpdateService sets differs. */
export function updateInput(desired: ServiceDesired, observed: ServiceObserved): UpdateServiceRequest | undefined {
  const changes = diffService(desired, observed).filter((change) => !change.replace)
  if (changes.length === 0) return undefined
  const input: UpdateServiceRequest = {cluster: observed.clusterArn, service: observed.name}
  for (const {field} of changes) {
    if (field === 'taskDefinitionArn') input.taskDefinition = desired.taskDefinitionArn
    else if (field === 'desiredCount') input.desiredCount = desired.desiredCount
    else if (field === 'capacityProviderStrategy') {
      input.capacityProviderStrategy = desired.capacityProviderStrategy ?? []
      // "you must update the service with forceNewDeployment" to move tasks to a new strategy (API_UpdateService).
      input.forceNewDeployment = true
    } else if (field === 'network') input.networkConfiguration = networkConfiguration(desired)!
    else if (field === 'loadBalancers') input.loadBalancers = desired.loadBalancers
    else if (field.startsWith('deployment.')) input.deploymentConfiguration = deploymentConfiguration(desired)
    else if (field === 'healthCheckGracePeriodSeconds') input.healthCheckGracePeriodSeconds = desired.healthCheckGracePeriodSeconds ?? 0
    else if (field === 'enableExecuteCommand') input.enableExecuteCommand = desired.enableExecuteCommand ?? false
  }
  return input
}

/**
 * A DRAINING service is being deleted ("the service is no longer visible in
 * the console or in the ListServices API operation", API_DeleteService): it
 * cannot be updated (ServiceNotActiveException), so it counts as gone; a
 * create of its name is refused until it is INACTIVE (retried, errors.ts).
 */
function isLive(service: ServiceObserved): boolean {
  return service.status === 'ACTIVE'
}

async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, ServiceObserved>> {
  const client = await ecsClient(ctx)
  const byCluster = new Map<string, string[]>()
  for (const arn of new Set(ids)) {
    const cluster = clusterOfServiceArn(arn)
    if (cluster) byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), arn])
  }
  const found: ServiceObserved[] = []
  for (const [cluster, arns] of byCluster) found.push(...(await describeServices(client, cluster, arns)))
  return new Map(found.filter(isLive).map((service) => [service.id, service]))
}

/** Services cannot be listed by tag: every cluster's services are listed and described with their tags. */
async function find(ctx: ReconcileContext, query: {stack: string}): Promise<ServiceObserved[]> {
  const client = await ecsClient(ctx)
  const clusters = await collectPages(paginateListClusters({client}, {}), (page) => page.clusterArns)
  const found: ServiceObserved[] = []
  for (const cluster of clusters) {
    const arns = await collectPages(paginateListServices({client}, {cluster}), (page) => page.serviceArns)
    found.push(...(await describeServices(client, cluster, arns)))
  }
  return ownedBy(query.stack, found.filter(isLive))
}

/** The service's deployment of `taskDefinitionArn`, the newest if several. */
function deploymentOf(service: ServiceObserved, taskDefinitionArn: string): DeploymentObserved | undefined {
  return service.deployments.find((deployment) => deployment.taskDefinitionArn === taskDefinitionArn)
}

/**
 * The service is steady on its task definition: its PRIMARY deployment, of
 * that revision, COMPLETED, the only one left, running = desired.
 *
 * Or, when no deployment references the service's revision at all: one
 * deployment, running = desired, nothing pending. That state cannot happen on
 * AWS, where UpdateService with a new task definition answers with the new
 * PRIMARY deployment of it ("a new deployment is triggered", API_UpdateService:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html)
 * and a rollback makes the old revision the service's again; moto 5.2.2's
 * UpdateService only sets the service's taskDefinition and keeps the old
 * revision's deployment PRIMARY, so without this a rollout there never ends.
 */
export function deploymentDone(service: ServiceObserved | undefined): boolean {
  if (!service) return false
  const steady = service.deployments.length === 1 && service.runningCount === service.desiredCount
  if (deploymentOf(service, service.taskDefinitionArn) === undefined) return steady && service.pendingCount === 0
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY')
  return steady && primary !== undefined && primary.taskDefinitionArn === service.taskDefinitionArn && primary.rolloutState === 'COMPLETED'
}

function progressOf(service: ServiceObserved | undefined): string {
  if (!service) return 'not visible yet'
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY')
  const running = primary?.running ?? service.runningCount
  const pending = primary?.pending ?? service.pendingCount
  const rollout = primary?.rolloutState ? ` ${primary.rolloutState.toLowerCase().replace('_', ' ')}` : ''
  return `running ${running}/${service.desiredCount} (pending ${pending})${rollout}`
}

/**
 * A deployment that did not come through: the circuit breaker marked it
 * FAILED (and, with rollback, made the previous revision PRIMARY again).
 * The message says why, from the stopped tasks and the service's events:
 * what Terraform and Pulumi report as a success (terraform-provider-aws
 * #19519, #20858) is a failure here.
 */
export class DeploymentFailedError extends Error {
  constructor(
    readonly service: string,
    readonly taskDefinitionArn: string,
    detail: string,
  ) {
    super(`service ${service}: the deployment of ${taskDefinitionArn.split('/').pop()} failed${detail}`)
    this.name = 'DeploymentFailedError'
  }
}

/** Why tasks of `taskDefinitionArn` stopped: ListTasks (STOPPED: ECS shows them for about an hour) and DescribeTasks. */
export async function stoppedTaskReasons(client: ECSClient, service: ServiceObserved, taskDefinitionArn: string): Promise<string[]> {
  const arns = (await client.send(new ListTasksCommand({cluster: service.clusterArn, serviceName: service.name, desiredStatus: 'STOPPED'}))).taskArns ?? []
  if (arns.length === 0) return []
  const tasks: Task[] = (await client.send(new DescribeTasksCommand({cluster: service.clusterArn, tasks: arns.slice(0, 100)}))).tasks ?? []
  return tasks
    .filter((task) => task.taskDefinitionArn === taskDefinitionArn)
    .slice(0, STOPPED_TASKS_SHOWN)
    .map((task) => `task ${task.taskArn?.split('/').pop()}: ${stopReason(task)}`)
}

async function failure(client: ECSClient, service: ServiceObserved, taskDefinitionArn: string, deployment: DeploymentObserved | undefined): Promise<DeploymentFailedError> {
  const parts: string[] = []
  if (deployment?.rolloutStateReason) parts.push(`: ${deployment.rolloutStateReason}`)
  if (service.taskDefinitionArn !== taskDefinitionArn) parts.push(` (rolled back to ${service.taskDefinitionArn.split('/').pop()})`)
  const reasons = await stoppedTaskReasons(client, service, taskDefinitionArn).catch(() => [])
  if (reasons.length > 0) parts.push(`\nstopped tasks:\n  ${reasons.join('\n  ')}`)
  if (service.events.length > 0) parts.push(`\nlast events:\n  ${service.events.map((event) => `${event.at} ${event.message}`).join('\n  ')}`)
  return new DeploymentFailedError(service.name, taskDefinitionArn, parts.join(''))
}

/**
 * Waits for the deployment of `observed.taskDefinitionArn` to finish: its
 * rollout COMPLETED, the only deployment left, running = desired. It fails
 * when that deployment's rollout is FAILED, or when it was seen and another
 * revision became PRIMARY instead (a rollback finished between two polls).
 */
async function waitForDeployment(ctx: ReconcileContext, observed: ServiceObserved): Promise<ServiceObserved> {
  const client = await ecsClient(ctx)
  const target = observed.taskDefinitionArn
  let seen = deploymentOf(observed, target) !== undefined
  const done = await waitFor(ctx, {
    what: `service ${observed.name} deployment`,
    poll: async () => {
      const service = await describeOne(client, observed.clusterArn, observed.arn)
      if (!service) return undefined
      const deployment = deploymentOf(service, target)
      if (deployment?.rolloutState === 'FAILED') throw await failure(client, service, target, deployment)
      if (deployment) seen = true
      else if (seen && service.taskDefinitionArn !== target) throw await failure(client, service, target, undefined)
      return service
    },
    state: progressOf,
    done: (service) => deploymentDone(service) && service?.taskDefinitionArn === target,
  })
  return withOwner(done!, observed)
}

/** Waits until the service is INACTIVE (or gone) and the tasks it had are STOPPED. */
async function waitForDeletion(ctx: ReconcileContext, client: ECSClient, observed: ServiceObserved, taskArns: string[]): Promise<void> {
  await waitFor(ctx, {
    what: `service ${observed.name} to be deleted`,
    poll: async () => {
      const service = await describeOne(client, observed.clusterArn, observed.arn)
      let running = 0
      for (const batch of batches(taskArns, 100)) {
        try {
          const tasks = (await client.send(new DescribeTasksCommand({cluster: observed.clusterArn, tasks: batch}))).tasks ?? []
          running += tasks.filter((task) => task.lastStatus !== 'STOPPED').length
        } catch (error) {
          if (!isEcsGone(error, 'ClusterNotFoundException')) throw error
        }
      }
      return {status: service?.status ?? 'INACTIVE', running}
    },
    state: (value) => `${value?.status.toLowerCase() ?? 'unknown'}, ${value?.running ?? '?'} tasks not stopped`,
    done: (value) => value !== undefined && value.status === 'INACTIVE' && value.running === 0,
  })
}

async function tasksOf(client: ECSClient, observed: ServiceObserved): Promise<string[]> {
  try {
    return (await client.send(new ListTasksCommand({cluster: observed.clusterArn, serviceName: observed.name}))).taskArns ?? []
  } catch (error) {
    if (isEcsGone(error)) return []
    throw error
  }
}

export const service: Reconciler<ServiceDesired, ServiceObserved> = {
  kind: 'ecs.service',
  typicalMs: {create: 180_000, delete: 120_000},
  replaceStrategy: 'delete-before-create',
  // CreateService takes a clientToken: a retried create with the same token returns the first attempt's service.
  idempotentCreate: true,
  readyWhen: 'always',
  // A deployment: tasks pull images, start, pass the load balancer's health checks, old tasks drain.
  waitTimeoutMs: 20 * 60_000,
  classifyError: classifyEcsError,
  read,
  find,
  diff: diffService,

  async create(ctx, desired, meta) {
    const client = await ecsClient(ctx)
    try {
      const response = await client.send(new CreateServiceCommand(createInput(desired, toEcsTags(meta), meta.token)))
      return {...toObserved(response.service!), ...ownerOfCreated(meta)}
    } catch (error) {
      // An ACTIVE service of this name made with another token: "Creation of service was not idempotent."
      if (!hasEcsCode(error, 'InvalidParameterException') || !/not idempotent/i.test((error as Error).message)) throw error
      const existing = await describeOne(client, desired.clusterArn, desired.name)
      if (!existing) throw error
      ensureOurs(existing, meta, ctx.stack, `ECS service ${desired.name}`)
      return this.update(ctx, desired, existing, diffService(desired, existing))
    }
  },

  async update(ctx, desired, observed) {
    const client = await ecsClient(ctx)
    const input = updateInput(desired, observed)
    if (!input) return observed
    const response = await client.send(new UpdateServiceCommand(input))
    return withOwner(toObserved(response.service!), observed)
  },

  waitReady: waitForDeployment,

  /**
   * Scales to 0, deletes (force: no need to wait for the scale-in first),
   * then waits until the service is INACTIVE and its tasks STOPPED: until
   * then their network interfaces hold the subnets and security groups.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteService.html
   */
  async delete(ctx, observed) {
    const client = await ecsClient(ctx)
    const taskArns = await tasksOf(client, observed)
    try {
      if (observed.status === 'ACTIVE' && observed.desiredCount > 0) await client.send(new UpdateServiceCommand({cluster: observed.clusterArn, service: observed.arn, desiredCount: 0}))
      await client.send(new DeleteServiceCommand({cluster: observed.clusterArn, service: observed.arn, force: true}))
    } catch (error) {
      if (!isEcsGone(error)) throw error
    }
    await waitForDeletion(ctx, client, observed, taskArns)
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name}
  },

  /**
   * "running 2/2, pending 0"; the active revision and the last deployment's
   * rollout state (and why it FAILED). Ready once the deployment is done;
   * degraded when the last deployment failed, or when a finished one runs
   * fewer tasks than desired (tasks that stop and are replaced).
   */
  health(observed): Health {
    const last = lastDeployment(observed)
    const rollout = last ? `deployment ${last.rolloutState}${last.rolloutState === 'FAILED' && last.rolloutStateReason ? `: ${last.rolloutStateReason}` : ''}` : 'no deployment'
    const health: Health = {
      state: `running ${observed.runningCount}/${observed.desiredCount}, pending ${observed.pendingCount}`,
      ready: deploymentDone(observed),
      detail: `${revisionOf(observed.taskDefinitionArn)}, ${rollout}`,
    }
    if (last?.rolloutState === 'FAILED') health.degraded = `the deployment of ${revisionOf(last.taskDefinitionArn)} failed${last.rolloutStateReason ? `: ${last.rolloutStateReason}` : ''}`
    else if (last?.rolloutState === 'COMPLETED' && observed.runningCount < observed.desiredCount) health.degraded = `${observed.runningCount} of ${observed.desiredCount} tasks running`
    return health
  },

  statusDetails: servicesDetails,
}
