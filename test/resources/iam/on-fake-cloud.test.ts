import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {InstanceProfileDesired, RoleDesired} from '../../../src/resources/iam/desired.js'
import {diffInstanceProfile, instanceProfile} from '../../../src/resources/iam/instance-profile.js'
import {ecsInstanceRolePolicyArns, taskExecutionPolicy} from '../../../src/resources/iam/policies.js'
import {diffRole, role} from '../../../src/resources/iam/role.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/**
 * The IAM reconcilers against the stateful fake: what only shows when several
 * calls meet IAM's rules (URL-encoded documents read back, a role held by its
 * policies and profile, a profile's single role, names taken by others).
 */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

const executionDesired: RoleDesired = {
  name: 'teststack-api-execution',
  description: 'api task execution',
  assumeRoleServices: ['ecs-tasks.amazonaws.com'],
  managedPolicyArns: [],
  inlinePolicies: {
    execution: taskExecutionPolicy({
      repositoryArns: ['arn:aws:ecr:us-east-1:123456789012:repository/containrlab-api'],
      logGroupArns: ['arn:aws:logs:us-east-1:123456789012:log-group:/containrlab/api:*'],
      parameterArns: ['arn:aws:ssm:us-east-1:123456789012:parameter/containrlab/teststack/DATABASE_URL'],
    }),
  },
}
const instanceRoleDesired: RoleDesired = {name: 'teststack-runner-instance', assumeRoleServices: ['ec2.amazonaws.com'], managedPolicyArns: ecsInstanceRolePolicyArns(), inlinePolicies: {}}
const profileDesired: InstanceProfileDesired = {name: 'teststack-runner', roleName: 'teststack-runner-instance'}

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
})

afterEach(() => {
  cloud.restore()
})

describe('roles and an instance profile, made and read back', () => {
  it('read back as made: no diff (documents come back URL-encoded); found by name with the state lost', async () => {
    const execution = await role.create(ctx, executionDesired, meta('role/api-execution'))
    const instance = await role.create(ctx, instanceRoleDesired, meta('role/runner-instance'))
    const profile = await instanceProfile.create(ctx, profileDesired, meta('instance-profile/runner'))

    expect(execution.arn).toBe('arn:aws:iam::123456789012:role/teststack-api-execution')
    expect(profile.arn).toBe('arn:aws:iam::123456789012:instance-profile/teststack-runner')
    expect(diffRole(executionDesired, (await role.read(ctx, [execution.id])).get(execution.id)!)).toEqual([])
    expect(diffRole(instanceRoleDesired, (await role.read(ctx, [instance.id])).get(instance.id)!)).toEqual([])
    expect(diffInstanceProfile(profileDesired, (await instanceProfile.read(ctx, [profile.id])).get(profile.id)!)).toEqual([])

    const wanted = [
      {logicalId: 'role/api-execution', desired: executionDesired},
      {logicalId: 'role/runner-instance', desired: instanceRoleDesired},
      {logicalId: 'role/not-made', desired: {...executionDesired, name: 'teststack-not-made'}},
    ]
    expect((await role.find(ctx, {stack: 'teststack', wanted})).map((found) => [found.logicalId, found.stack, found.id])).toEqual([
      ['role/api-execution', 'teststack', 'teststack-api-execution'],
      ['role/runner-instance', 'teststack', 'teststack-runner-instance'],
    ])
    expect((await instanceProfile.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'instance-profile/runner', desired: profileDesired}]})).map((found) => [found.logicalId, found.roleName])).toEqual([
      ['instance-profile/runner', 'teststack-runner-instance'],
    ])
    expect(cloud.iam.resourceCount()).toBe(3)
  })

  it('a retried create adopts what the first attempt made, and a name someone else holds is refused', async () => {
    const roleMeta = meta('role/api-execution')
    const first = await role.create(ctx, executionDesired, roleMeta)
    const again = await role.create(ctx, {...executionDesired, description: 'changed since'}, roleMeta)
    expect(again.roleId).toBe(first.roleId)
    expect(diffRole({...executionDesired, description: 'changed since'}, (await role.read(ctx, [first.id])).get(first.id)!)).toEqual([])

    cloud.iam.seedRole('teststack-taken')
    await expect(role.create(ctx, {...executionDesired, name: 'teststack-taken'}, meta('role/taken'))).rejects.toThrow(/already exists and is not tagged by containrlab/)
    expect(cloud.iam.resourceCount()).toBe(2)
  })

  it('a profile made right after its role waits out IAM’s lag: AddRoleToInstanceProfile is NoSuchEntity, classified not-found (the engine retries)', async () => {
    cloud.faults.consistencyDelayMs = 3_000
    await role.create(ctx, instanceRoleDesired, meta('role/runner-instance'))
    const failure = await instanceProfile.create(ctx, profileDesired, meta('instance-profile/runner')).catch((error: unknown) => error)
    expect(instanceProfile.classifyError(failure)).toBe('not-found')

    ctx.clock.advance(3_000)
    // The retry meets the profile the first attempt made and adopts it.
    const profile = await instanceProfile.create(ctx, profileDesired, meta('instance-profile/runner'))
    expect(profile.roleName).toBe('teststack-runner-instance')
    expect(cloud.iam.profileNames()).toEqual(['teststack-runner'])
  })
})

