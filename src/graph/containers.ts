import type {ContainerDefinition, TaskDefinitionDesired} from '../resources/ecs/desired.js'
import {ecsInstanceRolePolicyArns, taskExecutionPolicy} from '../resources/iam/policies.js'
import {repositoryOfImage} from '../spec/containers.js'
import type {ClusterSpec, ServiceSpec, Spec} from '../spec/schema.js'
import {type Desired, type GraphBuilder, ids} from './builder.js'
import {subnetRefs} from './network.js'
import {type ResourceNode, ref} from './types.js'

/**
 * The containers (seed 000/001/002): ECR repositories, a log group per
 * service, the IAM roles ECS and its instances need (least privilege, from
 * the spec), clusters with their EC2 capacity (fixed instances, or an Auto
 * Scaling group behind a capacity provider), and per service a task
 * definition and an ECS service behind its target group.
 */

/** The ECS-optimised Amazon Linux 2023 AMI, as ECS publishes it. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html */
export function ecsAmiParameter(architecture: 'arm64' | 'x86_64'): string {
  return `/aws/service/ecs/optimized-ami/amazon-linux-2023/${architecture === 'arm64' ? 'arm64/' : ''}recommended/image_id`
}

/**
 * The instances' user data: join the cluster, and let the agent pull from
 * ECR with the instance role (seed 001 installs the ECR credential helper
 * for the Docker-in-Docker runner's own pulls).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
 */
export function ecsUserData(cluster: string): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `echo ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config`,
    'dnf install -y amazon-ecr-credential-helper',
    'mkdir -p /root/.docker && echo \'{"credsStore": "ecr-login"}\' > /root/.docker/config.json',
    '',
  ].join('\n')
}

export const containerIds = {
  repository: (name: string) => `repository/${name}`,
  logGroup: (service: string) => `log-group/${service}`,
  taskExecutionRole: 'role/task-execution',
  taskRole: 'role/task',
  instanceRole: 'role/instance',
  instanceProfile: 'instance-profile/instance',
  ami: (architecture: string) => `ami/${architecture}`,
  cluster: (name: string) => `cluster/${name}`,
  instance: (cluster: string, index: number) => `instance/${cluster}-${index + 1}`,
  launchTemplate: (cluster: string) => `launch-template/${cluster}`,
  autoScalingGroup: (cluster: string) => `autoscaling-group/${cluster}`,
  capacityProvider: (cluster: string) => `capacity-provider/${cluster}`,
  taskDefinition: (service: string) => `task-definition/${service}`,
  service: (name: string) => `service/${name}`,
}

