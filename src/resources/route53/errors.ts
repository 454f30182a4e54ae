import {errorCode, errorMessage} from '../../aws/errors.js'
import type {ErrorClass} from '../types.js'

/**
 * Route 53's error codes, classified once for every Route 53 kind. The
 * client throws modeled exceptions whose `name` is the code.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html#API_ChangeResourceRecordSets_Errors
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_DeleteHostedZone.html#API_DeleteHostedZone_Errors
 *
 * Throttling (`Throttling`, HTTP 400 "Rate exceeded": Route 53 allows five
 * requests a second per account) is the SDK's: its retry strategy knows
 * the code, as it knows PriorRequestNotComplete.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests
 */

/** The hosted zone (or the change) named by the call does not exist. */
export const ROUTE53_NOT_FOUND_CODES = new Set(['NoSuchHostedZone', 'NoSuchChange'])

/**
 * DeleteHostedZone while the zone still holds records other than its SOA
 * and NS: the stack's records are deleted by their own nodes, which the
 * deletion walk runs first, so the engine retries (bounded).
 */
export const ROUTE53_IN_USE_CODES = new Set(['HostedZoneNotEmpty'])

/**
 * "The request was rejected because Route 53 was still processing a prior
 * request" (PriorRequestNotComplete), and a concurrent change of the same
 * object (ConcurrentModification: tags): both pass.
 */
export const ROUTE53_RETRYABLE_CODES = new Set(['PriorRequestNotComplete', 'ConcurrentModification'])

/**
 * InvalidChangeBatch is deliberately in no set: it means the batch conflicts
 * with what the zone holds (a record that exists, a CNAME beside other
 * records, values that changed), which no retry fixes. Deletes read its
 * message themselves (see isRecordAlreadyGone).
 */
export function classifyRoute53Error(error: unknown): ErrorClass | undefined {
  const code = errorCode(error)
  if (code === undefined) return undefined
  if (ROUTE53_NOT_FOUND_CODES.has(code)) return 'not-found'
  if (ROUTE53_IN_USE_CODES.has(code)) return 'in-use'
  if (ROUTE53_RETRYABLE_CODES.has(code)) return 'retryable'
  return undefined
}

export function isNoSuchHostedZone(error: unknown): boolean {
  return errorCode(error) === 'NoSuchHostedZone'
}

/**
 * A DELETE of a record set that is no longer there fails the whole batch
 * with InvalidChangeBatch "Tried to delete resource record set
 * [name='app.example.com.', type='A'] but it was not found": for a delete,
 * that is done. ("…but the values provided do not match the current values"
 * is not: the record changed since it was read.)
 */
export function isRecordAlreadyGone(error: unknown): boolean {
  return errorCode(error) === 'InvalidChangeBatch' && /but it was not found/.test(errorMessage(error))
}

/** InvalidChangeBatch "…but the values provided do not match the current values": the record changed since it was read. */
export function isRecordChanged(error: unknown): boolean {
  return errorCode(error) === 'InvalidChangeBatch' && /values provided do not match the current values/.test(errorMessage(error))
}
