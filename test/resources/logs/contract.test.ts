import {CloudWatchLogsServiceException, InvalidParameterException, OperationAbortedException, ResourceAlreadyExistsException, ResourceNotFoundException, ServiceUnavailableException} from '@aws-sdk/client-cloudwatch-logs'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {awsError} from '../../helpers/ec2-mock.js'

/** What every CloudWatch Logs kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const logsKinds = registry.kinds().filter((kind) => kind.startsWith('logs.'))

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E
const logsError = <E>(Exception: Modeled<E>): E => new Exception({$metadata: {httpStatusCode: 400}, message: 'test'})

describe('the CloudWatch Logs kinds', () => {
  it('are registered', () => {
    expect(logsKinds).toEqual(['logs.log-group'])
  })
})

describe.each(logsKinds)('%s', (kind) => {
  it.each([
    ['ResourceNotFoundException', logsError(ResourceNotFoundException), 'not-found'],
    ['OperationAbortedException', logsError(OperationAbortedException), 'retryable'],
    ['ServiceUnavailableException', logsError(ServiceUnavailableException), 'retryable'],
    // Handled by the kind itself, or not to be retried as it is.
    ['ResourceAlreadyExistsException', logsError(ResourceAlreadyExistsException), undefined],
    ['InvalidParameterException', logsError(InvalidParameterException), undefined],
    ['ValidationException', new CloudWatchLogsServiceException({name: 'ValidationException', $fault: 'client', $metadata: {}, message: 'Invalid resourceArn'}), undefined],
    ['EC2 DependencyViolation', awsError('DependencyViolation'), undefined],
    ['a plain error', new Error('plain'), undefined],
  ])("classifies CloudWatch Logs' %s", async (_name, error, expected) => {
    expect((await registry.get(kind)).classifyError(error)).toBe(expected)
  })

  it('has an idempotent create (the name is the spec’s; a retry adopts its own object by its tags)', async () => {
    expect((await registry.get(kind)).idempotentCreate).toBe(true)
  })
})