export function addContainers(graph: GraphBuilder, spec: Spec, region: string): void {
  const stack = spec.name
  for (const repository of spec.repositories) {
    graph.add(containerIds.repository(repository.name), 'ecr.repository', {
      name: `${stack}-${repository.name}`,
      scanOnPush: repository.scanOnPush,
      tagMutability: repository.tagMutability,
      ...(repository.keepLastImages > 0 ? {keepLastImages: repository.keepLastImages} : {}),
    })
  }
  if (spec.services.length === 0 && spec.clusters.length === 0) return

  for (const service of spec.services) graph.add(containerIds.logGroup(service.name), 'logs.log-group', {name: logGroupName(stack, service.name), retentionDays: spec.logs.retentionDays})

  // The execution role pulls these images, writes these log groups and reads these parameters; nothing else.
  const usedRepositories = [...new Set(spec.services.map((service) => repositoryOfImage(service.image)).filter((name): name is string => name !== undefined))]
  const parameters = [...new Set(spec.services.flatMap((service) => Object.values(service.secrets)))].sort()
  graph.add(containerIds.taskExecutionRole, 'iam.role', {
    name: roleName(stack, 'task-execution'),
    description: `containrlab ${stack}: the ECS agent pulls images, writes logs and reads secrets for the tasks`,
    assumeRoleServices: ['ecs-tasks.amazonaws.com'],
    managedPolicyArns: [],
    inlinePolicies: {
      'task-execution': taskExecutionPolicy({
        repositoryArns: usedRepositories.map((name) => ref(containerIds.repository(name), 'arn')) as unknown as string[],
        logGroupArns: spec.services.map((service) => ref(containerIds.logGroup(service.name), 'streamsArn')) as unknown as string[],
        // The account is the run's (SSM parameters cannot be read across accounts without sharing); `*` spares a lookup.
        parameterArns: parameters.map((name) => `arn:aws:ssm:${region}:*:parameter${name}`),
      }) as Desired<ReturnType<typeof taskExecutionPolicy>>,
    },
  })
  graph.add(containerIds.taskRole, 'iam.role', {
    name: roleName(stack, 'task'),
    description: `containrlab ${stack}: the tasks' own role (no permissions unless the spec grants some)`,
    assumeRoleServices: ['ecs-tasks.amazonaws.com'],
    managedPolicyArns: [],
    inlinePolicies: {},
  })

  const ec2Clusters = spec.clusters.filter((cluster) => cluster.instances)
  if (ec2Clusters.length > 0) {
    graph.add(containerIds.instanceRole, 'iam.role', {
      name: roleName(stack, 'ecs-instance'),
      description: `containrlab ${stack}: the ECS agent on the container instances`,
      assumeRoleServices: ['ec2.amazonaws.com'],
      managedPolicyArns: ecsInstanceRolePolicyArns(),
      inlinePolicies: {},
    })
    graph.add(containerIds.instanceProfile, 'iam.instance-profile', {name: roleName(stack, 'ecs-instance'), roleName: ref(containerIds.instanceRole, 'name')})
    for (const architecture of new Set(ec2Clusters.map((cluster) => cluster.instances!.architecture))) graph.add(containerIds.ami(architecture), 'ec2.ami', {parameter: ecsAmiParameter(architecture)})
  }

  for (const cluster of spec.clusters) addCluster(graph, spec, cluster)
  for (const service of spec.services) addService(graph, spec, service, region)
}

function addCluster(graph: GraphBuilder, spec: Spec, cluster: ClusterSpec): void {
  const name = `${spec.name}-${cluster.name}`
  const instances = cluster.instances
  const autoScaled = instances?.autoScaling !== undefined
  graph.add(containerIds.cluster(cluster.name), 'ecs.cluster', {
    name,
    containerInsights: cluster.containerInsights,
    capacityProviders: !instances ? ['FARGATE'] : autoScaled ? [ref(containerIds.capacityProvider(cluster.name), 'name')] : [],
    ...(autoScaled ? {defaultStrategy: [{capacityProvider: ref(containerIds.capacityProvider(cluster.name), 'name'), weight: 1, base: 0}]} : {}),
  })
  if (!instances) return
  const subnets = spec.network.subnets.filter((subnet) => subnet.tier === instances.tier)
  const common = {
    imageId: ref(containerIds.ami(instances.architecture), 'imageId'),
    instanceType: instances.type,
    instanceProfileArn: ref(containerIds.instanceProfile, 'arn'),
    securityGroupIds: instances.securityGroups.map((group) => ref(ids.securityGroup(group))),
    userData: ecsUserData(name),
    // IMDSv2 only; a hop limit of 2 lets the agent's bridge-network tasks reach it.
    metadataOptions: {httpTokens: 'required' as const, httpPutResponseHopLimit: 2},
  }
  if (instances.autoScaling) {
    graph.add(containerIds.launchTemplate(cluster.name), 'ec2.launch-template', {name, ...common})
    graph.add(containerIds.autoScalingGroup(cluster.name), 'autoscaling.group', {
      name,
      launchTemplate: {id: ref(containerIds.launchTemplate(cluster.name)), version: ref(containerIds.launchTemplate(cluster.name), 'defaultVersion')},
      minSize: instances.autoScaling.min,
      maxSize: instances.autoScaling.max,
      subnetIds: subnetRefs(subnets),
      newInstancesProtectedFromScaleIn: true,
      tags: [{key: 'AmazonECSManaged', value: '', propagateAtLaunch: true}],
    })
    graph.add(containerIds.capacityProvider(cluster.name), 'ecs.capacity-provider', {
      name,
      autoScalingGroupArn: ref(containerIds.autoScalingGroup(cluster.name), 'arn'),
      managedScaling: {status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10},
      managedTerminationProtection: 'ENABLED',
    })
    return
  }
  for (let index = 0; index < (instances.count ?? 1); index++) {
    // Spread over the tier's subnets, one AZ after the other.
    graph.add(containerIds.instance(cluster.name, index), 'ec2.instance', {name: `${name}-${index + 1}`, subnetId: ref(ids.subnet(subnets[index % subnets.length]!.name)), ...common}, [containerIds.cluster(cluster.name)])
  }
}

