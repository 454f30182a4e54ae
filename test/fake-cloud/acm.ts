import {createHash, createPrivateKey, createPublicKey, X509Certificate} from 'node:crypto'
import {
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ImportCertificateCommand,
  InvalidArnException,
  InvalidParameterException,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
  type CertificateDetail,
  type CertificateStatus,
  type CertificateSummary,
  type DomainValidation,
  type KeyAlgorithm,
  type Tag,
} from '@aws-sdk/client-acm'
import type {FakeEnv, FakeHandler, FakeService} from './core.js'

/**
 * In-memory ACM: requested certificates validated by DNS against the fake
 * Route 53 (`env.dnsRecords`), imported ones read from their PEM, tags,
 * ACM's limits and modeled errors. Timings (fake clock):
 * - a requested certificate names its validation records a few seconds
 *   after the request (DescribeCertificate shows DomainValidationOptions
 *   without ResourceRecord until then);
 * - each name validates `validationMs` after its CNAME is first seen with
 *   the right value; the certificate is ISSUED once every name is;
 * - without that, it is VALIDATION_TIMED_OUT after 72 hours.
 * Imported certificates: the PEM is parsed (node:crypto's X509Certificate)
 * for the subject, names and validity, and the private key checked against
 * it; the key itself is not kept. A certificate in use by a listener of the
 * fake ELBv2 (`env.certificateUsers`) cannot be deleted.
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_Operations.html
 */

export interface AcmTimings {
  /** From RequestCertificate until DomainValidationOptions carry their ResourceRecord. */
  recordsMs: number
  /** From a validation CNAME first seen in DNS until that name is validated. */
  validationMs: number
  /** ACM gives up on DNS validation after 72 hours. */
  validationTimeoutMs: number
  /** An issued certificate's lifetime (ACM: 198 days). */
  lifetimeMs: number
}

export const DEFAULT_ACM_TIMINGS: AcmTimings = {recordsMs: 5_000, validationMs: 30_000, validationTimeoutMs: 72 * 3_600_000, lifetimeMs: 198 * 86_400_000}

interface NameRecord {
  domainName: string
  /** The CNAME ACM asks for: one per domain (a wildcard shares its base's). */
  record: {Name: string; Type: 'CNAME'; Value: string}
  seenAt?: number
  validatedAt?: number
}

interface CertificateRecord {
  arn: string
  type: 'AMAZON_ISSUED' | 'IMPORTED'
  domainName: string
  names: string[]
  keyAlgorithm: KeyAlgorithm
  createdAt: number
  tags: Tag[]
  validation: NameRecord[]
  token?: string
  issuedAt?: number
  notBefore?: number
  notAfter?: number
  subject?: string
  serial?: string
  timedOut?: boolean
}

const meta = {$metadata: {httpStatusCode: 400}}
const ARN = /^arn:aws[\w-]*:acm:[\w-]+:\d{12}:certificate\/[\w-]+$/
/** Tokens are honoured for one hour. https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html */
const TOKEN_WINDOW_MS = 3_600_000
/** "Default filtering returns only RSA_1024 and RSA_2048 certificates." https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html */
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048']

function validation(message: string): ValidationException {
  return new ValidationException({...meta, message})
}

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

