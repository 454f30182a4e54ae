import type {z} from 'zod'
import type {PathIssue, Read} from './checks.js'
import {clusterSchema, quote, repositorySchema, serviceSchema, targetGroupSchema} from './schema.js'

/**
 * Checks of the containers (`repositories`, `clusters`, `services`) that
 * need the rest of the spec: declared clusters, repositories, target groups
 * and security groups, Fargate's task sizes, what only EC2 tasks may do.
 * Like checks.ts, they read a tolerant view (a field that failed the schema
 * reads as null) and skip what they cannot read.
 */

const CLUSTER = clusterSchema.shape
const SERVICE = serviceSchema.shape
const INSTANCES = CLUSTER.instances.unwrap().shape

export interface ContainersView {
  repositories: Read<string>[]
  clusters: {name: Read<string>; ec2: boolean; architecture: Read<string>; count?: unknown; autoScaling: Read<{min: number; max: number} | undefined>; securityGroups: Read<string>[]}[]
  services: {
    name: Read<string>
    cluster: Read<string>
    image: Read<string>
    cpu: Read<number>
    memory: Read<number>
    architecture: Read<string>
    port: Read<number | undefined>
    targetGroup: Read<string | undefined>
    securityGroups: Read<string>[]
    privileged: Read<boolean>
    dockerSocket: Read<boolean>
  }[]
  /** The load balancer's target groups: name → target type (null: unreadable). */
  targetGroups: Map<string, Read<'ip' | 'instance'>>
  /** The target groups a listener sends requests to (its rules' and its default's); null: some could not be read. */
  routedTargetGroups: Set<string> | null
}

function read<S extends z.ZodType>(schema: S, value: unknown): Read<z.output<S>> {
  const result = schema.safeParse(value)
  return result.success ? result.data : null
}

