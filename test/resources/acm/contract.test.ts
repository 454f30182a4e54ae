import {ConflictException, InvalidArnException, ResourceInUseException, ResourceNotFoundException, ThrottlingException} from '@aws-sdk/client-acm'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'

/** What every ACM kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const acmKinds = registry.kinds().filter((kind) => kind.startsWith('acm.'))
const $metadata = {}

describe.each(acmKinds)('%s', (kind) => {
  it("classifies ACM's error codes (throttling is the SDK's)", async () => {
    const reconciler = await registry.get(kind)
    expect(reconciler.classifyError(new ResourceNotFoundException({$metadata, message: 'gone'}))).toBe('not-found')
    expect(reconciler.classifyError(new ResourceInUseException({$metadata, message: 'in use'}))).toBe('in-use')
    expect(reconciler.classifyError(new ConflictException({$metadata, message: 'busy'}))).toBe('retryable')
    expect(reconciler.classifyError(new ThrottlingException({$metadata, message: 'Rate exceeded'}))).toBeUndefined()
    expect(reconciler.classifyError(new InvalidArnException({$metadata, message: 'bad'}))).toBeUndefined()
    expect(reconciler.classifyError(new Error('plain'))).toBeUndefined()
  })

  it('replaces by making the new certificate first (listeners move to it)', async () => {
    expect((await registry.get(kind)).replaceStrategy).toBe('create-before-delete')
  })
})

describe('the ACM kinds', () => {
  it('are registered', () => {
    expect(acmKinds).toEqual(['acm.certificate', 'acm.certificate-validation', 'acm.self-signed-certificate'])
  })

  it('take an idempotency token where ACM has one (RequestCertificate), or have nothing to make twice (validation)', async () => {
    const idempotent = []
    for (const kind of acmKinds) if ((await registry.get(kind)).idempotentCreate) idempotent.push(kind)
    // ImportCertificate takes no token: a crash between import and save is found by tags.
    expect(idempotent).toEqual(['acm.certificate', 'acm.certificate-validation'])
  })
})
