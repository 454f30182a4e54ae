import {AutoScalingServiceException} from '@aws-sdk/client-auto-scaling'
import {beforeEach, describe, expect, it} from 'vitest'
import {VirtualClock} from '../../src/util/clock.js'
import {FakeAutoScaling} from './autoscaling.js'
import {Faults, type FakeEnv, type FakeService} from './core.js'
import {FakeEc2} from './ec2.js'

let clock: VirtualClock
let ec2: FakeEc2
let asg: FakeAutoScaling
let call: (operation: string, input?: unknown) => any
let templateId: string
let subnets: string[]

function handlersOf(...services: FakeService[]) {
  return new Map(services.flatMap((service) => service.handlers()).map((handler) => [handler.operation, handler]))
}

function codeOf(operation: string, input: unknown): string {
  try {
    call(operation, input)
  } catch (error) {
    expect(error).toBeInstanceOf(AutoScalingServiceException)
    return (error as {Code: string}).Code
  }
  throw new Error(`${operation} succeeded, expected an error`)
}

beforeEach(() => {
  clock = new VirtualClock()
  const env: FakeEnv = {clock, faults: new Faults(), region: 'us-east-1', accountId: '123456789012'}
  ec2 = new FakeEc2(env, {instanceRunningMs: 30_000, instanceTerminatedMs: 40_000})
  asg = new FakeAutoScaling(env, {refreshPendingMs: 10_000})
  const handlers = handlersOf(ec2, asg)
  call = (operation, input = {}) => handlers.get(operation)!.handle(input)
  const vpcId = call('CreateVpc', {CidrBlock: '10.0.0.0/16'}).Vpc.VpcId
  subnets = ['10.0.1.0/24', '10.0.2.0/24'].map((cidr, i) => call('CreateSubnet', {VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: `us-east-1${'ab'[i]}`}).Subnet.SubnetId)
  templateId = call('CreateLaunchTemplate', {LaunchTemplateName: 'demo-runner', LaunchTemplateData: {ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.medium'}}).LaunchTemplate.LaunchTemplateId
})

function create(extra: object = {}) {
  call('CreateAutoScalingGroup', {
    AutoScalingGroupName: 'demo-runner',
    LaunchTemplate: {LaunchTemplateId: templateId, Version: '$Default'},
    MinSize: 2,
    MaxSize: 4,
    DesiredCapacity: 2,
    VPCZoneIdentifier: subnets.join(','),
    Tags: [
      {Key: 'containrlab:stack', Value: 'demo', PropagateAtLaunch: false},
      {Key: 'AmazonECSManaged', Value: '', PropagateAtLaunch: true},
    ],
    ...extra,
  })
}

function describeGroup() {
  return call('DescribeAutoScalingGroups', {AutoScalingGroupNames: ['demo-runner']}).AutoScalingGroups[0]
}

function running(): number {
  return asg.instancesOf('demo-runner').filter((instance) => instance.state === 'running').length
}

describe('groups', () => {
  it('launch their desired capacity through EC2, over their subnets, with the propagated tags', () => {
    create()
    expect(describeGroup().Instances.map((instance: {LifecycleState: string}) => instance.LifecycleState)).toEqual(['Pending', 'Pending'])
    clock.advance(30_000)
    expect(describeGroup().Instances.map((instance: {LifecycleState: string}) => instance.LifecycleState)).toEqual(['InService', 'InService'])
    const instances = call('DescribeInstances', {Filters: [{Name: 'tag:aws:autoscaling:groupName', Values: ['demo-runner']}]}).Reservations.flatMap((r: {Instances: object[]}) => r.Instances)
    expect(instances.map((instance: {SubnetId: string}) => instance.SubnetId).sort()).toEqual([...subnets].sort())
    expect(instances[0].Tags).toEqual([
      {Key: 'AmazonECSManaged', Value: ''},
      {Key: 'aws:autoscaling:groupName', Value: 'demo-runner'},
    ])
    expect(codeOf('CreateAutoScalingGroup', {AutoScalingGroupName: 'demo-runner', LaunchTemplate: {LaunchTemplateId: templateId}, MinSize: 1, MaxSize: 1, VPCZoneIdentifier: subnets[0]})).toBe('AlreadyExists')
    expect(call('DescribeAutoScalingGroups', {Filters: [{Name: 'tag:containrlab:stack', Values: ['other']}]}).AutoScalingGroups).toEqual([])
  })

  it('refuse a delete while they have instances unless forced; forced, they go once their instances are terminated', () => {
    create()
    expect(codeOf('DeleteAutoScalingGroup', {AutoScalingGroupName: 'demo-runner'})).toBe('ScalingActivityInProgress')
    clock.advance(30_000)
    expect(codeOf('DeleteAutoScalingGroup', {AutoScalingGroupName: 'demo-runner'})).toBe('ResourceInUse')
    call('DeleteAutoScalingGroup', {AutoScalingGroupName: 'demo-runner', ForceDelete: true})
    expect(describeGroup().Status).toBe('Delete in progress')
    expect(codeOf('UpdateAutoScalingGroup', {AutoScalingGroupName: 'demo-runner', MaxSize: 5})).toBe('ValidationError')
    clock.advance(40_000)
    expect(call('DescribeAutoScalingGroups', {AutoScalingGroupNames: ['demo-runner']}).AutoScalingGroups).toEqual([])
    expect(asg.resourceCount()).toBe(0)
    expect(ec2.resourceCount()).toBe(4) // VPC, 2 subnets, the launch template: no instance left
  })

  it('keep protected instances on scale-in', () => {
    create({NewInstancesProtectedFromScaleIn: true})
    clock.advance(30_000)
    call('UpdateAutoScalingGroup', {AutoScalingGroupName: 'demo-runner', MinSize: 0, DesiredCapacity: 0})
    expect(running()).toBe(2)
  })
})

describe('instance refreshes', () => {
  function newVersion(): void {
    call('CreateLaunchTemplateVersion', {LaunchTemplateId: templateId, LaunchTemplateData: {ImageId: 'ami-0fedcba9876543210', InstanceType: 't3.medium'}})
    call('ModifyLaunchTemplate', {LaunchTemplateId: templateId, DefaultVersion: '2'})
  }

  /** Polls every 5 s until the refresh ends, recording how many instances run at each poll. */
  function follow(refreshId: string): {status: string; running: number[]} {
    const seen: number[] = []
    for (let i = 0; i < 100; i++) {
      const refresh = call('DescribeInstanceRefreshes', {AutoScalingGroupName: 'demo-runner', InstanceRefreshIds: [refreshId]}).InstanceRefreshes[0]
      seen.push(running())
      if (!['Pending', 'InProgress'].includes(refresh.Status)) return {status: refresh.Status, running: seen}
      clock.advance(5_000)
    }
    throw new Error('refresh never ended')
  }

  it('with MinHealthyPercentage 100 / MaxHealthyPercentage 200 launch every replacement before terminating what it replaces', () => {
    create({NewInstancesProtectedFromScaleIn: true})
    clock.advance(30_000)
    const before = asg.instancesOf('demo-runner').map((instance) => instance.id)
    newVersion()
    const id = call('StartInstanceRefresh', {
      AutoScalingGroupName: 'demo-runner',
      Preferences: {MinHealthyPercentage: 100, MaxHealthyPercentage: 200, SkipMatching: true, ScaleInProtectedInstances: 'Refresh'},
    }).InstanceRefreshId
    expect(codeOf('StartInstanceRefresh', {AutoScalingGroupName: 'demo-runner'})).toBe('InstanceRefreshInProgress')

    const {status, running: seen} = follow(id)

    expect(status).toBe('Successful')
    expect(Math.min(...seen)).toBe(2)
    const after = asg.instancesOf('demo-runner').filter((instance) => instance.state === 'running')
    expect(after.map((instance) => instance.version)).toEqual([2, 2])
    expect(after.some((instance) => before.includes(instance.id))).toBe(false)
  })

  it('with the defaults (90 / 100) go below the desired capacity: what the kind avoids', () => {
    create()
    clock.advance(30_000)
    newVersion()
    const id = call('StartInstanceRefresh', {AutoScalingGroupName: 'demo-runner'}).InstanceRefreshId

    const {status, running: seen} = follow(id)

    expect(status).toBe('Successful')
    expect(Math.min(...seen)).toBeLessThan(2)
  })
})

describe('tags', () => {
  it('are created, updated, described and deleted', () => {
    create()
    call('CreateOrUpdateTags', {Tags: [{ResourceId: 'demo-runner', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'a', PropagateAtLaunch: false}]})
    call('CreateOrUpdateTags', {Tags: [{ResourceId: 'demo-runner', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'b', PropagateAtLaunch: false}]})
    expect(call('DescribeTags', {Filters: [{Name: 'key', Values: ['team']}]}).Tags.map((tag: {Value: string}) => tag.Value)).toEqual(['b'])
    call('DeleteTags', {Tags: [{ResourceId: 'demo-runner', ResourceType: 'auto-scaling-group', Key: 'team'}]})
    expect(call('DescribeTags', {Filters: [{Name: 'key', Values: ['team']}]}).Tags).toEqual([])
  })
})
