import {createHash} from 'node:crypto'
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  HostedZoneAlreadyExists,
  HostedZoneNotEmpty,
  InvalidChangeBatch,
  InvalidInput,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  ListTagsForResourcesCommand,
  NoSuchChange,
  NoSuchHostedZone,
  Route53ServiceException,
  type Change,
  type ChangeInfo,
  type HostedZone,
  type ResourceRecordSet,
  type Tag,
} from '@aws-sdk/client-route-53'
import type {FakeEnv, FakeHandler, FakeService} from './core.js'

/**
 * In-memory Route 53: public hosted zones with AWS's ids, the SOA and NS
 * record sets every zone is made with, change batches applied whole or not
 * at all with InvalidChangeBatch worded as AWS words it, changes PENDING for
 * a few seconds before INSYNC, record sets listed in DNS order with
 * pagination, zones listed by name, tags. Alias targets are trusted as given
 * (AWS checks that the target exists); routing policies (SetIdentifier) are
 * stored but not interpreted.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53.html
 */

export interface Route53Timings {
  /** How long a change stays PENDING before INSYNC (AWS: usually under a minute). */
  changeSyncMs: number
}

export const DEFAULT_ROUTE53_TIMINGS: Route53Timings = {changeSyncMs: 10_000}

interface ZoneRecord {
  id: string
  name: string
  callerReference: string
  comment?: string
  nameServers: string[]
  /** `name|type|setIdentifier` → record set (names absolute, lower case, as Route 53 stores them). */
  records: Map<string, ResourceRecordSet>
  tags: Tag[]
  /** Made by seedZone: the user's, not a stack's. */
  seeded?: boolean
}

const meta = {$metadata: {httpStatusCode: 400}}

/** A DNS name as Route 53 stores it: lower case, absolute, `*` escaped as `\052`. */
export function storedName(name: string): string {
  const absolute = name.endsWith('.') ? name : `${name}.`
  return absolute.toLowerCase().replace(/\\052/g, '*').replace(/\*/g, '\\052')
}

/** Route 53's DNS order: labels compared from the right. */
function orderKey(name: string): string {
  return storedName(name)
    .replace(/\.$/, '')
    .split('.')
    .reverse()
    .map((label) => label.replace(/\\052/g, '*'))
    .join('\u0000')
}

/** Code-point order (localeCompare would ignore the separator). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareSets(a: ResourceRecordSet, b: ResourceRecordSet): number {
  return compare(orderKey(a.Name!), orderKey(b.Name!)) || compare(a.Type ?? '', b.Type ?? '') || compare(a.SetIdentifier ?? '', b.SetIdentifier ?? '')
}

function recordKey(set: ResourceRecordSet): string {
  return `${storedName(set.Name ?? '')}|${set.Type}|${set.SetIdentifier ?? ''}`
}

function invalidChangeBatch(messages: string[]): InvalidChangeBatch {
  return new InvalidChangeBatch({...meta, message: `[${messages.join(', ')}]`, messages})
}

function noSuchZone(id: string): NoSuchHostedZone {
  return new NoSuchHostedZone({...meta, $metadata: {httpStatusCode: 404}, message: `No hosted zone found with ID: ${id}`})
}

function bare(id: string | undefined): string {
  return (id ?? '').replace(/^\/hostedzone\//, '').replace(/^\/change\//, '')
}

/** `Z` and 13–21 upper-case letters and digits; `C` likewise for changes. */
function awsId(prefix: string, counter: number, salt: string): string {
  const digest = createHash('sha256').update(`${salt}:${counter}`).digest()
  let id = ''
  for (const byte of digest) id += '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[byte % 36]
  return `${prefix}${id.slice(0, 13 + (counter % 9))}`
}

/** Record sets equal for a DELETE: Route 53 requires every value to match (values in any order). */
function sameRecordSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const values = (set: ResourceRecordSet) => (set.ResourceRecords ?? []).map((record) => record.Value ?? '').sort()
  const alias = (set: ResourceRecordSet) => (set.AliasTarget ? [storedName(set.AliasTarget.DNSName ?? ''), set.AliasTarget.HostedZoneId, set.AliasTarget.EvaluateTargetHealth === true] : undefined)
  return JSON.stringify([a.TTL, values(a), alias(a)]) === JSON.stringify([b.TTL, values(b), alias(b)])
}

