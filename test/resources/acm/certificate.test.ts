import {
  ACMClient,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CertificateDetail,
} from '@aws-sdk/client-acm'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {acmIdempotencyToken} from '../../../src/resources/acm/certificates.js'
import {certificate, diffCertificate, type CertificateObserved} from '../../../src/resources/acm/certificate.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const acm = mockClient(ACMClient)
const sent = () => acm.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
const inputs = (command: any) => acm.commandCalls(command).map((call) => call.args[0].input as any)

const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'
const tags = ownershipTags('certificate')
const meta = {logicalId: 'certificate', token: '0123456789abcdef0123456789abcdef', tags}
const desired = {domainName: 'example.com', subjectAlternativeNames: ['*.example.com', 'api.example.com']}
const record = (name: string) => ({Name: `_${name}.example.com.`, Type: 'CNAME' as const, Value: `_v${name}.acm-validations.aws.`})

function detail(extra: Partial<CertificateDetail> = {}): CertificateDetail {
  return {
    CertificateArn: arn,
    DomainName: 'example.com',
    SubjectAlternativeNames: ['example.com', '*.example.com', 'api.example.com'],
    Status: 'PENDING_VALIDATION',
    Type: 'AMAZON_ISSUED',
    DomainValidationOptions: [
      {DomainName: 'example.com', ValidationStatus: 'PENDING_VALIDATION', ResourceRecord: record('apex')},
      // ACM gives a wildcard the record of its base name.
      {DomainName: '*.example.com', ValidationStatus: 'PENDING_VALIDATION', ResourceRecord: record('apex')},
      {DomainName: 'api.example.com', ValidationStatus: 'SUCCESS', ResourceRecord: {...record('api'), Name: '_api.api.example.com.'}},
    ],
    ...extra,
  }
}

const observed: CertificateObserved = {
  id: arn,
  logicalId: 'certificate',
  stack: 'teststack',
  domainName: 'example.com',
  subjectAlternativeNames: ['*.example.com', 'api.example.com'],
  status: 'PENDING_VALIDATION',
  validationRecords: [
    {name: '_apex.example.com', type: 'CNAME', value: '_vapex.acm-validations.aws'},
    {name: '_api.api.example.com', type: 'CNAME', value: '_vapi.acm-validations.aws'},
  ],
  namesWithoutRecord: [],
  validatedNames: 1,
  totalNames: 3,
  notAfter: undefined,
  failureReason: undefined,
  readAt: Date.UTC(2026, 0, 1),
}

beforeEach(() => {
  acm.reset()
})

describe('certificate.read', () => {
  it('describes and lists the tags of each ARN; one ACM no longer knows is absent', async () => {
    const gone = `${arn.slice(0, -1)}9`
    acm.on(DescribeCertificateCommand, {CertificateArn: arn}).resolves({Certificate: detail()})
    acm.on(DescribeCertificateCommand, {CertificateArn: gone}).rejects(new ResourceNotFoundException({$metadata: {}, message: `Could not find certificate ${gone}.`}))
    acm.on(ListTagsForCertificateCommand, {CertificateArn: arn}).resolves({Tags: tags})
    acm.on(ListTagsForCertificateCommand, {CertificateArn: gone}).rejects(new ResourceNotFoundException({$metadata: {}, message: 'gone'}))

    const found = await certificate.read(testContext(), [arn, gone])

    expect([...found.keys()]).toEqual([arn])
    expect(found.get(arn)).toEqual(observed)
  })
})

