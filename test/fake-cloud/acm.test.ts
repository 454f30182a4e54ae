import {DeleteCertificateCommand, DescribeCertificateCommand, ImportCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand, RequestCertificateCommand, type ACMClient} from '@aws-sdk/client-acm'
import {ChangeResourceRecordSetsCommand, type Route53Client} from '@aws-sdk/client-route-53'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClients} from '../../src/aws/clients.js'
import {makeSelfSigned} from '../../src/resources/acm/x509.js'
import {VirtualClock} from '../../src/util/clock.js'
import {FakeCloud} from './index.js'

let cloud: FakeCloud
let clock: VirtualClock
let acm: ACMClient
let route53: Route53Client

beforeEach(async () => {
  clock = new VirtualClock()
  cloud = new FakeCloud({clock}).install()
  const clients = new AwsClients({region: 'us-east-1', clock})
  acm = await clients.client('acm')
  route53 = await clients.client('route53')
})

afterEach(() => {
  cloud.restore()
})

async function failure(promise: Promise<unknown>): Promise<{name: string; message: string}> {
  try {
    await promise
  } catch (error) {
    return {name: (error as Error).name, message: (error as Error).message}
  }
  throw new Error('expected a failure')
}

const request = (token?: string, names: string[] = ['*.example.com']) =>
  acm.send(new RequestCertificateCommand({DomainName: 'example.com', SubjectAlternativeNames: ['example.com', ...names], ValidationMethod: 'DNS', IdempotencyToken: token, Tags: [{Key: 'k', Value: 'v'}]}))
const describeIt = async (arn: string) => (await acm.send(new DescribeCertificateCommand({CertificateArn: arn}))).Certificate!

describe('FakeAcm RequestCertificate', () => {
  it('answers the same ARN to the same token within an hour, a new one after, and refuses a token ACM would', async () => {
    const first = (await request('token_1')).CertificateArn!
    expect(first).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect((await request('token_1')).CertificateArn).toBe(first)
    clock.advance(3_600_000)
    expect((await request('token_1')).CertificateArn).not.toBe(first)
    expect(await failure(request('has-hyphens'))).toMatchObject({name: 'ValidationException'})
    expect(await failure(request('x'.repeat(33)))).toMatchObject({name: 'ValidationException'})
  })

  it('names the validation records after a few seconds (a wildcard shares its base’s), and issues once the CNAMEs resolve', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    const arn = (await request('t', ['*.example.com', 'api.example.com'])).CertificateArn!
    expect((await describeIt(arn)).DomainValidationOptions!.map((option) => option.ResourceRecord)).toEqual([undefined, undefined, undefined])
    clock.advance(cloud.acm.timings.recordsMs)
    const options = (await describeIt(arn)).DomainValidationOptions!
    expect(options[0]!.ResourceRecord).toEqual(options[1]!.ResourceRecord)
    expect(options[0]!.ResourceRecord!.Name).toMatch(/^_[0-9a-f]{32}\.example\.com\.$/)
    expect(options[2]!.ResourceRecord!.Name).toMatch(/^_[0-9a-f]{32}\.api\.example\.com\.$/)

    const records = [options[0]!, options[2]!].map((option) => option.ResourceRecord!)
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {Changes: records.map((record) => ({Action: 'UPSERT', ResourceRecordSet: {Name: record.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{Value: record.Value}]}}))},
      }),
    )
    expect((await describeIt(arn)).Status).toBe('PENDING_VALIDATION')
    clock.advance(cloud.acm.timings.validationMs)
    const issued = await describeIt(arn)
    expect(issued).toMatchObject({Status: 'ISSUED', NotAfter: new Date(clock.now() + cloud.acm.timings.lifetimeMs)})
    expect(issued.DomainValidationOptions!.every((option) => option.ValidationStatus === 'SUCCESS')).toBe(true)
    expect(cloud.env.certificateStatus!(arn)).toBe('ISSUED')
  })

  it('times out after 72 hours without the records', async () => {
    const arn = (await request()).CertificateArn!
    clock.advance(cloud.acm.timings.validationTimeoutMs)
    expect((await describeIt(arn)).Status).toBe('VALIDATION_TIMED_OUT')
  })
})

describe('FakeAcm ImportCertificate', () => {
  it('reads the subject, names, validity and key type from the PEM, and checks the key against it', async () => {
    const made = await makeSelfSigned('app.example.test', 30, clock.now())
    const other = await makeSelfSigned('app.example.test', 30, clock.now())
    const arn = (await acm.send(new ImportCertificateCommand({Certificate: Buffer.from(made.certificate), PrivateKey: made.privateKey}))).CertificateArn!
    expect(await describeIt(arn)).toMatchObject({Type: 'IMPORTED', Status: 'ISSUED', DomainName: 'app.example.test', SubjectAlternativeNames: ['app.example.test'], KeyAlgorithm: 'RSA_2048', NotAfter: made.notAfter})
    expect(await failure(acm.send(new ImportCertificateCommand({Certificate: Buffer.from(made.certificate), PrivateKey: other.privateKey})))).toEqual({
      name: 'ValidationException',
      message: 'The private key does not match the public key in the certificate.',
    })
  })
})

describe('FakeAcm lists, tags and deletes', () => {
  it('lists RSA_1024/RSA_2048 certificates unless told the key types, with pages', async () => {
    await request('a')
    await acm.send(new RequestCertificateCommand({DomainName: 'ec.example.com', ValidationMethod: 'DNS', KeyAlgorithm: 'EC_prime256v1'}))
    expect((await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList).toHaveLength(1)
    const page = await acm.send(new ListCertificatesCommand({Includes: {keyTypes: ['RSA_2048', 'EC_prime256v1']}, MaxItems: 1}))
    expect(page.CertificateSummaryList).toHaveLength(1)
    const rest = await acm.send(new ListCertificatesCommand({Includes: {keyTypes: ['RSA_2048', 'EC_prime256v1']}, NextToken: page.NextToken}))
    expect(rest.CertificateSummaryList!.map((summary) => summary.DomainName)).toEqual(['ec.example.com'])
  })

  it('refuses to delete a certificate a listener uses (ResourceInUseException); a deleted one is ResourceNotFoundException', async () => {
    const arn = (await request()).CertificateArn!
    expect((await acm.send(new ListTagsForCertificateCommand({CertificateArn: arn}))).Tags).toEqual([{Key: 'k', Value: 'v'}])
    cloud.env.certificateUsers = () => ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2']
    expect((await describeIt(arn)).InUseBy).toEqual(['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2'])
    expect(await failure(acm.send(new DeleteCertificateCommand({CertificateArn: arn})))).toMatchObject({name: 'ResourceInUseException'})
    cloud.env.certificateUsers = () => []
    await acm.send(new DeleteCertificateCommand({CertificateArn: arn}))
    expect(await failure(describeIt(arn))).toEqual({name: 'ResourceNotFoundException', message: `Could not find certificate ${arn}.`})
    expect(cloud.env.certificateStatus!(arn)).toBeUndefined()
    expect(await failure(describeIt('not-an-arn'))).toMatchObject({name: 'InvalidArnException'})
  })
})
