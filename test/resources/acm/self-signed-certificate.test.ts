import {ACMClient, DeleteCertificateCommand, ImportCertificateCommand, ResourceNotFoundException} from '@aws-sdk/client-acm'
import {mockClient} from 'aws-sdk-client-mock'
import {X509Certificate, createPrivateKey} from 'node:crypto'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffSelfSignedCertificate, selfSignedCertificate, type SelfSignedCertificateObserved} from '../../../src/resources/acm/self-signed-certificate.js'
import {makeSelfSigned} from '../../../src/resources/acm/x509.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const acm = mockClient(ACMClient)
const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'
const tags = ownershipTags('self-signed')
const desired = {commonName: 'app.example.test', validityDays: 365, renewDays: 30}
const now = Date.UTC(2026, 0, 1)
const observed: SelfSignedCertificateObserved = {
  id: arn,
  logicalId: 'self-signed',
  stack: 'teststack',
  commonName: 'app.example.test',
  validityDays: 365,
  notBefore: '2025-12-31T23:55:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  status: 'ISSUED',
  readAt: now,
}

beforeEach(() => {
  acm.reset()
})

describe('makeSelfSigned', () => {
  it('makes an RSA 2048 key and a v3 certificate: CN and SAN the common name, the validity asked for, a random positive serial', async () => {
    const [made, again] = await Promise.all([makeSelfSigned('app.example.test', 90, now), makeSelfSigned('app.example.test', 90, now)])
    const certificate = new X509Certificate(made.certificate)
    const key = createPrivateKey(made.privateKey)
    expect([certificate.subject, certificate.issuer, certificate.subjectAltName, certificate.ca]).toEqual(['CN=app.example.test', 'CN=app.example.test', 'DNS:app.example.test', false])
    expect([new Date(certificate.validFrom).toISOString(), new Date(certificate.validTo).toISOString()]).toEqual(['2025-12-31T23:55:00.000Z', '2026-04-01T00:00:00.000Z'])
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 2048])
    expect(certificate.checkPrivateKey(key)).toBe(true)
    expect(certificate.verify(certificate.publicKey)).toBe(true)
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(Number.parseInt(certificate.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80)
    expect(new X509Certificate(again.certificate).serialNumber).not.toBe(certificate.serialNumber)
  })
})

describe('selfSignedCertificate.create', () => {
  it('imports the certificate and its key as PEM with the tags, and returns nothing of the key', async () => {
    acm.on(ImportCertificateCommand).resolves({CertificateArn: arn})
    const ctx = testContext()

    const created = await selfSignedCertificate.create(ctx, desired, {logicalId: 'self-signed', token: '0'.repeat(32), tags})

    const input = acm.commandCalls(ImportCertificateCommand)[0]!.args[0].input
    expect(Buffer.from(input.Certificate!).toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    expect(input.Tags).toEqual(tags)
    expect(created).toEqual(observed)
    // The key's buffer is zeroed once ACM has it.
    expect(Buffer.from(input.PrivateKey!).every((byte) => byte === 0)).toBe(true)
    expect(JSON.stringify([created, selfSignedCertificate.outputs(created), ctx.messages])).not.toMatch(/PRIVATE KEY/)
    expect(selfSignedCertificate.sensitiveFields).toBeUndefined()
    expect(selfSignedCertificate.outputs(created)).toEqual({id: arn, arn, notAfter: '2027-01-01T00:00:00.000Z'})
  })
})

describe('diffSelfSignedCertificate', () => {
  it.each([
    ['nothing', {}, {}, []],
    ['the common name', {commonName: 'other.example.test'}, {}, [{field: 'commonName', before: 'app.example.test', after: 'other.example.test', replace: true}]],
    ['the validity', {validityDays: 90}, {}, [{field: 'validityDays', before: 365, after: 90, replace: true}]],
    [
      'nearing expiry (read 336 days after issue)',
      {},
      {readAt: now + 336 * 86_400_000},
      [{field: 'notAfter', before: '2027-01-01T00:00:00.000Z', after: 'renewed: expires in 29 days, within renewDays (30)', replace: true}],
    ],
  ])('%s', (_name, change, observedChange, expected) => {
    expect(diffSelfSignedCertificate({...desired, ...change}, {...observed, ...observedChange})).toEqual(expected)
  })
})

describe('selfSignedCertificate.delete', () => {
  it('counts a certificate already gone as deleted', async () => {
    acm.on(DeleteCertificateCommand).rejects(new ResourceNotFoundException({$metadata: {}, message: 'gone'}))
    await selfSignedCertificate.delete(testContext(), observed, keepData)
    expect(acm.commandCalls(DeleteCertificateCommand)).toHaveLength(1)
  })
})
