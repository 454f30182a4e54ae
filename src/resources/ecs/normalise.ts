import type {ContainerDefinition as AwsContainer, TaskDefinition as AwsTaskDefinition} from '@aws-sdk/client-ecs'
import type {ContainerDefinition, PortMapping, TaskDefinitionDesired, Volume} from './desired.js'

/**
 * The task definition normaliser: DescribeTaskDefinition answers with what
 * AWS filled in (container `cpu: 0`, empty `environment`, `mountPoints`,
 * `volumesFrom`, `systemControls`, `portMappings`; `essential: true`; a port
 * mapping's `protocol: 'tcp'` and, under awsvpc and host networking, `hostPort`
 * equal to `containerPort`; the health check's interval 30, timeout 5 and
 * retries 3; environment variables in an order of its own) and with fields
 * that are not the definition at all (`revision`, `status`,
 * `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`,
 * `taskDefinitionArn`). Comparing the spec with the answer as they are
 * registers a revision on every run: terraform-provider-aws#3401 (hostPort),
 * #5323, hashicorp/terraform#23780 (mountPoints), ansible#22547 (essential,
 * protocol), terraform-aws-consul-ecs#318 (cpu 0, systemControls, volumesFrom).
 * Both sides go through `normaliseTaskDefinition`, which writes every default
 * out and drops every empty list, so they compare equal when they mean the same.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */

/** Health check defaults (API_HealthCheck): "The default value is 30 seconds" / "5 seconds" / "3". */
const HEALTH_CHECK_DEFAULTS = {interval: 30, timeout: 5, retries: 3}

const byName = <T extends {name: string}>(items: T[]) => [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

/** Without absent fields: undefined, and null (a console export or another SDK writes `"command": null`). */
function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null)) as T
}

/**
 * Under awsvpc "hostPort can be left blank or it must be the same value as
 * the containerPort" and AWS writes it out; under host networking likewise;
 * under bridge an absent hostPort is a dynamic port, answered as 0.
 */
function normalisePort(port: PortMapping, networkMode: TaskDefinitionDesired['networkMode']): PortMapping {
  const hostPort = port.hostPort ?? (networkMode === 'bridge' ? 0 : port.containerPort)
  return {containerPort: port.containerPort, hostPort, protocol: port.protocol ?? 'tcp'}
}

/** The image as registered: the repository URI and the tag or digest. */
export function fullImage(container: Pick<ContainerDefinition, 'image' | 'imageReference'>): string {
  return `${container.image}${container.imageReference ?? ''}`
}

function normaliseContainer(container: ContainerDefinition, networkMode: TaskDefinitionDesired['networkMode']): ContainerDefinition {
  const check = container.healthCheck
  return defined({
    name: container.name,
    image: fullImage(container),
    essential: container.essential ?? true,
    cpu: container.cpu === 0 ? undefined : container.cpu,
    memory: container.memory,
    memoryReservation: container.memoryReservation,
    command: container.command?.length ? container.command : undefined,
    entryPoint: container.entryPoint?.length ? container.entryPoint : undefined,
    portMappings: container.portMappings?.length ? container.portMappings.map((port) => normalisePort(port, networkMode)) : undefined,
    environment: container.environment?.length ? byName(container.environment).map(({name, value}) => ({name, value})) : undefined,
    secrets: container.secrets?.length ? byName(container.secrets).map(({name, valueFrom}) => ({name, valueFrom})) : undefined,
    logConfiguration: container.logConfiguration ? {logDriver: container.logConfiguration.logDriver, options: sortedRecord(container.logConfiguration.options)} : undefined,
    privileged: container.privileged ? true : undefined,
    mountPoints: container.mountPoints?.length ? container.mountPoints.map((mount) => ({sourceVolume: mount.sourceVolume, containerPath: mount.containerPath, readOnly: mount.readOnly ?? false})) : undefined,
    healthCheck: check
      ? defined({
          command: check.command,
          interval: check.interval ?? HEALTH_CHECK_DEFAULTS.interval,
          timeout: check.timeout ?? HEALTH_CHECK_DEFAULTS.timeout,
          retries: check.retries ?? HEALTH_CHECK_DEFAULTS.retries,
          startPeriod: check.startPeriod ? check.startPeriod : undefined,
        })
      : undefined,
  })
}

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function normaliseVolume(volume: Volume): Volume {
  return volume.host?.sourcePath ? {name: volume.name, host: {sourcePath: volume.host.sourcePath}} : {name: volume.name}
}

