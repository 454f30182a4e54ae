import {ECRServiceException, LifecyclePolicyNotFoundException, RepositoryAlreadyExistsException, RepositoryNotEmptyException, RepositoryNotFoundException, ServerException} from '@aws-sdk/client-ecr'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {awsError} from '../../helpers/ec2-mock.js'

/** What every ECR kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const ecrKinds = registry.kinds().filter((kind) => kind.startsWith('ecr.'))

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E
const ecrError = <E>(Exception: Modeled<E>): E => new Exception({$metadata: {httpStatusCode: 400}, message: 'test'})
const codeError = (code: string) => new ECRServiceException({name: code, $fault: 'client', $metadata: {httpStatusCode: 400}, message: code})

describe('the ECR kinds', () => {
  it('are registered', () => {
    expect(ecrKinds).toEqual(['ecr.repository'])
  })
})

describe.each(ecrKinds)('%s', (kind) => {
  it.each([
    ['RepositoryNotFoundException', ecrError(RepositoryNotFoundException), 'not-found'],
    ['ServerException', ecrError(ServerException), 'retryable'],
    // Handled by the kind itself, or not to be retried as it is.
    ['RepositoryNotEmptyException', ecrError(RepositoryNotEmptyException), undefined],
    ['RepositoryAlreadyExistsException', ecrError(RepositoryAlreadyExistsException), undefined],
    ['LifecyclePolicyNotFoundException', ecrError(LifecyclePolicyNotFoundException), undefined],
    ['InvalidParameterException', codeError('InvalidParameterException'), undefined],
    // Another service's code is not this one's.
    ['EC2 DependencyViolation', awsError('DependencyViolation'), undefined],
    ['a plain error', new Error('plain'), undefined],
  ])("classifies ECR's %s", async (_name, error, expected) => {
    expect((await registry.get(kind)).classifyError(error)).toBe(expected)
  })

  it('has an idempotent create (the name is the spec’s; a retry adopts its own object by its tags)', async () => {
    expect((await registry.get(kind)).idempotentCreate).toBe(true)
  })
})
