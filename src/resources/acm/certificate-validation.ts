import type {CertificateDetail} from '@aws-sdk/client-acm'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {waitFor} from '../wait.js'
import {ACM_CONCURRENCY, daysBetween, describeCertificate, isoTime, mapConcurrently} from './certificates.js'
import type {CertificateValidationDesired} from './desired.js'
import {classifyAcmError, isAcmNotFound} from './errors.js'

/**
 * No AWS object of its own (as Terraform's aws_acm_certificate_validation):
 * the certificate's validation, observed on the certificate. Its id is the
 * certificate's ARN; it is absent when the certificate is gone.
 */
export interface CertificateValidationObserved extends Observed {
  id: string
  certificateArn: string
  status: string
  validatedNames: number
  totalNames: number
  notAfter?: string
  failureReason?: string
  readAt: number
}

/**
 * ACM gives up on DNS validation after 72 hours (VALIDATION_TIMED_OUT);
 * with the records in place it usually issues within minutes, sometimes
 * half an hour. 45 minutes bounds the wait of one run.
 * https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
export const VALIDATION_WAIT_MS = 45 * 60_000

/** States from which the certificate is never issued: the wait fails at once, naming it. */
const FAILED_STATUSES = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE'])

function toObserved(detail: CertificateDetail, readAt: number): CertificateValidationObserved {
  const options = detail.DomainValidationOptions ?? []
  return {
    id: detail.CertificateArn!,
    certificateArn: detail.CertificateArn!,
    status: detail.Status ?? 'unknown',
    validatedNames: options.filter((option) => option.ValidationStatus === 'SUCCESS').length,
    totalNames: options.length,
    notAfter: isoTime(detail.NotAfter),
    failureReason: detail.FailureReason,
    readAt,
  }
}

async function describe(ctx: ReconcileContext, arn: string): Promise<CertificateValidationObserved | undefined> {
  const detail = await describeCertificate(ctx, arn)
  return detail ? toObserved(detail, ctx.clock.now()) : undefined
}

export function diffCertificateValidation(desired: CertificateValidationDesired, observed: CertificateValidationObserved): Change[] {
  // Another certificate is another validation (nothing in AWS to delete: replacing costs nothing).
  if (desired.certificateArn === observed.certificateArn) return []
  return [{field: 'certificateArn', before: observed.certificateArn, after: desired.certificateArn, replace: true}]
}

function progress(value: CertificateValidationObserved | undefined): string {
  if (!value) return 'not visible yet'
  return `${value.status}, ${value.validatedNames} of ${value.totalNames} names validated`
}

export const certificateValidation: Reconciler<CertificateValidationDesired, CertificateValidationObserved> = {
  kind: 'acm.certificate-validation',
  // Nothing to delete, so nothing to order; create-before-delete keeps a new certificate from replacing (cascading to) its listeners.
  replaceStrategy: 'create-before-delete',
  idempotentCreate: true,
  // Waited after every create, and whenever the certificate is not ISSUED: a listener needs an issued certificate.
  readyWhen: 'always',
  waitTimeoutMs: VALIDATION_WAIT_MS,
  typicalMs: {create: 5 * 60_000, delete: 0},
  classifyError: classifyAcmError,
  diff: diffCertificateValidation,

  async read(ctx, ids) {
    const found = new Map<string, CertificateValidationObserved>()
    for (const observed of await mapConcurrently(ids, ACM_CONCURRENCY, (arn) => describe(ctx, arn))) if (observed) found.set(observed.id, observed)
    return found
  },

  // No AWS object carries its tags: the engine knows it from the state, or creates it (which costs one describe).
  async find() {
    return []
  },

  /** The wait for ISSUED is `waitReady`'s (bounded by VALIDATION_WAIT_MS, not the run's default). */
  async create(ctx, desired) {
    const observed = await describe(ctx, desired.certificateArn)
    if (!observed) {
      const error = new Error(`certificate ${desired.certificateArn} not found`)
      // ACM's own word, so that the engine retries a certificate made moments ago and not visible yet.
      error.name = 'ResourceNotFoundException'
      throw error
    }
    return observed
  },

  async update(_ctx, _desired, observed) {
    return observed
  },

  async waitReady(ctx, observed) {
    const issued = await waitFor(ctx, {
      what: `certificate ${observed.certificateArn} to be issued (its DNS validation records must resolve)`,
      isGone: isAcmNotFound,
      poll: () => describe(ctx, observed.certificateArn),
      state: progress,
      done: (value) => value?.status === 'ISSUED',
      failed: (value) => (value && FAILED_STATUSES.has(value.status) ? `the certificate is ${value.status}${value.failureReason ? `: ${value.failureReason}` : ''}` : undefined),
    })
    return issued!
  },

  async delete() {
    // Nothing in AWS: the certificate is its own node's to delete.
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.certificateArn, ...(observed.notAfter ? {notAfter: observed.notAfter} : {})}
  },

  health(observed) {
    const days = daysBetween(observed.readAt, observed.notAfter)
    const detail = observed.status === 'ISSUED' && days !== undefined ? `expires in ${days} days` : (observed.failureReason ?? progress(observed))
    return {state: observed.status, ready: observed.status === 'ISSUED', detail}
  },
}
