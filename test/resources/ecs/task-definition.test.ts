import {
  ClientException,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'
import type {TaskDefinitionDesired} from '../../../src/resources/ecs/desired.js'
import {diffTaskDefinition, taskDefinition} from '../../../src/resources/ecs/task-definition.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {ecsError, ecsMock, ecsTags, taskDefinitionArn} from './ecs-mock.js'

const {ecs, inputs, mutations} = ecsMock()

const meta = {logicalId: 'task-definition/api', token: '0123456789abcdef0123456789abcdef', tags: ownershipTags('task-definition/api')}
const desired: TaskDefinitionDesired = {
  family: 'teststack-api',
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/teststack-execution',
  containerDefinitions: [{name: 'api', image: 'repo/api:1', portMappings: [{containerPort: 8080}]}],
}
/** AWS's answer for `desired`, revision `revision`. */
const answer = (revision = 1, image = 'repo/api:1'): TaskDefinition => ({
  taskDefinitionArn: taskDefinitionArn('teststack-api', revision),
  family: 'teststack-api',
  revision,
  status: 'ACTIVE',
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/teststack-execution',
  containerDefinitions: [{name: 'api', image, cpu: 0, essential: true, portMappings: [{containerPort: 8080, hostPort: 8080, protocol: 'tcp'}], environment: [], mountPoints: [], volumesFrom: []}],
  volumes: [],
})
const unknown = () => ecsError(ClientException, 'Unable to describe task definition.')

beforeEach(() => {
  ecs.reset()
})

describe('ecs.task-definition read', () => {
  it("reads a family's latest ACTIVE revision with its tags; a family with none is gone", async () => {
    ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: 'teststack-api', include: ['TAGS']}).resolves({taskDefinition: answer(3), tags: ecsTags('task-definition/api')})
    ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: 'teststack-gone', include: ['TAGS']}).rejects(unknown())
    ecs.on(ListTaskDefinitionsCommand).resolves({taskDefinitionArns: []})

    const found = await taskDefinition.read(testContext(), ['teststack-api', 'teststack-gone'])

    expect([...found.keys()]).toEqual(['teststack-api'])
    expect(found.get('teststack-api')).toMatchObject({id: 'teststack-api', arn: taskDefinitionArn('teststack-api', 3), revision: 3, logicalId: 'task-definition/api', stack: 'teststack'})
    expect(taskDefinition.outputs(found.get('teststack-api')!)).toEqual({id: 'teststack-api', arn: taskDefinitionArn('teststack-api', 3), family: 'teststack-api', revision: '3'})
  })
})

describe('ecs.task-definition create and update', () => {
  it('registers with ECS-style tags', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(unknown())
    ecs.on(RegisterTaskDefinitionCommand).resolves({taskDefinition: answer(1), tags: ecsTags('task-definition/api')})

    const made = await taskDefinition.create(testContext(), desired, meta)

    expect(inputs(RegisterTaskDefinitionCommand)).toEqual([{...desired, tags: ecsTags('task-definition/api')}])
    expect(made).toMatchObject({arn: taskDefinitionArn('teststack-api', 1), logicalId: 'task-definition/api', stack: 'teststack'})
  })

  it('registers nothing when its own latest revision already says the same (a retried create)', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: answer(4), tags: ecsTags('task-definition/api')})

    const made = await taskDefinition.create(testContext(), desired, meta)

    expect(made.arn).toBe(taskDefinitionArn('teststack-api', 4))
    expect(mutations()).toEqual([])
  })

  it("refuses a family whose latest revision is another stack's", async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: answer(4), tags: ecsTags('task-definition/api', 'otherstack')})

    await expect(taskDefinition.create(testContext(), desired, meta)).rejects.toThrow('ECS task definition family teststack-api already exists and is task-definition/api of stack otherstack')
  })

  it('registers a new revision for a real change, tagged as the family was', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: answer(1), tags: ecsTags('task-definition/api')})
    ecs.on(RegisterTaskDefinitionCommand).resolves({taskDefinition: answer(2, 'repo/api:2'), tags: ecsTags('task-definition/api')})
    const current = (await taskDefinition.read(testContext(), ['teststack-api'])).get('teststack-api')!
    const next = {...desired, containerDefinitions: [{...desired.containerDefinitions[0]!, image: 'repo/api:2'}]}

    const changes = diffTaskDefinition(next, current)
    const updated = await taskDefinition.update(testContext(), next, current, changes)

    expect(changes).toEqual([{field: 'containerDefinitions.api.image', before: 'repo/api:1', after: 'repo/api:2', replace: false}])
    expect(updated.arn).toBe(taskDefinitionArn('teststack-api', 2))
    expect(inputs(RegisterTaskDefinitionCommand)[0]?.tags).toEqual(ecsTags('task-definition/api'))
  })

  it('names a container added or removed, and a new family as a replacement', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: answer(1), tags: ecsTags('task-definition/api')})
    const current = (await taskDefinition.read(testContext(), ['teststack-api'])).get('teststack-api')!

    expect(diffTaskDefinition({...desired, containerDefinitions: [...desired.containerDefinitions, {name: 'sidecar', image: 'repo/sidecar:1'}]}, current).map((change) => change.field)).toEqual(['containerDefinitions'])
    expect(diffTaskDefinition({...desired, family: 'teststack-api-2'}, current)).toEqual([{field: 'family', before: 'teststack-api', after: 'teststack-api-2', replace: true}])
  })
})

