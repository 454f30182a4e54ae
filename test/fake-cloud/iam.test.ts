import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClients} from '../../src/aws/clients.js'
import {VirtualClock} from '../../src/util/clock.js'
import {FakeCloud} from './index.js'

let cloud: FakeCloud
let clock: VirtualClock
let iam: IAMClient

beforeEach(async () => {
  clock = new VirtualClock()
  cloud = new FakeCloud({clock}).install()
  iam = await new AwsClients({region: 'eu-west-1', clock, retry: {maxAttempts: 1}}).client('iam')
})

afterEach(() => {
  cloud.restore()
})

async function failure(promise: Promise<unknown>): Promise<{name: string; code: unknown; message: string; status: unknown}> {
  try {
    await promise
  } catch (error) {
    const e = error as Error & {Code?: unknown; $metadata?: {httpStatusCode?: number}}
    return {name: e.name, code: e.Code, message: e.message, status: e.$metadata?.httpStatusCode}
  }
  throw new Error('expected a failure')
}

const trust = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]}
const logs = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*'}]}
const createRole = (name = 'teststack-api', document: unknown = trust) =>
  iam.send(new CreateRoleCommand({RoleName: name, AssumeRolePolicyDocument: JSON.stringify(document, null, 2), Tags: [{Key: 'containrlab:stack', Value: 'teststack'}]}))

