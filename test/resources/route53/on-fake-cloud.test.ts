import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {aliasRecord} from '../../../src/resources/route53/alias-record.js'
import {hostedZone} from '../../../src/resources/route53/hosted-zone.js'
import {validationRecords} from '../../../src/resources/route53/validation-records.js'
import {ref} from '../../../src/graph/types.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/** The Route 53 kinds against the fake Route 53: ownership of names, shared records, zones we did and did not create. */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

const alb = {targetDnsName: 'my-alb-123.us-east-1.elb.amazonaws.com', targetHostedZoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true}

/** Record names in Route 53's order: labels compared from the right. */
function byDnsOrder(a: string, b: string): number {
  const key = (name: string) => name.split(' ')[0]!.split('.').reverse().join(' ')
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0
}

function names(zoneId: string): string[] {
  return cloud.route53.recordSets(zoneId).map((set) => `${set.Name} ${set.Type}`)
}

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
})

afterEach(() => {
  cloud.restore()
})

describe('route53.hosted-zone', () => {
  it('uses an existing zone read-only: never tagged, changed or deleted', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    const found = await hostedZone.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'hosted-zone', desired: {name: 'Example.com.', create: true}}]})
    expect(found).toEqual([
      {id: zoneId, logicalId: 'hosted-zone', stack: 'teststack', name: 'example.com', nameServers: expect.arrayContaining([expect.stringMatching(/^ns-\d+\.awsdns-\d+\.com$/)]), ours: false, foreignRecords: []},
    ])
    expect(hostedZone.outputs(found[0]!)).toMatchObject({id: zoneId, name: 'example.com'})
    await hostedZone.delete(ctx, found[0]!, {purge: true})
    expect(cloud.route53.zoneIds()).toEqual([zoneId])
    expect(cloud.mutatingCalls()).toEqual([])
  })

  it('fails clearly, and for good, when the zone is missing and may not be created', async () => {
    const error = (await hostedZone.create(ctx, {name: 'example.com', create: false}, meta('hosted-zone')).catch((e: unknown) => e)) as Error
    expect(error.message).toBe('hosted zone example.com not found in this account: create it or set domain.createZone: true')
    expect(hostedZone.classifyError(error)).toBeUndefined()
  })

  it('creates a zone tagged for the stack; a retried create meets it; teardown deletes the stack’s records with it', async () => {
    const createMeta = meta('hosted-zone')
    const zone = await hostedZone.create(ctx, {name: 'example.com', create: true}, createMeta)
    expect(zone).toMatchObject({name: 'example.com', ours: true, logicalId: 'hosted-zone'})
    expect(zone.id).toMatch(/^Z[A-Z0-9]{13,21}$/)
    expect(names(zone.id)).toEqual(['example.com. NS', 'example.com. SOA'])
    expect(await hostedZone.create(ctx, {name: 'example.com', create: true}, createMeta)).toMatchObject({id: zone.id, ours: true})
    expect(cloud.route53.zoneIds()).toHaveLength(1)

    await aliasRecord.create(ctx, {zoneId: zone.id, name: 'app.example.com', ...alb}, meta('dns/app'))
    const read = (await hostedZone.read(ctx, [zone.id])).get(zone.id)!
    expect(read.foreignRecords).toEqual([])
    await hostedZone.delete(ctx, read, keepData)
    expect(cloud.route53.zoneIds()).toEqual([])
  })

  it('keeps a zone of ours that holds records someone else added (dataLoss), unless purged', async () => {
    const zone = await hostedZone.create(ctx, {name: 'example.com', create: true}, meta('hosted-zone'))
    cloud.route53.seedRecord(zone.id, {Name: 'example.com', Type: 'MX', TTL: 300, ResourceRecords: [{Value: '10 mail.example.com'}]})
    const read = (await hostedZone.read(ctx, [zone.id])).get(zone.id)!
    expect(hostedZone.dataLoss!(read)).toEqual({what: 'holds 1 records containrlab did not make (example.com MX)', unlessPurge: 'keep'})
    await expect(hostedZone.delete(ctx, read, keepData)).rejects.toThrow(`hosted zone example.com (${zone.id}) holds records containrlab did not make: example.com MX;`)
    await hostedZone.delete(ctx, read, {purge: true})
    expect(cloud.route53.zoneIds()).toEqual([])
  })
})