describe('ecs.task-definition with imageSource: deploy (images rolled by `containrlab deploy`)', () => {
  const deployed: TaskDefinitionDesired = {...desired, imageSource: 'deploy', containerDefinitions: [{name: 'api', image: 'repo/api', imageReference: ':latest', portMappings: [{containerPort: 8080}]}]}
  const running = async (image: string) => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: answer(7, image), tags: ecsTags('task-definition/api')})
    return (await taskDefinition.read(testContext(), ['teststack-api'])).get('teststack-api')!
  }

  it("sees no change in the latest revision's image (what the last deploy set)", async () => {
    const current = await running('repo/api:sha-abc123')

    expect(diffTaskDefinition(deployed, current)).toEqual([])
    // The same definition with `imageSource: spec` converges to the spec's image: a change.
    expect(diffTaskDefinition({...deployed, imageSource: 'spec'}, current)).toEqual([{field: 'containerDefinitions.api.image', before: 'repo/api:sha-abc123', after: 'repo/api:latest', replace: false}])
  })

  it('registers any other change with the image that is running', async () => {
    const current = await running('repo/api:sha-abc123')
    ecs.on(RegisterTaskDefinitionCommand).resolves({taskDefinition: answer(8, 'repo/api:sha-abc123'), tags: ecsTags('task-definition/api')})
    const next = {...deployed, cpu: '512', memory: '1024'}

    const changes = diffTaskDefinition(next, current)
    await taskDefinition.update(testContext(), next, current, changes)

    expect(changes.map((change) => change.field)).toEqual(['cpu', 'memory'])
    expect(inputs(RegisterTaskDefinitionCommand)[0]?.containerDefinitions?.map((container) => container.image)).toEqual(['repo/api:sha-abc123'])
  })

  it("registers the spec's image as the first one when the family has no revision", async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(unknown())
    ecs.on(RegisterTaskDefinitionCommand).resolves({taskDefinition: answer(1, 'repo/api:latest'), tags: ecsTags('task-definition/api')})

    await taskDefinition.create(testContext(), deployed, meta)

    expect(inputs(RegisterTaskDefinitionCommand)[0]?.containerDefinitions?.map((container) => container.image)).toEqual(['repo/api:latest'])
  })
})

describe('ecs.task-definition delete', () => {
  it("deregisters every ACTIVE revision of exactly this family that is the stack's, then deletes them", async () => {
    ecs.on(ListTaskDefinitionsCommand, {status: 'INACTIVE'}).resolves({taskDefinitionArns: []})
    ecs.on(ListTaskDefinitionsCommand, {status: 'ACTIVE'}).resolves({
      taskDefinitionArns: [taskDefinitionArn('teststack-api', 1), taskDefinitionArn('teststack-api', 2), taskDefinitionArn('teststack-api-worker', 1), taskDefinitionArn('teststack-api', 3)],
    })
    ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: taskDefinitionArn('teststack-api', 1), include: ['TAGS']}).resolves({taskDefinition: answer(1), tags: ecsTags('task-definition/api')})
    ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: taskDefinitionArn('teststack-api', 2), include: ['TAGS']}).resolves({taskDefinition: answer(2), tags: ecsTags('task-definition/api', 'otherstack')})
    ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: taskDefinitionArn('teststack-api', 3), include: ['TAGS']}).resolves({taskDefinition: answer(3), tags: ecsTags('task-definition/api')})
    ecs.on(DeregisterTaskDefinitionCommand).resolves({})
    ecs.on(DeleteTaskDefinitionsCommand).resolves({})
    const current = {id: 'teststack-api', family: 'teststack-api', arn: taskDefinitionArn('teststack-api', 3), revision: 3, status: 'ACTIVE', definition: desired, logicalId: 'task-definition/api', stack: 'teststack'}

    await taskDefinition.delete(testContext(), current, keepData)

    expect(inputs(ListTaskDefinitionsCommand)).toContainEqual(expect.objectContaining({familyPrefix: 'teststack-api', status: 'ACTIVE'}))
    expect(inputs(DeregisterTaskDefinitionCommand).map((input) => input.taskDefinition)).toEqual([taskDefinitionArn('teststack-api', 1), taskDefinitionArn('teststack-api', 3)])
    expect(inputs(DeleteTaskDefinitionsCommand)).toEqual([{taskDefinitions: [taskDefinitionArn('teststack-api', 1), taskDefinitionArn('teststack-api', 3)]}])
  })

  it('a family left with INACTIVE revisions only (a teardown stopped between deregister and delete) reads as INACTIVE; up registers again, teardown deletes them', async () => {
    ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: 'teststack-api', include: ['TAGS']}).rejects(unknown())
    ecs.on(ListTaskDefinitionsCommand, {status: 'ACTIVE'}).resolves({taskDefinitionArns: []})
    ecs.on(ListTaskDefinitionsCommand, {status: 'INACTIVE'}).resolves({taskDefinitionArns: [taskDefinitionArn('teststack-api', 1), taskDefinitionArn('teststack-api-worker', 4), taskDefinitionArn('teststack-api', 2)]})
    ecs.on(DeleteTaskDefinitionsCommand).resolves({})

    const found = (await taskDefinition.read(testContext(), ['teststack-api'])).get('teststack-api')!
    expect(found).toEqual({id: 'teststack-api', family: 'teststack-api', arn: taskDefinitionArn('teststack-api', 2), revision: 2, status: 'INACTIVE'})
    expect(diffTaskDefinition(desired, found)).toEqual([{field: 'status', before: 'INACTIVE', after: 'ACTIVE', replace: false}])
    expect(taskDefinition.health!(found)).toMatchObject({ready: false, state: 'inactive'})

    await taskDefinition.delete(testContext(), found, keepData)
    expect(inputs(DeregisterTaskDefinitionCommand)).toEqual([])
    expect(inputs(DeleteTaskDefinitionsCommand)).toEqual([{taskDefinitions: [taskDefinitionArn('teststack-api', 1), taskDefinitionArn('teststack-api', 2)]}])
  })
})
