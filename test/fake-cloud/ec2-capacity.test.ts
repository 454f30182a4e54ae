import {EC2ServiceException} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {VirtualClock} from '../../src/util/clock.js'
import {Faults, type FakeEnv, type FakeService} from './core.js'
import {FakeEc2} from './ec2.js'
import {ECS_OPTIMIZED_AMIS, FakeSsm} from './ssm.js'

/** The fake EC2's capacity section: instances and launch templates (with the fake SSM's public AMI parameters). */

const AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'
const PROFILE = 'arn:aws:iam::123456789012:instance-profile/runner'

let clock: VirtualClock
let env: FakeEnv
let ec2: FakeEc2
let ssm: FakeSsm
let call: (operation: string, input?: unknown) => any

function handlersOf(...services: FakeService[]) {
  return new Map(services.flatMap((service) => service.handlers()).map((handler) => [handler.operation, handler]))
}

beforeEach(() => {
  clock = new VirtualClock()
  env = {clock, faults: new Faults(), region: 'us-east-1', accountId: '123456789012'}
  ec2 = new FakeEc2(env, {instanceRunningMs: 30_000, instanceTerminatedMs: 40_000, instanceTerminatedVisibleMs: 3_600_000})
  ssm = new FakeSsm(env)
  const handlers = handlersOf(ec2, ssm)
  call = (operation, input = {}) => handlers.get(operation)!.handle(input)
})

function codeOf(operation: string, input: unknown): string {
  try {
    call(operation, input)
  } catch (error) {
    expect(error).toBeInstanceOf(EC2ServiceException)
    return (error as EC2ServiceException).name
  }
  throw new Error(`${operation} succeeded, expected an error`)
}

function network() {
  const vpcId = call('CreateVpc', {CidrBlock: '10.0.0.0/16'}).Vpc.VpcId
  const subnetId = call('CreateSubnet', {VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a'}).Subnet.SubnetId
  const groupId = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'runner', Description: 'runner'}).GroupId
  return {vpcId, subnetId, groupId}
}

function run(subnetId: string, groupId: string, extra: object = {}) {
  return call('RunInstances', {
    ImageId: 'ami-0123456789abcdef0',
    InstanceType: 't3.medium',
    MinCount: 1,
    MaxCount: 1,
    SubnetId: subnetId,
    SecurityGroupIds: [groupId],
    IamInstanceProfile: {Arn: PROFILE},
    UserData: Buffer.from('echo hi').toString('base64'),
    TagSpecifications: [{ResourceType: 'instance', Tags: [{Key: 'containrlab:stack', Value: 'demo'}]}],
    ...extra,
  }).Instances[0]
}

function stateOf(id: string): string {
  return call('DescribeInstances', {InstanceIds: [id]}).Reservations[0].Instances[0].State.Name
}

describe('instances', () => {
  it('go pending → running, then shutting-down → terminated, listed an hour; the network interface holds the subnet and group until terminated', async () => {
    const {subnetId, groupId} = network()
    const instance = run(subnetId, groupId)
    expect(instance).toMatchObject({State: {Code: 0, Name: 'pending'}, SubnetId: subnetId, SecurityGroups: [{GroupId: groupId, GroupName: 'runner'}]})
    expect(call('DescribeNetworkInterfaces', {Filters: [{Name: 'attachment.instance-id', Values: [instance.InstanceId]}]}).NetworkInterfaces).toHaveLength(1)
    clock.advance(30_000)
    expect(stateOf(instance.InstanceId)).toBe('running')
    expect(call('DescribeInstanceAttribute', {InstanceId: instance.InstanceId, Attribute: 'userData'}).UserData.Value).toBe(Buffer.from('echo hi').toString('base64'))

    expect(call('TerminateInstances', {InstanceIds: [instance.InstanceId]}).TerminatingInstances[0]).toMatchObject({PreviousState: {Name: 'running'}, CurrentState: {Name: 'shutting-down'}})
    expect(codeOf('DeleteSubnet', {SubnetId: subnetId})).toBe('DependencyViolation')
    expect(codeOf('DeleteSecurityGroup', {GroupId: groupId})).toBe('DependencyViolation')
    clock.advance(40_000)
    expect(stateOf(instance.InstanceId)).toBe('terminated')
    expect(call('DescribeInstances', {Filters: [{Name: 'instance-state-name', Values: ['running', 'pending']}]}).Reservations).toEqual([])
    expect(ec2.resourceCount()).toBe(3) // the VPC, the subnet, the group: the instance no longer counts
    call('DeleteSecurityGroup', {GroupId: groupId})
    call('DeleteSubnet', {SubnetId: subnetId})
    clock.advance(3_600_000)
    expect(codeOf('DescribeInstances', {InstanceIds: [instance.InstanceId]})).toBe('InvalidInstanceID.NotFound')
  })

  it('replay a ClientToken: the same request returns the first instance, another request is a mismatch', () => {
    const {subnetId, groupId} = network()
    const first = run(subnetId, groupId, {ClientToken: 'token-1'})
    expect(run(subnetId, groupId, {ClientToken: 'token-1'}).InstanceId).toBe(first.InstanceId)
    expect(codeOf('RunInstances', {ImageId: 'ami-0123456789abcdef1', InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, SubnetId: subnetId, ClientToken: 'token-1'})).toBe('IdempotentParameterMismatch')
    expect(call('DescribeInstances', {Filters: [{Name: 'tag:containrlab:stack', Values: ['demo']}]}).Reservations).toHaveLength(1)
  })

  it('resolve an SSM image id at launch; refuse a malformed image, a missing subnet and a malformed profile ARN', () => {
    const {subnetId, groupId} = network()
    expect(run(subnetId, groupId, {ImageId: `resolve:ssm:${AMI_PARAMETER}`}).ImageId).toBe(ECS_OPTIMIZED_AMIS[AMI_PARAMETER])
    expect(codeOf('RunInstances', {ImageId: 'nope', InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, SubnetId: subnetId})).toBe('InvalidAMIID.Malformed')
    expect(codeOf('RunInstances', {ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, SubnetId: 'subnet-0000000000000000f'})).toBe('InvalidSubnetID.NotFound')
    expect(codeOf('RunInstances', {ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, SubnetId: subnetId, IamInstanceProfile: {Arn: 'runner'}})).toBe('InvalidParameterValue')
  })

  it('change their groups in place (the network interface follows)', () => {
    const {vpcId, subnetId, groupId} = network()
    const other = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'other', Description: 'other'}).GroupId
    const instance = run(subnetId, groupId)
    call('ModifyInstanceAttribute', {InstanceId: instance.InstanceId, Groups: [other]})
    expect(call('DescribeInstances', {InstanceIds: [instance.InstanceId]}).Reservations[0].Instances[0].SecurityGroups.map((g: {GroupId: string}) => g.GroupId)).toEqual([other])
    call('DeleteSecurityGroup', {GroupId: groupId})
  })
})

