import {ACMClient, DescribeCertificateCommand, ResourceNotFoundException, type CertificateDetail} from '@aws-sdk/client-acm'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {certificateValidation, diffCertificateValidation, type CertificateValidationObserved} from '../../../src/resources/acm/certificate-validation.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData} from '../../helpers/ec2-mock.js'

const acm = mockClient(ACMClient)

const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'
const meta = {logicalId: 'certificate-validation', token: '0123456789abcdef0123456789abcdef', tags: []}

function detail(status: CertificateDetail['Status'], validated: number, extra: Partial<CertificateDetail> = {}): CertificateDetail {
  const names = ['example.com', 'www.example.com', 'api.example.com']
  return {
    CertificateArn: arn,
    Status: status,
    DomainValidationOptions: names.map((name, i) => ({DomainName: name, ValidationStatus: i < validated ? 'SUCCESS' : 'PENDING_VALIDATION'})),
    ...extra,
  }
}

const pending: CertificateValidationObserved = {id: arn, certificateArn: arn, status: 'PENDING_VALIDATION', validatedNames: 0, totalNames: 3, notAfter: undefined, failureReason: undefined, readAt: Date.UTC(2026, 0, 1)}

beforeEach(() => {
  acm.reset()
})

describe('certificateValidation', () => {
  it('reads the certificate (absent when it is gone); find and delete call nothing', async () => {
    acm.on(DescribeCertificateCommand, {CertificateArn: arn}).resolves({Certificate: detail('PENDING_VALIDATION', 0)})
    acm.on(DescribeCertificateCommand, {CertificateArn: `${arn}0`}).rejects(new ResourceNotFoundException({$metadata: {}, message: 'gone'}))
    expect([...(await certificateValidation.read(testContext(), [arn, `${arn}0`])).values()]).toEqual([pending])
    acm.reset()
    expect(await certificateValidation.find(testContext(), findQuery)).toEqual([])
    await certificateValidation.delete(testContext(), pending, keepData)
    expect(acm.calls()).toHaveLength(0)
  })

  it('create describes the certificate; one not visible yet is ACM’s not-found, which the engine retries', async () => {
    acm
      .on(DescribeCertificateCommand)
      .rejectsOnce(new ResourceNotFoundException({$metadata: {}, message: 'gone'}))
      .resolves({Certificate: detail('PENDING_VALIDATION', 0)})
    const error = await certificateValidation.create(testContext(), {certificateArn: arn, recordNames: []}, meta).catch((e: unknown) => e)
    expect(certificateValidation.classifyError(error)).toBe('not-found')
    expect(await certificateValidation.create(testContext(), {certificateArn: arn, recordNames: []}, meta)).toEqual(pending)
  })

  it('waits for ISSUED with progress, always (readyWhen), bounded by its own 45 minutes', async () => {
    acm
      .on(DescribeCertificateCommand)
      .resolvesOnce({Certificate: detail('PENDING_VALIDATION', 1)})
      .resolvesOnce({Certificate: detail('PENDING_VALIDATION', 2)})
      .resolves({Certificate: detail('ISSUED', 3, {NotAfter: new Date('2026-07-18T00:00:00Z')})})
    const ctx = testContext({pollIntervalMs: 60_000})

    const issued = await certificateValidation.waitReady!(ctx, pending)

    expect(ctx.messages).toEqual([
      `waiting for certificate ${arn} to be issued (its DNS validation records must resolve): PENDING_VALIDATION, 1 of 3 names validated, 0s`,
      `waiting for certificate ${arn} to be issued (its DNS validation records must resolve): PENDING_VALIDATION, 2 of 3 names validated, 60s`,
    ])
    expect(certificateValidation.outputs(issued)).toEqual({id: arn, arn, notAfter: '2026-07-18T00:00:00.000Z'})
    // Read two minutes into the day: 197 whole days left.
    expect(certificateValidation.health!(issued)).toEqual({state: 'ISSUED', ready: true, detail: 'expires in 197 days'})
    expect([certificateValidation.readyWhen, certificateValidation.waitTimeoutMs]).toEqual(['always', 45 * 60_000])
  })

  it('fails at once, naming the reason, when the certificate fails', async () => {
    acm.on(DescribeCertificateCommand).resolves({Certificate: detail('FAILED', 0, {FailureReason: 'CAA_ERROR'})})
    await expect(certificateValidation.waitReady!(testContext(), pending)).rejects.toThrow(`certificate ${arn} to be issued (its DNS validation records must resolve): the certificate is FAILED: CAA_ERROR`)
  })

  it.each([
    ['the same certificate', arn, []],
    ['another certificate', `${arn}0`, [{field: 'certificateArn', before: arn, after: `${arn}0`, replace: true}]],
  ])('diff: %s', (_name, certificateArn, expected) => {
    expect(diffCertificateValidation({certificateArn, recordNames: ['_x.example.com']}, pending)).toEqual(expected)
  })
})
