import {
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  HostedZoneAlreadyExists,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  NoSuchHostedZone,
  Route53Client,
} from '@aws-sdk/client-route-53'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {callerReference, diffHostedZone, hostedZone, type HostedZoneObserved} from '../../../src/resources/route53/hosted-zone.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const route53 = mockClient(Route53Client)
const sent = () => route53.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
const inputs = (command: any) => route53.commandCalls(command).map((call) => call.args[0].input as any)

const tags = ownershipTags('hosted-zone')
const meta = {logicalId: 'hosted-zone', token: '0123456789abcdef0123456789abcdef', tags}
const nameServers = ['ns-1.awsdns-01.com', 'ns-2.awsdns-02.net']
const zone = (id: string, extra: object = {}) => ({Id: `/hostedzone/${id}`, Name: 'example.com.', CallerReference: 'ref', Config: {PrivateZone: false}, ...extra})
const notFound = () => new NoSuchHostedZone({$metadata: {}, message: 'No hosted zone found with ID: Z1'})

const adopted: HostedZoneObserved = {id: 'ZADOPTED1234567', logicalId: 'hosted-zone', stack: 'teststack', name: 'example.com', nameServers, ours: false, foreignRecords: []}

beforeEach(() => {
  route53.reset()
})

describe('hostedZone.read', () => {
  it('gets each zone, lists the tags of all of them in one call, and leaves out zones that are gone', async () => {
    route53.on(GetHostedZoneCommand, {Id: 'ZADOPTED1234567'}).resolves({HostedZone: zone('ZADOPTED1234567'), DelegationSet: {NameServers: nameServers}})
    route53.on(GetHostedZoneCommand, {Id: 'ZGONE1234567890'}).rejects(notFound())
    route53.on(ListTagsForResourcesCommand).resolves({ResourceTagSets: [{ResourceType: 'hostedzone', ResourceId: 'ZADOPTED1234567', Tags: []}]})

    const found = await hostedZone.read(testContext(), ['ZADOPTED1234567', '/hostedzone/ZGONE1234567890'])

    expect(inputs(ListTagsForResourcesCommand)).toEqual([{ResourceType: 'hostedzone', ResourceIds: ['ZADOPTED1234567']}])
    expect([...found.values()]).toEqual([{...adopted, logicalId: undefined}])
  })
})

describe('hostedZone.find', () => {
  it('matches the name exactly among public zones, from the desired name of each wanted id', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [zone('ZPRIVATE1234567', {Config: {PrivateZone: true}}), zone('ZADOPTED1234567'), zone('ZOTHER123456789', {Name: 'example.com.au.'})],
      IsTruncated: false,
    })
    route53.on(ListTagsForResourcesCommand).resolves({ResourceTagSets: [{ResourceId: 'ZADOPTED1234567', ResourceType: 'hostedzone', Tags: []}]})
    route53.on(GetHostedZoneCommand).resolves({HostedZone: zone('ZADOPTED1234567'), DelegationSet: {NameServers: nameServers}})

    const found = await hostedZone.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'hosted-zone', desired: {name: 'example.com', create: false}}, {logicalId: 'no-desired'}]})

    expect(inputs(ListHostedZonesByNameCommand)).toEqual([{DNSName: 'example.com.', MaxItems: 100}])
    expect(found).toEqual([adopted])
  })

  it('refuses to guess between two public zones of one name, none of them ours', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({HostedZones: [zone('ZONE1234567890A'), zone('ZONE1234567890B')], IsTruncated: false})
    route53.on(ListTagsForResourcesCommand).resolves({ResourceTagSets: []})
    await expect(hostedZone.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'hosted-zone', desired: {name: 'example.com', create: false}}]})).rejects.toThrow(
      'there are 2 public hosted zones named example.com (ZONE1234567890A, ZONE1234567890B); containrlab cannot tell which one the domain is delegated to',
    )
  })
})