describe('launch templates', () => {
  const data = {ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.medium', UserData: 'ZWNobyBoaQ=='}

  it('are unique by name, versioned, with a default version to move', () => {
    const created = call('CreateLaunchTemplate', {
      LaunchTemplateName: 'demo-runner',
      LaunchTemplateData: data,
      TagSpecifications: [{ResourceType: 'launch-template', Tags: [{Key: 'containrlab:stack', Value: 'demo'}]}],
    }).LaunchTemplate
    expect(created).toMatchObject({LaunchTemplateName: 'demo-runner', DefaultVersionNumber: 1, LatestVersionNumber: 1})
    expect(created.LaunchTemplateId).toMatch(/^lt-[0-9a-f]{17}$/)
    expect(codeOf('CreateLaunchTemplate', {LaunchTemplateName: 'demo-runner', LaunchTemplateData: data})).toBe('InvalidLaunchTemplateName.AlreadyExistsException')

    const version = call('CreateLaunchTemplateVersion', {LaunchTemplateId: created.LaunchTemplateId, LaunchTemplateData: {...data, ImageId: 'ami-0fedcba9876543210'}}).LaunchTemplateVersion
    expect(version).toMatchObject({VersionNumber: 2, DefaultVersion: false})
    expect(call('DescribeLaunchTemplateVersions', {LaunchTemplateId: created.LaunchTemplateId, Versions: ['$Default']}).LaunchTemplateVersions[0].LaunchTemplateData.ImageId).toBe('ami-0123456789abcdef0')
    call('ModifyLaunchTemplate', {LaunchTemplateId: created.LaunchTemplateId, DefaultVersion: '2'})
    expect(call('DescribeLaunchTemplateVersions', {LaunchTemplateId: created.LaunchTemplateId, Versions: ['$Default']}).LaunchTemplateVersions[0].VersionNumber).toBe(2)
    expect(codeOf('ModifyLaunchTemplate', {LaunchTemplateId: created.LaunchTemplateId, DefaultVersion: '7'})).toBe('InvalidLaunchTemplateId.VersionNotFound')

    expect(call('DescribeLaunchTemplates', {Filters: [{Name: 'tag:containrlab:stack', Values: ['demo']}]}).LaunchTemplates).toHaveLength(1)
    expect(codeOf('DescribeLaunchTemplates', {LaunchTemplateIds: [created.LaunchTemplateId, 'lt-0000000000000000f']})).toBe('InvalidLaunchTemplateId.NotFound')
    expect(ec2.resourceCount()).toBe(1)
    call('DeleteLaunchTemplate', {LaunchTemplateId: created.LaunchTemplateId})
    expect(codeOf('DeleteLaunchTemplate', {LaunchTemplateId: created.LaunchTemplateId})).toBe('InvalidLaunchTemplateId.NotFound')
    expect(ec2.resourceCount()).toBe(0)
  })

  it('resolve an SSM image id on DescribeLaunchTemplateVersions only with ResolveAlias', () => {
    const created = call('CreateLaunchTemplate', {LaunchTemplateName: 'demo-ssm', LaunchTemplateData: {...data, ImageId: `resolve:ssm:${AMI_PARAMETER}`}}).LaunchTemplate
    const describe = (ResolveAlias: boolean) => call('DescribeLaunchTemplateVersions', {LaunchTemplateId: created.LaunchTemplateId, ResolveAlias}).LaunchTemplateVersions[0].LaunchTemplateData.ImageId
    expect(describe(false)).toBe(`resolve:ssm:${AMI_PARAMETER}`)
    expect(describe(true)).toBe(ECS_OPTIMIZED_AMIS[AMI_PARAMETER])
  })
})

describe('the public AMI parameters of the fake SSM', () => {
  it('answer GetParameter without being the account’s parameters, and take new versions', async () => {
    expect((await call('GetParameter', {Name: AMI_PARAMETER})).Parameter).toMatchObject({Value: ECS_OPTIMIZED_AMIS[AMI_PARAMETER], Version: 1, ARN: `arn:aws:ssm:us-east-1::parameter${AMI_PARAMETER}`})
    expect(ssm.names()).toEqual([])
    ssm.publishPublicParameter(AMI_PARAMETER, 'ami-0a1b2c3d4e5f69999')
    expect((await call('GetParameter', {Name: AMI_PARAMETER})).Parameter).toMatchObject({Value: 'ami-0a1b2c3d4e5f69999', Version: 2})
  })
})
