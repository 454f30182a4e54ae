import {DescribeInstanceAttributeCommand, DescribeInstancesCommand, ModifyInstanceAttributeCommand, RunInstancesCommand, TerminateInstancesCommand, type Instance} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {InstanceDesired} from '../../../src/resources/ec2/desired.js'
import {diffInstance, instance, type InstanceObserved} from '../../../src/resources/ec2/instance.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const {ec2, inputs} = ec2Mock()

const tags = ownershipTags('instance/runner')
const USER_DATA = '#!/bin/bash\necho ECS_CLUSTER=teststack-runner >> /etc/ecs/ecs.config\n'
const PROFILE = 'arn:aws:iam::123456789012:instance-profile/teststack-runner'

const desired: InstanceDesired = {
  name: 'teststack-runner',
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.medium',
  subnetId: 'subnet-1',
  securityGroupIds: ['sg-1'],
  instanceProfileArn: PROFILE,
  userData: USER_DATA,
  metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2},
}

function described(id: string, state: string, extra: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    State: {Name: state as 'running'},
    ImageId: 'ami-0123456789abcdef0',
    InstanceType: 't3.medium',
    SubnetId: 'subnet-1',
    SecurityGroups: [{GroupId: 'sg-1'}],
    IamInstanceProfile: {Arn: PROFILE},
    MetadataOptions: {HttpTokens: 'required', HttpPutResponseHopLimit: 2},
    PrivateIpAddress: '10.0.1.10',
    Tags: tags,
    ...extra,
  }
}

const observed: InstanceObserved = {
  id: 'i-1',
  logicalId: 'instance/runner',
  stack: 'teststack',
  state: 'running',
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.medium',
  subnetId: 'subnet-1',
  securityGroupIds: ['sg-1'],
  instanceProfileArn: PROFILE,
  userData: USER_DATA,
  metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2},
  privateIp: '10.0.1.10',
}

beforeEach(() => {
  ec2.reset()
})