describe('certificate.find', () => {
  it('lists every key type, keeps requested certificates tagged for the stack, and describes only those', async () => {
    const other = `${arn.slice(0, -1)}8`
    const imported = `${arn.slice(0, -1)}7`
    acm.on(ListCertificatesCommand).resolves({
      CertificateSummaryList: [
        {CertificateArn: arn, Type: 'AMAZON_ISSUED'},
        {CertificateArn: other, Type: 'AMAZON_ISSUED'},
        {CertificateArn: imported, Type: 'IMPORTED'},
      ],
    })
    acm.on(ListTagsForCertificateCommand, {CertificateArn: arn}).resolves({Tags: tags})
    acm.on(ListTagsForCertificateCommand, {CertificateArn: other}).resolves({Tags: ownershipTags('certificate', 'otherstack')})
    acm.on(DescribeCertificateCommand).resolves({Certificate: detail()})

    const found = await certificate.find(testContext(), findQuery)

    expect(inputs(ListCertificatesCommand)).toEqual([{Includes: {keyTypes: ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1']}, MaxItems: 1000}])
    expect(inputs(ListTagsForCertificateCommand).map((input) => input.CertificateArn)).toEqual([arn, other])
    expect(found.map((certificate) => certificate.id)).toEqual([arn])
  })
})

describe('certificate.create', () => {
  it('requests it by DNS with the token and tags, then waits (with progress) until ACM names every record', async () => {
    acm.on(RequestCertificateCommand).resolves({CertificateArn: arn})
    const unnamed = detail({DomainValidationOptions: detail().DomainValidationOptions!.map(({ResourceRecord: _record, ...option}) => option)})
    acm
      .on(DescribeCertificateCommand)
      .rejectsOnce(new ResourceNotFoundException({$metadata: {}, message: 'not yet'}))
      .resolvesOnce({Certificate: unnamed})
      .resolves({Certificate: detail()})
    const ctx = testContext()

    const created = await certificate.create(ctx, desired, meta)

    expect(inputs(RequestCertificateCommand)).toEqual([
      {DomainName: 'example.com', SubjectAlternativeNames: ['example.com', '*.example.com', 'api.example.com'], ValidationMethod: 'DNS', IdempotencyToken: meta.token, Tags: tags},
    ])
    expect(sent()).toEqual(['RequestCertificate', 'DescribeCertificate', 'DescribeCertificate', 'DescribeCertificate'])
    expect(ctx.messages).toEqual([`waiting for ${arn} to name its DNS validation records: not visible yet, 0s`, `waiting for ${arn} to name its DNS validation records: 0 of 3 names have a record, 5s`])
    expect(created).toEqual({...observed, readAt: ctx.clock.now()})
    expect(certificate.outputs(created)).toEqual({
      id: arn,
      arn,
      domainName: 'example.com',
      validationRecords: '[{"name":"_apex.example.com","type":"CNAME","value":"_vapex.acm-validations.aws"},{"name":"_api.api.example.com","type":"CNAME","value":"_vapi.acm-validations.aws"}]',
    })
  })

  it('sends no SubjectAlternativeNames for a certificate of one name', async () => {
    acm.on(RequestCertificateCommand).resolves({CertificateArn: arn})
    acm.on(DescribeCertificateCommand).resolves({Certificate: detail({SubjectAlternativeNames: ['example.com'], DomainValidationOptions: [detail().DomainValidationOptions![0]!]})})

    await certificate.create(testContext(), {domainName: 'Example.com.', subjectAlternativeNames: ['example.com']}, meta)

    expect(inputs(RequestCertificateCommand)[0]).toEqual({DomainName: 'example.com', ValidationMethod: 'DNS', IdempotencyToken: meta.token, Tags: tags})
  })
})

describe('acmIdempotencyToken', () => {
  it.each([
    ['the create token as it is', '0123456789abcdef0123456789abcdef', '0123456789abcdef0123456789abcdef'],
    ['word characters', 'abc_123', 'abc_123'],
  ])('keeps %s', (_name, token, expected) => {
    expect(acmIdempotencyToken(token)).toBe(expected)
  })

  it.each([
    ['hyphens', 'teststack-certificate-0123abcd'],
    ['too long', 'a'.repeat(33)],
    ['empty', ''],
  ])('hashes one with %s into 32 word characters, the same every time', (_name, token) => {
    const derived = acmIdempotencyToken(token)
    expect(derived).toMatch(/^\w{32}$/)
    expect(acmIdempotencyToken(token)).toBe(derived)
  })
})

describe('diffCertificate', () => {
  it.each([
    ['nothing (names in any order and case)', {subjectAlternativeNames: ['API.example.com', '*.example.com', 'example.com']}, {}, []],
    ['the domain name', {domainName: 'example.org'}, {}, [{field: 'domainName', before: 'example.com', after: 'example.org', replace: true}]],
    ['a name removed', {subjectAlternativeNames: ['*.example.com']}, {}, [{field: 'subjectAlternativeNames', before: ['*.example.com', 'api.example.com'], after: ['*.example.com'], replace: true}]],
    ['a certificate that will never be issued', {}, {status: 'VALIDATION_TIMED_OUT'}, [{field: 'status', before: 'VALIDATION_TIMED_OUT', after: 'ISSUED', replace: true}]],
  ])('%s', (_name, change, observedChange, expected) => {
    expect(diffCertificate({...desired, ...change}, {...observed, ...observedChange})).toEqual(expected)
    expect(acm.calls()).toHaveLength(0)
  })
})

describe('certificate.delete', () => {
  it('deletes it; one already gone counts as deleted', async () => {
    acm
      .on(DeleteCertificateCommand)
      .resolvesOnce({})
      .rejects(new ResourceNotFoundException({$metadata: {}, message: 'gone'}))
    await certificate.delete(testContext(), observed, keepData)
    await certificate.delete(testContext(), observed, keepData)
    expect(inputs(DeleteCertificateCommand)).toEqual([{CertificateArn: arn}, {CertificateArn: arn}])
  })

  it('throws ResourceInUseException (in-use) while a listener uses it', async () => {
    acm.on(DeleteCertificateCommand).rejects(new ResourceInUseException({$metadata: {}, message: 'in use'}))
    const error = await certificate.delete(testContext(), observed, keepData).catch((e: unknown) => e)
    expect(certificate.classifyError(error)).toBe('in-use')
  })
})

describe('certificate.health', () => {
  it('says how many names are validated while pending, and the days left once issued', () => {
    expect(certificate.health!(observed)).toEqual({state: 'PENDING_VALIDATION', ready: true, detail: '1 of 3 names validated'})
    expect(certificate.health!({...observed, status: 'ISSUED', notAfter: '2026-07-18T00:00:00.000Z'})).toEqual({state: 'ISSUED', ready: true, detail: 'expires in 198 days (2026-07-18T00:00:00.000Z)'})
    expect(certificate.health!({...observed, namesWithoutRecord: ['example.com']}).ready).toBe(false)
    expect(certificate.health!({...observed, status: 'FAILED', failureReason: 'CAA_ERROR'})).toEqual({state: 'FAILED', ready: false, detail: 'CAA_ERROR'})
  })
})
