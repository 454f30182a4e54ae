import {CreateSubnetCommand, CreateVpcCommand, EC2Client, CreateSecurityGroupCommand, RunInstancesCommand, TerminateInstancesCommand} from '@aws-sdk/client-ec2'
import {
  ClientException,
  ClusterContainsServicesException,
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceRequest,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs'
import {CreateRoleCommand, IAMClient} from '@aws-sdk/client-iam'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {VirtualClock} from '../../src/util/clock.js'
import {DEFAULT_IAM_TIMINGS} from './iam.js'
import {FakeCloud} from './index.js'

/** The fake ECS through the real SDK client: AWS's defaults, errors, and deployments on the fake's clock. */

let clock: VirtualClock
let cloud: FakeCloud
let ecs: ECSClient
let subnets: string[]
let groupId: string

const container = {name: 'api', image: 'repo/api:1', portMappings: [{containerPort: 8080}]}
const fargate = {family: 'api', cpu: '256', memory: '512', networkMode: 'awsvpc' as const, requiresCompatibilities: ['FARGATE' as const], containerDefinitions: [container]}

/** A fresh fake cloud with a VPC, a subnet, a group and the `demo` cluster. */
async function setUp(options: ConstructorParameters<typeof FakeCloud>[0] = {}): Promise<void> {
  clock = new VirtualClock()
  cloud = new FakeCloud({clock, ...options}).install()
  ecs = new ECSClient({region: 'us-east-1'})
  const ec2 = new EC2Client({region: 'us-east-1'})
  const vpcId = (await ec2.send(new CreateVpcCommand({CidrBlock: '10.0.0.0/16'}))).Vpc!.VpcId!
  subnets = [(await ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a'}))).Subnet!.SubnetId!]
  groupId = (await ec2.send(new CreateSecurityGroupCommand({VpcId: vpcId, GroupName: 'api', Description: 'api'}))).GroupId!
  await ecs.send(new CreateClusterCommand({clusterName: 'demo'}))
}

beforeEach(() => setUp())

afterEach(() => {
  cloud.restore()
})

function serviceInput(taskDefinition: string, overrides: Partial<CreateServiceRequest> = {}): CreateServiceRequest {
  return {
    cluster: 'demo',
    serviceName: 'api',
    taskDefinition,
    desiredCount: 1,
    launchType: 'FARGATE',
    networkConfiguration: {awsvpcConfiguration: {subnets, securityGroups: [groupId]}},
    deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}, minimumHealthyPercent: 100, maximumPercent: 200},
    clientToken: 'token-1',
    ...overrides,
  }
}

describe('task definitions', () => {
  it("are answered with AWS's defaults filled in and revisions counted per family", async () => {
    await ecs.send(new RegisterTaskDefinitionCommand(fargate))
    const second = (await ecs.send(new RegisterTaskDefinitionCommand(fargate))).taskDefinition!

    expect(second).toMatchObject({taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:2', revision: 2, status: 'ACTIVE', compatibilities: ['EC2', 'FARGATE']})
    expect(second.containerDefinitions![0]).toEqual({
      name: 'api',
      image: 'repo/api:1',
      cpu: 0,
      essential: true,
      portMappings: [{containerPort: 8080, hostPort: 8080, protocol: 'tcp'}],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    })
    expect((await ecs.send(new DescribeTaskDefinitionCommand({taskDefinition: 'api'}))).taskDefinition!.revision).toBe(2)
  })

  it('refuses a Fargate size that does not exist, and describes a family with no ACTIVE revision as unknown', async () => {
    await expect(ecs.send(new RegisterTaskDefinitionCommand({...fargate, memory: '8192'}))).rejects.toThrow(ClientException)
    await ecs.send(new RegisterTaskDefinitionCommand(fargate))
    await ecs.send(new DeregisterTaskDefinitionCommand({taskDefinition: 'api:1'}))

    await expect(ecs.send(new DescribeTaskDefinitionCommand({taskDefinition: 'api'}))).rejects.toThrow('Unable to describe task definition.')
  })

  it('refuses an execution role IAM has not propagated yet ("Role is not valid"), and takes it once it has', async () => {
    await new IAMClient({region: 'us-east-1'}).send(
      new CreateRoleCommand({
        RoleName: 'api-execution',
        AssumeRolePolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]}),
      }),
    )
    const withRole = {...fargate, executionRoleArn: 'arn:aws:iam::123456789012:role/api-execution'}
    await expect(ecs.send(new RegisterTaskDefinitionCommand(withRole))).rejects.toThrow('Role is not valid')
    clock.advance(DEFAULT_IAM_TIMINGS.propagationMs)
    expect((await ecs.send(new RegisterTaskDefinitionCommand(withRole))).taskDefinition!.executionRoleArn).toBe(withRole.executionRoleArn)
  })

  it('deletes INACTIVE revisions only; an ACTIVE one comes back in failures', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand(fargate))
    await ecs.send(new RegisterTaskDefinitionCommand(fargate))
    await ecs.send(new DeregisterTaskDefinitionCommand({taskDefinition: 'api:1'}))

    const answer = await ecs.send(new DeleteTaskDefinitionsCommand({taskDefinitions: ['api:1', 'api:2']}))

    expect(answer.taskDefinitions!.map((definition) => [definition.revision, definition.status])).toEqual([[1, 'DELETE_IN_PROGRESS']])
    expect(answer.failures!.map((failure) => failure.arn)).toEqual(['api:2'])
  })
})

