import {RequestCertificateCommand, type CertificateDetail} from '@aws-sdk/client-acm'
import {ownerOf} from '../tags.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {waitFor} from '../wait.js'
import {acm, acmIdempotencyToken, daysBetween, deleteCertificate, describeCertificate, findCertificates, isoTime, readCertificates, type DescribedCertificate} from './certificates.js'
import type {CertificateDesired} from './desired.js'
import {classifyAcmError, isAcmNotFound} from './errors.js'

/** One record ACM asks for to validate a name: names and values without trailing dots. */
export interface ValidationRecord {
  name: string
  type: string
  value: string
}

export interface CertificateObserved extends Observed {
  /** The ARN. */
  id: string
  domainName: string
  /** The other names, sorted (ACM lists the domain name among them too; it is left out here). */
  subjectAlternativeNames: string[]
  /** PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED. */
  status: string
  /** One per distinct record: a wildcard and its apex share one. */
  validationRecords: ValidationRecord[]
  /** Names ACM has not given a record for yet (it fills them in seconds after the request). */
  namesWithoutRecord: string[]
  validatedNames: number
  totalNames: number
  notAfter?: string
  failureReason?: string
  /** When it was read (ms): `health` counts the days left from it. */
  readAt: number
}

/** Statuses from which the certificate never becomes ISSUED: a new one is requested. https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateDetail.html */
export const DEAD_STATUSES = new Set(['VALIDATION_TIMED_OUT', 'FAILED', 'REVOKED', 'EXPIRED', 'INACTIVE'])

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '')
}

/** The other names of a certificate: lower case, sorted, without duplicates or the domain name itself. */
export function otherNames(domainName: string, names: readonly string[]): string[] {
  const domain = normalName(domainName)
  return [...new Set(names.map(normalName))].filter((name) => name !== domain).sort()
}

/** The distinct validation records of a certificate, by name (a wildcard `*.example.com` and `example.com` share one). */
export function validationRecordsOf(detail: CertificateDetail): {records: ValidationRecord[]; missing: string[]} {
  const records = new Map<string, ValidationRecord>()
  const missing: string[] = []
  for (const option of detail.DomainValidationOptions ?? []) {
    const record = option.ResourceRecord
    if (!record?.Name || !record.Value) {
      missing.push(option.DomainName ?? '')
      continue
    }
    const name = normalName(record.Name)
    records.set(name, {name, type: record.Type ?? 'CNAME', value: normalName(record.Value)})
  }
  return {records: [...records.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), missing}
}

export function toCertificateObserved({detail, tags, readAt}: DescribedCertificate): CertificateObserved {
  const {records, missing} = validationRecordsOf(detail)
  const options = detail.DomainValidationOptions ?? []
  return {
    id: detail.CertificateArn!,
    ...ownerOf(tags),
    domainName: normalName(detail.DomainName ?? ''),
    subjectAlternativeNames: otherNames(detail.DomainName ?? '', detail.SubjectAlternativeNames ?? []),
    status: detail.Status ?? 'unknown',
    validationRecords: records,
    namesWithoutRecord: missing,
    validatedNames: options.filter((option) => option.ValidationStatus === 'SUCCESS').length,
    totalNames: options.length,
    notAfter: isoTime(detail.NotAfter),
    failureReason: detail.FailureReason,
    readAt,
  }
}

export function diffCertificate(desired: CertificateDesired, observed: CertificateObserved): Change[] {
  const changes: Change[] = []
  // A certificate's names are fixed: other names are another certificate (made first; listeners move to it).
  if (normalName(desired.domainName) !== observed.domainName) changes.push({field: 'domainName', before: observed.domainName, after: normalName(desired.domainName), replace: true})
  const names = otherNames(desired.domainName, desired.subjectAlternativeNames)
  if (names.join(',') !== observed.subjectAlternativeNames.join(',')) changes.push({field: 'subjectAlternativeNames', before: observed.subjectAlternativeNames, after: names, replace: true})
  // One that will never be issued (validation timed out after 72 hours, failed, revoked, expired) is requested anew.
  if (DEAD_STATUSES.has(observed.status)) changes.push({field: 'status', before: observed.status, after: 'ISSUED', replace: true})
  return changes
}

