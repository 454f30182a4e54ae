import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {testContext} from '../helpers/context.js'
import {FakeCloud} from './index.js'

let cloud: FakeCloud
let logs: CloudWatchLogsClient

beforeEach(async () => {
  const ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
  logs = await ctx.aws.client('logs')
})

afterEach(() => {
  cloud.restore()
})

async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

const create = (logGroupName: string, tags?: Record<string, string>) => logs.send(new CreateLogGroupCommand({logGroupName, tags}))
const groupArn = (name: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${name}`

describe('FakeLogs log groups', () => {
  it('creates one with its tags; a second of the name is ResourceAlreadyExistsException; an invalid name InvalidParameterException', async () => {
    await create('/ecs/api', {k: 'v'})

    expect(await errorName(create('/ecs/api'))).toBe('ResourceAlreadyExistsException')
    expect(await errorName(create('/ecs/api space'))).toBe('InvalidParameterException')
    expect(cloud.logs.get('/ecs/api')).toEqual({tags: {k: 'v'}, streams: []})
    expect(cloud.resourceCount()).toBe(1)
  })

  it('describes by prefix in name order with both ARN forms, page by page', async () => {
    for (const name of ['/ecs/web', '/ecs/api-worker', '/ecs/api', '/other']) await create(name)

    const first = await logs.send(new DescribeLogGroupsCommand({logGroupNamePrefix: '/ecs/', limit: 2}))
    const second = await logs.send(new DescribeLogGroupsCommand({logGroupNamePrefix: '/ecs/', limit: 2, nextToken: first.nextToken!}))

    expect([...first.logGroups!, ...second.logGroups!].map((group) => group.logGroupName)).toEqual(['/ecs/api', '/ecs/api-worker', '/ecs/web'])
    expect(second.nextToken).toBeUndefined()
    expect(first.logGroups![0]).toMatchObject({arn: `${groupArn('/ecs/api')}:*`, logGroupArn: groupArn('/ecs/api')})
    expect(first.logGroups![0]!.retentionInDays).toBeUndefined()
  })

  it('answers a short page with a nextToken when told to (pageSizes)', async () => {
    for (const name of ['/a', '/b']) await create(name)
    cloud.logs.pageSizes = [0]

    const empty = await logs.send(new DescribeLogGroupsCommand({}))
    expect(empty.logGroups).toEqual([])
    expect((await logs.send(new DescribeLogGroupsCommand({nextToken: empty.nextToken!}))).logGroups).toHaveLength(2)
  })

  it('sets and removes the retention, refusing a value AWS does not accept (InvalidParameterException)', async () => {
    await create('/ecs/api')

    await logs.send(new PutRetentionPolicyCommand({logGroupName: '/ecs/api', retentionInDays: 14}))
    expect(cloud.logs.get('/ecs/api')?.retentionInDays).toBe(14)
    expect(await errorName(logs.send(new PutRetentionPolicyCommand({logGroupName: '/ecs/api', retentionInDays: 10})))).toBe('InvalidParameterException')
    await logs.send(new DeleteRetentionPolicyCommand({logGroupName: '/ecs/api'}))
    expect(cloud.logs.get('/ecs/api')?.retentionInDays).toBeUndefined()
    expect(await errorName(logs.send(new PutRetentionPolicyCommand({logGroupName: '/gone', retentionInDays: 14})))).toBe('ResourceNotFoundException')
  })

  it('tags by the ARN without `:*`; the `:*` form is a ValidationException (Invalid resourceArn)', async () => {
    await create('/ecs/api', {a: '1'})
    await logs.send(new TagResourceCommand({resourceArn: groupArn('/ecs/api'), tags: {b: '2'}}))

    expect((await logs.send(new ListTagsForResourceCommand({resourceArn: groupArn('/ecs/api')}))).tags).toEqual({a: '1', b: '2'})
    expect(await errorName(logs.send(new ListTagsForResourceCommand({resourceArn: `${groupArn('/ecs/api')}:*`})))).toBe('ValidationException')
    expect(await errorName(logs.send(new ListTagsForResourceCommand({resourceArn: groupArn('/gone')})))).toBe('ResourceNotFoundException')
  })

  it('deletes a group; a gone one is ResourceNotFoundException', async () => {
    await create('/ecs/api')
    await logs.send(new DeleteLogGroupCommand({logGroupName: '/ecs/api'}))

    expect(await errorName(logs.send(new DeleteLogGroupCommand({logGroupName: '/ecs/api'})))).toBe('ResourceNotFoundException')
    expect(cloud.resourceCount()).toBe(0)
  })
})

describe('FakeLogs FilterLogEvents', () => {
  beforeEach(async () => {
    await create('/ecs/api')
    cloud.logs.putEvents('/ecs/api', 'api/app/task-1', [
      {timestamp: 1_000, message: 'one'},
      {timestamp: 3_000, message: 'three error'},
    ])
    cloud.logs.putEvents('/ecs/api', 'api/app/task-2', [
      {timestamp: 2_000, message: 'two'},
      {timestamp: 4_000, message: 'four error'},
    ])
  })

  it('interleaves the streams’ events by timestamp, from startTime on', async () => {
    const {events} = await logs.send(new FilterLogEventsCommand({logGroupName: '/ecs/api', startTime: 2_000}))

    expect(events!.map((event) => [event.timestamp, event.logStreamName, event.message])).toEqual([
      [2_000, 'api/app/task-2', 'two'],
      [3_000, 'api/app/task-1', 'three error'],
      [4_000, 'api/app/task-2', 'four error'],
    ])
    expect(events![0]).toMatchObject({ingestionTime: expect.any(Number), eventId: expect.any(String)})
  })

  it('pages with nextToken, filters by stream and by plain terms', async () => {
    const first = await logs.send(new FilterLogEventsCommand({logGroupName: '/ecs/api', limit: 3}))
    const second = await logs.send(new FilterLogEventsCommand({logGroupName: '/ecs/api', limit: 3, nextToken: first.nextToken!}))
    expect([...first.events!, ...second.events!].map((event) => event.message)).toEqual(['one', 'two', 'three error', 'four error'])
    expect(second.nextToken).toBeUndefined()

    expect((await logs.send(new FilterLogEventsCommand({logGroupName: '/ecs/api', logStreamNames: ['api/app/task-1']}))).events!.map((event) => event.message)).toEqual(['one', 'three error'])
    expect((await logs.send(new FilterLogEventsCommand({logGroupName: '/ecs/api', filterPattern: 'error'}))).events!.map((event) => event.message)).toEqual(['three error', 'four error'])
  })

  it('is ResourceNotFoundException for a group that does not exist, as putEvents is', async () => {
    expect(await errorName(logs.send(new FilterLogEventsCommand({logGroupName: '/gone'})))).toBe('ResourceNotFoundException')
    expect(() => cloud.logs.putEvents('/gone', 's', [])).toThrow(expect.objectContaining({name: 'ResourceNotFoundException'}))
  })
})