describe('route53.alias-record', () => {
  it('writes the alias and its marker in one batch, waits for INSYNC, reads, updates and deletes them', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    const desired = {zoneId, name: 'app.example.com', ...alb}
    const created = await aliasRecord.create(ctx, desired, meta('dns/app'))
    expect(created.id).toBe(`${zoneId}/app.example.com`)
    expect(cloud.callCounts()).toMatchObject({ChangeResourceRecordSets: 1, GetChange: 3})
    expect(ctx.messages[0]).toMatch(/^waiting for app\.example\.com to reach every Route 53 name server \(change C[A-Z0-9]+\): PENDING, 0s$/)
    expect(cloud.route53.recordSets(zoneId).filter((set) => set.Name === 'app.example.com.')).toEqual([
      {Name: 'app.example.com.', Type: 'A', AliasTarget: {DNSName: 'my-alb-123.us-east-1.elb.amazonaws.com.', HostedZoneId: 'Z35SXDOTRQ7X7K', EvaluateTargetHealth: true}},
      {Name: 'app.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{Value: '"heritage=containrlab,containrlab/stack=teststack,containrlab/id=dns/app"'}]},
    ])
    const read = (await aliasRecord.read(ctx, [created.id])).get(created.id)!
    expect(read).toEqual(created)
    expect(aliasRecord.diff(desired, read)).toEqual([])

    const moved = {...desired, targetDnsName: 'other-alb-9.us-east-1.elb.amazonaws.com'}
    const changes = aliasRecord.diff(moved, read)
    expect(changes).toEqual([{field: 'targetDnsName', before: 'my-alb-123.us-east-1.elb.amazonaws.com', after: 'other-alb-9.us-east-1.elb.amazonaws.com', replace: false}])
    expect((await aliasRecord.update(ctx, moved, read, changes)).targetDnsName).toBe('other-alb-9.us-east-1.elb.amazonaws.com')

    await aliasRecord.delete(ctx, read, keepData)
    expect(names(zoneId)).toEqual(['example.com. NS', 'example.com. SOA'])
    await aliasRecord.delete(ctx, read, keepData)
    expect((await aliasRecord.read(ctx, [created.id])).size).toBe(0)
  })

  it('refuses a name that holds a record without our marker, and changes nothing', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    cloud.route53.seedRecord(zoneId, {Name: 'app.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{Value: 'legacy.example.net'}]})
    await expect(aliasRecord.create(ctx, {zoneId, name: 'app.example.com', ...alb}, meta('dns/app'))).rejects.toThrow(
      'app.example.com already has a record containrlab did not make (CNAME legacy.example.net), without the TXT marker of dns/app of stack teststack; containrlab never overwrites it',
    )
    expect(cloud.mutatingCalls()).toEqual([])
  })

  it("refuses a name another stack's marker claims", async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    await aliasRecord.create({...ctx, stack: 'other'}, {zoneId, name: 'app.example.com', ...alb}, meta('dns/app', 'other'))
    await expect(aliasRecord.create(ctx, {zoneId, name: 'app.example.com', ...alb}, meta('dns/app'))).rejects.toThrow('app.example.com is managed by containrlab dns/app of stack other (its TXT marker)')
  })

  it('keeps the other TXT values at the apex (SPF) beside its marker, and after its delete', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    cloud.route53.seedRecord(zoneId, {Name: 'example.com', Type: 'TXT', TTL: 3600, ResourceRecords: [{Value: '"v=spf1 -all"'}]})
    const created = await aliasRecord.create(ctx, {zoneId, name: 'example.com', ...alb}, meta('dns/apex'))
    const txt = () =>
      cloud.route53
        .recordSets(zoneId)
        .find((set) => set.Type === 'TXT')
        ?.ResourceRecords?.map((record) => record.Value)
    expect(txt()).toEqual(['"v=spf1 -all"', '"heritage=containrlab,containrlab/stack=teststack,containrlab/id=dns/apex"'])
    await aliasRecord.delete(ctx, created, keepData)
    expect(txt()).toEqual(['"v=spf1 -all"'])
    expect(names(zoneId)).toEqual(['example.com. NS', 'example.com. SOA', 'example.com. TXT'])
  })

  it('is found by the zone of its name when the zone id is still a reference', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    cloud.route53.seedZone('app.example.org')
    await aliasRecord.create(ctx, {zoneId, name: 'app.example.com', ...alb}, meta('dns/app'))
    await aliasRecord.create({...ctx, stack: 'other'}, {zoneId, name: 'www.example.com', ...alb}, meta('dns/www', 'other'))
    const wanted = [{logicalId: 'dns/app', desired: {zoneId: ref('hosted-zone'), name: 'app.example.com', ...alb}}]
    const found = await aliasRecord.find(ctx, {stack: 'teststack', wanted})
    expect(found.map((observed) => [observed.id, observed.logicalId, observed.stack])).toEqual([[`${zoneId}/app.example.com`, 'dns/app', 'teststack']])
    expect(await aliasRecord.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'dns/app'}]})).toEqual([])
  })
})

