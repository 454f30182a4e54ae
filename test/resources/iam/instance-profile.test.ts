import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  EntityAlreadyExistsException,
  GetInstanceProfileCommand,
  type InstanceProfile,
  NoSuchEntityException,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam'
import {beforeEach, describe, expect, it} from 'vitest'
import type {InstanceProfileDesired} from '../../../src/resources/iam/desired.js'
import {diffInstanceProfile, instanceProfile, type InstanceProfileObserved} from '../../../src/resources/iam/instance-profile.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {iamError, iamMock, profileArn, roleArn} from './iam-mock.js'

const {iam, inputs, mutations} = iamMock()

const name = 'teststack-runner'
const tags = ownershipTags('instance-profile/runner')
const meta = {logicalId: 'instance-profile/runner', token: '0123456789abcdef0123456789abcdef', tags}
const desired: InstanceProfileDesired = {name, roleName: 'teststack-runner-instance'}
const awsProfile = (roleName?: string, overrides: Partial<InstanceProfile> = {}): InstanceProfile => ({
  Path: '/',
  InstanceProfileName: name,
  InstanceProfileId: 'AIPAEXAMPLE0123456789',
  Arn: profileArn(name),
  CreateDate: new Date(0),
  Roles: roleName ? [{Path: '/', RoleName: roleName, RoleId: 'AROAEXAMPLE0123456789', Arn: roleArn(roleName), CreateDate: new Date(0)}] : [],
  Tags: tags,
  ...overrides,
})
const observed: InstanceProfileObserved = {id: name, name, arn: profileArn(name), profileId: 'AIPAEXAMPLE0123456789', roleName: 'teststack-runner-instance', logicalId: 'instance-profile/runner', stack: 'teststack'}

beforeEach(() => {
  iam.reset()
})

describe('iam.instance-profile', () => {
  it('reads the profile with its role and owner; as made, no diff', async () => {
    iam.on(GetInstanceProfileCommand).resolves({InstanceProfile: awsProfile('teststack-runner-instance')})
    const found = (await instanceProfile.read(testContext(), [name])).get(name)!
    expect(found).toEqual(observed)
    expect(diffInstanceProfile(desired, found)).toEqual([])
  })

  it('finds it by the wanted names; a profile that is gone is absent', async () => {
    iam.on(GetInstanceProfileCommand).rejects(iamError(NoSuchEntityException))
    expect(await instanceProfile.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'instance-profile/runner', desired}]})).toEqual([])
    expect(inputs(GetInstanceProfileCommand)).toEqual([{InstanceProfileName: name}])
  })

  it('diffs the role in place and the name by replacement', () => {
    expect(diffInstanceProfile({...desired, roleName: 'other'}, observed)).toEqual([{field: 'roleName', before: 'teststack-runner-instance', after: 'other', replace: false}])
    expect(diffInstanceProfile({...desired, name: 'other'}, observed)).toEqual([{field: 'name', before: name, after: 'other', replace: true}])
  })

  it('creates it with its tags and puts the role in', async () => {
    iam.on(CreateInstanceProfileCommand).resolves({InstanceProfile: awsProfile()})
    const created = await instanceProfile.create(testContext(), desired, meta)

    expect(mutations()).toEqual(['CreateInstanceProfile', 'AddRoleToInstanceProfile'])
    expect(inputs(CreateInstanceProfileCommand)).toEqual([{InstanceProfileName: name, Tags: tags}])
    expect(inputs(AddRoleToInstanceProfileCommand)).toEqual([{InstanceProfileName: name, RoleName: 'teststack-runner-instance'}])
    expect(created).toEqual(observed)
  })

  it('adopts its own profile an earlier attempt made, and refuses anyone else’s', async () => {
    iam.on(CreateInstanceProfileCommand).rejects(iamError(EntityAlreadyExistsException))
    iam.on(GetInstanceProfileCommand).resolves({InstanceProfile: awsProfile('teststack-runner-instance')})
    expect(await instanceProfile.create(testContext(), desired, meta)).toEqual(observed)
    expect(mutations()).toEqual(['CreateInstanceProfile'])

    iam.on(GetInstanceProfileCommand).resolves({InstanceProfile: awsProfile(undefined, {Tags: []})})
    await expect(instanceProfile.create(testContext(), desired, meta)).rejects.toThrow(/IAM instance profile teststack-runner already exists and is not tagged by containrlab/)
  })

  it('changes its role by removing the old one first (a profile holds one role)', async () => {
    const updated = await instanceProfile.update(testContext(), {...desired, roleName: 'other'}, observed, [])
    expect(mutations()).toEqual(['RemoveRoleFromInstanceProfile', 'AddRoleToInstanceProfile'])
    expect(inputs(RemoveRoleFromInstanceProfileCommand)).toEqual([{InstanceProfileName: name, RoleName: 'teststack-runner-instance'}])
    expect(updated.roleName).toBe('other')
  })

  it('deletes it after taking out the role it holds now; gone counts as deleted', async () => {
    iam.on(GetInstanceProfileCommand).resolves({InstanceProfile: awsProfile('someone-elses-role')})
    await instanceProfile.delete(testContext(), observed, keepData)
    expect(mutations()).toEqual(['RemoveRoleFromInstanceProfile', 'DeleteInstanceProfile'])
    expect(inputs(RemoveRoleFromInstanceProfileCommand)).toEqual([{InstanceProfileName: name, RoleName: 'someone-elses-role'}])

    iam.reset()
    iam.on(GetInstanceProfileCommand).rejects(iamError(NoSuchEntityException))
    await instanceProfile.delete(testContext(), observed, keepData)
    expect(mutations()).toEqual([])
    expect(inputs(DeleteInstanceProfileCommand)).toEqual([])
  })

  it('gives its name as id, its ARN and name', () => {
    expect(instanceProfile.outputs(observed)).toEqual({id: name, arn: profileArn(name), name})
  })
})
