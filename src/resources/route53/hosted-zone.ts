import {
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  ListTagsForResourcesCommand,
  type Change,
  type HostedZone,
  type ResourceRecordSet,
  type Tag as Route53Tag,
} from '@aws-sdk/client-route-53'
import {createHash} from 'node:crypto'
import {hasCode} from '../../aws/errors.js'
import {ownerOf} from '../tags.js'
import type {Change as FieldChange, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import type {HostedZoneDesired} from './desired.js'
import {classifyRoute53Error, isNoSuchHostedZone} from './errors.js'
import {bareZoneId, canonicalName, changeRecordSets, cnameMarkerName, deleteChange, markersIn, publicZonesNamed, recordSetsOfZone, route53} from './records.js'

export interface HostedZoneObserved extends Observed {
  /** Without `/hostedzone/`. */
  id: string
  /** Without the trailing dot. */
  name: string
  nameServers: string[]
  /**
   * Created by this stack (its `containrlab:stack` tag): only then may it be
   * deleted. A zone found by name that we did not create is used read-only.
   */
  ours: boolean
  /**
   * For a zone of ours: the record sets in it that are neither its apex
   * SOA/NS nor marked by this stack (`mail.example.com MX`): deleting the
   * zone would lose them.
   */
  foreignRecords: string[]
}

/** Route 53's own record sets of a zone: the apex SOA and NS. */
function isApexRecord(zoneName: string, set: ResourceRecordSet): boolean {
  return canonicalName(set.Name ?? '') === canonicalName(zoneName) && (set.Type === 'SOA' || set.Type === 'NS')
}

/**
 * The record sets of a zone by owner: those this stack marked (an alias
 * record and its marker, a validation CNAME it wrote and its `cname-`
 * marker) and everything else but the apex SOA/NS.
 */
export function partitionRecords(stack: string, zoneName: string, sets: ResourceRecordSet[]): {ours: ResourceRecordSet[]; foreign: ResourceRecordSet[]} {
  /** Names whose marker is this stack's: written by it (true) or only used (false, `shared`). */
  const marked = new Map<string, boolean>()
  for (const set of sets) {
    if (set.Type !== 'TXT') continue
    const marker = markersIn(set).find((candidate) => candidate.stack === stack)
    if (marker) marked.set(canonicalName(set.Name ?? ''), !marker.shared)
  }
  const ours: ResourceRecordSet[] = []
  const foreign: ResourceRecordSet[] = []
  for (const set of sets) {
    if (isApexRecord(zoneName, set)) continue
    const name = canonicalName(set.Name ?? '')
    const isOurs =
      set.Type === 'TXT'
        ? marked.has(name) && markersIn(set).length === (set.ResourceRecords ?? []).length
        : set.Type === 'CNAME'
          ? marked.get(cnameMarkerName(name)) === true
          : set.Type === 'A' && set.AliasTarget !== undefined && marked.has(name)
    ;(isOurs ? ours : foreign).push(set)
  }
  return {ours, foreign}
}

function describeRecord(set: ResourceRecordSet): string {
  return `${canonicalName(set.Name ?? '')} ${set.Type}`
}

async function tagsOf(ctx: ReconcileContext, zoneIds: string[]): Promise<Map<string, Route53Tag[]>> {
  const client = await route53(ctx)
  const tags = new Map<string, Route53Tag[]>()
  // ListTagsForResources takes at most 10 ids. https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListTagsForResources.html
  for (let i = 0; i < zoneIds.length; i += 10) {
    const response = await client.send(new ListTagsForResourcesCommand({ResourceType: 'hostedzone', ResourceIds: zoneIds.slice(i, i + 10)}))
    for (const set of response.ResourceTagSets ?? []) tags.set(set.ResourceId ?? '', set.Tags ?? [])
  }
  return tags
}

/** The zone as observed, owned (for the engine) by `stack` whether we created it or use it read-only. */
async function toObserved(ctx: ReconcileContext, zone: HostedZone, nameServers: string[] | undefined, tags: Route53Tag[], logicalId?: string): Promise<HostedZoneObserved> {
  const id = bareZoneId(zone.Id!)
  const owner = ownerOf(tags)
  const ours = owner.stack === ctx.stack
  const name = canonicalName(zone.Name ?? '')
  const foreignRecords = ours ? partitionRecords(ctx.stack, name, await recordSetsOfZone(ctx, id)).foreign.map(describeRecord) : []
  const servers = nameServers ?? (await getZone(ctx, id))?.nameServers ?? []
  // A zone used read-only is still this stack's node (the engine drops objects it thinks belong to another
  // stack); `ours` is what decides whether it may ever be deleted.
  return {id, logicalId: ours ? (owner.logicalId ?? logicalId) : logicalId, stack: ctx.stack, name, nameServers: servers, ours, foreignRecords}
}

async function getZone(ctx: ReconcileContext, id: string): Promise<{zone: HostedZone; nameServers: string[]} | undefined> {
  const client = await route53(ctx)
  try {
    const response = await client.send(new GetHostedZoneCommand({Id: id}))
    return {zone: response.HostedZone!, nameServers: response.DelegationSet?.NameServers ?? []}
  } catch (error) {
    if (isNoSuchHostedZone(error)) return undefined
    throw error
  }
}

/** The domain's public zone: ours (tagged for this stack and logical id) first, else the only one of that name. */
async function zoneNamed(ctx: ReconcileContext, name: string, logicalId: string): Promise<HostedZoneObserved | undefined> {
  const zones = await publicZonesNamed(ctx, name)
  if (zones.length === 0) return undefined
  const tags = await tagsOf(
    ctx,
    zones.map((zone) => bareZoneId(zone.Id!)),
  )
  const tagged = zones.find((zone) => {
    const owner = ownerOf(tags.get(bareZoneId(zone.Id!)))
    return owner.stack === ctx.stack && owner.logicalId === logicalId
  })
  if (!tagged && zones.length > 1) {
    throw new Error(
      `there are ${zones.length} public hosted zones named ${canonicalName(name)} (${zones.map((zone) => bareZoneId(zone.Id!)).join(', ')}); containrlab cannot tell which one the domain is delegated to: delete the others, or tag the right one containrlab:stack=${ctx.stack}, containrlab:id=${logicalId}`,
    )
  }
  const zone = tagged ?? zones[0]!
  return toObserved(ctx, zone, undefined, tags.get(bareZoneId(zone.Id!)) ?? [], logicalId)
}

/**
 * CreateHostedZone's CallerReference (unique per request, at most 128
 * characters): the create token, so a retried create after a crash answers
 * HostedZoneAlreadyExists instead of making a second zone, and the zone it
 * made is recognised by it.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html
 */
export function callerReference(stack: string, token: string): string {
  return `containrlab-${createHash('sha256').update(stack).digest('hex').slice(0, 8)}-${token}`.slice(0, 128)
}

export class HostedZoneNotFoundError extends Error {
  constructor(name: string) {
    super(`hosted zone ${name} not found in this account: create it or set domain.createZone: true`)
    // Not an AWS code: the engine does not retry it (a missing zone does not appear by waiting).
    this.name = 'HostedZoneMissing'
  }
}

export function diffHostedZone(desired: HostedZoneDesired, observed: HostedZoneObserved): FieldChange[] {
  // A zone's name is fixed. `create` says what to do when it is missing; it never changes an existing zone.
  if (canonicalName(desired.name) === observed.name) return []
  return [{field: 'name', before: observed.name, after: canonicalName(desired.name), replace: true}]
}

async function tagZone(ctx: ReconcileContext, zoneId: string, meta: CreateMeta): Promise<void> {
  const client = await route53(ctx)
  await client.send(new ChangeTagsForResourceCommand({ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: meta.tags}))
}

export const hostedZone: Reconciler<HostedZoneDesired, HostedZoneObserved> = {
  kind: 'route53.hosted-zone',
  // Two zones of one name may exist at once (the delegation decides which one serves).
  replaceStrategy: 'create-before-delete',
  // The CallerReference is derived from the token: a retried create cannot make a second zone.
  idempotentCreate: true,
  typicalMs: {create: 5_000, delete: 5_000},
  classifyError: classifyRoute53Error,
  diff: diffHostedZone,

  async read(ctx, ids) {
    const found = new Map<string, HostedZoneObserved>()
    // GetHostedZone takes one id; the tags of all of them come in batches of ten.
    const zones: {zone: HostedZone; nameServers: string[]}[] = []
    for (const id of ids) {
      const zone = await getZone(ctx, bareZoneId(id))
      if (zone) zones.push(zone)
    }
    const tags = await tagsOf(
      ctx,
      zones.map(({zone}) => bareZoneId(zone.Id!)),
    )
    for (const {zone, nameServers} of zones) {
      const observed = await toObserved(ctx, zone, nameServers, tags.get(bareZoneId(zone.Id!)) ?? [])
      found.set(observed.id, observed)
    }
    return found
  },

  /** By name (Route 53 cannot filter zones by tag): the wanted logical ids whose desired name is known. */
  async find(ctx, query) {
    const found: HostedZoneObserved[] = []
    for (const {logicalId, desired} of query.wanted) {
      const name = (desired as Partial<HostedZoneDesired> | undefined)?.name
      if (typeof name !== 'string') continue
      const zone = await zoneNamed(ctx, name, logicalId)
      if (zone) found.push(zone)
    }
    return found
  },

  async create(ctx, desired, meta) {
    // A zone of that name that appeared since the lookup (or that a crashed run made) is used, never doubled.
    const existing = await zoneNamed(ctx, desired.name, meta.logicalId)
    if (existing) {
      const ownTag = existing.ours
      const made = !ownTag && (await madeByThisCreate(ctx, existing.id, meta))
      if (made) {
        await tagZone(ctx, existing.id, meta)
        return {...existing, ours: true, logicalId: meta.logicalId}
      }
      return existing
    }
    if (!desired.create) throw new HostedZoneNotFoundError(canonicalName(desired.name))
    const client = await route53(ctx)
    const reference = callerReference(ctx.stack, meta.token)
    let zoneId: string
    let nameServers: string[]
    try {
      const response = await client.send(
        new CreateHostedZoneCommand({
          Name: canonicalName(desired.name),
          CallerReference: reference,
          HostedZoneConfig: {Comment: `containrlab stack ${ctx.stack} (${meta.logicalId})`, PrivateZone: false},
        }),
      )
      zoneId = bareZoneId(response.HostedZone!.Id!)
      nameServers = response.DelegationSet?.NameServers ?? []
    } catch (error) {
      // The CallerReference was used: an earlier attempt of this very create made the zone (not visible by name yet).
      if (!hasCode(error, 'HostedZoneAlreadyExists')) throw error
      const again = await zoneNamed(ctx, desired.name, meta.logicalId)
      if (!again) throw error
      zoneId = again.id
      nameServers = again.nameServers
    }
    // CreateHostedZone takes no tags: they follow at once (a crash in between is caught by the CallerReference above).
    await tagZone(ctx, zoneId, meta)
    return {id: zoneId, logicalId: meta.logicalId, stack: ctx.stack, name: canonicalName(desired.name), nameServers, ours: true, foreignRecords: []}
  },

  // A zone never changes in place (diff only asks for replacements).
  async update(_ctx, _desired, observed) {
    return observed
  },

  /**
   * Only a zone this stack created is deleted. A zone that was found by
   * name and used read-only (the domain's own zone, with records of others)
   * is left exactly as it is: deleting it would take the whole domain off
   * the internet. For a zone of ours, the records this stack marked go first
   * (its alias and validation records, left behind when the state was lost);
   * records someone else added are data (`dataLoss`): the delete stops,
   * naming them, unless --purge.
   */
  async delete(ctx, observed, options) {
    if (!observed.ours) return
    const client = await route53(ctx)
    let sets: ResourceRecordSet[]
    try {
      sets = await recordSetsOfZone(ctx, observed.id)
    } catch (error) {
      if (isNoSuchHostedZone(error)) return
      throw error
    }
    const {ours, foreign} = partitionRecords(ctx.stack, observed.name, sets)
    if (foreign.length > 0 && !options.purge) {
      throw new Error(`hosted zone ${observed.name} (${observed.id}) holds records containrlab did not make: ${foreign.map(describeRecord).join(', ')}; delete them, or run teardown --purge to delete them with the zone`)
    }
    const doomed = options.purge ? [...ours, ...foreign] : ours
    // A change batch takes at most 1,000 changes. https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests-changeresourcerecordsets
    for (let i = 0; i < doomed.length; i += 1000) {
      const changes: Change[] = doomed.slice(i, i + 1000).map(deleteChange)
      await changeRecordSets(ctx, observed.id, changes, `containrlab: teardown of ${ctx.stack}`)
    }
    try {
      await client.send(new DeleteHostedZoneCommand({Id: observed.id}))
    } catch (error) {
      if (!isNoSuchHostedZone(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, name: observed.name, nameServers: observed.nameServers.join(',')}
  },

  health(observed) {
    return {state: observed.ours ? 'created by this stack' : 'used read-only', ready: true}
  },

  mustExist(desired) {
    return desired.create ? undefined : new HostedZoneNotFoundError(canonicalName(desired.name)).message
  },

  notOurs(observed) {
    return observed.ours ? undefined : `hosted zone ${observed.name} (${observed.id}) was found, not made by this stack: it is left as it is`
  },

  dataLoss(observed) {
    if (!observed.ours || observed.foreignRecords.length === 0) return undefined
    const shown = observed.foreignRecords.slice(0, 5).join(', ')
    const more = observed.foreignRecords.length > 5 ? ` and ${observed.foreignRecords.length - 5} more` : ''
    return {what: `holds ${observed.foreignRecords.length} records containrlab did not make (${shown}${more})`, unlessPurge: 'keep'}
  },
}

/** The zone was made by this very create (its CallerReference), before a crash that lost the tags. */
async function madeByThisCreate(ctx: ReconcileContext, zoneId: string, meta: CreateMeta): Promise<boolean> {
  const zone = await getZone(ctx, zoneId)
  return zone?.zone.CallerReference === callerReference(ctx.stack, meta.token)
}
