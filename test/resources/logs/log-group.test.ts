import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import type {LogGroupDesired} from '../../../src/resources/logs/desired.js'
import {diffLogGroup, logGroup, logGroupArn, type LogGroupObserved} from '../../../src/resources/logs/log-group.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const logs = mockClient(CloudWatchLogsClient)

function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
  return logs.commandCalls(command as any).map((call) => call.args[0].input as Input)
}

function sent(): string[] {
  return logs.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E
const logsError = <E>(Exception: Modeled<E>): E => new Exception({$metadata: {httpStatusCode: 400}, message: 'test'})

const name = '/ecs/containrlab-api'
const arn = `arn:aws:logs:us-east-1:123456789012:log-group:${name}`
const tagMap = {'containrlab:stack': 'teststack', 'containrlab:id': 'log-group/api', 'managed-by': 'containrlab'}
const meta = {logicalId: 'log-group/api', token: '0123456789abcdef0123456789abcdef', tags: ownershipTags('log-group/api')}
const desired: LogGroupDesired = {name, retentionDays: 14}
const awsGroup = (overrides: Partial<LogGroup> = {}): LogGroup => ({logGroupName: name, arn: `${arn}:*`, logGroupArn: arn, retentionInDays: 14, creationTime: 0, ...overrides})
const observed: LogGroupObserved = {id: name, logicalId: 'log-group/api', stack: 'teststack', name, arn, retentionDays: 14}

beforeEach(() => {
  logs.reset()
})

describe('logGroupArn', () => {
  it('is the ARN without `:*`, what the tagging APIs take', () => {
    expect(logGroupArn({arn: `${arn}:*`, logGroupArn: arn})).toBe(arn)
    expect(logGroupArn({arn: `${arn}:*`})).toBe(arn)
  })
})

describe('logGroup.read', () => {
  it('describes by the name as prefix, keeps the exact name only, reads its tags with the ARN without `:*`', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: [awsGroup(), awsGroup({logGroupName: `${name}-worker`, arn: `${arn}-worker:*`, logGroupArn: `${arn}-worker`})]})
    logs.on(ListTagsForResourceCommand).resolves({tags: tagMap})

    const found = await logGroup.read(testContext(), [name])

    expect(inputs(DescribeLogGroupsCommand)).toEqual([{logGroupNamePrefix: name, limit: 50}])
    expect(inputs(ListTagsForResourceCommand)).toEqual([{resourceArn: arn}])
    expect([...found.values()]).toEqual([observed])
  })

  it('follows nextToken past pages without the name (a short or empty page is not the end)', async () => {
    logs
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({logGroups: [], nextToken: 'page-2'})
      .resolves({logGroups: [awsGroup({retentionInDays: undefined})]})
    logs.on(ListTagsForResourceCommand).resolves({tags: tagMap})

    const found = (await logGroup.read(testContext(), [name])).get(name)

    expect(inputs(DescribeLogGroupsCommand).at(-1)).toEqual({logGroupNamePrefix: name, limit: 50, nextToken: 'page-2'})
    expect(found).toEqual({id: name, logicalId: 'log-group/api', stack: 'teststack', name, arn})
  })

  it('omits a group that is gone, or deleted between its describe and its tags', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: []})
    expect((await logGroup.read(testContext(), [name])).size).toBe(0)

    logs.on(DescribeLogGroupsCommand).resolves({logGroups: [awsGroup()]})
    logs.on(ListTagsForResourceCommand).rejects(logsError(ResourceNotFoundException))
    expect((await logGroup.read(testContext(), [name])).size).toBe(0)
  })
})

describe('logGroup.find', () => {
  it('looks up the wanted names; owner from the tags, else the wanted logical id without a stack', async () => {
    logs.on(DescribeLogGroupsCommand, {logGroupNamePrefix: name}).resolves({logGroups: [awsGroup()]})
    logs.on(DescribeLogGroupsCommand, {logGroupNamePrefix: '/ecs/web'}).resolves({logGroups: [awsGroup({logGroupName: '/ecs/web', logGroupArn: `${arn}-web`})]})
    logs.on(ListTagsForResourceCommand, {resourceArn: arn}).resolves({tags: tagMap})
    logs.on(ListTagsForResourceCommand, {resourceArn: `${arn}-web`}).resolves({tags: {}})

    const found = await logGroup.find(testContext(), {
      stack: 'teststack',
      wanted: [{logicalId: 'log-group/api', desired: {name}}, {logicalId: 'log-group/web', desired: {name: '/ecs/web'}}, {logicalId: 'log-group/unknown'}],
    })

    expect(found.map((group) => [group.name, group.logicalId, group.stack])).toEqual([
      [name, 'log-group/api', 'teststack'],
      ['/ecs/web', 'log-group/web', undefined],
    ])
  })

  it('makes no call without a wanted name', async () => {
    expect(await logGroup.find(testContext(), {stack: 'teststack', wanted: []})).toEqual([])
    expect(sent()).toEqual([])
  })
})