/** The canonical form: every default written out, every empty list dropped, order-free lists sorted. */
export function normaliseTaskDefinition(definition: TaskDefinitionDesired): TaskDefinitionDesired {
  return defined({
    family: definition.family,
    cpu: definition.cpu === undefined ? undefined : String(definition.cpu),
    memory: definition.memory === undefined ? undefined : String(definition.memory),
    networkMode: definition.networkMode,
    requiresCompatibilities: definition.requiresCompatibilities,
    runtimePlatform: definition.runtimePlatform ? {cpuArchitecture: definition.runtimePlatform.cpuArchitecture, operatingSystemFamily: definition.runtimePlatform.operatingSystemFamily} : undefined,
    executionRoleArn: definition.executionRoleArn || undefined,
    taskRoleArn: definition.taskRoleArn || undefined,
    containerDefinitions: definition.containerDefinitions.map((container) => normaliseContainer(container, definition.networkMode)),
    volumes: definition.volumes?.length ? byName(definition.volumes).map(normaliseVolume) : undefined,
  })
}

function fromAwsContainer(container: AwsContainer): ContainerDefinition {
  return defined({
    name: container.name ?? '',
    image: container.image ?? '',
    essential: container.essential,
    cpu: container.cpu,
    memory: container.memory,
    memoryReservation: container.memoryReservation,
    command: container.command,
    entryPoint: container.entryPoint,
    portMappings: container.portMappings?.map((port) => defined({containerPort: port.containerPort ?? 0, hostPort: port.hostPort, protocol: port.protocol})),
    environment: container.environment?.map((variable) => ({name: variable.name ?? '', value: variable.value ?? ''})),
    secrets: container.secrets?.map((secret) => ({name: secret.name ?? '', valueFrom: secret.valueFrom ?? ''})),
    logConfiguration: container.logConfiguration ? {logDriver: container.logConfiguration.logDriver as 'awslogs', options: container.logConfiguration.options ?? {}} : undefined,
    privileged: container.privileged,
    mountPoints: container.mountPoints?.map((mount) => defined({sourceVolume: mount.sourceVolume ?? '', containerPath: mount.containerPath ?? '', readOnly: mount.readOnly})),
    healthCheck: container.healthCheck
      ? defined({
          command: container.healthCheck.command ?? [],
          interval: container.healthCheck.interval,
          timeout: container.healthCheck.timeout,
          retries: container.healthCheck.retries,
          startPeriod: container.healthCheck.startPeriod,
        })
      : undefined,
  })
}

/** What DescribeTaskDefinition answered, as a desired definition (the fields this kind manages), normalised. */
export function taskDefinitionFromAws(answer: AwsTaskDefinition): TaskDefinitionDesired {
  return normaliseTaskDefinition(
    defined({
      family: answer.family ?? '',
      cpu: answer.cpu,
      memory: answer.memory,
      networkMode: (answer.networkMode ?? 'bridge') as TaskDefinitionDesired['networkMode'],
      requiresCompatibilities: (answer.requiresCompatibilities ?? []) as TaskDefinitionDesired['requiresCompatibilities'],
      runtimePlatform: answer.runtimePlatform?.cpuArchitecture
        ? {cpuArchitecture: answer.runtimePlatform.cpuArchitecture as 'ARM64' | 'X86_64', operatingSystemFamily: (answer.runtimePlatform.operatingSystemFamily ?? 'LINUX') as 'LINUX'}
        : undefined,
      executionRoleArn: answer.executionRoleArn,
      taskRoleArn: answer.taskRoleArn,
      containerDefinitions: (answer.containerDefinitions ?? []).map(fromAwsContainer),
      volumes: answer.volumes?.map((volume) => defined({name: volume.name ?? '', host: volume.host?.sourcePath ? {sourcePath: volume.host.sourcePath} : undefined})),
    }),
  )
}

/** JSON with object keys sorted: two normalised definitions are equal when this is. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item && typeof item === 'object' && !Array.isArray(item) ? sortedRecord(item as Record<string, string>) : item))
}