describe('route53.validation-records', () => {
  const records = JSON.stringify([
    {name: '_a1.example.com', type: 'CNAME', value: '_v1.acm-validations.aws'},
    {name: '_b2.api.example.com', type: 'CNAME', value: '_v2.acm-validations.aws'},
  ])

  it('writes each CNAME with a cname- marker in one batch; reads them back by logical id; deletes them', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    const created = await validationRecords.create(ctx, {zoneId, records, domain: 'example.com'}, meta('validation'))
    expect(created).toMatchObject({id: `${zoneId}/validation`, owned: ['_a1.example.com', '_b2.api.example.com']})
    expect(cloud.callCounts().ChangeResourceRecordSets).toBe(1)
    // DNS order: labels compared from the right, so `_b2.api` sorts between `_a1` and `cname-_a1`.
    expect(names(zoneId)).toEqual(['example.com. NS', 'example.com. SOA', '_a1.example.com. CNAME', '_b2.api.example.com. CNAME', 'cname-_b2.api.example.com. TXT', 'cname-_a1.example.com. TXT'])
    const read = (await validationRecords.read(ctx, [created.id])).get(created.id)!
    expect(read).toEqual(created)
    expect(validationRecords.diff({zoneId, records, domain: 'example.com'}, read)).toEqual([])
    expect(await validationRecords.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'validation', desired: {zoneId: ref('hosted-zone'), records}}]})).toEqual([created])
    // With the state lost, teardown knows neither the zone nor the records (both come from objects it finds): the domain says where.
    expect(await validationRecords.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'validation', desired: {zoneId: ref('hosted-zone'), records: ref('certificate'), domain: 'example.com'}}]})).toEqual([created])
    expect(await validationRecords.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'validation', desired: {zoneId: ref('hosted-zone'), records: ref('certificate')}}]})).toEqual([])
    await validationRecords.delete(ctx, read, keepData)
    expect(names(zoneId)).toEqual(['example.com. NS', 'example.com. SOA'])
  })

  it('uses a CNAME already holding the value ACM asks for without ever deleting it', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    cloud.route53.seedRecord(zoneId, {Name: '_a1.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{Value: '_v1.acm-validations.aws.'}]})
    const created = await validationRecords.create(ctx, {zoneId, records, domain: 'example.com'}, meta('validation'))
    expect(created.owned).toEqual(['_b2.api.example.com'])
    const read = (await validationRecords.read(ctx, [created.id])).get(created.id)!
    expect(validationRecords.diff({zoneId, records, domain: 'example.com'}, read)).toEqual([])
    await validationRecords.delete(ctx, read, keepData)
    expect(names(zoneId)).toEqual(['example.com. NS', 'example.com. SOA', '_a1.example.com. CNAME'])
  })

  it('refuses a CNAME of that name holding another value', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    cloud.route53.seedRecord(zoneId, {Name: '_a1.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{Value: 'elsewhere.example.net.'}]})
    await expect(validationRecords.create(ctx, {zoneId, records, domain: 'example.com'}, meta('validation'))).rejects.toThrow(
      '_a1.example.com already has a record containrlab did not make (CNAME elsewhere.example.net.)',
    )
    expect(cloud.mutatingCalls()).toEqual([])
  })

  it('updates in place: a name no longer asked for goes in the same batch as the new one', async () => {
    const zoneId = cloud.route53.seedZone('example.com')
    const created = await validationRecords.create(ctx, {zoneId, records, domain: 'example.com'}, meta('validation'))
    const next = JSON.stringify([
      {name: '_a1.example.com', type: 'CNAME', value: '_v1.acm-validations.aws'},
      {name: '_c3.www.example.com', type: 'CNAME', value: '_v3.acm-validations.aws'},
    ])
    const changes = validationRecords.diff({zoneId, records: next, domain: 'example.com'}, created)
    expect(changes.map((change) => [change.field, change.replace])).toEqual([['records', false]])
    cloud.resetCalls()
    await validationRecords.update(ctx, {zoneId, records: next, domain: 'example.com'}, created, changes)
    expect(cloud.callCounts().ChangeResourceRecordSets).toBe(1)
    expect(names(zoneId).filter((name) => name.includes('_'))).toEqual(['_a1.example.com. CNAME', 'cname-_a1.example.com. TXT', '_c3.www.example.com. CNAME', 'cname-_c3.www.example.com. TXT'].sort(byDnsOrder))
  })
})