describe('diffLogGroup', () => {
  it.each([
    ['no change', desired, observed, []],
    ['another name', {...desired, name: '/ecs/other'}, observed, [{field: 'name', before: name, after: '/ecs/other', replace: true}]],
    ['another retention', {...desired, retentionDays: 30}, observed, [{field: 'retentionDays', before: 14, after: 30, replace: false}]],
    ['kept forever', {name}, observed, [{field: 'retentionDays', before: 14, after: undefined, replace: false}]],
    ['a retention where there is none', desired, {id: name, name, arn}, [{field: 'retentionDays', before: undefined, after: 14, replace: false}]],
  ])('%s', (_name, wanted, live, expected) => {
    expect(diffLogGroup(wanted, live)).toEqual(expected)
  })
})

describe('logGroup.create', () => {
  it('creates it with its tags, sets the retention and reads the ARN back', async () => {
    logs.on(CreateLogGroupCommand).resolves({})
    logs.on(PutRetentionPolicyCommand).resolves({})
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: [awsGroup()]})

    const created = await logGroup.create(testContext(), desired, meta)

    expect(inputs(CreateLogGroupCommand)).toEqual([{logGroupName: name, tags: tagMap}])
    expect(inputs(PutRetentionPolicyCommand)).toEqual([{logGroupName: name, retentionInDays: 14}])
    expect(created).toEqual(observed)
    expect(diffLogGroup(desired, created)).toEqual([])
  })

  it('fails rather than output an empty ARN when the new group is not listed yet', async () => {
    logs.on(CreateLogGroupCommand).resolves({})
    logs.on(PutRetentionPolicyCommand).resolves({})
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: []})

    await expect(logGroup.create(testContext(), desired, meta)).rejects.toThrow(`log group ${name} was created but DescribeLogGroups does not list it yet; the next run adopts it`)
  })

  it('sets no retention for a group kept forever', async () => {
    logs.on(CreateLogGroupCommand).resolves({})
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: [awsGroup({retentionInDays: undefined})]})

    const created = await logGroup.create(testContext(), {name}, meta)

    expect(sent()).toEqual(['CreateLogGroup', 'DescribeLogGroups'])
    expect(diffLogGroup({name}, created)).toEqual([])
  })

  it('adopts a group an earlier attempt made (ResourceAlreadyExistsException, our tags), bringing its retention', async () => {
    logs.on(CreateLogGroupCommand).rejects(logsError(ResourceAlreadyExistsException))
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: [awsGroup({retentionInDays: undefined})]})
    logs.on(ListTagsForResourceCommand).resolves({tags: tagMap})
    logs.on(PutRetentionPolicyCommand).resolves({})

    const adopted = await logGroup.create(testContext(), desired, meta)

    expect(inputs(PutRetentionPolicyCommand)).toEqual([{logGroupName: name, retentionInDays: 14}])
    expect(adopted).toEqual(observed)
  })

  it('refuses a group of the name that is not ours', async () => {
    logs.on(CreateLogGroupCommand).rejects(logsError(ResourceAlreadyExistsException))
    logs.on(DescribeLogGroupsCommand).resolves({logGroups: [awsGroup()]})
    logs.on(ListTagsForResourceCommand).resolves({tags: {}})

    await expect(logGroup.create(testContext(), desired, meta)).rejects.toThrow(`log group ${name} already exists and is not tagged by containrlab, not log-group/api of stack teststack`)
  })
})

describe('logGroup.update', () => {
  it('makes no call when nothing differs', async () => {
    expect(await logGroup.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('PutRetentionPolicy for another retention, DeleteRetentionPolicy for none', async () => {
    logs.on(PutRetentionPolicyCommand).resolves({})
    logs.on(DeleteRetentionPolicyCommand).resolves({})

    const longer = await logGroup.update(testContext(), {name, retentionDays: 90}, observed, [])
    const forever = await logGroup.update(testContext(), {name}, observed, [])

    expect(sent()).toEqual(['PutRetentionPolicy', 'DeleteRetentionPolicy'])
    expect(diffLogGroup({name, retentionDays: 90}, longer)).toEqual([])
    expect(diffLogGroup({name}, forever)).toEqual([])
  })
})

describe('logGroup.delete and outputs', () => {
  it('deletes the group; one already gone counts as deleted', async () => {
    logs.on(DeleteLogGroupCommand).resolves({})
    await logGroup.delete(testContext(), observed, keepData)
    expect(inputs(DeleteLogGroupCommand)).toEqual([{logGroupName: name}])

    logs.on(DeleteLogGroupCommand).rejects(logsError(ResourceNotFoundException))
    await expect(logGroup.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })

  it('outputs the name as id, the ARN without `:*`, and the ARN of its streams (what a policy grants)', () => {
    expect(logGroup.outputs(observed)).toEqual({id: name, name, arn, streamsArn: `${arn}:*`})
  })
})
