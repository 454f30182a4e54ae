import {type ContainerInstance, DescribeContainerInstancesCommand, DescribeTasksCommand, type ECSClient, ListContainerInstancesCommand, ListTasksCommand, type Task} from '@aws-sdk/client-ecs'
import type {ReconcileContext, StatusDetails} from '../types.js'
import type {ClusterObserved} from './cluster.js'
import {ecsClient} from './common.js'
import {isEcsGone} from './errors.js'
import type {DeploymentObserved, ServiceObserved} from './service.js'

/**
 * What `status` reads of ECS beyond DescribeServices and DescribeClusters:
 * the stopped tasks of a cluster's services (why they stopped) and the
 * container instances of an EC2 cluster (capacity). At most two calls per
 * cluster each, whatever the number of services: ListTasks and
 * DescribeTasks take a whole cluster, ListContainerInstances and
 * DescribeContainerInstances up to 100 at a time, and one page is enough to
 * say what is wrong.
 */

/** "The maximum number of … results returned by ListTasks in paginated output" (API_ListTasks): 100; DescribeTasks takes up to 100. */
const PAGE = 100
/** Distinct stop reasons shown per service, newest first. */
const REASONS_SHOWN = 3

/** `arn:…:task-definition/containrlab-api:3` → `containrlab-api:3`. */
export function revisionOf(taskDefinitionArn: string): string {
  return taskDefinitionArn.split('/').pop() ?? taskDefinitionArn
}

/** `arn:…:task/<cluster>/<id>` → `<id>`. */
function lastPart(arn: string | undefined): string {
  return arn?.split('/').pop() ?? ''
}

/** Why a task stopped, in AWS's words: the task's stoppedReason, then each container's reason. */
export function stopReason(task: Task): string {
  const containers = (task.containers ?? []).filter((container) => container.reason).map((container) => `container ${container.name}: ${container.reason}`)
  return [task.stoppedReason ?? 'stopped', ...containers].join('; ')
}

/**
 * A stop the scheduler made on purpose: a scale-in, or an old revision's
 * task replaced by a deployment. ECS says so in the task's stoppedReason
 * ("Scaling activity initiated by (deployment ecs-svc/…)", with stopCode
 * ServiceSchedulerInitiated, which failed ELB health checks share: the code
 * alone cannot tell them apart). Every other stop (a task that failed to
 * start, an essential container that exited, failed load balancer or
 * container health checks, the circuit breaker, a user's StopTask) says
 * why something went wrong.
 * https://repost.aws/knowledge-center/ecs-task-stopped
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
 */
function routineStop(task: Task): boolean {
  return (task.stoppedReason ?? '').startsWith('Scaling activity initiated by')
}

export interface StoppedTask {
  task: string
  revision: string
  stoppedAt?: string
  stopCode?: string
  stoppedReason: string
  containers: {name: string; reason?: string; exitCode?: number}[]
}

function toStoppedTask(task: Task): StoppedTask {
  const stoppedAt = task.stoppedAt ?? task.stoppingAt
  return {
    task: lastPart(task.taskArn),
    revision: revisionOf(task.taskDefinitionArn ?? ''),
    ...(stoppedAt ? {stoppedAt: stoppedAt.toISOString()} : {}),
    ...(task.stopCode ? {stopCode: task.stopCode} : {}),
    stoppedReason: task.stoppedReason ?? '',
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? '',
      ...(container.reason ? {reason: container.reason} : {}),
      ...(container.exitCode !== undefined ? {exitCode: container.exitCode} : {}),
    })),
  }
}

/**
 * The cluster's stopped tasks that failed (not routine stops), newest
 * first, by service name (from the task's group, `service:<name>`). ECS
 * keeps stopped tasks visible for at least an hour (API_DescribeTasks):
 * "recently" is that hour.
 */
export async function failedTasksByService(client: ECSClient, clusterArn: string): Promise<Map<string, Task[]>> {
  const byService = new Map<string, Task[]>()
  let arns: string[]
  try {
    arns = (await client.send(new ListTasksCommand({cluster: clusterArn, desiredStatus: 'STOPPED', maxResults: PAGE}))).taskArns ?? []
  } catch (error) {
    if (isEcsGone(error, 'ClusterNotFoundException')) return byService
    throw error
  }
  if (arns.length === 0) return byService
  const tasks = (await client.send(new DescribeTasksCommand({cluster: clusterArn, tasks: arns.slice(0, PAGE)}))).tasks ?? []
  const when = (task: Task) => (task.stoppedAt ?? task.stoppingAt ?? task.createdAt)?.getTime() ?? 0
  for (const task of [...tasks].sort((a, b) => when(b) - when(a))) {
    if (routineStop(task) || !task.group?.startsWith('service:')) continue
    const name = task.group.slice('service:'.length)
    byService.set(name, [...(byService.get(name) ?? []), task])
  }
  return byService
}