function mapping(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

export function readContainers(top: Record<string, unknown>): ContainersView {
  const targetGroups = new Map<string, Read<'ip' | 'instance'>>()
  for (const group of list(mapping(top.loadBalancer).targetGroups)) {
    const name = read(targetGroupSchema.shape.name, mapping(group).name)
    if (name !== null) targetGroups.set(name, read(targetGroupSchema.shape.targetType, mapping(group).targetType))
  }
  const lb = mapping(top.loadBalancer)
  const routed = [...list(lb.rules).map((rule) => mapping(rule).targetGroup), mapping(lb.default).targetGroup].filter((name) => name !== undefined)
  return {
    routedTargetGroups: routed.every((name) => typeof name === 'string') ? new Set(routed as string[]) : null,
    repositories: list(top.repositories).map((repository) => read(repositorySchema.shape.name, mapping(repository).name)),
    clusters: list(top.clusters).map((entry) => {
      const cluster = mapping(entry)
      const instances = mapping(cluster.instances)
      return {
        name: read(CLUSTER.name, cluster.name),
        ec2: cluster.instances !== undefined,
        architecture: read(INSTANCES.architecture, instances.architecture),
        count: instances.count,
        autoScaling: read(INSTANCES.autoScaling, instances.autoScaling),
        securityGroups: list(instances.securityGroups).map((name) => read(SERVICE.name, name)),
      }
    }),
    services: list(top.services).map((entry) => {
      const service = mapping(entry)
      return {
        name: read(SERVICE.name, service.name),
        cluster: read(SERVICE.cluster, service.cluster),
        image: read(SERVICE.image, service.image),
        cpu: read(SERVICE.cpu, service.cpu),
        memory: read(SERVICE.memory, service.memory),
        architecture: read(SERVICE.architecture, service.architecture),
        port: read(SERVICE.port, service.port),
        targetGroup: read(SERVICE.targetGroup, service.targetGroup),
        securityGroups: list(service.securityGroups).map((name) => read(SERVICE.name, name)),
        privileged: read(SERVICE.privileged, service.privileged),
        dockerSocket: read(SERVICE.dockerSocket, service.dockerSocket),
      }
    }),
    targetGroups,
  }
}

/**
 * Fargate's task sizes: CPU units → the memory (MiB) it may have.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export function fargateMemoryFor(cpu: number): number[] | undefined {
  const gib = (from: number, to: number, step = 1) => Array.from({length: (to - from) / step + 1}, (_, i) => (from + i * step) * 1024)
  const sizes: Record<number, number[]> = {
    256: [512, 1024, 2048],
    512: gib(1, 4),
    1024: gib(2, 8),
    2048: gib(4, 16),
    4096: gib(8, 30),
    8192: gib(16, 60, 4),
    16384: gib(32, 120, 8),
  }
  return sizes[cpu]
}

/** An image with no registry host names one of the stack's repositories (`api:latest`); one with a host is taken as is. */
export function repositoryOfImage(image: string): string | undefined {
  const first = image.split('/')[0]!
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return undefined
  return image.split(/[:@]/)[0]
}

function duplicates(names: Read<string>[], path: string, what: string): PathIssue[] {
  const seen = new Map<string, number>()
  const issues: PathIssue[] = []
  names.forEach((name, i) => {
    if (name === null) return
    const first = seen.get(name)
    if (first !== undefined) issues.push({path: [path, i, 'name'], message: `duplicate ${what} name ${quote(name)} (first at ${path}[${first}])`})
    else seen.set(name, i)
  })
  return issues
}

function unknown(what: string, name: string, declared: Iterable<string>, where: string): string {
  const names = [...declared]
  return `unknown ${what} ${quote(name)}; ${names.length > 0 ? `declared: ${names.join(', ')}` : `none is declared (${where})`}`
}

export function checkContainers(view: ContainersView, network: {securityGroups: Read<{name: Read<string>}[]>}): PathIssue[] {
  const issues: PathIssue[] = [
    ...duplicates(view.repositories, 'repositories', 'repository'),
    ...duplicates(
      view.clusters.map((c) => c.name),
      'clusters',
      'cluster',
    ),
    ...duplicates(
      view.services.map((s) => s.name),
      'services',
      'service',
    ),
  ]
  const groups = network.securityGroups && network.securityGroups.every((group) => group.name !== null) ? new Set(network.securityGroups.map((group) => group.name!)) : undefined
  const checkGroups = (names: Read<string>[], path: (string | number)[]) =>
    names.forEach((name, i) => {
      // Worded as the network's own checks word it.
      if (groups && name !== null && !groups.has(name)) issues.push({path: [...path, i], message: `unknown security group ${quote(name)}; declared groups: ${[...groups].join(', ')}`})
    })

  view.clusters.forEach((cluster, i) => {
    if (!cluster.ec2) return
    const path = ['clusters', i, 'instances']
    const sized = (cluster.count !== undefined ? 1 : 0) + (cluster.autoScaling !== undefined && cluster.autoScaling !== null ? 1 : 0)
    if (sized !== 1) issues.push({path, message: 'EC2 capacity is either count (fixed instances) or autoScaling: {min, max} (an Auto Scaling group behind a capacity provider): give exactly one'})
    if (cluster.autoScaling && cluster.autoScaling.min > cluster.autoScaling.max)
      issues.push({path: [...path, 'autoScaling', 'min'], message: `min (${cluster.autoScaling.min}) is above max (${cluster.autoScaling.max})`})
    checkGroups(cluster.securityGroups, [...path, 'securityGroups'])
  })

  const clusters = view.clusters.every((cluster) => cluster.name !== null) ? new Map(view.clusters.map((cluster) => [cluster.name!, cluster])) : undefined
  const repositories = view.repositories.every((name) => name !== null) ? new Set(view.repositories as string[]) : undefined

  view.services.forEach((service, i) => {
    const at = (...rest: (string | number)[]) => ['services', i, ...rest]
    const cluster = service.cluster !== null ? clusters?.get(service.cluster) : undefined
    if (clusters && service.cluster !== null && !cluster) issues.push({path: at('cluster'), message: unknown('cluster', service.cluster, clusters.keys(), 'clusters')})

    const repository = service.image !== null ? repositoryOfImage(service.image) : undefined
    if (repositories && repository !== undefined && !repositories.has(repository)) {
      issues.push({
        path: at('image'),
        message: `${quote(service.image)} names no repository of this stack (${unknown('repository', repository, repositories, 'repositories')}); an image from elsewhere takes its full URI, like docker.io/library/nginx:1.27`,
      })
    }

    if (cluster && !cluster.ec2) {
      // Fargate: awsvpc tasks with a size from Fargate's table, and nothing that needs the host.
      if (service.cpu !== null && service.memory !== null) {
        const memory = fargateMemoryFor(service.cpu)
        if (!memory) issues.push({path: at('cpu'), message: `Fargate tasks take cpu 256, 512, 1024, 2048, 4096, 8192 or 16384, not ${service.cpu}`})
        else if (!memory.includes(service.memory))
          issues.push({
            path: at('memory'),
            message: `a Fargate task with cpu ${service.cpu} takes memory ${memory.length > 8 ? `${memory[0]} to ${memory.at(-1)} in steps of ${memory[1]! - memory[0]!}` : memory.join(', ')} (MiB), not ${service.memory}`,
          })
      }
      if (service.privileged) issues.push({path: at('privileged'), message: 'Fargate runs no privileged containers: run this service on an EC2 cluster (clusters[].instances)'})
      if (service.dockerSocket) issues.push({path: at('dockerSocket'), message: 'Fargate has no host Docker socket: run this service on an EC2 cluster (clusters[].instances)'})
      if (service.securityGroups.length === 0) issues.push({path: at('securityGroups'), message: 'a Fargate service needs securityGroups: its tasks have their own network interfaces'})
    }
    if (cluster?.ec2 && service.architecture !== null && cluster.architecture !== null && service.architecture !== cluster.architecture) {
      issues.push({path: at('architecture'), message: `the service is ${service.architecture} but cluster ${quote(service.cluster)}'s instances are ${cluster.architecture}`})
    }
    checkGroups(service.securityGroups, at('securityGroups'))

    if (service.targetGroup !== null && service.targetGroup !== undefined) {
      const targetType = view.targetGroups.get(service.targetGroup)
      if (!view.targetGroups.has(service.targetGroup)) issues.push({path: at('targetGroup'), message: unknown('target group', service.targetGroup, view.targetGroups.keys(), 'loadBalancer.targetGroups')})
      else if (cluster && targetType) {
        // awsvpc tasks register by IP; bridge-mode EC2 tasks by instance and port.
        const wanted = cluster.ec2 ? 'instance' : 'ip'
        if (targetType !== wanted)
          issues.push({
            path: at('targetGroup'),
            message: `target group ${quote(service.targetGroup)} has targetType ${targetType}, but ${cluster.ec2 ? 'EC2 (bridge network) tasks register as instance' : 'Fargate (awsvpc) tasks register as ip'}: set its targetType to ${wanted}`,
          })
      }
      if (view.targetGroups.has(service.targetGroup) && view.routedTargetGroups && !view.routedTargetGroups.has(service.targetGroup)) {
        // CreateService refuses a target group no listener uses: "The target group … does not have an associated load balancer".
        issues.push({
          path: at('targetGroup'),
          message: `target group ${quote(service.targetGroup)} is in no rule and is not the default: ECS attaches a service only to a target group a listener sends requests to; add a rule for it, or drop targetGroup`,
        })
      }
      if (service.port === undefined) issues.push({path: at('port'), message: 'a service behind a target group needs port: the container port the load balancer sends traffic to'})
    }
  })
  return issues
}