describe('updates', () => {
  it('bring a role changed out of band back, and a re-run then changes nothing', async () => {
    const made = await role.create(ctx, executionDesired, meta('role/api-execution'))
    cloud.iam.changeOutOfBand(made.name, (record) => {
      record.description = 'edited in the console'
      record.inline.set('extra', JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: '*', Resource: '*'}]}))
      record.attached.push('arn:aws:iam::aws:policy/AdministratorAccess')
      record.trustPolicy = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {AWS: '*'}, Action: 'sts:AssumeRole'}]})
    })
    const drifted = (await role.read(ctx, [made.id])).get(made.id)!
    const changes = diffRole(executionDesired, drifted)
    expect(changes.map((change) => change.field).sort()).toEqual(['assumeRoleServices', 'description', 'inlinePolicies.extra', 'managedPolicyArns'])

    cloud.resetCalls()
    await role.update(ctx, executionDesired, drifted, changes)
    expect(cloud.mutatingCalls().map((call) => call.operation)).toEqual(['UpdateAssumeRolePolicy', 'UpdateRole', 'DetachRolePolicy', 'DeleteRolePolicy'])
    expect(diffRole(executionDesired, (await role.read(ctx, [made.id])).get(made.id)!)).toEqual([])
  })

  it('move a profile to another role', async () => {
    await role.create(ctx, instanceRoleDesired, meta('role/runner-instance'))
    await role.create(ctx, {...instanceRoleDesired, name: 'teststack-runner-instance-2'}, meta('role/runner-instance-2'))
    const profile = await instanceProfile.create(ctx, profileDesired, meta('instance-profile/runner'))
    const moved = {...profileDesired, roleName: 'teststack-runner-instance-2'}

    await instanceProfile.update(ctx, moved, profile, diffInstanceProfile(moved, profile))
    expect(diffInstanceProfile(moved, (await instanceProfile.read(ctx, [profile.id])).get(profile.id)!)).toEqual([])
  })
})

describe('deletes', () => {
  it('delete a role with policies and in a profile, and the profile, leaving nothing', async () => {
    const instance = await role.create(ctx, {...instanceRoleDesired, inlinePolicies: {extra: executionDesired.inlinePolicies.execution!}}, meta('role/runner-instance'))
    const profile = await instanceProfile.create(ctx, profileDesired, meta('instance-profile/runner'))

    // The role first, as a teardown interrupted between the two might leave it: it is taken out of the profile.
    await role.delete(ctx, instance, keepData)
    expect(cloud.iam.roleNames()).toEqual([])
    await instanceProfile.delete(ctx, profile, keepData)
    expect(cloud.iam.resourceCount()).toBe(0)
    // Deleting again: gone counts as deleted.
    await role.delete(ctx, instance, keepData)
    await instanceProfile.delete(ctx, profile, keepData)
    expect((await role.read(ctx, [instance.id])).size).toBe(0)
  })
})
