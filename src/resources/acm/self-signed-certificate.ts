import {ImportCertificateCommand, type CertificateDetail} from '@aws-sdk/client-acm'
import {ownerOf} from '../tags.js'
import type {Change, Observed, Reconciler} from '../types.js'
import {acm, DAY_MS, daysBetween, deleteCertificate, findCertificates, isoTime, readCertificates, type DescribedCertificate} from './certificates.js'
import type {SelfSignedCertificateDesired} from './desired.js'
import {classifyAcmError} from './errors.js'
import {makeSelfSigned} from './x509.js'

export interface SelfSignedCertificateObserved extends Observed {
  /** The ARN. */
  id: string
  commonName: string
  /** Whole days from NotBefore to NotAfter. */
  validityDays: number
  notBefore?: string
  notAfter?: string
  status: string
  /** When it was read (ms): renewal and health count the days left from it, so that diff stays pure. */
  readAt: number
}

function commonNameOf(detail: CertificateDetail): string {
  return (detail.DomainName ?? /CN=([^,]+)/.exec(detail.Subject ?? '')?.[1] ?? '').toLowerCase()
}

export function validityDaysOf(notBefore: string | undefined, notAfter: string | undefined): number {
  if (!notBefore || !notAfter) return 0
  return Math.round((Date.parse(notAfter) - Date.parse(notBefore)) / DAY_MS)
}

function toObserved({detail, tags, readAt}: DescribedCertificate): SelfSignedCertificateObserved {
  const notBefore = isoTime(detail.NotBefore)
  const notAfter = isoTime(detail.NotAfter)
  return {id: detail.CertificateArn!, ...ownerOf(tags), commonName: commonNameOf(detail), validityDays: validityDaysOf(notBefore, notAfter), notBefore, notAfter, status: detail.Status ?? 'unknown', readAt}
}

export function diffSelfSignedCertificate(desired: SelfSignedCertificateDesired, observed: SelfSignedCertificateObserved): Change[] {
  const changes: Change[] = []
  // An imported certificate is what it is: other content is another certificate (imported first, listeners move to it).
  if (desired.commonName.toLowerCase() !== observed.commonName) changes.push({field: 'commonName', before: observed.commonName, after: desired.commonName.toLowerCase(), replace: true})
  if (desired.validityDays !== observed.validityDays) changes.push({field: 'validityDays', before: observed.validityDays, after: desired.validityDays, replace: true})
  const daysLeft = daysBetween(observed.readAt, observed.notAfter)
  if (daysLeft !== undefined && daysLeft < desired.renewDays) {
    changes.push({field: 'notAfter', before: observed.notAfter, after: `renewed: expires in ${daysLeft} days, within renewDays (${desired.renewDays})`, replace: true})
  }
  return changes
}

export const selfSignedCertificate: Reconciler<SelfSignedCertificateDesired, SelfSignedCertificateObserved> = {
  kind: 'acm.self-signed-certificate',
  // A new certificate is imported beside the old one; listeners move to it; the old one is deleted after.
  replaceStrategy: 'create-before-delete',
  // ImportCertificate takes no idempotency token: a crash between the import and the state save is found by tags.
  idempotentCreate: false,
  typicalMs: {create: 3_000, delete: 2_000},
  classifyError: classifyAcmError,
  diff: diffSelfSignedCertificate,

  read: (ctx, ids) => readCertificates(ctx, ids, toObserved),
  find: (ctx, query) => findCertificates(ctx, query.stack, 'IMPORTED', toObserved),

  /**
   * Makes the key pair and certificate in memory and imports both. The
   * private key exists only in this call: it goes to ACM and nowhere else
   * (no file, log, output or state), and its buffer is zeroed after.
   */
  async create(ctx, desired, meta) {
    const made = await makeSelfSigned(desired.commonName.toLowerCase(), desired.validityDays, ctx.clock.now())
    try {
      const client = await acm(ctx)
      const response = await client.send(new ImportCertificateCommand({Certificate: Buffer.from(made.certificate), PrivateKey: made.privateKey, Tags: meta.tags}))
      const notBefore = made.notBefore.toISOString()
      const notAfter = made.notAfter.toISOString()
      return {
        id: response.CertificateArn!,
        ...ownerOf(meta.tags),
        logicalId: meta.logicalId,
        commonName: desired.commonName.toLowerCase(),
        validityDays: validityDaysOf(notBefore, notAfter),
        notBefore,
        notAfter,
        status: 'ISSUED',
        readAt: ctx.clock.now(),
      }
    } finally {
      made.privateKey.fill(0)
    }
  },

  async update(_ctx, _desired, observed) {
    return observed
  },

  async delete(ctx, observed) {
    await deleteCertificate(ctx, observed.id)
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.id, ...(observed.notAfter ? {notAfter: observed.notAfter} : {})}
  },

  health(observed) {
    const days = daysBetween(observed.readAt, observed.notAfter)
    return {state: observed.status, ready: observed.status === 'ISSUED', ...(days !== undefined ? {detail: `self-signed, expires in ${days} days`} : {})}
  },
}