describe('services', () => {
  it('create idempotently by client token, and refuse the name with another token', async () => {
    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(fargate))).taskDefinition!.taskDefinitionArn!
    const first = (await ecs.send(new CreateServiceCommand(serviceInput(arn)))).service!

    expect((await ecs.send(new CreateServiceCommand(serviceInput(arn)))).service!.serviceArn).toBe(first.serviceArn)
    const refused = await ecs.send(new CreateServiceCommand(serviceInput(arn, {clientToken: 'token-2'}))).catch((caught: unknown) => caught)
    expect(refused).toBeInstanceOf(InvalidParameterException)
    expect((refused as Error).message).toBe('Creation of service was not idempotent.')
  })

  it('start tasks PROVISIONING → PENDING → RUNNING with an interface each, and complete the rollout', async () => {
    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(fargate))).taskDefinition!.taskDefinitionArn!
    await ecs.send(new CreateServiceCommand(serviceInput(arn, {desiredCount: 2})))
    const taskArns = (await ecs.send(new ListTasksCommand({cluster: 'demo', serviceName: 'api'}))).taskArns!
    const statuses = async () => (await ecs.send(new DescribeTasksCommand({cluster: 'demo', tasks: taskArns}))).tasks!.map((task) => task.lastStatus)

    expect(await statuses()).toEqual(['PROVISIONING', 'PROVISIONING'])
    clock.advance(10_000)
    expect(await statuses()).toEqual(['PENDING', 'PENDING'])
    clock.advance(20_000)
    expect(await statuses()).toEqual(['RUNNING', 'RUNNING'])
    const service = (await ecs.send(new DescribeServicesCommand({cluster: 'demo', services: ['api']}))).services![0]!
    expect(service.deployments!.map((deployment) => deployment.rolloutState)).toEqual(['COMPLETED'])
    expect(service.events!.map((event) => event.message)).toEqual([
      '(service api) has reached a steady state.',
      expect.stringMatching(/^\(service api\) \(deployment ecs-svc\/\d{19}\) deployment completed\.$/),
      expect.stringMatching(/^\(service api\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/),
    ])
    expect((cloud.ec2.snapshot() as {networkInterfaces: unknown[]}).networkInterfaces).toHaveLength(2)
  })

  it('mark a first deployment FAILED after 3 failed tasks (the circuit breaker’s minimum), with nothing to roll back to', async () => {
    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(fargate))).taskDefinition!.taskDefinitionArn!
    cloud.ecs.failTasks({taskDefinitionArn: arn}, 'Essential container in task exited', 'Exit code 1')
    await ecs.send(new CreateServiceCommand(serviceInput(arn)))

    for (let i = 0; i < 3; i++) {
      clock.advance(30_000)
      await ecs.send(new DescribeServicesCommand({cluster: 'demo', services: ['api']}))
    }
    const service = (await ecs.send(new DescribeServicesCommand({cluster: 'demo', services: ['api']}))).services![0]!

    expect(service.deployments).toEqual([expect.objectContaining({status: 'PRIMARY', rolloutState: 'FAILED', failedTasks: 3})])
    const stopped = (await ecs.send(new ListTasksCommand({cluster: 'demo', serviceName: 'api', desiredStatus: 'STOPPED'}))).taskArns!
    const tasks = (await ecs.send(new DescribeTasksCommand({cluster: 'demo', tasks: stopped}))).tasks!
    expect(tasks[0]).toMatchObject({stoppedReason: 'Essential container in task exited', containers: [{name: 'api', reason: 'Exit code 1'}]})
  })

  it('refuse a delete while scaled above 0 unless forced; the cluster refuses while the service is in it', async () => {
    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(fargate))).taskDefinition!.taskDefinitionArn!
    await ecs.send(new CreateServiceCommand(serviceInput(arn)))

    await expect(ecs.send(new DeleteServiceCommand({cluster: 'demo', service: 'api'}))).rejects.toThrow('The service cannot be stopped while it is scaled above 0.')
    await ecs.send(new DeleteServiceCommand({cluster: 'demo', service: 'api', force: true}))
    await expect(ecs.send(new DeleteClusterCommand({cluster: 'demo'}))).rejects.toThrow(ClusterContainsServicesException)

    clock.advance(30_000)
    await ecs.send(new DescribeServicesCommand({cluster: 'demo', services: ['api']}))
    expect((await ecs.send(new DescribeServicesCommand({cluster: 'demo', services: ['api']}))).services![0]!.status).toBe('INACTIVE')
    await ecs.send(new DeleteClusterCommand({cluster: 'demo'}))
    expect(cloud.ecs.resourceCount()).toBe(1) // the task definition revision
  })

  it('behind a load balancer: complete once the tasks pass the health checks, and drain them for the deregistration delay on delete', async () => {
    cloud.restore()
    await setUp({ecsTimings: {targetHealthyMs: 150_000, deregistrationDelayMs: 300_000}})
    const arn = (await ecs.send(new RegisterTaskDefinitionCommand(fargate))).taskDefinition!.taskDefinitionArn!
    const targetGroupArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef'
    await ecs.send(new CreateServiceCommand(serviceInput(arn, {loadBalancers: [{targetGroupArn, containerName: 'api', containerPort: 8080}]})))
    const describe = async () => (await ecs.send(new DescribeServicesCommand({cluster: 'demo', services: ['api']}))).services![0]!
    const taskArns = (await ecs.send(new ListTasksCommand({cluster: 'demo', serviceName: 'api'}))).taskArns!
    const status = async () => (await ecs.send(new DescribeTasksCommand({cluster: 'demo', tasks: taskArns}))).tasks![0]!.lastStatus
    const interfaces = () => (cloud.ec2.snapshot() as {networkInterfaces: unknown[]}).networkInterfaces.length

    clock.advance(30_000) // provisioned and pulled: RUNNING, health checks under way
    expect(await status()).toBe('RUNNING')
    expect((await describe()).deployments!.map((deployment) => deployment.rolloutState)).toEqual(['IN_PROGRESS'])
    clock.advance(150_000)
    expect((await describe()).deployments!.map((deployment) => deployment.rolloutState)).toEqual(['COMPLETED'])

    await ecs.send(new DeleteServiceCommand({cluster: 'demo', service: 'api', force: true}))
    clock.advance(299_000)
    expect([await status(), (await describe()).status, interfaces()]).toEqual(['DEACTIVATING', 'DRAINING', 1])
    clock.advance(1_000)
    expect(await status()).toBe('DEPROVISIONING')
    clock.advance(30_000)
    expect([await status(), (await describe()).status, interfaces()]).toEqual(['STOPPED', 'INACTIVE', 0])
  })
})

