import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  type Role,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam'
import {beforeEach, describe, expect, it} from 'vitest'
import type {PolicyDocument, RoleDesired} from '../../../src/resources/iam/desired.js'
import {taskExecutionPolicy, trustPolicy} from '../../../src/resources/iam/policies.js'
import {diffRole, role, type RoleObserved} from '../../../src/resources/iam/role.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {iamError, iamMock, roleArn, urlEncoded} from './iam-mock.js'

const {iam, inputs, sent, mutations} = iamMock()

const name = 'teststack-api-execution'
const tags = ownershipTags('role/api-execution')
const meta = {logicalId: 'role/api-execution', token: '0123456789abcdef0123456789abcdef', tags}
const logs: PolicyDocument = taskExecutionPolicy({
  repositoryArns: ['arn:aws:ecr:us-east-1:123456789012:repository/containrlab-api'],
  logGroupArns: ['arn:aws:logs:us-east-1:123456789012:log-group:/containrlab/api'],
  parameterArns: [],
})
const executionPolicy = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'
const desired: RoleDesired = {name, description: 'api task execution', assumeRoleServices: ['ecs-tasks.amazonaws.com'], managedPolicyArns: [], inlinePolicies: {execution: logs}}
const awsRole = (overrides: Partial<Role> = {}): Role => ({
  Path: '/',
  RoleName: name,
  RoleId: 'AROAEXAMPLE0123456789',
  Arn: roleArn(name),
  CreateDate: new Date(0),
  // As IAM returns it: URL-encoded, and as it was submitted (keys in another order, a one-item list).
  AssumeRolePolicyDocument: urlEncoded({Statement: [{Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: {Service: ['ecs-tasks.amazonaws.com']}}], Version: '2012-10-17'}),
  Description: 'api task execution',
  Tags: tags,
  ...overrides,
})
const observed: RoleObserved = {
  id: name,
  name,
  arn: roleArn(name),
  roleId: 'AROAEXAMPLE0123456789',
  logicalId: 'role/api-execution',
  stack: 'teststack',
  description: 'api task execution',
  trustPolicy: trustPolicy(['ecs-tasks.amazonaws.com']),
  managedPolicyArns: [],
  inlinePolicies: {execution: logs},
}

/** Answers the reads of one role: GetRole, its policies (inline `execution`, URL-encoded) and no profiles. */
function liveRole(role: Role = awsRole(), inline: Record<string, unknown> = {execution: logs}, attached: string[] = []) {
  iam.on(GetRoleCommand).resolves({Role: role})
  iam.on(ListAttachedRolePoliciesCommand).resolves({AttachedPolicies: attached.map((arn) => ({PolicyArn: arn, PolicyName: arn.split('/').at(-1)})), IsTruncated: false})
  iam.on(ListRolePoliciesCommand).resolves({PolicyNames: Object.keys(inline), IsTruncated: false})
  for (const [policyName, document] of Object.entries(inline))
    iam.on(GetRolePolicyCommand, {RoleName: name, PolicyName: policyName}).resolves({RoleName: name, PolicyName: policyName, PolicyDocument: urlEncoded(document)})
  iam.on(ListInstanceProfilesForRoleCommand).resolves({InstanceProfiles: [], IsTruncated: false})
}

beforeEach(() => {
  iam.reset()
})

describe('iam.role read', () => {
  it('decodes the URL-encoded documents: a role as made has no diff', async () => {
    liveRole()
    const found = (await role.read(testContext(), [name])).get(name)!

    expect(found).toMatchObject({id: name, arn: roleArn(name), roleId: 'AROAEXAMPLE0123456789', logicalId: 'role/api-execution', stack: 'teststack'})
    expect(found.inlinePolicies.execution).toEqual(logs)
    expect(diffRole(desired, found)).toEqual([])
  })

  it('leaves out a role that is gone (NoSuchEntity), and one deleted between GetRole and its policies', async () => {
    iam.on(GetRoleCommand).rejects(iamError(NoSuchEntityException))
    expect((await role.read(testContext(), [name])).size).toBe(0)

    iam.reset()
    iam.on(GetRoleCommand).resolvesOnce({Role: awsRole()}).rejects(iamError(NoSuchEntityException))
    iam.on(ListAttachedRolePoliciesCommand).resolves({AttachedPolicies: []})
    iam.on(ListRolePoliciesCommand).resolves({PolicyNames: ['execution']})
    iam.on(GetRolePolicyCommand).rejects(iamError(NoSuchEntityException))
    expect((await role.read(testContext(), [name])).size).toBe(0)
  })
})

