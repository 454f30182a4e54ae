import {errorCode} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * ACM's error codes, classified once for every ACM kind. The client throws
 * modeled exceptions whose `name` is the code.
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html#API_DescribeCertificate_Errors
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_DeleteCertificate.html#API_DeleteCertificate_Errors
 *
 * ThrottlingException is the SDK's (its retry strategy knows the code).
 */

/** "The specified certificate cannot be found in the caller's account or Region." */
export const ACM_NOT_FOUND_CODES = new Set(['ResourceNotFoundException'])

/**
 * "The certificate is in use by another AWS service in the caller's
 * account. Remove the association and try again." A listener still serves
 * it: it moves to the new certificate, or is deleted, before the old one goes.
 */
export const ACM_IN_USE_CODES = new Set(['ResourceInUseException'])

/**
 * ConflictException: "You are trying to update a resource or configuration
 * that is already being created or updated. Wait for the previous operation
 * to finish and try again." RequestInProgressException: the certificate is
 * still being issued.
 */
export const ACM_RETRYABLE_CODES = new Set(['ConflictException', 'RequestInProgressException'])

export function classifyAcmError(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  if (ACM_NOT_FOUND_CODES.has(code)) return 'not-found'
  if (ACM_IN_USE_CODES.has(code)) return 'in-use'
  if (ACM_RETRYABLE_CODES.has(code)) return 'retryable'
  return undefined
}

export function isAcmNotFound(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && ACM_NOT_FOUND_CODES.has(code)
}