describe('container instances', () => {
  const joining = (cluster: string) => Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`).toString('base64')
  const ec2 = () => new EC2Client({region: 'us-east-1'})
  const launch = async (userData?: string) =>
    (await ec2().send(new RunInstancesCommand({ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, SubnetId: subnets[0], ...(userData ? {UserData: userData} : {})}))).Instances![0]!
      .InstanceId!
  const listed = async () => (await ecs.send(new ListContainerInstancesCommand({cluster: 'runner'}))).containerInstanceArns!
  const described = async (arns: string[]) => await ecs.send(new DescribeContainerInstancesCommand({cluster: 'runner', containerInstances: arns}))

  it('are the instances whose user data joins the cluster, registered once running, with the agent’s CPU and memory; tasks take their share', async () => {
    await ecs.send(new CreateClusterCommand({clusterName: 'runner'}))
    const instanceId = await launch(joining('runner'))
    await launch(joining('other'))
    await launch()
    expect(await listed()).toEqual([])

    clock.advance(30_000)
    const arns = await listed()
    expect(arns).toEqual([expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:container-instance\/runner\/[0-9a-f]{32}$/)])
    expect((await ecs.send(new DescribeClustersCommand({clusters: ['runner']}))).clusters![0]!.registeredContainerInstancesCount).toBe(1)
    const registered = (await described(arns)).containerInstances![0]!
    expect(registered).toMatchObject({containerInstanceArn: arns[0], ec2InstanceId: instanceId, status: 'ACTIVE', agentConnected: true, runningTasksCount: 0, pendingTasksCount: 0})
    const amounts = (resources: typeof registered.registeredResources) => Object.fromEntries(resources!.filter((r) => r.type === 'INTEGER').map((r) => [r.name, r.integerValue]))
    expect(amounts(registered.registeredResources)).toEqual({CPU: 2048, MEMORY: 3904})

    const definition = (
      await ecs.send(new RegisterTaskDefinitionCommand({family: 'runner', cpu: '1024', memory: '2048', requiresCompatibilities: ['EC2'], containerDefinitions: [{name: 'runner', image: 'repo/runner:1'}]}))
    ).taskDefinition!
    await ecs.send(new CreateServiceCommand({cluster: 'runner', serviceName: 'runner', taskDefinition: definition.taskDefinitionArn, desiredCount: 1, launchType: 'EC2'}))
    clock.advance(30_000)
    const busy = (await described(arns)).containerInstances![0]!
    expect(busy).toMatchObject({runningTasksCount: 1, pendingTasksCount: 0})
    expect(amounts(busy.remainingResources)).toEqual({CPU: 1024, MEMORY: 1856})
    expect(amounts(busy.registeredResources)).toEqual({CPU: 2048, MEMORY: 3904})
  })

  it('lose their agent while the instance shuts down and are gone once it is terminated; unknown ones are failures', async () => {
    await ecs.send(new CreateClusterCommand({clusterName: 'runner'}))
    const instanceId = await launch(joining('runner'))
    clock.advance(30_000)
    const arns = await listed()

    await ec2().send(new TerminateInstancesCommand({InstanceIds: [instanceId]}))
    expect((await described(arns)).containerInstances![0]!.agentConnected).toBe(false)
    clock.advance(60_000)
    expect(await listed()).toEqual([])
    expect((await described(arns)).failures).toEqual([{arn: arns[0], reason: 'MISSING'}])
    await expect(ecs.send(new ListContainerInstancesCommand({cluster: 'runner', maxResults: 101}))).rejects.toThrow(InvalidParameterException)
    await expect(ecs.send(new ListTasksCommand({cluster: 'runner', maxResults: 0}))).rejects.toThrow(InvalidParameterException)
  })
})
