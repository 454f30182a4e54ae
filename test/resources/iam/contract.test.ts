import {DeleteConflictException, EntityAlreadyExistsException, NoSuchEntityException} from '@aws-sdk/client-iam'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {awsError} from '../../helpers/ec2-mock.js'
import {iamError, queryError} from './iam-mock.js'

/** What every IAM kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const iamKinds = registry.kinds().filter((kind) => kind.startsWith('iam.'))

describe('the IAM kinds', () => {
  it('are registered', () => {
    expect(iamKinds.sort()).toEqual(['iam.instance-profile', 'iam.role'])
  })
})

describe.each(iamKinds)('%s', (kind) => {
  it.each([
    ['NoSuchEntity', iamError(NoSuchEntityException), 'not-found'],
    ['DeleteConflict', iamError(DeleteConflictException), 'in-use'],
    ['ConcurrentModification', queryError('ConcurrentModification'), 'retryable'],
    ['EntityAlreadyExists', iamError(EntityAlreadyExistsException), undefined],
    ['LimitExceeded', queryError('LimitExceeded'), undefined],
    ['EC2 DependencyViolation', awsError('DependencyViolation'), undefined],
    ['a plain error', new Error('plain'), undefined],
  ])("classifies IAM's %s", async (_name, error, expected) => {
    expect((await registry.get(kind)).classifyError(error)).toBe(expected)
  })

  it('classifies an error as the SDK raises it from the wire (its code in `Code`) as the modeled class alone', async () => {
    const fromWire = Object.assign(iamError(NoSuchEntityException), {Code: 'NoSuchEntity'})
    expect((await registry.get(kind)).classifyError(fromWire)).toBe('not-found')
  })

  it('replaces delete-before-create (names are unique per account) and adopts its own entity on a retried create', async () => {
    const reconciler = await registry.get(kind)
    expect(reconciler.replaceStrategy).toBe('delete-before-create')
    expect(reconciler.idempotentCreate).toBe(true)
  })
})
