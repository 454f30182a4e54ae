import type {TaskDefinition} from '@aws-sdk/client-ecs'
import {describe, expect, it} from 'vitest'
import type {TaskDefinitionDesired} from '../../../src/resources/ecs/desired.js'
import {normaliseTaskDefinition, stableJson, taskDefinitionFromAws} from '../../../src/resources/ecs/normalise.js'

/**
 * The normaliser table: what a spec says, and what DescribeTaskDefinition
 * answers for it (AWS's defaults filled in, its own fields added), shaped on
 * real answers: the console's JSON export of a revision (nulls, empty lists,
 * `cpu: 0`), terraform-provider-aws#3401 (hostPort written out under awsvpc),
 * #5323, hashicorp/terraform#23780 (mountPoints' readOnly), ansible#22547
 * (essential, protocol), terraform-aws-consul-ecs#318 (cpu 0, systemControls,
 * volumesFrom). Equal rows must compare equal (no revision on a re-run);
 * different rows must not (a real change registers one).
 */

const same = (desired: TaskDefinitionDesired, answer: TaskDefinition) => stableJson(normaliseTaskDefinition(desired)) === stableJson(taskDefinitionFromAws(answer))

/** Fields every answer carries that are not the definition. */
const answerMeta = (family: string, revision = 1) => ({
  taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`,
  family,
  revision,
  status: 'ACTIVE' as const,
  placementConstraints: [],
  registeredAt: new Date('2026-11-01T10:00:00Z'),
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/deployer/ci',
})

const logs = {logDriver: 'awslogs' as const, options: {'awslogs-group': '/containrlab/teststack/api', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'api'}}
const ssm = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/containrlab/teststack/${name}`

/** The seeds' Fargate api: ARM64, awsvpc, secrets from SSM, awslogs, a health check. */
const api: TaskDefinitionDesired = {
  family: 'containrlab-api',
  cpu: '512',
  memory: '1024',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  runtimePlatform: {cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX'},
  executionRoleArn: 'arn:aws:iam::123456789012:role/containrlab-execution',
  taskRoleArn: 'arn:aws:iam::123456789012:role/containrlab-api',
  containerDefinitions: [
    {
      name: 'api',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:1.4.2',
      portMappings: [{containerPort: 8000}],
      environment: [
        {name: 'RUNNER_URL', value: 'http://runner.internal:7070'},
        {name: 'APP_ENV', value: 'production'},
      ],
      secrets: [
        {name: 'SESSION_SECRET', valueFrom: ssm('SESSION_SECRET')},
        {name: 'DATABASE_URL', valueFrom: ssm('DATABASE_URL')},
      ],
      logConfiguration: logs,
      healthCheck: {command: ['CMD-SHELL', 'curl -fsS http://localhost:8000/healthz || exit 1'], startPeriod: 20},
    },
  ],
}

/** DescribeTaskDefinition's answer for `api`, as AWS gives it. */
const apiAnswer: TaskDefinition = {
  ...answerMeta('containrlab-api', 7),
  cpu: '512',
  memory: '1024',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  runtimePlatform: {cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX'},
  executionRoleArn: 'arn:aws:iam::123456789012:role/containrlab-execution',
  taskRoleArn: 'arn:aws:iam::123456789012:role/containrlab-api',
  requiresAttributes: [
    {name: 'com.amazonaws.ecs.capability.logging-driver.awslogs'},
    {name: 'ecs.capability.execution-role-awslogs'},
    {name: 'com.amazonaws.ecs.capability.ecr-auth'},
    {name: 'ecs.capability.secrets.ssm.environment-variables'},
    {name: 'com.amazonaws.ecs.capability.task-iam-role'},
    {name: 'ecs.capability.container-health-check'},
    {name: 'ecs.capability.task-eni'},
  ],
  volumes: [],
  containerDefinitions: [
    {
      name: 'api',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:1.4.2',
      cpu: 0,
      portMappings: [{containerPort: 8000, hostPort: 8000, protocol: 'tcp'}],
      essential: true,
      // AWS's order, not the spec's.
      environment: [
        {name: 'APP_ENV', value: 'production'},
        {name: 'RUNNER_URL', value: 'http://runner.internal:7070'},
      ],
      mountPoints: [],
      volumesFrom: [],
      secrets: [
        {name: 'DATABASE_URL', valueFrom: ssm('DATABASE_URL')},
        {name: 'SESSION_SECRET', valueFrom: ssm('SESSION_SECRET')},
      ],
      logConfiguration: {...logs, secretOptions: []},
      healthCheck: {command: ['CMD-SHELL', 'curl -fsS http://localhost:8000/healthz || exit 1'], interval: 30, timeout: 5, retries: 3, startPeriod: 20},
      systemControls: [],
    },
  ],
}

/** The seeds' runner: ECS on EC2, bridge networking, privileged, the host's docker socket mounted. */
const runner: TaskDefinitionDesired = {
  family: 'containrlab-runner',
  memory: '3072',
  networkMode: 'bridge',
  requiresCompatibilities: ['EC2'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/containrlab-execution',
  containerDefinitions: [
    {
      name: 'runnerd',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-runnerd:0.9.0',
      essential: true,
      privileged: true,
      portMappings: [{containerPort: 7070, protocol: 'tcp'}],
      mountPoints: [{sourceVolume: 'docker-sock', containerPath: '/var/run/docker.sock'}],
      logConfiguration: {...logs, options: {...logs.options, 'awslogs-stream-prefix': 'runner'}},
      memoryReservation: 512,
    },
  ],
  volumes: [{name: 'docker-sock', host: {sourcePath: '/var/run/docker.sock'}}],
}

const runnerAnswer: TaskDefinition = {
  ...answerMeta('containrlab-runner', 3),
  memory: '3072',
  networkMode: 'bridge',
  requiresCompatibilities: ['EC2'],
  compatibilities: ['EXTERNAL', 'EC2'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/containrlab-execution',
  requiresAttributes: [{name: 'com.amazonaws.ecs.capability.privileged-container'}, {name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18'}],
  volumes: [{name: 'docker-sock', host: {sourcePath: '/var/run/docker.sock'}}],
  containerDefinitions: [
    {
      name: 'runnerd',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-runnerd:0.9.0',
      cpu: 0,
      memoryReservation: 512,
      // Bridge networking with no host port: a dynamic port, answered as 0.
      portMappings: [{containerPort: 7070, hostPort: 0, protocol: 'tcp'}],
      essential: true,
      privileged: true,
      environment: [],
      mountPoints: [{sourceVolume: 'docker-sock', containerPath: '/var/run/docker.sock', readOnly: false}],
      volumesFrom: [],
      logConfiguration: {logDriver: 'awslogs', options: {'awslogs-stream-prefix': 'runner', 'awslogs-region': 'us-east-1', 'awslogs-group': '/containrlab/teststack/api'}, secretOptions: []},
      systemControls: [],
    },
  ],
}

/**
 * The console's "JSON" tab of a revision (an EC2 task definition registered
 * with no network mode, cpu or environment): every absent field `null`, the
 * lists the API filled in empty.
 */
const consoleExport = {
  ...answerMeta('be', 3),
  ipcMode: null,
  executionRoleArn: null,
  containerDefinitions: [
    {
      dnsSearchDomains: null,
      logConfiguration: null,
      entryPoint: [],
      portMappings: [{hostPort: 3030, protocol: 'tcp', containerPort: 3030}],
      command: [],
      linuxParameters: null,
      cpu: 0,
      environment: [],
      secrets: null,
      memory: 800,
      memoryReservation: null,
      volumesFrom: [],
      image: 'example/backend',
      healthCheck: null,
      essential: true,
      privileged: null,
      systemControls: null,
      name: 'be',
      mountPoints: [],
    },
  ],
  memory: '1024',
  taskRoleArn: null,
  compatibilities: ['EXTERNAL', 'EC2'],
  requiresAttributes: [],
  requiresCompatibilities: ['EC2'],
  networkMode: 'bridge',
  runtimePlatform: null,
  cpu: '1024',
  volumes: [],
} as unknown as TaskDefinition

const consoleDesired: TaskDefinitionDesired = {
  family: 'be',
  cpu: '1024',
  memory: '1024',
  networkMode: 'bridge',
  requiresCompatibilities: ['EC2'],
  containerDefinitions: [{name: 'be', image: 'example/backend', memory: 800, portMappings: [{containerPort: 3030, hostPort: 3030}]}],
}

const withContainer = (definition: TaskDefinitionDesired, change: Partial<TaskDefinitionDesired['containerDefinitions'][number]>): TaskDefinitionDesired => ({
  ...definition,
  containerDefinitions: [{...definition.containerDefinitions[0]!, ...change}],
})

describe('the task definition normaliser', () => {
  it.each([
    ['the Fargate api: defaults, hostPort = containerPort under awsvpc, environment and secrets in AWS’s order, health check defaults', api, apiAnswer],
    ['the EC2 runner: bridge dynamic port answered as 0, privileged, readOnly false, log options in another order', runner, runnerAnswer],
    ['a console export: nulls, empty command and entryPoint, cpu 0', consoleDesired, consoleExport],
    [
      'a spec that writes the defaults out itself (essential true, protocol tcp, cpu 0, privileged false, empty lists)',
      withContainer(api, {essential: true, cpu: 0, privileged: false, mountPoints: [], environment: [...api.containerDefinitions[0]!.environment!].reverse(), command: []}),
      apiAnswer,
    ],
    ['a health check spelling its defaults out', withContainer(api, {healthCheck: {command: api.containerDefinitions[0]!.healthCheck!.command, interval: 30, timeout: 5, retries: 3, startPeriod: 20}}), apiAnswer],
  ])('sees no change: %s', (_name, desired, answer) => {
    expect(same(desired, answer)).toBe(true)
  })

  it.each([
    ['a new image', withContainer(api, {image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api:1.4.3'}), apiAnswer],
    [
      'an environment value',
      withContainer(api, {
        environment: [
          {name: 'APP_ENV', value: 'staging'},
          {name: 'RUNNER_URL', value: 'http://runner.internal:7070'},
        ],
      }),
      apiAnswer,
    ],
    [
      'a secret from another parameter',
      withContainer(api, {
        secrets: [
          {name: 'DATABASE_URL', valueFrom: ssm('DATABASE_URL_2')},
          {name: 'SESSION_SECRET', valueFrom: ssm('SESSION_SECRET')},
        ],
      }),
      apiAnswer,
    ],
    ['a fixed host port where AWS has a dynamic one', withContainer(runner, {portMappings: [{containerPort: 7070, hostPort: 7070}]}), runnerAnswer],
    ['the socket mounted read-only', withContainer(runner, {mountPoints: [{sourceVolume: 'docker-sock', containerPath: '/var/run/docker.sock', readOnly: true}]}), runnerAnswer],
    ['not privileged any more', withContainer(runner, {privileged: false}), runnerAnswer],
    ['another task size', {...api, memory: '2048'}, apiAnswer],
    ['another architecture', {...api, runtimePlatform: {cpuArchitecture: 'X86_64' as const, operatingSystemFamily: 'LINUX' as const}}, apiAnswer],
    ['a health check interval', withContainer(api, {healthCheck: {command: api.containerDefinitions[0]!.healthCheck!.command, interval: 10, startPeriod: 20}}), apiAnswer],
    ['no task role', {...api, taskRoleArn: undefined}, apiAnswer],
  ])('sees a change: %s', (_name, desired, answer) => {
    expect(same(desired as TaskDefinitionDesired, answer)).toBe(false)
  })

  it('drops what is not the definition (revision, status, requiresAttributes, compatibilities, registeredAt/By)', () => {
    const normalised = taskDefinitionFromAws(apiAnswer) as unknown as Record<string, unknown>
    for (const field of ['revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'taskDefinitionArn', 'placementConstraints']) expect(normalised).not.toHaveProperty(field)
  })
})