describe('iam.role find', () => {
  it('looks up the names the wanted logical ids give, with their owner from the tags', async () => {
    liveRole()
    const found = await role.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'role/api-execution', desired}, {logicalId: 'role/unknown'}]})

    expect(found.map((item) => [item.logicalId, item.stack, item.id])).toEqual([['role/api-execution', 'teststack', name]])
    expect(inputs(GetRoleCommand)).toEqual([{RoleName: name}])
  })

  it('returns a role of that name made by someone else with no owner (the engine then leaves it alone)', async () => {
    liveRole(awsRole({Tags: []}))
    const [found] = await role.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'role/api-execution', desired}]})
    expect(found!.stack).toBeUndefined()
    expect(found!.logicalId).toBeUndefined()
  })
})

describe('iam.role diff', () => {
  it.each([
    ['the description', {description: 'other'}, 'description', false],
    ['no description where there is one', {description: undefined}, 'description', false],
    ['the trust policy’s services', {assumeRoleServices: ['ec2.amazonaws.com']}, 'assumeRoleServices', false],
    ['a managed policy', {managedPolicyArns: [executionPolicy]}, 'managedPolicyArns', false],
    ['an inline policy’s document', {inlinePolicies: {execution: {...logs, Statement: logs.Statement.slice(1)}}}, 'inlinePolicies.execution', false],
    ['an inline policy no longer wanted', {inlinePolicies: {}}, 'inlinePolicies.execution', false],
    ['the name', {name: 'teststack-other'}, 'name', true],
  ] as const)('sees %s', (_case, change, field, replace) => {
    expect(diffRole({...desired, ...change} as RoleDesired, observed)).toEqual([expect.objectContaining({field, replace})])
  })

  it('ignores the order of managed policies', () => {
    const two = ['arn:aws:iam::aws:policy/b', 'arn:aws:iam::aws:policy/a']
    expect(diffRole({...desired, managedPolicyArns: two}, {...observed, managedPolicyArns: [...two].sort()})).toEqual([])
  })
})

describe('iam.role create', () => {
  it('creates the role with its trust policy and tags, then puts and attaches its policies', async () => {
    iam.on(CreateRoleCommand).resolves({Role: awsRole()})
    const created = await role.create(testContext(), {...desired, managedPolicyArns: [executionPolicy]}, meta)

    expect(mutations()).toEqual(['CreateRole', 'PutRolePolicy', 'AttachRolePolicy'])
    const [input] = inputs(CreateRoleCommand)
    expect(input).toMatchObject({RoleName: name, Description: 'api task execution', Tags: tags})
    expect(JSON.parse(input!.AssumeRolePolicyDocument!)).toEqual(trustPolicy(['ecs-tasks.amazonaws.com']))
    expect(JSON.parse(inputs(PutRolePolicyCommand)[0]!.PolicyDocument!)).toEqual(logs)
    expect(inputs(AttachRolePolicyCommand)).toEqual([{RoleName: name, PolicyArn: executionPolicy}])
    expect(created).toMatchObject({id: name, arn: roleArn(name), logicalId: 'role/api-execution', stack: 'teststack', managedPolicyArns: [executionPolicy]})
    expect(diffRole({...desired, managedPolicyArns: [executionPolicy]}, created)).toEqual([])
  })

  it('takes the trust policy it sent when the answer leaves it out: no second call for it', async () => {
    iam.on(CreateRoleCommand).resolves({Role: awsRole({AssumeRolePolicyDocument: undefined})})
    await role.create(testContext(), {...desired, inlinePolicies: {}}, meta)
    expect(mutations()).toEqual(['CreateRole'])
  })

  it('adopts its own role an earlier attempt made (EntityAlreadyExists, tags say so) and completes it', async () => {
    iam.on(CreateRoleCommand).rejects(iamError(EntityAlreadyExistsException))
    liveRole(awsRole(), {})
    const created = await role.create(testContext(), desired, meta)

    expect(mutations()).toEqual(['CreateRole', 'PutRolePolicy'])
    expect(created.id).toBe(name)
  })

  it('refuses a role of that name someone else made, naming its owner', async () => {
    iam.on(CreateRoleCommand).rejects(iamError(EntityAlreadyExistsException))
    liveRole(awsRole({Tags: ownershipTags('role/api-execution', 'otherstack')}))

    await expect(role.create(testContext(), desired, meta)).rejects.toThrow(/IAM role teststack-api-execution already exists and is role\/api-execution of stack otherstack/)
    expect(mutations()).toEqual(['CreateRole'])
  })
})

