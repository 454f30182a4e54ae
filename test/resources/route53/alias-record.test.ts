import {ChangeResourceRecordSetsCommand, GetChangeCommand, InvalidChangeBatch, ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client, type ResourceRecordSet} from '@aws-sdk/client-route-53'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {aliasRecord, diffAliasRecord, type AliasRecordObserved} from '../../../src/resources/route53/alias-record.js'
import {markerValue, parseMarker} from '../../../src/resources/route53/records.js'
import {testContext} from '../../helpers/context.js'
import {keepData} from '../../helpers/ec2-mock.js'

const route53 = mockClient(Route53Client)
const sent = () => route53.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
const inputs = (command: any) => route53.commandCalls(command).map((call) => call.args[0].input as any)

const zoneId = 'Z0123456789ABCDEF'
const desired = {zoneId, name: 'app.example.com', targetDnsName: 'my-alb-1.us-east-1.elb.amazonaws.com', targetHostedZoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true}
const meta = {logicalId: 'dns/app', token: '0123456789abcdef0123456789abcdef', tags: []}
const marker = '"heritage=containrlab,containrlab/stack=teststack,containrlab/id=dns/app"'
const alias: ResourceRecordSet = {Name: 'app.example.com.', Type: 'A', AliasTarget: {DNSName: 'my-alb-1.us-east-1.elb.amazonaws.com.', HostedZoneId: 'Z35SXDOTRQ7X7K', EvaluateTargetHealth: true}}
const txt = (...values: string[]): ResourceRecordSet => ({Name: 'app.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: values.map((Value) => ({Value}))})
const next: ResourceRecordSet = {Name: 'www.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{Value: '192.0.2.1'}]}
const observed: AliasRecordObserved = {
  id: `${zoneId}/app.example.com`,
  logicalId: 'dns/app',
  stack: 'teststack',
  zoneId,
  name: 'app.example.com',
  targetDnsName: 'my-alb-1.us-east-1.elb.amazonaws.com',
  targetHostedZoneId: 'Z35SXDOTRQ7X7K',
  evaluateTargetHealth: true,
}

beforeEach(() => {
  route53.reset()
})

describe('the marker', () => {
  it('is external-dns style and reads back', () => {
    expect(markerValue('teststack', 'dns/app')).toBe(marker)
    expect(parseMarker(marker)).toEqual({stack: 'teststack', logicalId: 'dns/app'})
    expect(parseMarker('"v=spf1 -all"')).toBeUndefined()
    expect(parseMarker('"heritage=external-dns,external-dns/owner=x"')).toBeUndefined()
    // Values over 255 characters come back as several quoted strings.
    expect(parseMarker('"heritage=containrlab,containrlab/st" "ack=s,containrlab/id=x"')).toEqual({stack: 's', logicalId: 'x'})
  })
})

describe('aliasRecord.read', () => {
  it('lists from the name (a few items), and needs the A alias and our marker', async () => {
    route53
      .on(ListResourceRecordSetsCommand, {HostedZoneId: zoneId, StartRecordName: 'app.example.com.', MaxItems: 10})
      .resolves({ResourceRecordSets: [alias, txt(marker), next], IsTruncated: true, NextRecordName: 'www.example.com.', NextRecordType: 'TXT'})
    route53.on(ListResourceRecordSetsCommand, {HostedZoneId: zoneId, StartRecordName: 'bare.example.com.', MaxItems: 10}).resolves({ResourceRecordSets: [{...alias, Name: 'bare.example.com.'}, next], IsTruncated: false})
    route53.on(ListResourceRecordSetsCommand, {HostedZoneId: 'ZGONE', StartRecordName: 'app.example.com.', MaxItems: 10}).rejects(new NoSuchHostedZone({$metadata: {}, message: 'No hosted zone found with ID: ZGONE'}))

    const found = await aliasRecord.read(testContext(), [observed.id, `${zoneId}/bare.example.com`, 'ZGONE/app.example.com'])

    expect([...found.values()]).toEqual([observed])
    expect(sent()).toEqual(['ListResourceRecordSets', 'ListResourceRecordSets', 'ListResourceRecordSets'])
  })
})

describe('diffAliasRecord', () => {
  it.each([
    ['nothing (case and trailing dots aside)', {targetDnsName: 'My-ALB-1.us-east-1.elb.amazonaws.com.'}, []],
    ['the target', {targetDnsName: 'other-2.us-east-1.elb.amazonaws.com'}, [{field: 'targetDnsName', before: 'my-alb-1.us-east-1.elb.amazonaws.com', after: 'other-2.us-east-1.elb.amazonaws.com', replace: false}]],
    ['health evaluation', {evaluateTargetHealth: false}, [{field: 'evaluateTargetHealth', before: true, after: false, replace: false}]],
    ['the name', {name: 'www.example.com'}, [{field: 'name', before: 'app.example.com', after: 'www.example.com', replace: true}]],
    ['the zone', {zoneId: 'ZOTHER'}, [{field: 'zoneId', before: zoneId, after: 'ZOTHER', replace: true}]],
  ])('%s', (_name, change, expected) => {
    expect(diffAliasRecord({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('aliasRecord.create', () => {
  it('UPSERTs the alias and the marker in one batch, then waits for INSYNC', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ResourceRecordSets: [next], IsTruncated: false})
    route53.on(ChangeResourceRecordSetsCommand).resolves({ChangeInfo: {Id: '/change/C123', Status: 'PENDING', SubmittedAt: new Date()}})
    route53
      .on(GetChangeCommand)
      .resolvesOnce({ChangeInfo: {Id: '/change/C123', Status: 'PENDING', SubmittedAt: new Date()}})
      .resolves({ChangeInfo: {Id: '/change/C123', Status: 'INSYNC', SubmittedAt: new Date()}})
    const ctx = testContext()

    expect(await aliasRecord.create(ctx, desired, meta)).toEqual(observed)

    expect(inputs(ChangeResourceRecordSetsCommand)).toEqual([
      {
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: 'containrlab: teststack dns/app',
          Changes: [
            {Action: 'UPSERT', ResourceRecordSet: {Name: 'app.example.com.', Type: 'A', AliasTarget: {DNSName: 'my-alb-1.us-east-1.elb.amazonaws.com.', HostedZoneId: 'Z35SXDOTRQ7X7K', EvaluateTargetHealth: true}}},
            {Action: 'UPSERT', ResourceRecordSet: txt(marker)},
          ],
        },
      },
    ])
    expect(sent()).toEqual(['ListResourceRecordSets', 'ChangeResourceRecordSets', 'GetChange', 'GetChange'])
    expect(ctx.messages).toEqual(['waiting for app.example.com to reach every Route 53 name server (change C123): PENDING, 0s'])
  })

  it.each([
    ['a plain A record', [{Name: 'app.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{Value: '192.0.2.7'}]}], 'app.example.com already has a record containrlab did not make (A 192.0.2.7)'],
    ['an alias without our marker', [alias], 'app.example.com already has a record containrlab did not make (A alias to my-alb-1.us-east-1.elb.amazonaws.com)'],
    ['an AAAA record', [{Name: 'app.example.com.', Type: 'AAAA', TTL: 60, ResourceRecords: [{Value: '2001:db8::1'}]}], 'app.example.com already has a record containrlab did not make (AAAA 2001:db8::1)'],
    ['another logical id’s marker', [alias, txt('"heritage=containrlab,containrlab/stack=teststack,containrlab/id=dns/www"')], 'app.example.com is managed by containrlab dns/www of stack teststack'],
  ])('refuses a name holding %s, sending nothing', async (_name, sets, message) => {
    route53.on(ListResourceRecordSetsCommand).resolves({ResourceRecordSets: sets as ResourceRecordSet[], IsTruncated: false})
    await expect(aliasRecord.create(testContext(), desired, meta)).rejects.toThrow(message)
    expect(sent()).toEqual(['ListResourceRecordSets'])
  })
})

describe('aliasRecord.delete', () => {
  it('DELETEs both record sets with their current values in one batch', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ResourceRecordSets: [alias, txt(marker)], IsTruncated: false})
    route53.on(ChangeResourceRecordSetsCommand).resolves({ChangeInfo: {Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date()}})
    await aliasRecord.delete(testContext(), observed, keepData)
    expect(inputs(ChangeResourceRecordSetsCommand)[0].ChangeBatch.Changes).toEqual([
      {Action: 'DELETE', ResourceRecordSet: alias},
      {Action: 'DELETE', ResourceRecordSet: txt(marker)},
    ])
  })

  it('is done when the records, or their zone, are gone', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ResourceRecordSets: [next], IsTruncated: false})
      .rejects(new NoSuchHostedZone({$metadata: {}, message: 'gone'}))
    await aliasRecord.delete(testContext(), observed, keepData)
    await aliasRecord.delete(testContext(), observed, keepData)
    expect(sent()).toEqual(['ListResourceRecordSets', 'ListResourceRecordSets'])
  })

  it('counts InvalidChangeBatch "not found" (deleted in between) as done', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ResourceRecordSets: [alias, txt(marker)], IsTruncated: false})
      .resolves({ResourceRecordSets: [], IsTruncated: false})
    route53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({$metadata: {}, message: "[Tried to delete resource record set [name='app.example.com.', type='A'] but it was not found]"}))
    await aliasRecord.delete(testContext(), observed, keepData)
    expect(sent()).toEqual(['ListResourceRecordSets', 'ChangeResourceRecordSets', 'ListResourceRecordSets'])
  })
})
