import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {LogGroupDesired} from '../../../src/resources/logs/desired.js'
import {diffLogGroup, logGroup} from '../../../src/resources/logs/log-group.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/** logs.log-group against the stateful fake: prefixes that match other groups, short pages, both ARN forms. */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>

const meta = (logicalId: string, stack = 'teststack') => ({logicalId, token: '0'.repeat(32), tags: ownershipTags(logicalId, stack)})
const desired: LogGroupDesired = {name: '/ecs/containrlab-api', retentionDays: 14}
const wanted = [{logicalId: 'log-group/api', desired}]

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
})

afterEach(() => {
  cloud.restore()
})

describe('a log group against the fake CloudWatch Logs', () => {
  it('is made, read back with no diff, found with the state lost, updated in place and deleted', async () => {
    const created = await logGroup.create(ctx, desired, meta('log-group/api'))
    expect(logGroup.outputs(created)).toEqual({
      id: '/ecs/containrlab-api',
      name: '/ecs/containrlab-api',
      arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/containrlab-api',
      streamsArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/containrlab-api:*',
    })
    expect(cloud.logs.get('/ecs/containrlab-api')).toMatchObject({retentionInDays: 14, tags: {'containrlab:stack': 'teststack', 'containrlab:id': 'log-group/api', 'managed-by': 'containrlab'}})

    const read = (await logGroup.read(ctx, [created.id])).get(created.id)!
    expect(read).toEqual(created)
    expect(diffLogGroup(desired, read)).toEqual([])
    expect(await logGroup.find(ctx, {stack: 'teststack', wanted})).toEqual([created])

    const forever: LogGroupDesired = {name: desired.name}
    await logGroup.update(ctx, forever, read, diffLogGroup(forever, read))
    expect(diffLogGroup(forever, (await logGroup.read(ctx, [created.id])).get(created.id)!)).toEqual([])
    expect(cloud.logs.get(desired.name)?.retentionInDays).toBeUndefined()

    await logGroup.delete(ctx, read, keepData)
    expect(cloud.resourceCount()).toBe(0)
    await logGroup.delete(ctx, read, keepData)
  })

  it('finds its group among groups its name is a prefix of, across short pages', async () => {
    for (let i = 0; i < 60; i++) await logGroup.create(ctx, {name: `${desired.name}-${String(i).padStart(2, '0')}`}, meta(`log-group/other-${i}`))
    await logGroup.create(ctx, desired, meta('log-group/api'))
    // `/ecs/containrlab-api` sorts first; an empty first page must not end the search.
    cloud.logs.pageSizes = [0, 0]

    const found = await logGroup.find(ctx, {stack: 'teststack', wanted})

    expect(found.map((group) => [group.name, group.logicalId])).toEqual([[desired.name, 'log-group/api']])
  })

  it('a retried create adopts what the first attempt made; another stack’s group of the name is refused', async () => {
    await logGroup.create(ctx, {name: desired.name}, meta('log-group/api'))
    const again = await logGroup.create(ctx, desired, meta('log-group/api'))
    expect(again.retentionDays).toBe(14)
    expect(cloud.logs.get(desired.name)?.retentionInDays).toBe(14)

    await expect(logGroup.create({...ctx, stack: 'otherstack'}, desired, meta('log-group/api', 'otherstack'))).rejects.toThrow('already exists and is log-group/api of stack teststack')
    expect(cloud.logs.resourceCount()).toBe(1)
  })

  it('a retention AWS does not accept fails with InvalidParameterException', async () => {
    const created = await logGroup.create(ctx, {name: desired.name}, meta('log-group/api'))

    await expect(logGroup.update(ctx, {name: desired.name, retentionDays: 10}, created, [])).rejects.toMatchObject({name: 'InvalidParameterException'})
  })
})