describe('iam.role update', () => {
  it('changes in place: trust, description, new policies before the removal of old ones', async () => {
    const before: RoleObserved = {...observed, managedPolicyArns: ['arn:aws:iam::aws:policy/old'], inlinePolicies: {execution: logs, stale: logs}}
    const after: RoleDesired = {...desired, description: 'new', assumeRoleServices: ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'], managedPolicyArns: [executionPolicy]}
    const updated = await role.update(testContext(), after, before, diffRole(after, before))

    expect(mutations()).toEqual(['UpdateAssumeRolePolicy', 'UpdateRole', 'AttachRolePolicy', 'DetachRolePolicy', 'DeleteRolePolicy'])
    expect(inputs(UpdateRoleCommand)).toEqual([{RoleName: name, Description: 'new'}])
    expect(JSON.parse(inputs(UpdateAssumeRolePolicyCommand)[0]!.PolicyDocument!)).toEqual(trustPolicy(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']))
    expect(inputs(DetachRolePolicyCommand)).toEqual([{RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/old'}])
    expect(inputs(DeleteRolePolicyCommand)).toEqual([{RoleName: name, PolicyName: 'stale'}])
    expect(diffRole(after, updated)).toEqual([])
  })

  it('makes no call when nothing differs', async () => {
    await role.update(testContext(), desired, observed, [])
    expect(sent()).toEqual([])
  })
})

describe('iam.role delete', () => {
  it('takes it out of its profiles, detaches and deletes its policies, then deletes it', async () => {
    liveRole(awsRole(), {execution: logs}, [executionPolicy])
    iam.on(ListInstanceProfilesForRoleCommand).resolves({InstanceProfiles: [{InstanceProfileName: 'teststack-runner', InstanceProfileId: 'AIPA', Arn: 'x', Path: '/', CreateDate: new Date(0), Roles: []}]})
    await role.delete(testContext(), observed, keepData)

    expect(mutations()).toEqual(['RemoveRoleFromInstanceProfile', 'DetachRolePolicy', 'DeleteRolePolicy', 'DeleteRole'])
    expect(inputs(RemoveRoleFromInstanceProfileCommand)).toEqual([{InstanceProfileName: 'teststack-runner', RoleName: name}])
  })

  it('counts a role already gone as deleted', async () => {
    iam.on(ListAttachedRolePoliciesCommand).rejects(iamError(NoSuchEntityException))
    iam.on(ListRolePoliciesCommand).rejects(iamError(NoSuchEntityException))
    iam.on(ListInstanceProfilesForRoleCommand).rejects(iamError(NoSuchEntityException))
    await expect(role.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
    expect(mutations()).toEqual([])
  })

  it('lets a DeleteConflict through (classified in-use: the engine retries while something holds the role)', async () => {
    liveRole(awsRole(), {})
    iam.on(DeleteRoleCommand).rejects(iamError(DeleteConflictException))
    const failure = await role.delete(testContext(), observed, keepData).catch((error: unknown) => error)
    expect(role.classifyError(failure)).toBe('in-use')
  })
})

describe('iam.role outputs', () => {
  it('gives its name as id, its ARN and name', () => {
    expect(role.outputs(observed)).toEqual({id: name, arn: roleArn(name), name})
  })
})
