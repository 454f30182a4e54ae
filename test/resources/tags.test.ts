import {describe, expect, it} from 'vitest'
import {ownedBy, ownerOf, ownerOfCreated, withOwner} from '../../src/resources/tags.js'
import {ownershipTags} from '../helpers/ec2-mock.js'

describe('ownerOf', () => {
  it('reads the logical id and the stack from the tags, and sets no key for a missing tag', () => {
    expect(ownerOf(ownershipTags('vpc'))).toEqual({logicalId: 'vpc', stack: 'teststack'})
    expect(Object.keys(ownerOf([]))).toEqual([])
  })
})

describe('ownerOfCreated', () => {
  it('takes the stack from the tags the object was created with', () => {
    expect(ownerOfCreated({logicalId: 'vpc', token: 't', tags: ownershipTags('vpc')})).toEqual({logicalId: 'vpc', stack: 'teststack'})
  })

  it('always has the logical id of the create', () => {
    expect(ownerOfCreated({logicalId: 'vpc', token: 't', tags: []})).toEqual({logicalId: 'vpc'})
  })
})

describe('withOwner', () => {
  it('keeps what the describe shows and fills in what it does not', () => {
    expect(withOwner({id: 'x', logicalId: 'a', stack: 's'}, {logicalId: 'b', stack: 't'})).toEqual({id: 'x', logicalId: 'a', stack: 's'})
    expect(withOwner({id: 'x'}, {logicalId: 'b', stack: 't'})).toEqual({id: 'x', logicalId: 'b', stack: 't'})
    expect(Object.keys(withOwner({id: 'x'}, {}))).toEqual(['id'])
  })
})

describe('ownedBy', () => {
  it('keeps objects of the stack that carry a logical id', () => {
    const objects = [
      {id: '1', stack: 'teststack', logicalId: 'a'},
      {id: '2', stack: 'other', logicalId: 'a'},
      {id: '3', stack: 'teststack'},
      {id: '4', logicalId: 'a'},
    ]
    expect(ownedBy('teststack', objects).map((o) => o.id)).toEqual(['1'])
  })
})
