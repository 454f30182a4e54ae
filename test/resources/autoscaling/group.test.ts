import {
  AlreadyExistsFault,
  AutoScalingClient,
  AutoScalingServiceException,
  CreateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  InstanceRefreshInProgressFault,
  ResourceInUseFault,
  ScalingActivityInProgressFault,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import type {AutoScalingGroupDesired} from '../../../src/resources/autoscaling/desired.js'
import {autoScalingGroup, diffAutoScalingGroup, REFRESH_PREFERENCES, type AutoScalingGroupObserved} from '../../../src/resources/autoscaling/group.js'
import {registry} from '../../../src/resources/registry.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const asg = mockClient(AutoScalingClient)

function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
  return asg.commandCalls(command as any).map((call) => call.args[0].input as Input)
}

function sent(): string[] {
  return asg.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
}

function validation(message: string): AutoScalingServiceException {
  return Object.assign(new AutoScalingServiceException({name: 'ValidationError', $fault: 'client', $metadata: {}, message}), {Code: 'ValidationError'})
}

const meta = {logicalId: 'autoscaling-group/runner', token: 'c'.repeat(32), tags: ownershipTags('autoscaling-group/runner')}

const desired: AutoScalingGroupDesired = {
  name: 'teststack-runner',
  launchTemplate: {id: 'lt-1', version: '1'},
  minSize: 2,
  maxSize: 10,
  desiredCapacity: 2,
  subnetIds: ['subnet-a', 'subnet-b'],
  newInstancesProtectedFromScaleIn: true,
  tags: [{key: 'AmazonECSManaged', value: '', propagateAtLaunch: true}],
}

function tagsOf(stack = 'teststack') {
  return [
    ...ownershipTags('autoscaling-group/runner', stack).map((tag) => ({ResourceId: 'teststack-runner', ResourceType: 'auto-scaling-group', Key: tag.Key, Value: tag.Value, PropagateAtLaunch: false})),
    {ResourceId: 'teststack-runner', ResourceType: 'auto-scaling-group', Key: 'Name', Value: 'teststack-runner', PropagateAtLaunch: true},
    {ResourceId: 'teststack-runner', ResourceType: 'auto-scaling-group', Key: 'AmazonECSManaged', Value: '', PropagateAtLaunch: true},
  ]
}