function addService(graph: GraphBuilder, spec: Spec, service: ServiceSpec, region: string): void {
  const cluster = spec.clusters.find((candidate) => candidate.name === service.cluster)!
  const fargate = !cluster.instances
  const repository = repositoryOfImage(service.image)
  const container: Desired<ContainerDefinition> = {
    name: service.name,
    // An image of the stack's repositories is its URI (an output) and the tag or digest; another is as given.
    image: repository === undefined ? service.image : ref(containerIds.repository(repository), 'uri'),
    ...(repository === undefined ? {} : {imageReference: service.image.slice(repository.length)}),
    essential: true,
    // awsvpc: the host port is the container's; bridge: 0, a dynamic port the target group learns from ECS.
    ...(service.port ? {portMappings: [{containerPort: service.port, hostPort: fargate ? service.port : 0, protocol: 'tcp' as const}]} : {}),
    environment: Object.entries(service.environment)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => ({name, value})),
    // valueFrom by name: ECS takes a parameter's name in the task's own region.
    secrets: Object.entries(service.secrets)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, valueFrom]) => ({name, valueFrom})),
    logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': logGroupName(spec.name, service.name), 'awslogs-region': region, 'awslogs-stream-prefix': service.name}},
    ...(service.privileged ? {privileged: true} : {}),
    ...(service.dockerSocket ? {mountPoints: [{sourceVolume: 'docker-socket', containerPath: '/var/run/docker.sock'}]} : {}),
    ...(service.healthCheck
      ? {healthCheck: {command: ['CMD-SHELL', service.healthCheck.command], interval: service.healthCheck.interval, retries: service.healthCheck.retries, startPeriod: service.healthCheck.startPeriod}}
      : {}),
  }
  const taskDefinition: Desired<TaskDefinitionDesired> = {
    family: `${spec.name}-${service.name}`,
    cpu: String(service.cpu),
    memory: String(service.memory),
    networkMode: fargate ? 'awsvpc' : 'bridge',
    requiresCompatibilities: fargate ? ['FARGATE'] : ['EC2'],
    runtimePlatform: {cpuArchitecture: service.architecture === 'arm64' ? 'ARM64' : 'X86_64', operatingSystemFamily: 'LINUX'},
    executionRoleArn: ref(containerIds.taskExecutionRole, 'arn'),
    taskRoleArn: ref(containerIds.taskRole, 'arn'),
    containerDefinitions: [container],
    ...(service.dockerSocket ? {volumes: [{name: 'docker-socket', host: {sourcePath: '/var/run/docker.sock'}}]} : {}),
    ...(service.imageSource === 'deploy' ? {imageSource: 'deploy' as const} : {}),
  }
  graph.add(containerIds.taskDefinition(service.name), 'ecs.task-definition', taskDefinition, [containerIds.logGroup(service.name)])

  const autoScaled = cluster.instances?.autoScaling !== undefined
  const privateSubnets = spec.network.subnets.filter((subnet) => subnet.tier === 'private')
  const lb = spec.loadBalancer
  graph.add(
    containerIds.service(service.name),
    'ecs.service',
    {
      name: `${spec.name}-${service.name}`,
      clusterArn: ref(containerIds.cluster(service.cluster), 'arn'),
      taskDefinitionArn: ref(containerIds.taskDefinition(service.name), 'arn'),
      desiredCount: service.desiredCount,
      ...(autoScaled ? {capacityProviderStrategy: [{capacityProvider: ref(containerIds.capacityProvider(service.cluster), 'name'), weight: 1, base: 0}]} : {launchType: fargate ? 'FARGATE' : 'EC2'}),
      ...(fargate ? {network: {subnetIds: subnetRefs(privateSubnets), securityGroupIds: service.securityGroups.map((group) => ref(ids.securityGroup(group))), assignPublicIp: false}} : {}),
      loadBalancers: service.targetGroup ? [{targetGroupArn: ref(ids.targetGroup(service.targetGroup), 'arn'), containerName: service.name, containerPort: service.port!}] : [],
      deployment: {circuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: service.deployment.minHealthyPercent, maximumPercent: service.deployment.maxPercent},
      ...(service.targetGroup ? {healthCheckGracePeriodSeconds: service.deployment.healthCheckGracePeriod} : {}),
    },
    // ECS attaches a service only to a target group a listener uses; EC2 tasks need instances in the cluster.
    [
      ...(service.targetGroup && lb?.tls ? [ids.listenerRules(443)] : service.targetGroup ? [ids.listenerRules(80)] : []),
      ...(cluster.instances && !autoScaled ? Array.from({length: cluster.instances.count ?? 1}, (_, i) => containerIds.instance(cluster.name, i)) : []),
    ],
  )
}