export class FakeAcm implements FakeService {
  readonly service = 'acm'
  readonly timings: AcmTimings
  private readonly certificates = new Map<string, CertificateRecord>()
  private counter = 0

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<AcmTimings> = {},
  ) {
    this.timings = {...DEFAULT_ACM_TIMINGS, ...timings}
    env.certificateStatus = (arn) => {
      const certificate = this.certificates.get(arn)
      return certificate ? this.status(certificate) : undefined
    }
  }

  handlers(): FakeHandler[] {
    return [
      {command: RequestCertificateCommand, operation: 'RequestCertificate', mutating: true, handle: async (input) => this.requestCertificate(input)},
      {command: ImportCertificateCommand, operation: 'ImportCertificate', mutating: true, handle: async (input) => this.importCertificate(input)},
      {command: DescribeCertificateCommand, operation: 'DescribeCertificate', mutating: false, handle: async (input) => this.describeCertificate(input)},
      {command: ListCertificatesCommand, operation: 'ListCertificates', mutating: false, handle: async (input) => this.listCertificates(input)},
      {command: ListTagsForCertificateCommand, operation: 'ListTagsForCertificate', mutating: false, handle: async (input) => this.listTags(input)},
      {command: AddTagsToCertificateCommand, operation: 'AddTagsToCertificate', mutating: true, handle: async (input) => this.addTags(input)},
      {command: DeleteCertificateCommand, operation: 'DeleteCertificate', mutating: true, handle: async (input) => this.deleteCertificate(input)},
    ]
  }

  throttlingError(): Error {
    return new ThrottlingException({...meta, message: 'Rate exceeded'})
  }

  // --- test helpers -------------------------------------------------------

  arns(): string[] {
    return [...this.certificates.keys()]
  }

  /** Certificates in the account (requested or imported, not deleted). */
  resourceCount(): number {
    return this.certificates.size
  }

  /** A certificate as DescribeCertificate shows it now (for assertions). */
  detail(arn: string): CertificateDetail {
    return this.render(this.get(arn))
  }

  // --- API ----------------------------------------------------------------

  requestCertificate(input: {DomainName?: string; SubjectAlternativeNames?: string[]; ValidationMethod?: string; IdempotencyToken?: string; Tags?: Tag[]; KeyAlgorithm?: KeyAlgorithm}) {
    const token = input.IdempotencyToken
    if (token !== undefined && !/^\w{1,32}$/.test(token)) {
      throw validation(`1 validation error detected: Value '${token}' at 'idempotencyToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\w+ and have length less than or equal to 32`)
    }
    if (!input.DomainName) throw validation("1 validation error detected: Value null at 'domainName' failed to satisfy constraint: Member must not be null")
    if (input.ValidationMethod !== 'DNS') throw new InvalidParameterException({...meta, message: 'The fake ACM models DNS validation only.'})
    const now = this.env.clock.now()
    if (token) {
      const earlier = [...this.certificates.values()].find((certificate) => certificate.token === token && now - certificate.createdAt < TOKEN_WINDOW_MS)
      if (earlier) return {CertificateArn: earlier.arn}
    }
    const domainName = input.DomainName.toLowerCase()
    const names = [...new Set([domainName, ...(input.SubjectAlternativeNames ?? []).map((name) => name.toLowerCase())])]
    // "Number of domain names per ACM certificate": 10 by default. https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
    if (names.length > 10) throw new InvalidParameterException({...meta, message: `The certificate request has ${names.length} domain names; the limit is 10.`})
    this.checkTags(input.Tags)
    const arn = this.newArn()
    this.certificates.set(arn, {
      arn,
      type: 'AMAZON_ISSUED',
      domainName,
      names,
      keyAlgorithm: input.KeyAlgorithm ?? 'RSA_2048',
      createdAt: now,
      tags: [...(input.Tags ?? [])],
      token,
      validation: names.map((name) => ({domainName: name, record: this.validationRecord(name)})),
    })
    return {CertificateArn: arn}
  }

  importCertificate(input: {Certificate?: Uint8Array; PrivateKey?: Uint8Array; CertificateChain?: Uint8Array; CertificateArn?: string; Tags?: Tag[]}) {
    if (input.CertificateArn) throw new InvalidParameterException({...meta, message: 'The fake ACM does not model re-importing a certificate.'})
    if (!input.Certificate || !input.PrivateKey) throw validation('The certificate and its private key are required.')
    let certificate: X509Certificate
    try {
      certificate = new X509Certificate(Buffer.from(input.Certificate))
    } catch {
      throw validation('The certificate field contains more than one certificate or is not a PEM-encoded X.509 certificate.')
    }
    let matches: boolean
    let keyAlgorithm: KeyAlgorithm
    try {
      const privateKey = createPrivateKey(Buffer.from(input.PrivateKey))
      matches = certificate.checkPrivateKey(privateKey)
      keyAlgorithm = keyAlgorithmOf(createPublicKey(privateKey))
    } catch {
      throw validation('The private key is not supported or is not PEM-encoded.')
    }
    if (!matches) throw validation('The private key does not match the public key in the certificate.')
    const now = this.env.clock.now()
    const notBefore = Date.parse(certificate.validFrom)
    const notAfter = Date.parse(certificate.validTo)
    if (now < notBefore) throw validation('The certificate is not valid yet.')
    if (now >= notAfter) throw validation('The certificate has expired.')
    this.checkTags(input.Tags)
    const commonName = /CN=([^\n,]+)/.exec(certificate.subject)?.[1] ?? ''
    const sans = (certificate.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4))
    const arn = this.newArn()
    this.certificates.set(arn, {
      arn,
      type: 'IMPORTED',
      domainName: commonName.toLowerCase(),
      names: [...new Set([commonName.toLowerCase(), ...sans.map((name) => name.toLowerCase())])],
      keyAlgorithm,
      createdAt: now,
      tags: [...(input.Tags ?? [])],
      validation: [],
      issuedAt: now,
      notBefore,
      notAfter,
      subject: certificate.subject.replace(/\n/g, ','),
      serial: certificate.serialNumber,
    })
    return {CertificateArn: arn}
  }

  describeCertificate(input: {CertificateArn?: string}): {Certificate: CertificateDetail} {
    return {Certificate: this.render(this.get(input.CertificateArn))}
  }

  /** Every certificate of the allowed key types (RSA_1024/RSA_2048 unless Includes.keyTypes says otherwise), MaxItems a page. */
  listCertificates(input: {CertificateStatuses?: CertificateStatus[]; Includes?: {keyTypes?: string[]}; MaxItems?: number; NextToken?: string}) {
    const keyTypes = input.Includes?.keyTypes ?? DEFAULT_KEY_TYPES
    const maxItems = input.MaxItems ?? 1000
    if (maxItems < 1 || maxItems > 1000) throw validation(`1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000`)
    const matching = [...this.certificates.values()].filter((certificate) => keyTypes.includes(certificate.keyAlgorithm) && (!input.CertificateStatuses || input.CertificateStatuses.includes(this.status(certificate))))
    const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString('utf8')) : 0
    if (!Number.isInteger(start) || start < 0 || start > matching.length) throw new InvalidParameterException({...meta, message: 'The NextToken is not valid.'})
    const page = matching.slice(start, start + maxItems)
    const next = start + page.length
    return {
      CertificateSummaryList: page.map((certificate): CertificateSummary => ({
        CertificateArn: certificate.arn,
        DomainName: certificate.domainName,
        SubjectAlternativeNameSummaries: certificate.names,
        Status: this.status(certificate),
        Type: certificate.type,
        KeyAlgorithm: certificate.keyAlgorithm,
        InUse: this.users(certificate.arn).length > 0,
        CreatedAt: new Date(certificate.createdAt),
        ...(certificate.notAfter ? {NotAfter: new Date(certificate.notAfter)} : {}),
      })),
      ...(next < matching.length ? {NextToken: Buffer.from(String(next)).toString('base64')} : {}),
    }
  }

  listTags(input: {CertificateArn?: string}) {
    return {Tags: [...this.get(input.CertificateArn).tags]}
  }

  addTags(input: {CertificateArn?: string; Tags?: Tag[]}) {
    const certificate = this.get(input.CertificateArn)
    const keys = new Set((input.Tags ?? []).map((tag) => tag.Key))
    certificate.tags = [...certificate.tags.filter((tag) => !keys.has(tag.Key)), ...(input.Tags ?? [])]
    this.checkTags(certificate.tags)
    return {}
  }

  deleteCertificate(input: {CertificateArn?: string}) {
    const certificate = this.get(input.CertificateArn)
    const users = this.users(certificate.arn)
    if (users.length > 0) throw new ResourceInUseException({...meta, message: `Certificate ${certificate.arn} in account ${this.env.accountId} is in use.`})
    this.certificates.delete(certificate.arn)
    return {}
  }

  // --- internals ----------------------------------------------------------

  private newArn(): string {
    this.counter++
    const h = hex(`certificate-${this.counter}`, 32)
    return `arn:aws:acm:${this.env.region}:${this.env.accountId}:certificate/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
  }

  /** One record per domain and account, whatever the certificate: `*.example.com` shares `example.com`'s. */
  private validationRecord(name: string): NameRecord['record'] {
    const base = name.replace(/^\*\./, '')
    return {Name: `_${hex(`${this.env.accountId}:${base}`, 32)}.${base}.`, Type: 'CNAME', Value: `_${hex(`value:${base}`, 32)}.${hex(`acm:${base}`, 10)}.acm-validations.aws.`}
  }

  private get(arn: string | undefined): CertificateRecord {
    if (!arn || !ARN.test(arn)) throw new InvalidArnException({...meta, message: `The certificate ARN ${arn ?? ''} is not valid.`})
    const certificate = this.certificates.get(arn)
    if (!certificate) throw new ResourceNotFoundException({...meta, message: `Could not find certificate ${arn}.`})
    return certificate
  }

  private users(arn: string): string[] {
    return this.env.certificateUsers?.(arn) ?? []
  }

  /** Moves a requested certificate along (records named, names validated, issued or timed out) as of now. */
  private advance(certificate: CertificateRecord): void {
    if (certificate.type !== 'AMAZON_ISSUED' || certificate.issuedAt !== undefined || certificate.timedOut) return
    const now = this.env.clock.now()
    if (now - certificate.createdAt < this.timings.recordsMs) return
    for (const name of certificate.validation) {
      if (name.validatedAt !== undefined) continue
      const present = (this.env.dnsRecords?.(name.record.Name, 'CNAME') ?? []).some((value) => value.toLowerCase().replace(/\.$/, '') === name.record.Value.replace(/\.$/, ''))
      if (!present) {
        name.seenAt = undefined
        continue
      }
      name.seenAt ??= now
      if (now - name.seenAt >= this.timings.validationMs) name.validatedAt = now
    }
    if (certificate.validation.every((name) => name.validatedAt !== undefined)) {
      certificate.issuedAt = now
      certificate.notBefore = now
      certificate.notAfter = now + this.timings.lifetimeMs
    } else if (now - certificate.createdAt >= this.timings.validationTimeoutMs) {
      certificate.timedOut = true
    }
  }

  private status(certificate: CertificateRecord): CertificateStatus {
    this.advance(certificate)
    if (certificate.issuedAt !== undefined) return certificate.notAfter !== undefined && this.env.clock.now() >= certificate.notAfter ? 'EXPIRED' : 'ISSUED'
    return certificate.timedOut ? 'VALIDATION_TIMED_OUT' : 'PENDING_VALIDATION'
  }

  private render(certificate: CertificateRecord): CertificateDetail {
    const status = this.status(certificate)
    const named = this.env.clock.now() - certificate.createdAt >= this.timings.recordsMs
    const options: DomainValidation[] = certificate.validation.map((name) => ({
      DomainName: name.domainName,
      ValidationDomain: name.domainName,
      ValidationMethod: 'DNS',
      ValidationStatus: name.validatedAt !== undefined ? 'SUCCESS' : status === 'VALIDATION_TIMED_OUT' ? 'FAILED' : 'PENDING_VALIDATION',
      ...(named ? {ResourceRecord: {...name.record}} : {}),
    }))
    return {
      CertificateArn: certificate.arn,
      DomainName: certificate.domainName,
      SubjectAlternativeNames: [...certificate.names],
      Status: status,
      Type: certificate.type,
      KeyAlgorithm: certificate.keyAlgorithm,
      CreatedAt: new Date(certificate.createdAt),
      InUseBy: this.users(certificate.arn),
      ...(certificate.type === 'AMAZON_ISSUED' ? {DomainValidationOptions: options} : {ImportedAt: new Date(certificate.createdAt)}),
      ...(certificate.issuedAt !== undefined && certificate.type === 'AMAZON_ISSUED' ? {IssuedAt: new Date(certificate.issuedAt)} : {}),
      ...(certificate.notBefore !== undefined ? {NotBefore: new Date(certificate.notBefore)} : {}),
      ...(certificate.notAfter !== undefined ? {NotAfter: new Date(certificate.notAfter)} : {}),
      Subject: certificate.subject ?? `CN=${certificate.domainName}`,
      ...(certificate.serial ? {Serial: certificate.serial} : {}),
    }
  }

  /** At most 50 tags; keys up to 128 characters, values up to 256. https://docs.aws.amazon.com/acm/latest/APIReference/API_Tag.html */
  private checkTags(tags: Tag[] | undefined): void {
    if ((tags ?? []).length > 50) throw new InvalidParameterException({...meta, message: 'A certificate can have at most 50 tags.'})
    for (const tag of tags ?? []) {
      if (!tag.Key || tag.Key.length > 128 || (tag.Value ?? '').length > 256) throw new InvalidParameterException({...meta, message: `The tag ${tag.Key} is not valid.`})
    }
  }
}

/** ACM's name for a key: RSA_2048, EC_prime256v1… */
function keyAlgorithmOf(key: ReturnType<typeof createPublicKey>): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') return `RSA_${details.modulusLength}` as KeyAlgorithm
  if (key.asymmetricKeyType === 'ec') return ({'prime256v1': 'EC_prime256v1', 'secp384r1': 'EC_secp384r1', 'secp521r1': 'EC_secp521r1'} as Record<string, KeyAlgorithm>)[details.namedCurve ?? ''] ?? 'EC_prime256v1'
  throw validation(`The private key algorithm ${key.asymmetricKeyType} is not supported.`)
}