function group(extra: Partial<AutoScalingGroup> = {}): AutoScalingGroup {
  return {
    AutoScalingGroupName: 'teststack-runner',
    AutoScalingGroupARN: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/teststack-runner',
    LaunchTemplate: {LaunchTemplateId: 'lt-1', Version: '1'},
    MinSize: 2,
    MaxSize: 10,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: [],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(0),
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    NewInstancesProtectedFromScaleIn: true,
    Instances: [
      {InstanceId: 'i-1', LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: true},
      {InstanceId: 'i-2', LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1b', ProtectedFromScaleIn: true},
    ],
    Tags: tagsOf(),
    ...extra,
  }
}

const observed: AutoScalingGroupObserved = {
  id: 'teststack-runner',
  logicalId: 'autoscaling-group/runner',
  stack: 'teststack',
  name: 'teststack-runner',
  arn: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/teststack-runner',
  launchTemplate: {id: 'lt-1', version: '1'},
  minSize: 2,
  maxSize: 10,
  desiredCapacity: 2,
  subnetIds: ['subnet-a', 'subnet-b'],
  newInstancesProtectedFromScaleIn: true,
  tags: [{key: 'AmazonECSManaged', value: '', propagateAtLaunch: true}],
  inService: 2,
  instances: 2,
}

beforeEach(() => {
  asg.reset()
})

describe('diffAutoScalingGroup', () => {
  it.each([
    ['nothing (subnet order ignored)', {subnetIds: ['subnet-b', 'subnet-a']}, []],
    ['a new template version', {launchTemplate: {id: 'lt-1', version: '2'}}, [{field: 'launchTemplate', before: {id: 'lt-1', version: '1'}, after: {id: 'lt-1', version: '2'}, replace: false}]],
    [
      'the sizes',
      {minSize: 1, maxSize: 4},
      [
        {field: 'minSize', before: 2, after: 1, replace: false},
        {field: 'maxSize', before: 10, after: 4, replace: false},
      ],
    ],
    ['no desired capacity: a capacity provider scales it, never diffed', {desiredCapacity: undefined}, []],
    ['a desired capacity', {desiredCapacity: 3}, [{field: 'desiredCapacity', before: 2, after: 3, replace: false}]],
    ['scale-in protection', {newInstancesProtectedFromScaleIn: false}, [{field: 'newInstancesProtectedFromScaleIn', before: true, after: false, replace: false}]],
    ['the tags', {tags: []}, [{field: 'tags', before: observed.tags, after: [], replace: false}]],
    ['the name: a replacement', {name: 'teststack-other'}, [{field: 'name', before: 'teststack-runner', after: 'teststack-other', replace: true}]],
  ])('%s', (_what, change, expected) => {
    expect(diffAutoScalingGroup({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('autoScalingGroup.read and find', () => {
  it('reads by name, leaving out the ownership tags and a group being deleted', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({AutoScalingGroups: [group(), group({AutoScalingGroupName: 'teststack-old', Status: 'Delete in progress'})]})

    const found = await autoScalingGroup.read(testContext(), ['teststack-runner', 'teststack-old'])

    expect([...found.values()]).toEqual([observed])
    expect(inputs(DescribeAutoScalingGroupsCommand)).toEqual([{AutoScalingGroupNames: ['teststack-runner', 'teststack-old']}])
  })

  it("finds by the stack tag and drops another stack's group whatever the filter returned", async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({AutoScalingGroups: [group(), group({AutoScalingGroupName: 'other', Tags: tagsOf('otherstack')})]})

    const found = await autoScalingGroup.find(testContext(), findQuery)

    expect(found.map((one) => one.name)).toEqual(['teststack-runner'])
    expect(inputs(DescribeAutoScalingGroupsCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
  })
})

describe('autoScalingGroup.create', () => {
  it('sends the group with the ownership tags on the group only, then reads it back', async () => {
    asg.on(CreateAutoScalingGroupCommand).resolves({})
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({AutoScalingGroups: []})
      .resolves({AutoScalingGroups: [group()]})

    const created = await autoScalingGroup.create(testContext(), desired, meta)

    expect(inputs(CreateAutoScalingGroupCommand)).toEqual([
      {
        AutoScalingGroupName: 'teststack-runner',
        LaunchTemplate: {LaunchTemplateId: 'lt-1', Version: '1'},
        MinSize: 2,
        MaxSize: 10,
        DesiredCapacity: 2,
        VPCZoneIdentifier: 'subnet-a,subnet-b',
        NewInstancesProtectedFromScaleIn: true,
        Tags: tagsOf(),
      },
    ])
    expect(created).toEqual(observed)
  })

  it("takes the group an earlier attempt made (AlreadyExists, our tags) and refuses someone else's", async () => {
    asg.on(CreateAutoScalingGroupCommand).rejects(new AlreadyExistsFault({$metadata: {}, message: 'exists'}))
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({AutoScalingGroups: [group()]})
      .resolves({AutoScalingGroups: [group({Tags: tagsOf('otherstack')})]})

    expect((await autoScalingGroup.create(testContext(), desired, meta)).id).toBe('teststack-runner')
    await expect(autoScalingGroup.create(testContext(), desired, meta)).rejects.toThrow('an Auto Scaling group named teststack-runner exists already and is not this stack')
  })
})

describe('autoScalingGroup.update', () => {
  it('moves to the new template version and rolls the instances with a refresh that keeps capacity', async () => {
    asg.on(UpdateAutoScalingGroupCommand).resolves({})
    asg.on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner'}).resolves({InstanceRefreshes: [{InstanceRefreshId: 'old', Status: 'Successful'}]})
    asg.on(StartInstanceRefreshCommand).resolves({InstanceRefreshId: 'refresh-1'})
    asg
      .on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner', InstanceRefreshIds: ['refresh-1']})
      .resolvesOnce({InstanceRefreshes: [{InstanceRefreshId: 'refresh-1', Status: 'Pending'}]})
      .resolvesOnce({InstanceRefreshes: [{InstanceRefreshId: 'refresh-1', Status: 'InProgress', PercentageComplete: 50, InstancesToUpdate: 1}]})
      .resolves({InstanceRefreshes: [{InstanceRefreshId: 'refresh-1', Status: 'Successful', PercentageComplete: 100}]})
    asg.on(DescribeAutoScalingGroupsCommand).resolves({AutoScalingGroups: [group({LaunchTemplate: {LaunchTemplateId: 'lt-1', Version: '2'}})]})
    const next = {...desired, launchTemplate: {id: 'lt-1', version: '2'}}
    const ctx = testContext()

    const updated = await autoScalingGroup.update(ctx, next, observed, diffAutoScalingGroup(next, observed))

    expect(inputs(UpdateAutoScalingGroupCommand)).toEqual([{AutoScalingGroupName: 'teststack-runner', LaunchTemplate: {LaunchTemplateId: 'lt-1', Version: '2'}}])
    expect(inputs(StartInstanceRefreshCommand)).toEqual([{AutoScalingGroupName: 'teststack-runner', Strategy: 'Rolling', Preferences: REFRESH_PREFERENCES}])
    expect(REFRESH_PREFERENCES).toMatchObject({MinHealthyPercentage: 100, MaxHealthyPercentage: 200, ScaleInProtectedInstances: 'Refresh'})
    expect(ctx.messages).toEqual([
      'waiting for instance refresh refresh-1 of teststack-runner: Pending 0%, 0 to replace, 0s',
      'waiting for instance refresh refresh-1 of teststack-runner: InProgress 50%, 1 to replace, 5s',
    ])
    expect(updated.launchTemplate.version).toBe('2')
  })

  it('waits for a refresh an earlier run left running before starting its own', async () => {
    asg.on(UpdateAutoScalingGroupCommand).resolves({})
    asg.on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner'}).resolves({InstanceRefreshes: [{InstanceRefreshId: 'earlier', Status: 'InProgress'}]})
    asg.on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner', InstanceRefreshIds: ['earlier']}).resolves({InstanceRefreshes: [{InstanceRefreshId: 'earlier', Status: 'Successful'}]})
    asg.on(StartInstanceRefreshCommand).resolves({InstanceRefreshId: 'mine'})
    asg.on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner', InstanceRefreshIds: ['mine']}).resolves({InstanceRefreshes: [{InstanceRefreshId: 'mine', Status: 'Successful'}]})
    asg.on(DescribeAutoScalingGroupsCommand).resolves({AutoScalingGroups: [group()]})
    const next = {...desired, launchTemplate: {id: 'lt-1', version: '2'}}

    await autoScalingGroup.update(testContext(), next, observed, diffAutoScalingGroup(next, observed))

    expect(sent()).toEqual(['UpdateAutoScalingGroup', 'DescribeInstanceRefreshes', 'DescribeInstanceRefreshes', 'StartInstanceRefresh', 'DescribeInstanceRefreshes', 'DescribeAutoScalingGroups'])
  })

  it('fails when the refresh fails, with AWS’s reason', async () => {
    asg.on(UpdateAutoScalingGroupCommand).resolves({})
    asg.on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner'}).resolves({InstanceRefreshes: []})
    asg.on(StartInstanceRefreshCommand).resolves({InstanceRefreshId: 'refresh-1'})
    asg.on(DescribeInstanceRefreshesCommand, {AutoScalingGroupName: 'teststack-runner', InstanceRefreshIds: ['refresh-1']}).resolves({InstanceRefreshes: [{Status: 'Failed', StatusReason: 'instances failed to launch'}]})
    const next = {...desired, launchTemplate: {id: 'lt-1', version: '2'}}

    await expect(autoScalingGroup.update(testContext(), next, observed, diffAutoScalingGroup(next, observed))).rejects.toThrow('Failed: instances failed to launch')
  })

  it('changes sizes and tags without a refresh', async () => {
    asg.on(UpdateAutoScalingGroupCommand).resolves({})
    asg.on(CreateOrUpdateTagsCommand).resolves({})
    asg.on(DeleteTagsCommand).resolves({})
    asg.on(DescribeAutoScalingGroupsCommand).resolves({AutoScalingGroups: [group()]})
    const next = {...desired, maxSize: 4, tags: [{key: 'team', value: 'runner', propagateAtLaunch: false}]}

    await autoScalingGroup.update(testContext(), next, observed, diffAutoScalingGroup(next, observed))

    expect(inputs(UpdateAutoScalingGroupCommand)).toEqual([{AutoScalingGroupName: 'teststack-runner', MaxSize: 4}])
    expect(inputs(CreateOrUpdateTagsCommand)).toEqual([{Tags: [{ResourceId: 'teststack-runner', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'runner', PropagateAtLaunch: false}]}])
    expect(inputs(DeleteTagsCommand)).toEqual([{Tags: [{ResourceId: 'teststack-runner', ResourceType: 'auto-scaling-group', Key: 'AmazonECSManaged', Value: '', PropagateAtLaunch: true}]}])
    expect(inputs(StartInstanceRefreshCommand)).toEqual([])
  })
})

describe('autoScalingGroup.delete', () => {
  it('force-deletes and waits until the group (and its instances) are gone', async () => {
    asg.on(DeleteAutoScalingGroupCommand).resolves({})
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({AutoScalingGroups: [group({Status: 'Delete in progress'})]})
      .resolves({AutoScalingGroups: []})
    const ctx = testContext()

    await autoScalingGroup.delete(ctx, observed, keepData)

    expect(inputs(DeleteAutoScalingGroupCommand)).toEqual([{AutoScalingGroupName: 'teststack-runner', ForceDelete: true}])
    expect(ctx.messages).toEqual(['waiting for teststack-runner and its instances to be deleted: Delete in progress, 2 instances, 0s'])
  })

  it('counts a group already gone as deleted, and waits for a delete already under way', async () => {
    asg.on(DeleteAutoScalingGroupCommand).rejectsOnce(validation('AutoScalingGroup name not found - AutoScalingGroup teststack-runner not found'))
    await autoScalingGroup.delete(testContext(), observed, keepData)
    expect(inputs(DescribeAutoScalingGroupsCommand)).toEqual([])

    asg.on(DeleteAutoScalingGroupCommand).rejects(new ScalingActivityInProgressFault({$metadata: {}, message: 'being deleted'}))
    asg.on(DescribeAutoScalingGroupsCommand).resolves({AutoScalingGroups: []})
    await autoScalingGroup.delete(testContext(), observed, keepData)
    expect(inputs(DescribeAutoScalingGroupsCommand)).toHaveLength(1)
  })
})

describe('autoScalingGroup health and statusDetails', () => {
  it('says how many instances are in service of those desired, and gives the counts as fields with no call', async () => {
    const scaling = {...observed, desiredCapacity: 3, instances: 3}
    expect(autoScalingGroup.health!(scaling)).toEqual({state: 'scaling', ready: false, detail: '2/3 instances in service'})

    const details = await autoScalingGroup.statusDetails!(testContext(), [scaling])

    expect(details.get('teststack-runner')).toEqual({fields: {desired: 3, inService: 2, instances: 3, min: 2, max: 10}, lines: []})
    expect(sent()).toEqual([])
  })
})

describe('autoScalingGroup.classifyError and the registry', () => {
  it.each([
    ['ResourceInUse', Object.assign(new ResourceInUseFault({$metadata: {}, message: 'x'}), {Code: 'ResourceInUse'}), 'in-use'],
    ['ScalingActivityInProgress (modeled class only)', new ScalingActivityInProgressFault({$metadata: {}, message: 'x'}), 'in-use'],
    ['InstanceRefreshInProgress', new InstanceRefreshInProgressFault({$metadata: {}, message: 'x'}), 'retryable'],
    ['a group not found', validation('AutoScalingGroup name not found - AutoScalingGroup x not found'), 'not-found'],
    ['a launch template not visible yet', validation('You must use a valid fully-formed launch template. The specified launch template, with template ID lt-1, does not exist.'), 'not-yet-visible'],
    ['another validation error', validation('Max bound, 1, must be greater than or equal to min bound, 2'), undefined],
    ['a plain error', new Error('plain'), undefined],
  ])('%s', (_what, error, expected) => {
    expect(autoScalingGroup.classifyError(error)).toBe(expected)
  })

  it('is registered', async () => {
    expect(await registry.get('autoscaling.group')).toBe(autoScalingGroup)
  })
})