describe('diffInstance', () => {
  it.each([
    ['nothing', {}, []],
    ['the AMI: replaced', {imageId: 'ami-0fedcba9876543210'}, [{field: 'imageId', before: 'ami-0123456789abcdef0', after: 'ami-0fedcba9876543210', replace: true}]],
    ['the type: replaced', {instanceType: 't3.large'}, [{field: 'instanceType', before: 't3.medium', after: 't3.large', replace: true}]],
    ['the user data: replaced', {userData: 'echo hi'}, [{field: 'userData', before: USER_DATA, after: 'echo hi', replace: true}]],
    ['the subnet: replaced', {subnetId: 'subnet-2'}, [{field: 'subnetId', before: 'subnet-1', after: 'subnet-2', replace: true}]],
    ['the groups: in place', {securityGroupIds: ['sg-1', 'sg-2']}, [{field: 'securityGroupIds', before: ['sg-1'], after: ['sg-1', 'sg-2'], replace: false}]],
  ])('%s', (_what, change, expected) => {
    expect(diffInstance({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('instance.read and find', () => {
  it('reads by the instance-id filter, adds the user data and leaves shutting-down and terminated instances out', async () => {
    ec2.on(DescribeInstancesCommand).resolves({Reservations: [{Instances: [described('i-1', 'running'), described('i-2', 'terminated'), described('i-3', 'shutting-down')]}]})
    ec2.on(DescribeInstanceAttributeCommand).resolves({UserData: {Value: Buffer.from(USER_DATA).toString('base64')}})

    const found = await instance.read(testContext(), ['i-1', 'i-2', 'i-3'])

    expect(inputs(DescribeInstancesCommand)[0]).toEqual({Filters: [{Name: 'instance-id', Values: ['i-1', 'i-2', 'i-3']}]})
    expect([...found.values()]).toEqual([observed])
    expect(inputs(DescribeInstanceAttributeCommand)).toEqual([{InstanceId: 'i-1', Attribute: 'userData'}])
  })

  it('finds by the stack tag and keeps only what is ours', async () => {
    ec2.on(DescribeInstancesCommand).resolves({Reservations: [{Instances: [described('i-1', 'running'), described('i-9', 'running', {Tags: ownershipTags('instance/runner', 'otherstack')})]}]})
    ec2.on(DescribeInstanceAttributeCommand).resolves({UserData: {}})

    expect((await instance.find(testContext(), findQuery)).map((found) => found.id)).toEqual(['i-1'])
  })
})

describe('instance.create', () => {
  it('runs one instance with the token, IMDSv2, base64 user data and the tags', async () => {
    ec2.on(RunInstancesCommand).resolves({Instances: [described('i-1', 'pending')]})

    const created = await instance.create(testContext(), desired, {logicalId: 'instance/runner', token: 'b'.repeat(32), tags})

    expect(inputs(RunInstancesCommand)).toEqual([
      {
        ImageId: 'ami-0123456789abcdef0',
        InstanceType: 't3.medium',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-1',
        SecurityGroupIds: ['sg-1'],
        IamInstanceProfile: {Arn: PROFILE},
        UserData: Buffer.from(USER_DATA).toString('base64'),
        MetadataOptions: {HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2},
        ClientToken: 'b'.repeat(32),
        TagSpecifications: [
          {ResourceType: 'instance', Tags: [...tags, {Key: 'Name', Value: 'teststack-runner'}]},
          {ResourceType: 'volume', Tags: [{Key: 'Name', Value: 'teststack-runner'}]},
        ],
      },
    ])
    expect(created).toMatchObject({id: 'i-1', state: 'pending', logicalId: 'instance/runner', userData: USER_DATA})
  })

  it('classifies an instance profile not yet visible to EC2 as not-yet-visible, other parameter errors not', () => {
    const profile = awsError('InvalidParameterValue', `Value (${PROFILE}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`)
    expect(instance.classifyError(profile)).toBe('not-yet-visible')
    expect(instance.classifyError(awsError('InvalidParameterValue', 'Value (t9.huge) for parameter instanceType is invalid.'))).toBeUndefined()
    expect(instance.classifyError(awsError('InvalidInstanceID.NotFound'))).toBe('not-found')
  })
})

describe('instance.update', () => {
  it('changes the security groups in place', async () => {
    ec2.on(ModifyInstanceAttributeCommand).resolves({})
    const next = {...desired, securityGroupIds: ['sg-1', 'sg-2']}

    const updated = await instance.update(testContext(), next, observed, diffInstance(next, observed))

    expect(inputs(ModifyInstanceAttributeCommand)).toEqual([{InstanceId: 'i-1', Groups: ['sg-1', 'sg-2']}])
    expect(updated.securityGroupIds).toEqual(['sg-1', 'sg-2'])
  })
})

describe('instance.waitReady', () => {
  it('waits through pending (and a not-yet-visible id) to running', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(awsError('InvalidInstanceID.NotFound'))
      .resolvesOnce({Reservations: [{Instances: [described('i-1', 'pending')]}]})
      .resolves({Reservations: [{Instances: [described('i-1', 'running')]}]})
    const ctx = testContext()

    const running = await instance.waitReady!(ctx, {...observed, state: 'pending'})

    expect(running.state).toBe('running')
    expect(ctx.messages).toEqual(['waiting for i-1 to be running: not visible yet, 0s', 'waiting for i-1 to be running: pending, 5s'])
  })

  it('fails when the instance terminates instead', async () => {
    ec2.on(DescribeInstancesCommand).resolves({Reservations: [{Instances: [described('i-1', 'terminated', {StateReason: {Message: 'Server.InsufficientInstanceCapacity'}})]}]})

    await expect(instance.waitReady!(testContext(), observed)).rejects.toThrow('i-1 to be running: it is terminated: Server.InsufficientInstanceCapacity')
  })
})

describe('instance.delete', () => {
  it('terminates and waits for terminated (the network interface holds the subnet until then)', async () => {
    ec2.on(TerminateInstancesCommand).resolves({})
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({Reservations: [{Instances: [described('i-1', 'shutting-down')]}]})
      .resolves({Reservations: [{Instances: [described('i-1', 'terminated')]}]})
    const ctx = testContext()

    await instance.delete(ctx, observed, keepData)

    expect(inputs(TerminateInstancesCommand)).toEqual([{InstanceIds: ['i-1']}])
    expect(ctx.messages).toEqual(['waiting for i-1 to be terminated: shutting-down, 0s'])
  })

  it('counts an instance already gone as deleted', async () => {
    ec2.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'))

    await instance.delete(testContext(), observed, keepData)

    expect(inputs(DescribeInstancesCommand)).toEqual([])
  })
})
