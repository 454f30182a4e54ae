import type {Filter} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, mutableChanges, nothingChangesInPlace} from '../../../src/resources/ec2/describe.js'
import type {Observed, ReconcileContext} from '../../../src/resources/types.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, findQuery} from '../../helpers/ec2-mock.js'

const {ec2} = ec2Mock()

beforeEach(() => {
  ec2.reset()
})

describe('immutableChanges and mutableChanges', () => {
  const observed = {vpcId: 'vpc-1', cidr: '10.0.1.0/24', public: true}

  it('lists each differing field, replacing or in place', () => {
    const desired = {vpcId: 'vpc-2', cidr: '10.0.1.0/24', public: false}
    expect(immutableChanges(desired, observed, ['vpcId', 'cidr'])).toEqual([{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}])
    expect(mutableChanges(desired, observed, ['public'])).toEqual([{field: 'public', before: true, after: false, replace: false}])
  })

  it('is empty when the fields are equal', () => {
    expect(immutableChanges(observed, observed, ['vpcId', 'cidr', 'public'])).toEqual([])
  })
})

describe('ec2Kind', () => {
  interface Thing extends Observed {
    name: string
  }
  const seen: Filter[][] = []
  const things: Thing[] = [
    {id: 'x-1', logicalId: 'thing/a', stack: 'teststack', name: 'a'},
    // Another stack's object that a server-side filter let through (an emulator ignoring tag filters).
    {id: 'x-2', logicalId: 'thing/b', stack: 'otherstack', name: 'b'},
    // Tagged with the stack but without a logical id: not ours to adopt.
    {id: 'x-3', stack: 'teststack', name: 'c'},
  ]
  const kind = ec2Kind<{name: string}, Thing>({
    kind: 'ec2.thing',
    replaceStrategy: 'create-before-delete',
    idFilter: 'thing-id',
    async describe(_ctx: ReconcileContext, filters: Filter[]) {
      seen.push(filters)
      return things
    },
    diff: (desired, observed) => immutableChanges(desired, observed, ['name']),
    create: async () => things[0]!,
    update: nothingChangesInPlace,
    delete: async () => undefined,
    outputs: (observed) => ({id: observed.id}),
  })

  beforeEach(() => {
    seen.length = 0
  })

  it('reads by the id filter, keyed by id', async () => {
    const found = await kind.read(testContext(), ['x-1', 'x-2'])
    expect(seen).toEqual([[{Name: 'thing-id', Values: ['x-1', 'x-2']}]])
    expect([...found.keys()]).toEqual(['x-1', 'x-2', 'x-3'])
  })

  it('finds by the stack tag and keeps only what the tags say is the stack’s', async () => {
    const found = await kind.find(testContext(), findQuery)
    expect(seen).toEqual([[{Name: 'tag:containrlab:stack', Values: ['teststack']}]])
    expect(found.map((thing) => thing.id)).toEqual(['x-1'])
  })

  it("classifies EC2's error codes", () => {
    expect(kind.classifyError(awsError('InvalidVpcID.NotFound'))).toBe('not-found')
    expect(kind.classifyError(awsError('DependencyViolation'))).toBe('in-use')
    expect(kind.classifyError(awsError('UnauthorizedOperation'))).toBeUndefined()
  })

  it('keeps the definition’s own members and drops the describe plumbing', () => {
    expect(kind.kind).toBe('ec2.thing')
    expect(kind.replaceStrategy).toBe('create-before-delete')
    expect(Object.keys(kind)).not.toContain('idFilter')
    expect(Object.keys(kind)).not.toContain('describe')
  })
})

describe('collectPages', () => {
  it('gathers the items of every page', async () => {
    async function* pages() {
      yield {Items: [1, 2]}
      yield {}
      yield {Items: [3]}
    }
    expect(await collectPages(pages(), (page: {Items?: number[]}) => page.Items)).toEqual([1, 2, 3])
  })
})

describe('deleteIgnoringNotFound', () => {
  it("returns the call's answer", async () => {
    expect(await deleteIgnoringNotFound(async () => ({Return: true}))).toEqual({Return: true})
  })

  it('returns undefined when the object is already gone', async () => {
    expect(await deleteIgnoringNotFound(() => Promise.reject(awsError('InvalidSubnetID.NotFound')))).toBeUndefined()
  })

  it('throws anything else', async () => {
    await expect(deleteIgnoringNotFound(() => Promise.reject(awsError('DependencyViolation')))).rejects.toMatchObject({name: 'DependencyViolation'})
  })
})

describe('nothingChangesInPlace', () => {
  it('returns the observed object and calls nothing', async () => {
    const observed = {id: 'x-1'}
    expect(await nothingChangesInPlace(testContext(), {}, observed)).toBe(observed)
    expect(ec2.calls()).toHaveLength(0)
  })
})
