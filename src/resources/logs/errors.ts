import {errorCode} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * CloudWatch Logs' error codes, classified once for every Logs kind (JSON
 * protocol: the modeled class's `name` is the code).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html
 */

/** "The specified resource does not exist." (a log group, on read, delete and PutRetentionPolicy) */
export const RESOURCE_NOT_FOUND = 'ResourceNotFoundException'
export const RESOURCE_ALREADY_EXISTS = 'ResourceAlreadyExistsException'

/**
 * OperationAbortedException: "Multiple concurrent requests to update the
 * same resource were in conflict" (CreateLogGroup, DeleteLogGroup): worth
 * another try, as is the service being unavailable.
 */
const RETRYABLE = new Set(['OperationAbortedException', 'ServiceUnavailableException'])

export function hasLogsCode(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error)
  return code !== undefined && codes.includes(code)
}

export function classifyLogsError(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  if (code === RESOURCE_NOT_FOUND) return 'not-found'
  if (RETRYABLE.has(code)) return 'retryable'
  return undefined
}