export class FakeRoute53 implements FakeService {
  readonly service = 'route53'
  readonly timings: Route53Timings
  private readonly zones = new Map<string, ZoneRecord>()
  private readonly changes = new Map<string, number>()
  private counter = 0

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<Route53Timings> = {},
  ) {
    this.timings = {...DEFAULT_ROUTE53_TIMINGS, ...timings}
    // What ACM's fake validates against: the CNAME values at a name in any zone.
    env.dnsRecords = (name, type) => this.resolve(name, type)
  }

  handlers(): FakeHandler[] {
    return [
      {command: CreateHostedZoneCommand, operation: 'CreateHostedZone', mutating: true, handle: async (input) => this.createHostedZone(input)},
      {command: GetHostedZoneCommand, operation: 'GetHostedZone', mutating: false, handle: async (input) => this.getHostedZone(input)},
      {command: ListHostedZonesByNameCommand, operation: 'ListHostedZonesByName', mutating: false, handle: async (input) => this.listHostedZonesByName(input)},
      {command: DeleteHostedZoneCommand, operation: 'DeleteHostedZone', mutating: true, handle: async (input) => this.deleteHostedZone(input)},
      {command: ChangeResourceRecordSetsCommand, operation: 'ChangeResourceRecordSets', mutating: true, handle: async (input) => this.changeResourceRecordSets(input)},
      {command: ListResourceRecordSetsCommand, operation: 'ListResourceRecordSets', mutating: false, handle: async (input) => this.listResourceRecordSets(input)},
      {command: GetChangeCommand, operation: 'GetChange', mutating: false, handle: async (input) => this.getChange(input)},
      {command: ChangeTagsForResourceCommand, operation: 'ChangeTagsForResource', mutating: true, handle: async (input) => this.changeTags(input)},
      {command: ListTagsForResourceCommand, operation: 'ListTagsForResource', mutating: false, handle: async (input) => this.listTags(input)},
      {command: ListTagsForResourcesCommand, operation: 'ListTagsForResources', mutating: false, handle: async (input) => this.listTagsForResources(input)},
    ]
  }

  /** Route 53 throttles with code `Throttling` (HTTP 400, "Rate exceeded"). */
  throttlingError(): Error {
    return new Route53ServiceException({name: 'Throttling', $fault: 'client', $metadata: {httpStatusCode: 400}, message: 'Rate exceeded'})
  }

  // --- test helpers -------------------------------------------------------

  /** A zone made outside containrlab (the domain's own zone), with tags if given. Returns its id. */
  seedZone(name: string, tags: Tag[] = []): string {
    const zone = this.makeZone(name, `seed-${this.counter + 1}`, undefined)
    zone.tags = [...tags]
    zone.seeded = true
    return zone.id
  }

  /** A record set written by someone else (a hand-made record). */
  seedRecord(zoneId: string, set: ResourceRecordSet): void {
    const zone = this.zone(zoneId)
    const stored = {...set, Name: storedName(set.Name!)}
    zone.records.set(recordKey(stored), stored)
  }

  /**
   * What a stack may have left: zones made through the API (a seeded zone is
   * the user's), and record sets other than a zone's own SOA and NS at its apex.
   */
  resourceCount(): number {
    let count = 0
    for (const zone of this.zones.values()) {
      if (!zone.seeded) count++
      for (const set of zone.records.values()) if (!(set.Name === zone.name && (set.Type === 'SOA' || set.Type === 'NS'))) count++
    }
    return count
  }

  /** Every record set of a zone, in DNS order (for assertions). */
  recordSets(zoneId: string): ResourceRecordSet[] {
    return [...this.zone(zoneId).records.values()].sort(compareSets)
  }

  zoneIds(): string[] {
    return [...this.zones.keys()]
  }

  /** Values of the record sets of `type` at `name`, in every zone: what a resolver would see (ACM's validation). */
  resolve(name: string, type: string): string[] {
    const wanted = storedName(name)
    const values: string[] = []
    for (const zone of this.zones.values()) {
      for (const set of zone.records.values()) if (set.Name === wanted && set.Type === type) values.push(...(set.ResourceRecords ?? []).map((record) => record.Value ?? ''))
    }
    return values
  }

  // --- API ----------------------------------------------------------------

  createHostedZone(input: {Name?: string; CallerReference?: string; HostedZoneConfig?: {Comment?: string; PrivateZone?: boolean}; VPC?: unknown}) {
    if (!input.Name || !input.CallerReference) throw new InvalidInput({...meta, message: 'Name and CallerReference are required'})
    if (input.VPC || input.HostedZoneConfig?.PrivateZone) throw new InvalidInput({...meta, message: 'the fake Route 53 models public hosted zones only'})
    if ([...this.zones.values()].some((zone) => zone.callerReference === input.CallerReference)) {
      throw new HostedZoneAlreadyExists({...meta, $metadata: {httpStatusCode: 409}, message: `A hosted zone has already been created with the specified caller reference.`})
    }
    const zone = this.makeZone(input.Name, input.CallerReference, input.HostedZoneConfig?.Comment)
    return {
      HostedZone: this.render(zone),
      ChangeInfo: this.newChange(),
      DelegationSet: {NameServers: zone.nameServers},
      Location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}`,
    }
  }

  getHostedZone(input: {Id?: string}) {
    const zone = this.zone(input.Id)
    return {HostedZone: this.render(zone), DelegationSet: {NameServers: zone.nameServers}}
  }

  /** Zones in DNS order (by name with labels reversed, then id), from DNSName (and HostedZoneId), MaxItems a page (default 100). */
  listHostedZonesByName(input: {DNSName?: string; HostedZoneId?: string; MaxItems?: number}) {
    const maxItems = Number(input.MaxItems ?? 100)
    const sorted = [...this.zones.values()].sort((a, b) => compare(orderKey(a.name), orderKey(b.name)) || compare(a.id, b.id))
    let start = 0
    if (input.DNSName) {
      const key = orderKey(input.DNSName)
      start = sorted.findIndex((zone) => orderKey(zone.name) > key || (orderKey(zone.name) === key && (!input.HostedZoneId || zone.id >= bare(input.HostedZoneId))))
      if (start < 0) start = sorted.length
    }
    const page = sorted.slice(start, start + maxItems)
    const next = sorted[start + maxItems]
    return {
      HostedZones: page.map((zone) => this.render(zone)),
      DNSName: input.DNSName,
      HostedZoneId: input.HostedZoneId,
      IsTruncated: next !== undefined,
      ...(next ? {NextDNSName: next.name, NextHostedZoneId: next.id} : {}),
      MaxItems: maxItems,
    }
  }

  deleteHostedZone(input: {Id?: string}) {
    const zone = this.zone(input.Id)
    const extra = [...zone.records.values()].filter((set) => !(set.Name === zone.name && (set.Type === 'SOA' || set.Type === 'NS')))
    if (extra.length > 0) throw new HostedZoneNotEmpty({...meta, message: 'The specified hosted zone contains non-required resource record sets and so cannot be deleted.'})
    this.zones.delete(zone.id)
    return {ChangeInfo: this.newChange()}
  }

  /** Every change validated against the zone as the earlier changes of the batch left it; all applied, or none. */
  changeResourceRecordSets(input: {HostedZoneId?: string; ChangeBatch?: {Changes?: Change[]}}) {
    const zone = this.zone(input.HostedZoneId)
    const changes = input.ChangeBatch?.Changes ?? []
    if (changes.length === 0) throw new InvalidInput({...meta, message: 'Invalid request: Expected at least one Change'})
    const working = new Map(zone.records)
    const errors: string[] = []
    for (const change of changes) {
      const set = {...change.ResourceRecordSet!, Name: storedName(change.ResourceRecordSet?.Name ?? '')}
      const key = recordKey(set)
      const existing = working.get(key)
      const label = `[name='${set.Name}', type='${set.Type}'${set.SetIdentifier ? `, set-identifier='${set.SetIdentifier}'` : ''}]`
      if (set.Name !== zone.name && !set.Name.endsWith(`.${zone.name}`)) {
        errors.push(`RRSet with DNS name ${set.Name} is not permitted in zone ${zone.name}`)
        continue
      }
      if (change.Action === 'DELETE') {
        if (!existing) errors.push(`Tried to delete resource record set ${label} but it was not found`)
        else if (!sameRecordSet(existing, set)) errors.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`)
        else if (set.Name === zone.name && (set.Type === 'SOA' || set.Type === 'NS')) errors.push(`A HostedZone must contain at least one ${set.Type} record for the zone itself.`)
        else working.delete(key)
        continue
      }
      if (change.Action === 'CREATE' && existing) {
        errors.push(`Tried to create resource record set ${label} but it already exists`)
        continue
      }
      const problem = this.checkRecordSet(zone, working, set)
      if (problem) {
        errors.push(problem)
        continue
      }
      working.set(key, set)
    }
    if (errors.length > 0) throw invalidChangeBatch(errors)
    zone.records = working
    return {ChangeInfo: this.newChange()}
  }

  /** ListResourceRecordSets: DNS order from StartRecordName/StartRecordType, MaxItems a page (at most 300, default 300). */
  listResourceRecordSets(input: {HostedZoneId?: string; StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string; MaxItems?: number}) {
    const zone = this.zone(input.HostedZoneId)
    if (input.StartRecordType && !input.StartRecordName) throw new InvalidInput({...meta, message: 'The input is not valid: StartRecordType requires StartRecordName'})
    const maxItems = Number(input.MaxItems ?? 300)
    if (maxItems < 1 || maxItems > 300)
      throw new InvalidInput({...meta, message: `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 300`})
    const sorted = [...zone.records.values()].sort(compareSets)
    let start = 0
    if (input.StartRecordName) {
      const probe: ResourceRecordSet = {Name: input.StartRecordName, Type: (input.StartRecordType ?? '') as ResourceRecordSet['Type'], SetIdentifier: input.StartRecordIdentifier}
      start = sorted.findIndex((set) => compareSets(set, probe) >= 0)
      if (start < 0) start = sorted.length
    }
    const page = sorted.slice(start, start + maxItems)
    const next = sorted[start + maxItems]
    return {
      ResourceRecordSets: page.map((set) => structuredClone(set)),
      IsTruncated: next !== undefined,
      ...(next ? {NextRecordName: next.Name, NextRecordType: next.Type, ...(next.SetIdentifier ? {NextRecordIdentifier: next.SetIdentifier} : {})} : {}),
      MaxItems: maxItems,
    }
  }

  getChange(input: {Id?: string}): {ChangeInfo: ChangeInfo} {
    const id = bare(input.Id)
    const submitted = this.changes.get(id)
    if (submitted === undefined) throw new NoSuchChange({...meta, $metadata: {httpStatusCode: 404}, message: `A change with the specified change ID does not exist.`})
    return {ChangeInfo: this.changeInfo(id, submitted)}
  }

  changeTags(input: {ResourceType?: string; ResourceId?: string; AddTags?: Tag[]; RemoveTagKeys?: string[]}) {
    const zone = this.taggable(input.ResourceType, input.ResourceId)
    const remove = new Set([...(input.RemoveTagKeys ?? []), ...(input.AddTags ?? []).map((tag) => tag.Key)])
    zone.tags = [...zone.tags.filter((tag) => !remove.has(tag.Key)), ...(input.AddTags ?? [])]
    if (zone.tags.length > 50) throw new InvalidInput({...meta, message: 'A resource can have at most 50 tags'})
    return {}
  }

  listTags(input: {ResourceType?: string; ResourceId?: string}) {
    const zone = this.taggable(input.ResourceType, input.ResourceId)
    return {ResourceTagSet: {ResourceType: 'hostedzone', ResourceId: zone.id, Tags: zone.tags}}
  }

  listTagsForResources(input: {ResourceType?: string; ResourceIds?: string[]}) {
    const ids = input.ResourceIds ?? []
    if (ids.length < 1 || ids.length > 10) throw new InvalidInput({...meta, message: `1 validation error detected: Value at 'resourceIds' failed to satisfy constraint: Member must have length less than or equal to 10`})
    return {ResourceTagSets: ids.map((id) => this.listTags({ResourceType: input.ResourceType, ResourceId: id}).ResourceTagSet)}
  }

  // --- internals ----------------------------------------------------------

  private makeZone(name: string, callerReference: string, comment: string | undefined): ZoneRecord {
    this.counter++
    const id = awsId('Z', this.counter, 'zone')
    const zoneName = storedName(name)
    const n = this.counter
    const nameServers = [`ns-${(n * 37) % 2048}.awsdns-${n % 64}.com`, `ns-${(n * 53) % 2048}.awsdns-${n % 64}.net`, `ns-${(n * 71) % 2048}.awsdns-${n % 64}.org`, `ns-${(n * 89) % 2048}.awsdns-${n % 64}.co.uk`]
    const zone: ZoneRecord = {id, name: zoneName, callerReference, comment, nameServers, records: new Map(), tags: []}
    const soa: ResourceRecordSet = {Name: zoneName, Type: 'SOA', TTL: 900, ResourceRecords: [{Value: `${nameServers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`}]}
    const ns: ResourceRecordSet = {Name: zoneName, Type: 'NS', TTL: 172800, ResourceRecords: nameServers.map((server) => ({Value: `${server}.`}))}
    zone.records.set(recordKey(soa), soa)
    zone.records.set(recordKey(ns), ns)
    this.zones.set(id, zone)
    return zone
  }

  private render(zone: ZoneRecord): HostedZone {
    return {
      Id: `/hostedzone/${zone.id}`,
      Name: zone.name,
      CallerReference: zone.callerReference,
      Config: {PrivateZone: false, ...(zone.comment ? {Comment: zone.comment} : {})},
      ResourceRecordSetCount: zone.records.size,
    }
  }

  private zone(id: string | undefined): ZoneRecord {
    const zone = this.zones.get(bare(id))
    if (!zone) throw noSuchZone(bare(id))
    return zone
  }

  private taggable(type: string | undefined, id: string | undefined): ZoneRecord {
    if (type !== 'hostedzone') throw new InvalidInput({...meta, message: `the fake Route 53 tags hosted zones only, not ${type}`})
    return this.zone(id)
  }

  private newChange(): ChangeInfo {
    this.counter++
    const id = awsId('C', this.counter, 'change')
    const now = this.env.clock.now()
    this.changes.set(id, now)
    return this.changeInfo(id, now)
  }

  private changeInfo(id: string, submitted: number): ChangeInfo {
    const status = this.env.clock.now() - submitted >= this.timings.changeSyncMs ? 'INSYNC' : 'PENDING'
    return {Id: `/change/${id}`, Status: status, SubmittedAt: new Date(submitted)}
  }

  /** What Route 53 refuses in a record set itself or beside the others at its name. */
  private checkRecordSet(zone: ZoneRecord, working: Map<string, ResourceRecordSet>, set: ResourceRecordSet): string | undefined {
    if (set.AliasTarget && (set.TTL !== undefined || set.ResourceRecords)) return `Invalid Resource Record: alias record sets take neither TTL nor ResourceRecords`
    if (!set.AliasTarget && (set.TTL === undefined || !set.ResourceRecords?.length)) return `Invalid Resource Record: ${set.Type} record set ${set.Name} needs a TTL and at least one value`
    if (set.Type === 'TXT') {
      for (const record of set.ResourceRecords ?? []) {
        if (!/^(\s*"(?:[^"\\]|\\.)*")+\s*$/.test(record.Value ?? '')) {
          return `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${record.Value}''`
        }
      }
    }
    const others = [...working.values()].filter((other) => other.Name === set.Name && recordKey(other) !== recordKey(set))
    if (set.Type === 'CNAME' && (set.Name === zone.name || others.length > 0))
      return `RRSet of type CNAME with DNS name ${set.Name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`
    if (set.Type !== 'CNAME' && others.some((other) => other.Type === 'CNAME')) {
      return `RRSet of type ${set.Type} with DNS name ${set.Name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}`
    }
    return undefined
  }
}
