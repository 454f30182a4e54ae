import {X509Certificate} from 'node:crypto'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {certificate} from '../../../src/resources/acm/certificate.js'
import {certificateValidation} from '../../../src/resources/acm/certificate-validation.js'
import {selfSignedCertificate} from '../../../src/resources/acm/self-signed-certificate.js'
import {hostedZone} from '../../../src/resources/route53/hosted-zone.js'
import {validationRecords} from '../../../src/resources/route53/validation-records.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/** The ACM kinds against the fake ACM and Route 53: the DNS validation round trip, import, deletion while in use. */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
})

afterEach(() => {
  cloud.restore()
})

describe('a requested certificate, validated by DNS', () => {
  it('names its records, gets them written, is issued, and is found again by its tags', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    const zone = await hostedZone.create(ctx, {name: 'example.com', create: false}, meta('hosted-zone'))
    expect(zone).toMatchObject({id: zoneId, ours: false})

    const requested = await certificate.create(ctx, {domainName: 'example.com', subjectAlternativeNames: ['*.example.com', 'api.example.com']}, meta('certificate'))
    // The wildcard shares the apex's record: two records for three names.
    expect(requested.validationRecords).toHaveLength(2)
    expect(requested.namesWithoutRecord).toEqual([])
    expect(ctx.messages[0]).toMatch(/^waiting for arn:aws:acm:us-east-1:123456789012:certificate\/.* to name its DNS validation records: 0 of 3 names have a record, 0s$/)
    const outputs = certificate.outputs(requested)
    expect(JSON.parse(outputs.validationRecords!)).toEqual(requested.validationRecords)
    expect(outputs.validationRecords).not.toMatch(/\.(")/)

    const records = await validationRecords.create(ctx, {zoneId, records: outputs.validationRecords!, domain: 'example.com'}, meta('validation-records'))
    expect(records.owned).toHaveLength(2)

    const validation = await certificateValidation.create(ctx, {certificateArn: requested.id, recordNames: []}, meta('certificate-validation'))
    expect(certificateValidation.health!(validation).ready).toBe(false)
    ctx.messages.length = 0
    const issued = await certificateValidation.waitReady!({...ctx, waitTimeoutMs: certificateValidation.waitTimeoutMs!}, validation)
    expect(issued.status).toBe('ISSUED')
    expect(ctx.messages[0]).toContain('PENDING_VALIDATION, 0 of 3 names validated')
    expect(certificateValidation.outputs(issued)).toEqual({id: requested.id, arn: requested.id, notAfter: expect.stringMatching(/^2026-07-/)})

    const found = await certificate.find(ctx, {stack: 'teststack', wanted: []})
    expect(found.map((observed) => [observed.logicalId, observed.status])).toEqual([['certificate', 'ISSUED']])
    expect(certificate.diff({domainName: 'example.com', subjectAlternativeNames: ['api.example.com', '*.example.com']}, found[0]!)).toEqual([])
  })

  it('fails the wait naming VALIDATION_TIMED_OUT when the records never appear', async () => {
    const requested = await certificate.create(ctx, {domainName: 'nowhere.example', subjectAlternativeNames: []}, meta('certificate'))
    const validation = await certificateValidation.create(ctx, {certificateArn: requested.id, recordNames: []}, meta('certificate-validation'))
    await expect(certificateValidation.waitReady!({...ctx, waitTimeoutMs: 100 * 3_600_000, pollIntervalMs: 3_600_000}, validation)).rejects.toThrow(/the certificate is VALIDATION_TIMED_OUT/)
    // And the certificate itself asks to be requested anew.
    const read = (await certificate.read(ctx, [requested.id])).get(requested.id)!
    expect(certificate.diff({domainName: 'nowhere.example', subjectAlternativeNames: []}, read)).toEqual([{field: 'status', before: 'VALIDATION_TIMED_OUT', after: 'ISSUED', replace: true}])
  })

  it('is not deleted while a listener uses it (in-use), and deleted once it does not', async () => {
    const requested = await certificate.create(ctx, {domainName: 'example.com', subjectAlternativeNames: []}, meta('certificate'))
    let users = ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2']
    cloud.env.certificateUsers = (arn) => (arn === requested.id ? users : [])
    const error = await certificate.delete(ctx, requested, keepData).catch((e: unknown) => e)
    expect(certificate.classifyError(error)).toBe('in-use')
    users = []
    await certificate.delete(ctx, requested, keepData)
    // Idempotent: gone counts as deleted.
    await certificate.delete(ctx, requested, keepData)
    expect(cloud.acm.arns()).toEqual([])
  })
})

describe('a self-signed certificate', () => {
  it('is imported with its tags, never exposes its key, and is found by tags', async () => {
    const created = await selfSignedCertificate.create(ctx, {commonName: 'App.Example.Test', validityDays: 365, renewDays: 30}, meta('self-signed'))
    expect(created).toMatchObject({commonName: 'app.example.test', validityDays: 365, status: 'ISSUED'})
    const imported = cloud.calls.find((call) => call.operation === 'ImportCertificate')!.input as {Certificate: Uint8Array; PrivateKey: Uint8Array; Tags: unknown}
    const x509 = new X509Certificate(Buffer.from(imported.Certificate))
    expect([x509.subject, x509.subjectAltName, x509.ca]).toEqual(['CN=app.example.test', 'DNS:app.example.test', false])
    expect(imported.Tags).toEqual(ownershipTags('self-signed'))
    // What leaves the reconciler: the observed object, outputs, progress. None holds the key.
    const everything = JSON.stringify([created, selfSignedCertificate.outputs(created), selfSignedCertificate.health!(created), ctx.messages])
    expect(everything).not.toContain('PRIVATE KEY')

    const found = await selfSignedCertificate.find(ctx, {stack: 'teststack', wanted: []})
    expect(found.map((observed) => [observed.id, observed.logicalId, observed.validityDays])).toEqual([[created.id, 'self-signed', 365]])
    // Requested certificates and imported ones are separate kinds: neither finds the other.
    expect(await certificate.find(ctx, {stack: 'teststack', wanted: []})).toEqual([])
  })

  it('asks for a replacement once it is within renewDays of its expiry', async () => {
    const desired = {commonName: 'app.example.test', validityDays: 60, renewDays: 30}
    const created = await selfSignedCertificate.create(ctx, desired, meta('self-signed'))
    expect(selfSignedCertificate.diff(desired, (await selfSignedCertificate.read(ctx, [created.id])).get(created.id)!)).toEqual([])
    ctx.clock.advance(31 * 86_400_000)
    const later = (await selfSignedCertificate.read(ctx, [created.id])).get(created.id)!
    expect(selfSignedCertificate.diff(desired, later)).toEqual([{field: 'notAfter', before: created.notAfter, after: 'renewed: expires in 29 days, within renewDays (30)', replace: true}])
  })
})
