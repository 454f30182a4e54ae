import {ConcurrentModification, HostedZoneNotEmpty, InvalidChangeBatch, NoSuchHostedZone, PriorRequestNotComplete, Route53ServiceException, ThrottlingException} from '@aws-sdk/client-route-53'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {isRecordAlreadyGone, isRecordChanged} from '../../../src/resources/route53/errors.js'

/** What every Route 53 kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const route53Kinds = registry.kinds().filter((kind) => kind.startsWith('route53.'))
const $metadata = {}

describe.each(route53Kinds)('%s', (kind) => {
  it("classifies Route 53's error codes (throttling is the SDK's)", async () => {
    const reconciler = await registry.get(kind)
    expect(reconciler.classifyError(new NoSuchHostedZone({$metadata, message: 'No hosted zone found with ID: Z1'}))).toBe('not-found')
    expect(reconciler.classifyError(new HostedZoneNotEmpty({$metadata, message: 'not empty'}))).toBe('in-use')
    expect(reconciler.classifyError(new PriorRequestNotComplete({$metadata, message: 'busy'}))).toBe('retryable')
    expect(reconciler.classifyError(new ConcurrentModification({$metadata, message: 'busy'}))).toBe('retryable')
    expect(reconciler.classifyError(new InvalidChangeBatch({$metadata, message: "[Tried to create resource record set [name='a.example.com.', type='A'] but it already exists]"}))).toBeUndefined()
    expect(reconciler.classifyError(new Route53ServiceException({name: 'Throttling', $fault: 'client', $metadata, message: 'Rate exceeded'}))).toBeUndefined()
    expect(reconciler.classifyError(new ThrottlingException({$metadata, message: 'Rate exceeded'}))).toBeUndefined()
    expect(reconciler.classifyError(new Error('plain'))).toBeUndefined()
  })
})

describe('InvalidChangeBatch, read by its message', () => {
  const batch = (message: string) => new InvalidChangeBatch({$metadata, message})
  it.each([
    ["[Tried to delete resource record set [name='a.example.com.', type='A'] but it was not found]", true, false],
    ["[Tried to delete resource record set [name='a.example.com.', type='A'] but the values provided do not match the current values]", false, true],
    ["[Tried to create resource record set [name='a.example.com.', type='A'] but it already exists]", false, false],
  ])('%s', (message, gone, changed) => {
    expect([isRecordAlreadyGone(batch(message)), isRecordChanged(batch(message))]).toEqual([gone, changed])
  })
})

describe('the Route 53 kinds', () => {
  it('are registered, and a retried create of any cannot make a second object', async () => {
    expect(route53Kinds).toEqual(['route53.hosted-zone', 'route53.alias-record', 'route53.validation-records'])
    for (const kind of route53Kinds) expect((await registry.get(kind)).idempotentCreate).toBe(true)
  })
})