/** "3 tasks of containrlab-api:4: CannotPullContainerError: …", one line per distinct reason, the newest first. */
function stoppedLines(tasks: Task[]): string[] {
  const counts = new Map<string, number>()
  for (const task of tasks) {
    const line = `of ${revisionOf(task.taskDefinitionArn ?? '')}: ${stopReason(task)}`
    counts.set(line, (counts.get(line) ?? 0) + 1)
  }
  const lines = [...counts].slice(0, REASONS_SHOWN).map(([line, count]) => `stopped recently: ${count} task${count === 1 ? '' : 's'} ${line}`)
  const more = counts.size - REASONS_SHOWN
  if (more > 0) lines.push(`stopped recently: ${more} other reason${more === 1 ? '' : 's'} (see --json)`)
  return lines
}

function deploymentFields(deployment: DeploymentObserved) {
  return {
    id: deployment.id,
    status: deployment.status,
    revision: revisionOf(deployment.taskDefinitionArn),
    rolloutState: deployment.rolloutState,
    ...(deployment.rolloutStateReason ? {rolloutStateReason: deployment.rolloutStateReason} : {}),
    desired: deployment.desired,
    running: deployment.running,
    pending: deployment.pending,
    failedTasks: deployment.failedTasks,
  }
}

/** The deployment whose outcome is news: a FAILED one (the circuit breaker's), else the PRIMARY one. */
export function lastDeployment(service: ServiceObserved): DeploymentObserved | undefined {
  return service.deployments.find((deployment) => deployment.rolloutState === 'FAILED') ?? service.deployments.find((deployment) => deployment.status === 'PRIMARY')
}

/** One service's details: counts, revision, deployments, and the tasks that stopped for a fault. */
export function serviceDetails(service: ServiceObserved, stopped: Task[]): StatusDetails {
  const last = lastDeployment(service)
  const lines: string[] = []
  // The deployments other than the one `health` names: a rollback under way, an old revision draining.
  for (const deployment of service.deployments.filter((d) => d !== last)) {
    lines.push(`deployment ${deployment.id} (${deployment.status.toLowerCase()}, ${revisionOf(deployment.taskDefinitionArn)}): ${deployment.rolloutState}, running ${deployment.running}/${deployment.desired}`)
  }
  lines.push(...stoppedLines(stopped))
  return {
    fields: {
      running: service.runningCount,
      pending: service.pendingCount,
      desired: service.desiredCount,
      revision: revisionOf(service.taskDefinitionArn),
      ...(last ? {lastDeployment: deploymentFields(last)} : {}),
      deployments: service.deployments.map(deploymentFields),
      stoppedTasks: stopped.map(toStoppedTask),
    },
    lines,
  }
}

/** Every service's details: one ListTasks (and one DescribeTasks when tasks stopped) per cluster. */
export async function servicesDetails(ctx: ReconcileContext, services: ServiceObserved[]): Promise<Map<string, StatusDetails>> {
  const client = await ecsClient(ctx)
  const clusters = [...new Set(services.map((service) => service.clusterArn))]
  const stopped = new Map(await Promise.all(clusters.map(async (cluster) => [cluster, await failedTasksByService(client, cluster)] as const)))
  return new Map(services.map((service) => [service.id, serviceDetails(service, stopped.get(service.clusterArn)?.get(service.name) ?? [])]))
}

export interface ContainerInstanceFields {
  id: string
  ec2InstanceId: string
  status: string
  agentConnected: boolean
  runningTasks: number
  pendingTasks: number
  cpu: {registered: number; remaining: number}
  memoryMiB: {registered: number; remaining: number}
}

function resource(list: ContainerInstance['registeredResources'], name: string): number {
  return list?.find((item) => item.name === name)?.integerValue ?? 0
}

