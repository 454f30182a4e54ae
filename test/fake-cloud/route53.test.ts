import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type Route53Client,
} from '@aws-sdk/client-route-53'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClients} from '../../src/aws/clients.js'
import {VirtualClock} from '../../src/util/clock.js'
import {FakeCloud} from './index.js'

let cloud: FakeCloud
let clock: VirtualClock
let route53: Route53Client

beforeEach(async () => {
  clock = new VirtualClock()
  cloud = new FakeCloud({clock}).install()
  route53 = await new AwsClients({region: 'eu-west-1', clock}).client('route53')
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

const change = (HostedZoneId: string, ...Changes: Change[]) => route53.send(new ChangeResourceRecordSetsCommand({HostedZoneId, ChangeBatch: {Changes}}))
const a = (Name: string, Value = '192.0.2.1') => ({Name, Type: 'A' as const, TTL: 60, ResourceRecords: [{Value}]})

describe('FakeRoute53 zones', () => {
  it('creates a zone with an id of AWS’s shape, its SOA and NS; a CallerReference used twice is HostedZoneAlreadyExists', async () => {
    const created = await route53.send(new CreateHostedZoneCommand({Name: 'Example.com', CallerReference: 'ref-1'}))
    const id = created.HostedZone!.Id!
    expect(id).toMatch(/^\/hostedzone\/Z[A-Z0-9]{13,21}$/)
    expect(created.HostedZone).toMatchObject({Name: 'example.com.', CallerReference: 'ref-1', Config: {PrivateZone: false}})
    expect(created.DelegationSet!.NameServers).toHaveLength(4)
    expect(cloud.route53.recordSets(id.slice(12)).map((set) => set.Type)).toEqual(['NS', 'SOA'])
    expect(await failure(route53.send(new CreateHostedZoneCommand({Name: 'example.com', CallerReference: 'ref-1'})))).toMatchObject({name: 'HostedZoneAlreadyExists'})
    // Another reference, the same name: Route 53 allows a second zone.
    await route53.send(new CreateHostedZoneCommand({Name: 'example.com', CallerReference: 'ref-2'}))
    expect(cloud.route53.zoneIds()).toHaveLength(2)
  })

  it('lists zones by name in DNS order, from DNSName, a page at a time', async () => {
    for (const name of ['b.example.com', 'example.com', 'a.example.org', 'example.net']) cloud.route53.seedZone(name)
    const first = await route53.send(new ListHostedZonesByNameCommand({MaxItems: 2}))
    expect(first.HostedZones!.map((zone) => zone.Name)).toEqual(['example.com.', 'b.example.com.'])
    expect(first).toMatchObject({IsTruncated: true, NextDNSName: 'example.net.'})
    const from = await route53.send(new ListHostedZonesByNameCommand({DNSName: 'example.net', MaxItems: 100}))
    expect(from.HostedZones!.map((zone) => zone.Name)).toEqual(['example.net.', 'a.example.org.'])
  })

  it('refuses to delete a zone with records of its own (HostedZoneNotEmpty), and answers NoSuchHostedZone after', async () => {
    const id = cloud.route53.seedZone('example.com')
    await change(id, {Action: 'CREATE', ResourceRecordSet: a('www.example.com')})
    expect(await failure(route53.send(new DeleteHostedZoneCommand({Id: id})))).toMatchObject({name: 'HostedZoneNotEmpty'})
    await change(id, {Action: 'DELETE', ResourceRecordSet: a('www.example.com')})
    await route53.send(new DeleteHostedZoneCommand({Id: id}))
    expect(await failure(route53.send(new DeleteHostedZoneCommand({Id: id})))).toEqual({name: 'NoSuchHostedZone', message: `No hosted zone found with ID: ${id}`})
  })
})

describe('FakeRoute53 ChangeResourceRecordSets', () => {
  let id: string
  beforeEach(() => {
    id = cloud.route53.seedZone('example.com')
  })

  it('words InvalidChangeBatch as AWS does, and applies nothing of a batch that fails', async () => {
    await change(id, {Action: 'CREATE', ResourceRecordSet: a('www.example.com')})
    const failed = await failure(change(id, {Action: 'CREATE', ResourceRecordSet: a('new.example.com')}, {Action: 'CREATE', ResourceRecordSet: a('www.example.com')}))
    expect(failed).toEqual({name: 'InvalidChangeBatch', message: "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"})
    expect(cloud.route53.recordSets(id).map((set) => set.Name)).not.toContain('new.example.com.')
    expect((await failure(change(id, {Action: 'DELETE', ResourceRecordSet: a('gone.example.com')}))).message).toBe("[Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found]")
    expect((await failure(change(id, {Action: 'DELETE', ResourceRecordSet: a('www.example.com', '192.0.2.9')}))).message).toBe(
      "[Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values]",
    )
  })

  it('keeps a CNAME alone at its name, wants TXT values quoted, and keeps records inside the zone', async () => {
    await change(id, {Action: 'UPSERT', ResourceRecordSet: {Name: 'c.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{Value: 'elsewhere.example.net'}]}})
    expect((await failure(change(id, {Action: 'UPSERT', ResourceRecordSet: {Name: 'c.example.com', Type: 'TXT', TTL: 60, ResourceRecords: [{Value: '"x"'}]}}))).message).toBe(
      '[RRSet of type TXT with DNS name c.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.]',
    )
    expect((await failure(change(id, {Action: 'UPSERT', ResourceRecordSet: {Name: 't.example.com', Type: 'TXT', TTL: 60, ResourceRecords: [{Value: 'unquoted'}]}}))).message).toMatch(
      /InvalidCharacterString \(Value should be enclosed in quotation marks\)/,
    )
    expect((await failure(change(id, {Action: 'UPSERT', ResourceRecordSet: a('www.example.org')}))).message).toBe('[RRSet with DNS name www.example.org. is not permitted in zone example.com.]')
  })

  it('answers a change PENDING, INSYNC after the sync time', async () => {
    const {ChangeInfo} = await change(id, {Action: 'UPSERT', ResourceRecordSet: a('www.example.com')})
    expect(ChangeInfo).toMatchObject({Id: expect.stringMatching(/^\/change\/C[A-Z0-9]{13,21}$/), Status: 'PENDING'})
    clock.advance(cloud.route53.timings.changeSyncMs)
    expect((await route53.send(new GetChangeCommand({Id: ChangeInfo!.Id}))).ChangeInfo!.Status).toBe('INSYNC')
    expect(await failure(route53.send(new GetChangeCommand({Id: 'CNOSUCHCHANGE12'})))).toMatchObject({name: 'NoSuchChange'})
  })
})

describe('FakeRoute53 ListResourceRecordSets', () => {
  it('lists in DNS order (labels from the right, then type) from a name, and pages with NextRecordName/Type', async () => {
    const id = cloud.route53.seedZone('example.com')
    await change(
      id,
      {Action: 'CREATE', ResourceRecordSet: a('b.example.com')},
      {Action: 'CREATE', ResourceRecordSet: a('a.b.example.com')},
      {Action: 'CREATE', ResourceRecordSet: {Name: 'b.example.com', Type: 'TXT', TTL: 60, ResourceRecords: [{Value: '"t"'}]}},
      {Action: 'CREATE', ResourceRecordSet: a('*.example.com')},
    )
    const all = await route53.send(new ListResourceRecordSetsCommand({HostedZoneId: id}))
    expect(all.ResourceRecordSets!.map((set) => `${set.Name} ${set.Type}`)).toEqual(['example.com. NS', 'example.com. SOA', '\\052.example.com. A', 'b.example.com. A', 'b.example.com. TXT', 'a.b.example.com. A'])
    const page = await route53.send(new ListResourceRecordSetsCommand({HostedZoneId: id, StartRecordName: 'b.example.com', MaxItems: 1}))
    expect(page).toMatchObject({ResourceRecordSets: [{Name: 'b.example.com.', Type: 'A'}], IsTruncated: true, NextRecordName: 'b.example.com.', NextRecordType: 'TXT'})
    expect(await failure(route53.send(new ListResourceRecordSetsCommand({HostedZoneId: id, MaxItems: 301})))).toMatchObject({name: 'InvalidInput'})
  })

  it('throttles with Route 53’s code, which the SDK retries', async () => {
    const id = cloud.route53.seedZone('example.com')
    cloud.faults.throttle('ListResourceRecordSets', 2)
    await route53.send(new ListResourceRecordSetsCommand({HostedZoneId: id}))
    expect(cloud.calls.filter((call) => call.operation === 'ListResourceRecordSets').map((call) => call.error)).toEqual(['Throttling', 'Throttling', undefined])
  })
})
