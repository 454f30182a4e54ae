/**
 * Desired properties of the ECS kinds, as the graph hands them to the
 * reconcilers (references already resolved to ids and ARNs).
 */

/** One capacity provider strategy item (API_CapacityProviderStrategyItem). */
export interface CapacityProviderStrategyItem {
  capacityProvider: string
  /** 0–1000. */
  weight: number
  /** 0–100000: tasks placed on this provider first. */
  base: number
}

/** `ecs.cluster`. Outputs: id (= arn), arn, name. */
export interface ClusterDesired {
  /** Immutable (replacement): a cluster is named once. */
  name: string
  /** Cluster setting `containerInsights` `enabled` / `disabled` (UpdateClusterSettings). */
  containerInsights: boolean
  /** FARGATE, FARGATE_SPOT, or the names of the stack's own capacity providers (PutClusterCapacityProviders). */
  capacityProviders: string[]
  defaultStrategy?: CapacityProviderStrategyItem[]
}

export interface PortMapping {
  containerPort: number
  /** Absent: AWS picks (awsvpc: the container port; bridge: a dynamic port). */
  hostPort?: number
  protocol?: 'tcp' | 'udp'
}

export interface KeyValue {
  name: string
  value: string
}

export interface Secret {
  name: string
  /** An SSM parameter ARN (or Secrets Manager ARN). */
  valueFrom: string
}

export interface LogConfiguration {
  logDriver: 'awslogs'
  /** awslogs-group, awslogs-region, awslogs-stream-prefix… */
  options: Record<string, string>
}

export interface MountPoint {
  sourceVolume: string
  containerPath: string
  readOnly?: boolean
}

export interface ContainerHealthCheck {
  command: string[]
  interval?: number
  timeout?: number
  retries?: number
  startPeriod?: number
}

export interface ContainerDefinition {
  name: string
  image: string
  /**
   * Appended to `image` when the definition is registered: `:latest`,
   * `@sha256:…`. The graph gives `image` as a repository's URI (an output,
   * known once the repository exists) and the spec's tag here.
   */
  imageReference?: string
  /** Absent: true (AWS's default). */
  essential?: boolean
  portMappings?: PortMapping[]
  environment?: KeyValue[]
  secrets?: Secret[]
  logConfiguration?: LogConfiguration
  privileged?: boolean
  mountPoints?: MountPoint[]
  healthCheck?: ContainerHealthCheck
  cpu?: number
  memory?: number
  memoryReservation?: number
  command?: string[]
  entryPoint?: string[]
}

export interface Volume {
  name: string
  /** A bind mount of the host's path (EC2 launch type: the runner's /var/run/docker.sock). */
  host?: {sourcePath: string}
}

/**
 * `ecs.task-definition`: the latest ACTIVE revision of a family. A change
 * registers a new revision (an update whose `arn` output changes; services
 * that use it then roll). Outputs: id (= family), arn (with revision), family, revision.
 */
export interface TaskDefinitionDesired {
  family: string
  /** Task-level CPU units as a string, e.g. `'256'` (Fargate: required). */
  cpu?: string
  memory?: string
  networkMode: 'awsvpc' | 'bridge' | 'host'
  requiresCompatibilities: ['FARGATE'] | ['EC2']
  runtimePlatform?: {cpuArchitecture: 'ARM64' | 'X86_64'; operatingSystemFamily: 'LINUX'}
  executionRoleArn?: string
  taskRoleArn?: string
  containerDefinitions: ContainerDefinition[]
  volumes?: Volume[]
  /**
   * `deploy`: the images are set outside the spec (`containrlab deploy`);
   * those given here are only the first ones, for a family not registered
   * yet. Once it is, the images of its latest ACTIVE revision are kept: a
   * difference of image is no change, and a change of anything else
   * registers a revision with the images already running. Absent: `spec`.
   */
  imageSource?: 'spec' | 'deploy'
}

export interface LoadBalancerBinding {
  targetGroupArn: string
  containerName: string
  containerPort: number
}

export interface DeploymentSettings {
  circuitBreaker: {enable: boolean; rollback: boolean}
  /** 0–100 (AWS's default 100). */
  minimumHealthyPercent: number
  /** AWS's default 200. */
  maximumPercent: number
}

/** `ecs.service`. Outputs: id (= arn), arn, name. */
export interface ServiceDesired {
  /** Immutable (replacement). */
  name: string
  /** Immutable (replacement). */
  clusterArn: string
  taskDefinitionArn: string
  desiredCount: number
  /** One of the two: a launch type or a capacity provider strategy. */
  launchType?: 'FARGATE' | 'EC2'
  capacityProviderStrategy?: CapacityProviderStrategyItem[]
  /** awsvpc network configuration (Fargate: required). */
  network?: {subnetIds: string[]; securityGroupIds: string[]; assignPublicIp: boolean}
  loadBalancers: LoadBalancerBinding[]
  deployment: DeploymentSettings
  healthCheckGracePeriodSeconds?: number
  enableExecuteCommand?: boolean
}

/** `ecs.capacity-provider`. Outputs: id (= name), arn, name. */
export interface CapacityProviderDesired {
  name: string
  autoScalingGroupArn: string
  managedScaling: {status: 'ENABLED' | 'DISABLED'; targetCapacity: number; minimumScalingStepSize: number; maximumScalingStepSize: number}
  managedTerminationProtection: 'ENABLED' | 'DISABLED'
}