function toInstanceFields(instance: ContainerInstance): ContainerInstanceFields {
  return {
    id: lastPart(instance.containerInstanceArn),
    ec2InstanceId: instance.ec2InstanceId ?? '',
    status: instance.status ?? '',
    agentConnected: instance.agentConnected ?? false,
    runningTasks: instance.runningTasksCount ?? 0,
    pendingTasks: instance.pendingTasksCount ?? 0,
    cpu: {registered: resource(instance.registeredResources, 'CPU'), remaining: resource(instance.remainingResources, 'CPU')},
    memoryMiB: {registered: resource(instance.registeredResources, 'MEMORY'), remaining: resource(instance.remainingResources, 'MEMORY')},
  }
}

/** A cluster's container instances (the first 100: enough to show capacity): ListContainerInstances, then DescribeContainerInstances. */
async function containerInstances(client: ECSClient, clusterArn: string): Promise<ContainerInstanceFields[]> {
  try {
    const arns = (await client.send(new ListContainerInstancesCommand({cluster: clusterArn, maxResults: PAGE}))).containerInstanceArns ?? []
    if (arns.length === 0) return []
    const described = (await client.send(new DescribeContainerInstancesCommand({cluster: clusterArn, containerInstances: arns}))).containerInstances ?? []
    return described.map(toInstanceFields).sort((a, b) => (a.ec2InstanceId < b.ec2InstanceId ? -1 : a.ec2InstanceId > b.ec2InstanceId ? 1 : 0))
  } catch (error) {
    if (isEcsGone(error, 'ClusterNotFoundException')) return []
    throw error
  }
}

const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT'])

/** A cluster that runs its tasks on Fargate only has no container instances to read. */
function fargateOnly(cluster: ClusterObserved): boolean {
  return cluster.containerInstances === 0 && cluster.capacityProviders.length > 0 && cluster.capacityProviders.every((provider) => FARGATE_PROVIDERS.has(provider))
}

function instanceLine(instance: ContainerInstanceFields): string {
  const agent = instance.agentConnected ? 'agent connected' : 'agent DISCONNECTED'
  const tasks = `${instance.runningTasks} running, ${instance.pendingTasks} pending`
  const free = `CPU ${instance.cpu.remaining}/${instance.cpu.registered} free, memory ${instance.memoryMiB.remaining}/${instance.memoryMiB.registered} MiB free`
  return `container instance ${instance.ec2InstanceId || instance.id}: ${instance.status}, ${agent}; tasks ${tasks}; ${free}`
}

/** One cluster's details: its task counts and, for an EC2 cluster, each container instance's capacity. */
export function clusterDetails(cluster: ClusterObserved, instances: ContainerInstanceFields[] | undefined): StatusDetails {
  const counts = {activeServices: cluster.activeServices, runningTasks: cluster.runningTasks, pendingTasks: cluster.pendingTasks, registeredContainerInstances: cluster.containerInstances}
  if (!instances) return {fields: {...counts, launch: 'FARGATE'}, lines: []}
  const total = (pick: (instance: ContainerInstanceFields) => number) => instances.reduce((sum, instance) => sum + pick(instance), 0)
  const capacity = {
    cpu: {registered: total((i) => i.cpu.registered), remaining: total((i) => i.cpu.remaining)},
    memoryMiB: {registered: total((i) => i.memoryMiB.registered), remaining: total((i) => i.memoryMiB.remaining)},
  }
  const lines = instances.length === 0 ? ['no container instances registered: tasks of the EC2 launch type cannot be placed'] : instances.map(instanceLine)
  const disconnected = instances.filter((instance) => !instance.agentConnected).map((instance) => instance.ec2InstanceId || instance.id)
  return {
    fields: {...counts, launch: 'EC2', capacity, containerInstances: instances},
    lines,
    ...(disconnected.length > 0 ? {degraded: `ECS agent disconnected on ${disconnected.join(', ')}`} : {}),
  }
}

/** Every cluster's details: two calls per EC2 cluster (one when it has no instance), none for a Fargate one. */
export async function clustersDetails(ctx: ReconcileContext, clusters: ClusterObserved[]): Promise<Map<string, StatusDetails>> {
  const client = await ecsClient(ctx)
  return new Map(await Promise.all(clusters.map(async (cluster) => [cluster.id, clusterDetails(cluster, fargateOnly(cluster) ? undefined : await containerInstances(client, cluster.arn))] as const)))
}