/** `/ecs/<stack>-<service>`, as ECS's console names them. */
export function logGroupName(stack: string, service: string): string {
  return `/ecs/${stack}-${service}`
}

/** IAM role and instance profile names: at most 64 characters. */
function roleName(stack: string, purpose: string): string {
  return `${stack}-${purpose}`.slice(0, 64)
}

/** What `containrlab deploy --image` names: a tag (or `sha256:` digest) of the service's own image, or a full image URI. */
export type DeployImage = {tag: string} | {uri: string}

/**
 * A service's task definition node rolled to another image (`containrlab
 * deploy`): the spec's definition with the image given, which the kind
 * then compares as `imageSource: spec` does (a different image is a new
 * revision). A tag goes with the service's repository, as `image: api:TAG`
 * would (its URI, an output of the repository node); with an image from
 * another registry, with that image's name. A URI is taken as it is.
 */
export function withDeployedImage(node: ResourceNode, service: Pick<ServiceSpec, 'name' | 'image'>, image: DeployImage): ResourceNode {
  const desired = node.desired as unknown as Desired<TaskDefinitionDesired>
  const repository = repositoryOfImage(service.image)
  const reference = 'tag' in image ? (image.tag.startsWith('sha256:') ? `@${image.tag}` : `:${image.tag}`) : ''
  const rolled: Pick<Desired<ContainerDefinition>, 'image' | 'imageReference'> = 'uri' in image
    ? {image: image.uri}
    : repository !== undefined
      ? {image: ref(containerIds.repository(repository), 'uri'), imageReference: reference}
      : {image: `${imageName(service.image)}${reference}`}
  const containerDefinitions = desired.containerDefinitions.map((container) => {
    if (container.name !== service.name) return container
    const others = {...container}
    delete others.imageReference
    return {...others, ...rolled}
  })
  return {...node, desired: {...desired, imageSource: 'spec', containerDefinitions} as unknown as Record<string, unknown>}
}

/** An image reference without its tag or digest: `docker.io/library/nginx:1.27` → `docker.io/library/nginx`. */
function imageName(image: string): string {
  const at = image.indexOf('@')
  if (at >= 0) return image.slice(0, at)
  const colon = image.lastIndexOf(':')
  return colon > image.lastIndexOf('/') ? image.slice(0, colon) : image
}