describe('FakeIam roles', () => {
  it('makes a role with an AROA id of 21 characters and an ARN with its path, and answers its documents URL-encoded', async () => {
    const created = (await createRole()).Role!
    expect(created.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/)
    expect(created.Arn).toBe('arn:aws:iam::123456789012:role/teststack-api')
    const role = (await iam.send(new GetRoleCommand({RoleName: 'teststack-api'}))).Role!
    expect(role.AssumeRolePolicyDocument).toMatch(/^%7B%0A/)
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!))).toEqual(trust)
    expect(role).toMatchObject({MaxSessionDuration: 3600, Tags: [{Key: 'containrlab:stack', Value: 'teststack'}]})
    expect((await createRole('other')).Role!.RoleId).not.toBe(created.RoleId)
    expect(cloud.iam.resourceCount()).toBe(2)
  })

  it('refuses a name another role holds, whatever its case, and documents IAM would not take', async () => {
    await createRole()
    expect(await failure(createRole('TestStack-API'))).toMatchObject({name: 'EntityAlreadyExistsException', code: 'EntityAlreadyExists', status: 409})
    expect(await failure(createRole('x'.repeat(65)))).toMatchObject({code: 'InvalidInput'})
    expect(await failure(iam.send(new CreateRoleCommand({RoleName: 'bad', AssumeRolePolicyDocument: '{not json'})))).toMatchObject({code: 'MalformedPolicyDocument'})
    expect(await failure(createRole('no-principal', logs))).toMatchObject({code: 'MalformedPolicyDocument'})
  })

  it('answers NoSuchEntity (404) for a role that does not exist', async () => {
    expect(await failure(iam.send(new GetRoleCommand({RoleName: 'nope'})))).toMatchObject({name: 'NoSuchEntityException', code: 'NoSuchEntity', status: 404, message: 'The role with name nope cannot be found.'})
  })

  it('keeps inline policies (URL-encoded on the way out) and attached managed ones', async () => {
    await createRole()
    await iam.send(new PutRolePolicyCommand({RoleName: 'teststack-api', PolicyName: 'logs', PolicyDocument: JSON.stringify(logs)}))
    await iam.send(new AttachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'}))
    await iam.send(new AttachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'}))

    const policy = await iam.send(new GetRolePolicyCommand({RoleName: 'teststack-api', PolicyName: 'logs'}))
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(logs)
    expect(policy.PolicyDocument).not.toContain('{')
    expect((await iam.send(new ListRolePoliciesCommand({RoleName: 'teststack-api'}))).PolicyNames).toEqual(['logs'])
    expect((await iam.send(new ListAttachedRolePoliciesCommand({RoleName: 'teststack-api'}))).AttachedPolicies).toEqual([
      {PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy', PolicyName: 'AmazonECSTaskExecutionRolePolicy'},
    ])
    expect(await failure(iam.send(new GetRolePolicyCommand({RoleName: 'teststack-api', PolicyName: 'other'})))).toMatchObject({code: 'NoSuchEntity'})
    expect(await failure(iam.send(new DetachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'arn:aws:iam::aws:policy/Other'})))).toMatchObject({code: 'NoSuchEntity'})
    expect(await failure(iam.send(new AttachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'not-an-arn'})))).toMatchObject({code: 'InvalidInput'})
    expect(await failure(iam.send(new PutRolePolicyCommand({RoleName: 'teststack-api', PolicyName: 'p', PolicyDocument: JSON.stringify(trust)})))).toMatchObject({code: 'MalformedPolicyDocument'})
  })

  it('refuses more than 10 managed policies (the default quota)', async () => {
    await createRole()
    for (let i = 0; i < 10; i++) await iam.send(new AttachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: `arn:aws:iam::123456789012:policy/p${i}`}))
    expect(await failure(iam.send(new AttachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'arn:aws:iam::123456789012:policy/p10'})))).toMatchObject({code: 'LimitExceeded', status: 409})
  })

  it('refuses to delete a role with policies or in a profile (DeleteConflict), until they are gone', async () => {
    await createRole()
    await iam.send(new PutRolePolicyCommand({RoleName: 'teststack-api', PolicyName: 'logs', PolicyDocument: JSON.stringify(logs)}))
    await iam.send(new AttachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'arn:aws:iam::aws:policy/A'}))
    await iam.send(new CreateInstanceProfileCommand({InstanceProfileName: 'teststack-runner'}))
    await iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))
    const deleteRole = () => iam.send(new DeleteRoleCommand({RoleName: 'teststack-api'}))

    expect(await failure(deleteRole())).toMatchObject({code: 'DeleteConflict', status: 409, message: 'Cannot delete entity, must detach all policies first.'})
    await iam.send(new DetachRolePolicyCommand({RoleName: 'teststack-api', PolicyArn: 'arn:aws:iam::aws:policy/A'}))
    expect(await failure(deleteRole())).toMatchObject({code: 'DeleteConflict', message: 'Cannot delete entity, must delete policies first.'})
    await iam.send(new DeleteRolePolicyCommand({RoleName: 'teststack-api', PolicyName: 'logs'}))
    expect(await failure(deleteRole())).toMatchObject({code: 'DeleteConflict', message: 'Cannot delete entity, must remove roles from instance profile first.'})
    await iam.send(new RemoveRoleFromInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))
    await deleteRole()
    expect(cloud.iam.roleNames()).toEqual([])
  })

  it('updates the description and the trust policy, and merges tags', async () => {
    await createRole()
    await iam.send(new UpdateRoleCommand({RoleName: 'teststack-api', Description: 'api'}))
    await iam.send(new UpdateAssumeRolePolicyCommand({RoleName: 'teststack-api', PolicyDocument: JSON.stringify({...trust, Statement: [{...trust.Statement[0], Principal: {Service: 'ec2.amazonaws.com'}}]})}))
    await iam.send(
      new TagRoleCommand({
        RoleName: 'teststack-api',
        Tags: [
          {Key: 'containrlab:stack', Value: 'other'},
          {Key: 'k', Value: 'v'},
        ],
      }),
    )

    const role = (await iam.send(new GetRoleCommand({RoleName: 'teststack-api'}))).Role!
    expect(role.Description).toBe('api')
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toContain('ec2.amazonaws.com')
    expect((await iam.send(new ListRoleTagsCommand({RoleName: 'teststack-api'}))).Tags).toEqual([
      {Key: 'containrlab:stack', Value: 'other'},
      {Key: 'k', Value: 'v'},
    ])
    await iam.send(new UpdateRoleCommand({RoleName: 'teststack-api', Description: ''}))
    expect((await iam.send(new GetRoleCommand({RoleName: 'teststack-api'}))).Role!.Description).toBeUndefined()
  })

  it('pages its lists with Marker and IsTruncated', async () => {
    await createRole()
    for (let i = 0; i < 3; i++) await iam.send(new PutRolePolicyCommand({RoleName: 'teststack-api', PolicyName: `p${i}`, PolicyDocument: JSON.stringify(logs)}))
    const first = await iam.send(new ListRolePoliciesCommand({RoleName: 'teststack-api', MaxItems: 2}))
    expect(first).toMatchObject({PolicyNames: ['p0', 'p1'], IsTruncated: true})
    expect(await iam.send(new ListRolePoliciesCommand({RoleName: 'teststack-api', MaxItems: 2, Marker: first.Marker}))).toMatchObject({PolicyNames: ['p2'], IsTruncated: false})
  })
})

