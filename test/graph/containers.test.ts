import {describe, expect, it} from 'vitest'
import {compileSpec} from '../../src/graph/compile.js'
import {ecsAmiParameter, ecsUserData} from '../../src/graph/containers.js'
import {nodeDependencies, ref, type ResourceNode} from '../../src/graph/types.js'
import {parseSpec} from '../../src/spec/load.js'
import {EXAMPLE_TEXT, example} from '../spec/support.js'

function byId(text: string): Map<string, ResourceNode> {
  return new Map(compileSpec(parseSpec(text, 'containrlab.yaml'), 'us-east-1').map((node) => [node.id, node]))
}

describe('the example’s containers as resources (seed 000/001)', () => {
  const nodes = byId(EXAMPLE_TEXT)

  it('are the repositories, log groups, roles, clusters, the runner’s instance, task definitions and services', () => {
    const containers = [...nodes.values()].filter((node) => /^(ecr|logs|iam|ecs|autoscaling)\./.test(node.kind) || ['ec2.instance', 'ec2.ami', 'ec2.launch-template'].includes(node.kind))
    expect(containers.map((node) => [node.id, node.kind])).toEqual([
      ['repository/api', 'ecr.repository'],
      ['repository/web', 'ecr.repository'],
      ['repository/runner', 'ecr.repository'],
      ['repository/runnerd', 'ecr.repository'],
      ['log-group/api', 'logs.log-group'],
      ['log-group/web', 'logs.log-group'],
      ['log-group/runner', 'logs.log-group'],
      ['role/task-execution', 'iam.role'],
      ['role/task', 'iam.role'],
      ['role/instance', 'iam.role'],
      ['instance-profile/instance', 'iam.instance-profile'],
      ['ami/x86_64', 'ec2.ami'],
      ['cluster/cluster', 'ecs.cluster'],
      ['cluster/runner-ec2', 'ecs.cluster'],
      ['instance/runner-ec2-1', 'ec2.instance'],
      ['task-definition/api', 'ecs.task-definition'],
      ['service/api', 'ecs.service'],
      ['task-definition/web', 'ecs.task-definition'],
      ['service/web', 'ecs.service'],
      ['task-definition/runner', 'ecs.task-definition'],
      ['service/runner', 'ecs.service'],
    ])
    expect(nodes.get('repository/api')!.desired).toEqual({name: 'containrlab-api', scanOnPush: true, tagMutability: 'MUTABLE', keepLastImages: 10})
    expect(nodes.get('log-group/api')!.desired).toEqual({name: '/ecs/containrlab-api', retentionDays: 7})
    expect(nodes.get('cluster/cluster')!.desired).toEqual({name: 'containrlab-cluster', containerInsights: false, capacityProviders: ['FARGATE']})
  })

  it('api runs on Fargate, ARM64, 0.5 vCPU and 1 GB, its image from its repository, its secrets from SSM by name', () => {
    const api = nodes.get('task-definition/api')!.desired
    expect(api).toMatchObject({
      family: 'containrlab-api',
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      runtimePlatform: {cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX'},
      // Its image is rolled by `containrlab deploy`: the kind keeps the running one.
      imageSource: 'deploy',
    })
    expect(api).toMatchObject({executionRoleArn: ref('role/task-execution', 'arn'), taskRoleArn: ref('role/task', 'arn')})
    const [container] = api.containerDefinitions as Record<string, unknown>[]
    expect(container).toMatchObject({name: 'api', image: ref('repository/api', 'uri'), imageReference: ':latest', essential: true, portMappings: [{containerPort: 8000, hostPort: 8000, protocol: 'tcp'}]})
    expect(container!.secrets).toEqual([
      {name: 'GEMINI_API_KEY', valueFrom: '/containrlab/GEMINI_API_KEY'},
      {name: 'GITHUB_CLIENT_ID', valueFrom: '/containrlab/GITHUB_CLIENT_ID'},
      {name: 'GITHUB_CLIENT_SECRET', valueFrom: '/containrlab/GITHUB_CLIENT_SECRET'},
    ])
    expect(container!.logConfiguration).toEqual({logDriver: 'awslogs', options: {'awslogs-group': '/ecs/containrlab-api', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'api'}})
    const service = nodes.get('service/api')!
    expect(service.desired).toMatchObject({
      name: 'containrlab-api',
      launchType: 'FARGATE',
      network: {subnetIds: [ref('subnet/private-a'), ref('subnet/private-b')], securityGroupIds: [ref('security-group/ecs-tasks-sg')], assignPublicIp: false},
      loadBalancers: [{targetGroupArn: ref('target-group/api', 'arn'), containerName: 'api', containerPort: 8000}],
      deployment: {circuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
    })
    // Its target group must serve a listener before ECS attaches the service to it.
    expect(nodeDependencies(service)).toContain('listener-rules/443')
  })

  it('the runner runs privileged on the EC2 cluster, with the host’s Docker socket and a dynamic host port', () => {
    const runner = nodes.get('task-definition/runner')!.desired
    expect(runner.imageSource).toBeUndefined()
    expect(runner).toMatchObject({networkMode: 'bridge', requiresCompatibilities: ['EC2'], cpu: '1024', memory: '2048', volumes: [{name: 'docker-socket', host: {sourcePath: '/var/run/docker.sock'}}]})
    expect((runner.containerDefinitions as Record<string, unknown>[])[0]).toMatchObject({
      privileged: true,
      mountPoints: [{sourceVolume: 'docker-socket', containerPath: '/var/run/docker.sock'}],
      portMappings: [{containerPort: 8080, hostPort: 0}],
    })
    const service = nodes.get('service/runner')!
    expect(service.desired).toMatchObject({launchType: 'EC2', loadBalancers: []})
    expect(service.desired.network).toBeUndefined()
    expect(nodeDependencies(service)).toContain('instance/runner-ec2-1')
    expect(nodes.get('instance/runner-ec2-1')!.desired).toMatchObject({
      name: 'containrlab-runner-ec2-1',
      instanceType: 't3.medium',
      imageId: ref('ami/x86_64', 'imageId'),
      subnetId: ref('subnet/private-a'),
      securityGroupIds: [ref('security-group/runner-sg')],
      instanceProfileArn: ref('instance-profile/instance', 'arn'),
      userData: ecsUserData('containrlab-runner-ec2'),
    })
    expect(nodes.get('ami/x86_64')!.desired).toEqual({parameter: ecsAmiParameter('x86_64')})
    expect(ecsUserData('containrlab-runner-ec2')).toContain('echo ECS_CLUSTER=containrlab-runner-ec2 >> /etc/ecs/ecs.config')
  })

  it('the execution role may pull the used repositories’ images, write the services’ log groups and read their secrets, nothing else', () => {
    const role = nodes.get('role/task-execution')!.desired as {assumeRoleServices: string[]; inlinePolicies: Record<string, {Statement: {Sid: string; Resource: unknown}[]}>}
    expect(role.assumeRoleServices).toEqual(['ecs-tasks.amazonaws.com'])
    const statements = Object.fromEntries(role.inlinePolicies['task-execution']!.Statement.map((statement) => [statement.Sid, statement.Resource]))
    expect(statements.EcrAuthorization).toBe('*')
    expect(statements.EcrPull).toEqual(expect.arrayContaining([ref('repository/api', 'arn'), ref('repository/web', 'arn'), ref('repository/runnerd', 'arn')]))
    expect(statements.EcrPull).not.toContainEqual(ref('repository/runner', 'arn'))
    expect(statements.Secrets).toEqual(
      ['/containrlab/GEMINI_API_KEY', '/containrlab/GITHUB_CLIENT_ID', '/containrlab/GITHUB_CLIENT_SECRET', '/containrlab/NEXTAUTH_SECRET'].map((name) => `arn:aws:ssm:us-east-1:*:parameter${name}`),
    )
  })
})

describe('other container layouts', () => {
  it('an Auto Scaling group behind a capacity provider (seed 002)', () => {
    const nodes = byId(example(['instances: {type: t3.medium, architecture: x86_64, count: 1,', 'instances: {type: t3.medium, architecture: x86_64, autoScaling: {min: 2, max: 10},']))
    expect(nodes.has('instance/runner-ec2-1')).toBe(false)
    expect(nodes.get('autoscaling-group/runner-ec2')!.desired).toMatchObject({
      name: 'containrlab-runner-ec2',
      minSize: 2,
      maxSize: 10,
      newInstancesProtectedFromScaleIn: true,
      tags: [{key: 'AmazonECSManaged', value: '', propagateAtLaunch: true}],
    })
    expect(nodes.get('capacity-provider/runner-ec2')!.desired).toMatchObject({autoScalingGroupArn: ref('autoscaling-group/runner-ec2', 'arn'), managedTerminationProtection: 'ENABLED'})
    expect(nodes.get('service/runner')!.desired).toMatchObject({capacityProviderStrategy: [{capacityProvider: ref('capacity-provider/runner-ec2', 'name'), weight: 1, base: 0}]})
    expect(nodes.get('service/runner')!.desired.launchType).toBeUndefined()
  })

  it('an image from another registry is used as given', () => {
    const nodes = byId(example(['image: web:latest', 'image: public.ecr.aws/nginx/nginx:1.27']))
    expect((nodes.get('task-definition/web')!.desired.containerDefinitions as Record<string, unknown>[])[0]).toMatchObject({image: 'public.ecr.aws/nginx/nginx:1.27'})
  })
})
