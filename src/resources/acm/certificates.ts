import {
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListTagsForCertificateCommand,
  paginateListCertificates,
  type ACMClient,
  type CertificateDetail,
  type CertificateType,
  type KeyAlgorithm,
  type Tag as AcmTag,
} from '@aws-sdk/client-acm'
import {createHash} from 'node:crypto'
import {ownerOf} from '../tags.js'
import type {ReconcileContext} from '../types.js'
import {isAcmNotFound} from './errors.js'

/** What the ACM kinds share: describe and tags per certificate, the lookup by tags, delete. */

export function acm(ctx: ReconcileContext): Promise<ACMClient> {
  return ctx.aws.client('acm')
}

/**
 * ACM has no batch describe, and its API rate quotas are per operation and
 * account (about ten requests a second for DescribeCertificate and
 * ListTagsForCertificate): certificates are described a few at a time, the
 * SDK's adaptive retry absorbing any throttling.
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html#api-rate-limits
 */
export const ACM_CONCURRENCY = 4

/** `fn` over `items`, at most `limit` at once, results in order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}

/** The certificate, or undefined when ACM does not know it (deleted, or not visible yet). */
export async function describeCertificate(ctx: ReconcileContext, arn: string): Promise<CertificateDetail | undefined> {
  try {
    return (await (await acm(ctx)).send(new DescribeCertificateCommand({CertificateArn: arn}))).Certificate
  } catch (error) {
    if (isAcmNotFound(error)) return undefined
    throw error
  }
}

async function tagsOf(ctx: ReconcileContext, arn: string): Promise<AcmTag[] | undefined> {
  try {
    return (await (await acm(ctx)).send(new ListTagsForCertificateCommand({CertificateArn: arn}))).Tags ?? []
  } catch (error) {
    if (isAcmNotFound(error)) return undefined
    throw error
  }
}

/** A certificate as the kinds see it: ACM's detail, its tags, and when it was read (for renewal and health). */
export interface DescribedCertificate {
  detail: CertificateDetail
  tags: AcmTag[]
  readAt: number
}

/** Its detail and tags (the tags listed here unless already known). */
async function described(ctx: ReconcileContext, arn: string, knownTags?: AcmTag[]): Promise<DescribedCertificate | undefined> {
  const [detail, tags] = await Promise.all([describeCertificate(ctx, arn), knownTags ?? tagsOf(ctx, arn)])
  if (!detail || !tags) return undefined
  return {detail, tags, readAt: ctx.clock.now()}
}

/** Batched read by ARN (one describe and one tag listing each, a few at a time); ARNs ACM no longer knows are absent. */
export async function readCertificates<O extends {id: string}>(ctx: ReconcileContext, arns: string[], toObserved: (certificate: DescribedCertificate) => O): Promise<Map<string, O>> {
  const found = new Map<string, O>()
  for (const certificate of await mapConcurrently(arns, ACM_CONCURRENCY, (arn) => described(ctx, arn))) {
    if (certificate) found.set(certificate.detail.CertificateArn!, toObserved(certificate))
  }
  return found
}

/**
 * ListCertificates returns only RSA_1024 and RSA_2048 certificates unless
 * told the key types: every one is asked for.
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html
 */
export const ALL_KEY_TYPES: KeyAlgorithm[] = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1']

/**
 * The stack's certificates of one type (`AMAZON_ISSUED` for requested ones,
 * `IMPORTED` for self-signed ones): ListCertificates cannot filter by tag,
 * so the tags of each certificate of that type are listed (a few at a
 * time), and those tagged for the stack described.
 */
export async function findCertificates<O>(ctx: ReconcileContext, stack: string, type: CertificateType, toObserved: (certificate: DescribedCertificate) => O): Promise<O[]> {
  const client = await acm(ctx)
  const arns: string[] = []
  for await (const page of paginateListCertificates({client}, {Includes: {keyTypes: ALL_KEY_TYPES}, MaxItems: 1000})) {
    for (const summary of page.CertificateSummaryList ?? []) if (summary.Type === type && summary.CertificateArn) arns.push(summary.CertificateArn)
  }
  const tagged = await mapConcurrently(arns, ACM_CONCURRENCY, async (arn) => ({arn, tags: await tagsOf(ctx, arn)}))
  const ours = tagged.filter(({tags}) => {
    const owner = ownerOf(tags)
    return owner.stack === stack && owner.logicalId !== undefined
  })
  const certificates = await mapConcurrently(ours, ACM_CONCURRENCY, ({arn, tags}) => described(ctx, arn, tags))
  return certificates.filter((certificate): certificate is DescribedCertificate => certificate !== undefined).map(toObserved)
}

/**
 * Deletes a certificate; one already gone counts as deleted.
 * ResourceInUseException (a listener still serves it) is thrown for the
 * engine to retry while the listener moves to the new certificate or goes.
 */
export async function deleteCertificate(ctx: ReconcileContext, arn: string): Promise<void> {
  try {
    await (await acm(ctx)).send(new DeleteCertificateCommand({CertificateArn: arn}))
  } catch (error) {
    if (!isAcmNotFound(error)) throw error
  }
}

/**
 * RequestCertificate's IdempotencyToken: 1–32 word characters (`\w+`). The
 * create token (32 hex characters) is used as it is; anything else is
 * hashed into that alphabet. ACM honours a token for one hour.
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html#ACM-RequestCertificate-request-IdempotencyToken
 */
export function acmIdempotencyToken(token: string): string {
  if (/^\w{1,32}$/.test(token)) return token
  return createHash('sha256').update(token).digest('hex').slice(0, 32)
}

/** ISO time of a date ACM returned, or undefined. */
export function isoTime(date: Date | undefined): string | undefined {
  return date ? new Date(date).toISOString() : undefined
}

const DAY_MS = 86_400_000

/** Whole days from `now` to `until` (negative once past). */
export function daysBetween(now: number, until: string | undefined): number | undefined {
  if (!until) return undefined
  return Math.floor((Date.parse(until) - now) / DAY_MS)
}

export {DAY_MS}