describe('FakeIam instance profiles', () => {
  it('makes a profile with an AIPA id and holds one role at most', async () => {
    await createRole()
    await createRole('teststack-other')
    const profile = (await iam.send(new CreateInstanceProfileCommand({InstanceProfileName: 'teststack-runner', Tags: [{Key: 'k', Value: 'v'}]}))).InstanceProfile!
    expect(profile.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/)
    expect(profile.Arn).toBe('arn:aws:iam::123456789012:instance-profile/teststack-runner')
    await iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))

    expect(await failure(iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-other'})))).toMatchObject({code: 'LimitExceeded'})
    const read = (await iam.send(new GetInstanceProfileCommand({InstanceProfileName: 'teststack-runner'}))).InstanceProfile!
    expect(read.Roles!.map((role) => role.RoleName)).toEqual(['teststack-api'])
    expect(read.Roles![0]!.AssumeRolePolicyDocument).toMatch(/^%7B/)
    expect((await iam.send(new ListInstanceProfilesForRoleCommand({RoleName: 'teststack-api'}))).InstanceProfiles!.map((item) => item.InstanceProfileName)).toEqual(['teststack-runner'])
    expect((await iam.send(new ListInstanceProfileTagsCommand({InstanceProfileName: 'teststack-runner'}))).Tags).toEqual([{Key: 'k', Value: 'v'}])
    expect(await failure(iam.send(new CreateInstanceProfileCommand({InstanceProfileName: 'TESTSTACK-runner'})))).toMatchObject({code: 'EntityAlreadyExists'})
  })

  it('refuses to delete a profile that holds a role, and to remove a role it does not hold', async () => {
    await createRole()
    await iam.send(new CreateInstanceProfileCommand({InstanceProfileName: 'teststack-runner'}))
    expect(await failure(iam.send(new RemoveRoleFromInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'})))).toMatchObject({code: 'NoSuchEntity'})
    await iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))
    expect(await failure(iam.send(new DeleteInstanceProfileCommand({InstanceProfileName: 'teststack-runner'})))).toMatchObject({code: 'DeleteConflict'})
    await iam.send(new RemoveRoleFromInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))
    await iam.send(new DeleteInstanceProfileCommand({InstanceProfileName: 'teststack-runner'}))
    expect(await failure(iam.send(new GetInstanceProfileCommand({InstanceProfileName: 'teststack-runner'})))).toMatchObject({code: 'NoSuchEntity'})
  })
})

describe('FakeIam eventual consistency', () => {
  it('tells other services a role or profile is not usable for propagationMs after it was made', async () => {
    const role = (await createRole()).Role!
    await iam.send(new CreateInstanceProfileCommand({InstanceProfileName: 'teststack-runner'}))
    const usable = cloud.env.iamUsable!
    expect(usable(role.Arn!)).toBe(false)
    expect(usable('teststack-runner')).toBe(false)

    clock.advance(cloud.iam.timings.propagationMs)
    expect(usable(role.Arn!)).toBe(true)
    expect(usable('teststack-api', 'role')).toBe(true)
    expect(usable('teststack-runner')).toBe(true)
    // A role put in the profile just now: not usable through it yet.
    await iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))
    expect(usable('arn:aws:iam::123456789012:instance-profile/teststack-runner')).toBe(false)
    clock.advance(cloud.iam.timings.propagationMs)
    expect(usable('arn:aws:iam::123456789012:instance-profile/teststack-runner')).toBe(true)
    // Unknown, or another account's: refused as AWS refuses it.
    expect(usable('nope')).toBe(false)
    expect(usable('arn:aws:iam::210987654321:role/teststack-api')).toBe(false)
  })

  it('with a consistency delay, does not show a new role or profile to GetRole / GetInstanceProfile at once', async () => {
    cloud.faults.consistencyDelayMs = 2_000
    await createRole()
    await iam.send(new CreateInstanceProfileCommand({InstanceProfileName: 'teststack-runner'}))
    expect(await failure(iam.send(new GetRoleCommand({RoleName: 'teststack-api'})))).toMatchObject({code: 'NoSuchEntity'})
    expect(await failure(iam.send(new GetInstanceProfileCommand({InstanceProfileName: 'teststack-runner'})))).toMatchObject({code: 'NoSuchEntity'})
    expect(await failure(iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'})))).toMatchObject({code: 'NoSuchEntity'})
    clock.advance(2_000)
    await iam.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: 'teststack-runner', RoleName: 'teststack-api'}))
    expect((await iam.send(new GetRoleCommand({RoleName: 'teststack-api'}))).Role!.RoleName).toBe('teststack-api')
  })

  it('throttles with IAM’s code', async () => {
    cloud.faults.throttle('GetRole', 1)
    expect(await failure(iam.send(new GetRoleCommand({RoleName: 'x'})))).toMatchObject({code: 'Throttling'})
  })
})