/**
 * Waits until ACM has named a record for every name of the certificate
 * (DomainValidationOptions[].ResourceRecord, filled a few seconds after the
 * request). A fresh ARN may answer ResourceNotFoundException for a moment.
 */
async function waitForRecords(ctx: ReconcileContext, observed: CertificateObserved): Promise<CertificateObserved> {
  const described = await waitFor(ctx, {
    what: `${observed.id} to name its DNS validation records`,
    isGone: isAcmNotFound,
    poll: async () => {
      const detail = await describeCertificate(ctx, observed.id)
      return detail ? toCertificateObserved({detail, tags: [], readAt: ctx.clock.now()}) : undefined
    },
    state: (value) => (value ? `${value.totalNames - value.namesWithoutRecord.length} of ${value.totalNames} names have a record` : 'not visible yet'),
    done: (value) => value !== undefined && (value.namesWithoutRecord.length === 0 || value.status !== 'PENDING_VALIDATION'),
    failed: (value) => (value && DEAD_STATUSES.has(value.status) ? `${value.status}${value.failureReason ? ` (${value.failureReason})` : ''}` : undefined),
  })
  return {...described!, logicalId: observed.logicalId, stack: observed.stack}
}

function recordsReady(observed: CertificateObserved): boolean {
  return observed.status !== 'PENDING_VALIDATION' || observed.namesWithoutRecord.length === 0
}

export const certificate: Reconciler<CertificateDesired, CertificateObserved> = {
  kind: 'acm.certificate',
  // A second certificate for the same names can exist: listeners move to the new ARN, then the old one goes.
  replaceStrategy: 'create-before-delete',
  // RequestCertificate's IdempotencyToken (honoured for an hour) is the create token.
  idempotentCreate: true,
  typicalMs: {create: 10_000, delete: 2_000},
  classifyError: classifyAcmError,
  diff: diffCertificate,

  read: (ctx, ids) => readCertificates(ctx, ids, toCertificateObserved),
  find: (ctx, query) => findCertificates(ctx, query.stack, 'AMAZON_ISSUED', toCertificateObserved),

  async create(ctx, desired, meta) {
    const client = await acm(ctx)
    const names = otherNames(desired.domainName, desired.subjectAlternativeNames)
    const response = await client.send(
      new RequestCertificateCommand({
        DomainName: normalName(desired.domainName),
        ...(names.length > 0 ? {SubjectAlternativeNames: [normalName(desired.domainName), ...names]} : {}),
        ValidationMethod: 'DNS',
        IdempotencyToken: acmIdempotencyToken(meta.token),
        Tags: meta.tags,
      }),
    )
    const requested: CertificateObserved = {
      id: response.CertificateArn!,
      ...ownerOf(meta.tags),
      logicalId: meta.logicalId,
      domainName: normalName(desired.domainName),
      subjectAlternativeNames: names,
      status: 'PENDING_VALIDATION',
      validationRecords: [],
      namesWithoutRecord: [normalName(desired.domainName), ...names],
      validatedNames: 0,
      totalNames: names.length + 1,
      readAt: ctx.clock.now(),
    }
    // Dependents (the validation records) need the records ACM names: wait for them here.
    return waitForRecords(ctx, requested)
  },

  // Nothing changes in place (diff only asks for replacements).
  async update(_ctx, _desired, observed) {
    return observed
  },

  async waitReady(ctx, observed) {
    return waitForRecords(ctx, observed)
  },

  async delete(ctx, observed) {
    await deleteCertificate(ctx, observed.id)
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.id, domainName: observed.domainName, validationRecords: JSON.stringify(observed.validationRecords)}
  },

  health(observed) {
    const days = daysBetween(observed.readAt, observed.notAfter)
    const detail =
      observed.status === 'ISSUED' && days !== undefined
        ? `expires in ${days} days (${observed.notAfter})`
        : observed.status === 'PENDING_VALIDATION'
          ? `${observed.validatedNames} of ${observed.totalNames} names validated`
          : observed.failureReason
    // Ready for its dependents (the validation records) once every record is named; ISSUED is acm.certificate-validation's wait.
    return {state: observed.status, ready: recordsReady(observed) && !DEAD_STATUSES.has(observed.status), ...(detail ? {detail} : {})}
  },
}
