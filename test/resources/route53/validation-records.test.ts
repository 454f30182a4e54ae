import {ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client} from '@aws-sdk/client-route-53'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffValidationRecords, parseRecords, validationRecords, type ValidationRecordsObserved} from '../../../src/resources/route53/validation-records.js'
import {testContext} from '../../helpers/context.js'
import {keepData} from '../../helpers/ec2-mock.js'

const route53 = mockClient(Route53Client)
const inputs = (command: any) => route53.commandCalls(command).map((call) => call.args[0].input as any)

const zoneId = 'Z0123456789ABCDEF'
const records = JSON.stringify([{name: '_a1.example.com', type: 'CNAME', value: '_v1.acm-validations.aws'}])
const meta = {logicalId: 'validation', token: '0'.repeat(32), tags: []}
const observed: ValidationRecordsObserved = {id: `${zoneId}/validation`, logicalId: 'validation', stack: 'teststack', zoneId, records, owned: ['_a1.example.com']}

beforeEach(() => {
  route53.reset()
})

describe('parseRecords', () => {
  it('normalises names and values, drops duplicates and sorts by name', () => {
    expect(
      parseRecords(
        JSON.stringify([
          {name: '_B.Example.com.', type: 'cname', value: '_x.acm-validations.aws.'},
          {name: '_a.example.com', type: 'CNAME', value: '_y.acm-validations.aws'},
          {name: '_b.example.com', type: 'CNAME', value: '_x.acm-validations.aws'},
        ]),
      ),
    ).toEqual([
      {name: '_a.example.com', type: 'CNAME', value: '_y.acm-validations.aws'},
      {name: '_b.example.com', type: 'CNAME', value: '_x.acm-validations.aws'},
    ])
    expect(() => parseRecords('{}')).toThrow('validation records must be a JSON array')
  })
})

describe('diffValidationRecords', () => {
  it.each([
    ['nothing', {}, []],
    ['the zone', {zoneId: 'ZOTHER'}, [{field: 'zoneId', before: zoneId, after: 'ZOTHER', replace: true}]],
    ['the records (in place)', {records: '[]'}, [{field: 'records', before: records, after: '[]', replace: false}]],
  ])('%s', (_name, change, expected) => {
    expect(diffValidationRecords({zoneId, records, domain: 'example.com', ...change}, observed)).toEqual(expected)
  })
})

describe('validationRecords', () => {
  it('creates the CNAME (absolute names) and its cname- marker in one batch', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ResourceRecordSets: [], IsTruncated: false})
    route53.on(ChangeResourceRecordSetsCommand).resolves({ChangeInfo: {Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date()}})

    expect(await validationRecords.create(testContext(), {zoneId, records, domain: 'example.com'}, meta)).toEqual(observed)

    expect(inputs(ChangeResourceRecordSetsCommand)[0].ChangeBatch.Changes).toEqual([
      {Action: 'UPSERT', ResourceRecordSet: {Name: '_a1.example.com.', Type: 'CNAME', TTL: 300, ResourceRecords: [{Value: '_v1.acm-validations.aws.'}]}},
      {Action: 'UPSERT', ResourceRecordSet: {Name: 'cname-_a1.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{Value: '"heritage=containrlab,containrlab/stack=teststack,containrlab/id=validation"'}]}},
    ])
    expect(validationRecords.outputs(observed)).toEqual({id: `${zoneId}/validation`, names: '_a1.example.com'})
  })

  it('reads nothing, and deletes nothing, in a zone that is gone', async () => {
    route53.on(ListResourceRecordSetsCommand).rejects(new NoSuchHostedZone({$metadata: {}, message: 'gone'}))
    expect((await validationRecords.read(testContext(), [observed.id])).size).toBe(0)
    await validationRecords.delete(testContext(), observed, keepData)
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0)
  })
})
