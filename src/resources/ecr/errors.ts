import {errorCode} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * Amazon ECR's error codes, classified once for every ECR kind. ECR speaks
 * the JSON protocol: the SDK raises modeled classes whose `name` is the code
 * (`RepositoryNotFoundException`).
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/CommonErrors.html
 */

export const REPOSITORY_NOT_FOUND = 'RepositoryNotFoundException'
export const REPOSITORY_ALREADY_EXISTS = 'RepositoryAlreadyExistsException'
/** DeleteRepository without `force` on a repository that holds images (API_DeleteRepository). */
export const REPOSITORY_NOT_EMPTY = 'RepositoryNotEmptyException'
export const LIFECYCLE_POLICY_NOT_FOUND = 'LifecyclePolicyNotFoundException'

/** Transient: "These errors are usually caused by a server-side issue." (ServerException) */
const RETRYABLE = new Set(['ServerException'])

export function hasEcrCode(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error)
  return code !== undefined && codes.includes(code)
}

/**
 * RepositoryNotEmptyException is not `in-use`: no retry empties a
 * repository; teardown keeps a repository with images (dataLoss) unless
 * --purge, and a purge deletes with `force`.
 */
export function classifyEcrError(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  if (code === REPOSITORY_NOT_FOUND) return 'not-found'
  if (RETRYABLE.has(code)) return 'retryable'
  return undefined
}
