import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {RepositoryDesired} from '../../../src/resources/ecr/desired.js'
import {diffRepository, repository} from '../../../src/resources/ecr/repository.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/**
 * ecr.repository against the stateful fake: what only shows when several
 * calls meet ECR's rules (a policy given back in other bytes, a repository
 * that holds images, a name another stack holds).
 */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>

const meta = (logicalId: string, stack = 'teststack') => ({logicalId, token: '0'.repeat(32), tags: ownershipTags(logicalId, stack)})
const desired: RepositoryDesired = {name: 'containrlab-api', scanOnPush: true, tagMutability: 'MUTABLE', keepLastImages: 10}
const wanted = [{logicalId: 'repository/api', desired}]

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
})

afterEach(() => {
  cloud.restore()
})

describe('a repository against the fake ECR', () => {
  it('is made, read back with no diff, found with the state lost, updated in place and deleted', async () => {
    const created = await repository.create(ctx, desired, meta('repository/api'))
    expect(repository.outputs(created)).toEqual({
      id: 'containrlab-api',
      name: 'containrlab-api',
      arn: 'arn:aws:ecr:us-east-1:123456789012:repository/containrlab-api',
      uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api',
    })

    // The fake gives the policy back in other bytes than were put: compared by meaning, no diff.
    expect(cloud.ecr.get('containrlab-api')?.lifecyclePolicy).not.toContain('"rulePriority":1,"description"')
    const read = (await repository.read(ctx, [created.id])).get(created.id)!
    expect(read).toEqual(created)
    expect(diffRepository(desired, read)).toEqual([])

    const [found, ...others] = await repository.find(ctx, {stack: 'teststack', wanted})
    expect(others).toEqual([])
    expect(found).toEqual(created)

    const changed: RepositoryDesired = {name: 'containrlab-api', scanOnPush: false, tagMutability: 'IMMUTABLE'}
    await repository.update(ctx, changed, read, diffRepository(changed, read))
    const after = (await repository.read(ctx, [created.id])).get(created.id)!
    expect(diffRepository(changed, after)).toEqual([])
    expect(cloud.ecr.get('containrlab-api')).toMatchObject({scanOnPush: false, tagMutability: 'IMMUTABLE'})
    expect(cloud.ecr.get('containrlab-api')?.lifecyclePolicy).toBeUndefined()

    await repository.delete(ctx, after, keepData)
    expect(cloud.resourceCount()).toBe(0)
    expect((await repository.read(ctx, [created.id])).size).toBe(0)
    await repository.delete(ctx, after, keepData)
  })

  it('a repository with images is data: kept by an ordinary delete (RepositoryNotEmptyException), deleted with them under purge', async () => {
    const created = await repository.create(ctx, desired, meta('repository/api'))
    cloud.ecr.pushImage('containrlab-api', 'latest')
    cloud.ecr.pushImage('containrlab-api', 'v1')
    const read = (await repository.read(ctx, [created.id])).get(created.id)!

    expect(repository.dataLoss!(read)).toEqual({what: 'holds 2 images', unlessPurge: 'keep'})
    expect(repository.dataLoss!(created)).toBeUndefined()

    // Images pushed after the plan said "no data": an ordinary delete still loses none.
    await expect(repository.delete(ctx, created, keepData)).rejects.toMatchObject({name: 'RepositoryNotEmptyException'})
    expect(cloud.ecr.get('containrlab-api')?.images).toBe(2)

    await repository.delete(ctx, read, {purge: true})
    expect(cloud.resourceCount()).toBe(0)
  })

  it('a retried create adopts what the first attempt made; another stack’s repository of the name is refused, and named by conflicts', async () => {
    const first = await repository.create(ctx, desired, meta('repository/api'))
    const again = await repository.create(ctx, {...desired, scanOnPush: false}, meta('repository/api'))
    expect(again.arn).toBe(first.arn)
    expect(cloud.ecr.get('containrlab-api')?.scanOnPush).toBe(false)
    expect(await repository.conflicts!(ctx, wanted)).toEqual([])

    const other = {...ctx, stack: 'otherstack'}
    await expect(repository.create(other, desired, meta('repository/api', 'otherstack'))).rejects.toThrow('already exists and is repository/api of stack teststack, not repository/api of stack otherstack')
    expect(await repository.conflicts!(other, wanted)).toEqual(['repository/api: ECR repository containrlab-api already exists and is repository/api of stack teststack; choose another name, or delete that repository'])
    expect(cloud.ecr.resourceCount()).toBe(1)
  })

  it('a repository deleted outside the tool reads as absent and is found no more', async () => {
    const created = await repository.create(ctx, desired, meta('repository/api'))
    cloud.ecr.deleteOutOfBand(created.name)

    expect((await repository.read(ctx, [created.id])).size).toBe(0)
    expect(await repository.find(ctx, {stack: 'teststack', wanted})).toEqual([])
  })
})