describe('hostedZone.create', () => {
  it('creates a public zone with a CallerReference from the token, then tags it', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({HostedZones: [], IsTruncated: false})
    route53.on(CreateHostedZoneCommand).resolves({HostedZone: zone('ZNEW12345678901'), DelegationSet: {NameServers: nameServers}})
    route53.on(ChangeTagsForResourceCommand).resolves({})

    const created = await hostedZone.create(testContext(), {name: 'example.com.', create: true}, meta)

    expect(inputs(CreateHostedZoneCommand)).toEqual([
      {Name: 'example.com', CallerReference: callerReference('teststack', meta.token), HostedZoneConfig: {Comment: 'containrlab stack teststack (hosted-zone)', PrivateZone: false}},
    ])
    expect(callerReference('teststack', meta.token)).toMatch(/^containrlab-[0-9a-f]{8}-0123456789abcdef0123456789abcdef$/)
    expect(inputs(ChangeTagsForResourceCommand)).toEqual([{ResourceType: 'hostedzone', ResourceId: 'ZNEW12345678901', AddTags: tags}])
    expect(created).toEqual({id: 'ZNEW12345678901', logicalId: 'hosted-zone', stack: 'teststack', name: 'example.com', nameServers, ours: true, foreignRecords: []})
    expect(hostedZone.outputs(created)).toEqual({id: 'ZNEW12345678901', name: 'example.com', nameServers: 'ns-1.awsdns-01.com,ns-2.awsdns-02.net'})
  })

  it('a retried create whose CallerReference was used finds the zone it made and tags it', async () => {
    route53
      .on(ListHostedZonesByNameCommand)
      .resolvesOnce({HostedZones: [], IsTruncated: false})
      .resolves({HostedZones: [zone('ZNEW12345678901')], IsTruncated: false})
    route53.on(CreateHostedZoneCommand).rejects(new HostedZoneAlreadyExists({$metadata: {}, message: 'A hosted zone has already been created with the specified caller reference.'}))
    route53.on(ListTagsForResourcesCommand).resolves({ResourceTagSets: []})
    route53.on(GetHostedZoneCommand).resolves({HostedZone: zone('ZNEW12345678901'), DelegationSet: {NameServers: nameServers}})

    const created = await hostedZone.create(testContext(), {name: 'example.com', create: true}, meta)

    expect(created).toMatchObject({id: 'ZNEW12345678901', ours: true})
    expect(inputs(ChangeTagsForResourceCommand)).toEqual([{ResourceType: 'hostedzone', ResourceId: 'ZNEW12345678901', AddTags: tags}])
  })
})

describe('diffHostedZone', () => {
  it.each([
    ['nothing (case and trailing dot aside)', {name: 'Example.com.', create: true}, []],
    ['another domain', {name: 'example.org', create: true}, [{field: 'name', before: 'example.com', after: 'example.org', replace: true}]],
  ])('%s', (_name, desired, expected) => {
    expect(diffHostedZone(desired, adopted)).toEqual(expected)
  })
})

describe('hostedZone.delete', () => {
  it('never touches a zone it did not create', async () => {
    await hostedZone.delete(testContext(), adopted, {purge: true})
    expect(sent()).toEqual([])
  })

  it('deletes a zone of ours; one already gone counts as deleted', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ResourceRecordSets: [{Name: 'example.com.', Type: 'NS', TTL: 172800, ResourceRecords: [{Value: 'ns-1.awsdns-01.com.'}]}], IsTruncated: false})
    route53.on(DeleteHostedZoneCommand).resolvesOnce({}).rejects(notFound())
    await hostedZone.delete(testContext(), {...adopted, ours: true}, keepData)
    await hostedZone.delete(testContext(), {...adopted, ours: true}, keepData)
    expect(sent()).toEqual(['ListResourceRecordSets', 'DeleteHostedZone', 'ListResourceRecordSets', 'DeleteHostedZone'])
  })
})
