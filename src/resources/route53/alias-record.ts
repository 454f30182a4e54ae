import type {Change, ResourceRecordSet} from '@aws-sdk/client-route-53'
import type {Change as FieldChange, Observed, ReconcileContext, Reconciler} from '../types.js'
import type {AliasRecordDesired} from './desired.js'
import {classifyRoute53Error, isNoSuchHostedZone, isRecordAlreadyGone, isRecordChanged} from './errors.js'
import {
  absoluteName,
  canonicalName,
  changeRecordSets,
  knownZoneId,
  markersIn,
  markerRecordSet,
  markerValue,
  parseMarker,
  recordSetsAt,
  recordSetsOfZone,
  valuesOf,
  waitInSync,
  zoneOfRecord,
  type Marker,
} from './records.js'

export interface AliasRecordObserved extends Observed {
  /** `<zoneId>/<name>`. */
  id: string
  zoneId: string
  name: string
  targetDnsName: string
  targetHostedZoneId: string
  evaluateTargetHealth: boolean
  /**
   * What else is at the name when our marker is there but our alias is not
   * (deleted or re-pointed by hand): the marker is still ours, for `up` to
   * repair (or refuse to overwrite) and for teardown to delete.
   */
  aliasMissing?: string
}

export function aliasRecordId(zoneId: string, name: string): string {
  return `${zoneId}/${canonicalName(name)}`
}

function parseId(id: string): {zoneId: string; name: string} {
  const slash = id.indexOf('/')
  return {zoneId: id.slice(0, slash), name: id.slice(slash + 1)}
}

/** What is at a name: the A alias, the TXT record set, anything else that would clash. */
interface AtName {
  alias?: ResourceRecordSet
  txt?: ResourceRecordSet
  /** A/AAAA/CNAME record sets other than an A alias (a plain A record, a CNAME…). */
  clashing: ResourceRecordSet[]
}

function atName(sets: ResourceRecordSet[]): AtName {
  const found: AtName = {clashing: []}
  for (const set of sets) {
    // Weighted, latency or failover sets (SetIdentifier) are someone's routing policy: never ours.
    if (set.Type === 'A' && set.AliasTarget && !set.SetIdentifier) found.alias = set
    else if (set.Type === 'TXT' && !set.SetIdentifier) found.txt = set
    else if (set.Type === 'A' || set.Type === 'AAAA' || set.Type === 'CNAME') found.clashing.push(set)
  }
  return found
}

/** The owner the marker at the name names (the first containrlab marker there). */
function ownerAt(found: AtName): Marker | undefined {
  return markersIn(found.txt)[0]
}

function toObserved(zoneId: string, name: string, alias: ResourceRecordSet | undefined, owner: Marker, clashing: ResourceRecordSet[] = []): AliasRecordObserved {
  const missing = alias ? {} : {aliasMissing: clashing.length > 0 ? `${clashing.map((set) => set.Type).join(', ')} record there instead of the alias` : 'no alias record there, only the marker'}
  return {
    ...missing,
    id: aliasRecordId(zoneId, name),
    logicalId: owner.logicalId,
    stack: owner.stack,
    zoneId,
    name: canonicalName(name),
    targetDnsName: canonicalName(alias?.AliasTarget?.DNSName ?? ''),
    targetHostedZoneId: alias?.AliasTarget?.HostedZoneId ?? '',
    evaluateTargetHealth: alias?.AliasTarget?.EvaluateTargetHealth ?? false,
  }
}

/**
 * The name as a containrlab marker claims it (a record without a marker is
 * nobody's we know): with its alias, or without one when the alias was
 * deleted or replaced by hand, the marker then being all that is ours there.
 */
function observedAt(zoneId: string, name: string, sets: ResourceRecordSet[], markerOnly: boolean): AliasRecordObserved | undefined {
  const found = atName(sets)
  const owner = ownerAt(found)
  if (!owner || (!found.alias && !markerOnly)) return undefined
  return toObserved(zoneId, name, found.alias, owner, found.clashing)
}

export function diffAliasRecord(desired: AliasRecordDesired, observed: AliasRecordObserved): FieldChange[] {
  const changes: FieldChange[] = []
  if (desired.zoneId !== observed.zoneId) changes.push({field: 'zoneId', before: observed.zoneId, after: desired.zoneId, replace: true})
  if (canonicalName(desired.name) !== observed.name) changes.push({field: 'name', before: observed.name, after: canonicalName(desired.name), replace: true})
  // The target changes in place: one UPSERT moves the name to the new load balancer.
  if (canonicalName(desired.targetDnsName) !== observed.targetDnsName) changes.push({field: 'targetDnsName', before: observed.targetDnsName, after: canonicalName(desired.targetDnsName), replace: false})
  if (desired.targetHostedZoneId !== observed.targetHostedZoneId) changes.push({field: 'targetHostedZoneId', before: observed.targetHostedZoneId, after: desired.targetHostedZoneId, replace: false})
  if (desired.evaluateTargetHealth !== observed.evaluateTargetHealth) changes.push({field: 'evaluateTargetHealth', before: observed.evaluateTargetHealth, after: desired.evaluateTargetHealth, replace: false})
  return changes
}

/**
 * Refuses to write a name someone else holds: an A, AAAA or CNAME record
 * there without this logical id's marker, or another owner's marker.
 */
function checkWritable(ctx: ReconcileContext, name: string, logicalId: string, found: AtName): void {
  const owner = ownerAt(found)
  const ours = owner?.stack === ctx.stack && owner.logicalId === logicalId
  if (owner && !ours) {
    throw new Error(
      `${canonicalName(name)} is managed by containrlab ${owner.logicalId} of stack ${owner.stack} (its TXT marker), not ${logicalId} of stack ${ctx.stack}: containrlab never overwrites another owner's records`,
    )
  }
  const taken = [...found.clashing, ...(found.alias && !ours ? [found.alias] : [])]
  if (taken.length > 0) {
    const what = taken
      .map((set) => `${set.Type}${set.AliasTarget ? ` alias to ${canonicalName(set.AliasTarget.DNSName ?? '')}` : ` ${valuesOf(set).join(' ')}`}${set.SetIdentifier ? ` (set ${set.SetIdentifier})` : ''}`)
      .join(', ')
    if (ours) {
      // Our marker is there, the alias is not: someone put their own record in its place.
      throw new Error(
        `${canonicalName(name)} has a record containrlab did not make (${what}) where its alias was (the TXT marker of ${logicalId} of stack ${ctx.stack} is still there); containrlab never overwrites it: delete it and run up again, or use another name`,
      )
    }
    throw new Error(
      `${canonicalName(name)} already has a record containrlab did not make (${what}), without the TXT marker of ${logicalId} of stack ${ctx.stack}; containrlab never overwrites it: delete it, or use another name`,
    )
  }
}

/**
 * One batch: the A alias and the marker. The marker's TXT record set keeps
 * any other TXT values at the name (an SPF or site-verification record at
 * the apex): an UPSERT replaces a whole record set.
 */
function writeChanges(ctx: ReconcileContext, desired: AliasRecordDesired, logicalId: string, found: AtName): Change[] {
  const others = valuesOf(found.txt).filter((value) => !parseMarker(value))
  return [
    {
      Action: 'UPSERT',
      ResourceRecordSet: {
        Name: absoluteName(desired.name),
        Type: 'A',
        AliasTarget: {DNSName: absoluteName(desired.targetDnsName), HostedZoneId: desired.targetHostedZoneId, EvaluateTargetHealth: desired.evaluateTargetHealth},
      },
    },
    {Action: 'UPSERT', ResourceRecordSet: markerRecordSet(desired.name, [...others, markerValue(ctx.stack, logicalId)])},
  ]
}

async function write(ctx: ReconcileContext, desired: AliasRecordDesired, logicalId: string): Promise<AliasRecordObserved> {
  const zoneId = desired.zoneId
  const found = atName(await recordSetsAt(ctx, zoneId, desired.name))
  checkWritable(ctx, desired.name, logicalId, found)
  const change = await changeRecordSets(ctx, zoneId, writeChanges(ctx, desired, logicalId, found), `containrlab: ${ctx.stack} ${logicalId}`)
  // Done means every Route 53 name server answers with the new target.
  await waitInSync(ctx, change, `${canonicalName(desired.name)}`)
  return {
    id: aliasRecordId(zoneId, desired.name),
    logicalId,
    stack: ctx.stack,
    zoneId,
    name: canonicalName(desired.name),
    targetDnsName: canonicalName(desired.targetDnsName),
    targetHostedZoneId: desired.targetHostedZoneId,
    evaluateTargetHealth: desired.evaluateTargetHealth,
  }
}

/**
 * Deletes the alias and our marker in one batch, with the values they have
 * now (Route 53 deletes only an exact match); other TXT values at the name
 * stay. A record changed between the read and the batch is read again once.
 */
async function remove(ctx: ReconcileContext, observed: AliasRecordObserved, attempt = 0): Promise<void> {
  let found: AtName
  try {
    found = atName(await recordSetsAt(ctx, observed.zoneId, observed.name))
  } catch (error) {
    if (isNoSuchHostedZone(error)) return
    throw error
  }
  const owner = ownerAt(found)
  // Gone, or no longer marked as ours (someone took the name over): nothing of ours to delete.
  if (!owner || owner.stack !== (observed.stack ?? ctx.stack) || owner.logicalId !== observed.logicalId) return
  const others = valuesOf(found.txt).filter((value) => !parseMarker(value))
  const changes: Change[] = []
  if (found.alias) changes.push({Action: 'DELETE', ResourceRecordSet: found.alias})
  changes.push({Action: 'DELETE', ResourceRecordSet: found.txt!})
  if (others.length > 0) changes.push({Action: 'CREATE', ResourceRecordSet: {...markerRecordSet(observed.name, others), TTL: found.txt!.TTL}})
  try {
    await changeRecordSets(ctx, observed.zoneId, changes, `containrlab: teardown of ${ctx.stack} ${observed.logicalId ?? ''}`)
  } catch (error) {
    if (isNoSuchHostedZone(error)) return
    // Something changed the records since they were listed: list them again, once.
    if ((isRecordAlreadyGone(error) || isRecordChanged(error)) && attempt === 0) return remove(ctx, observed, attempt + 1)
    if (isRecordAlreadyGone(error)) return
    throw error
  }
}

export const aliasRecord: Reconciler<AliasRecordDesired, AliasRecordObserved> = {
  kind: 'route53.alias-record',
  // A name holds one A record set: the old one is the new one's UPSERT (same zone), or another zone's record.
  replaceStrategy: 'create-before-delete',
  // UPSERT is idempotent by nature: a retried create writes the same records.
  idempotentCreate: true,
  // A change is INSYNC in well under a minute.
  typicalMs: {create: 30_000, delete: 2_000},
  classifyError: classifyRoute53Error,
  diff: diffAliasRecord,

  async read(ctx, ids) {
    const found = new Map<string, AliasRecordObserved>()
    for (const id of ids) {
      const {zoneId, name} = parseId(id)
      try {
        const observed = observedAt(zoneId, name, await recordSetsAt(ctx, zoneId, name), true)
        if (observed) found.set(id, observed)
      } catch (error) {
        if (!isNoSuchHostedZone(error)) throw error
      }
    }
    return found
  },

  /**
   * The stack's alias records in the zones the wanted records name: their
   * zone id when the spec's value is already an id, else the public zone of
   * the record's name (the zone id is a ref to the hosted zone node). Every
   * marker of the stack at an A alias in those zones is returned, wanted or
   * not, so teardown finds orphans there too; a marker whose alias was
   * deleted or replaced by hand, at the names the spec has.
   */
  async find(ctx, query) {
    const zones = new Set<string>()
    const wantedNames = new Set<string>()
    for (const {desired} of query.wanted) {
      const wanted = desired as Partial<Record<keyof AliasRecordDesired, unknown>> | undefined
      const zoneId = knownZoneId(wanted?.zoneId) ?? (typeof wanted?.name === 'string' ? await zoneOfRecord(ctx, wanted.name) : undefined)
      if (zoneId) zones.add(zoneId)
      if (typeof wanted?.name === 'string') wantedNames.add(canonicalName(wanted.name))
    }
    const found: AliasRecordObserved[] = []
    for (const zoneId of zones) {
      let sets: ResourceRecordSet[]
      try {
        sets = await recordSetsOfZone(ctx, zoneId)
      } catch (error) {
        if (isNoSuchHostedZone(error)) continue
        throw error
      }
      const byName = new Map<string, ResourceRecordSet[]>()
      for (const set of sets) {
        const name = canonicalName(set.Name ?? '')
        byName.set(name, [...(byName.get(name) ?? []), set])
      }
      for (const [name, atThisName] of byName) {
        // A marker without its alias is taken for one of ours at a name the spec has only: other
        // markers of the stack (its validation records') are other kinds'.
        const observed = observedAt(zoneId, name, atThisName, wantedNames.has(name))
        if (observed && observed.stack === query.stack) found.push(observed)
      }
    }
    return found
  },

  /**
   * A name to be written that another owner's record (or marker) holds,
   * found before any change: the same refusal `create` would meet after the
   * rest of the stack was made. The zone is the desired one when its id is
   * known, else the public zone of the name.
   */
  async conflicts(ctx, creating) {
    const found: string[] = []
    for (const {logicalId, desired} of creating) {
      const zoneId = knownZoneId(desired.zoneId) ?? (await zoneOfRecord(ctx, desired.name))
      if (!zoneId) continue
      let sets: ResourceRecordSet[]
      try {
        sets = await recordSetsAt(ctx, zoneId, desired.name)
      } catch (error) {
        if (isNoSuchHostedZone(error)) continue
        throw error
      }
      try {
        checkWritable(ctx, desired.name, logicalId, atName(sets))
      } catch (error) {
        found.push(`${logicalId}: ${(error as Error).message}`)
      }
    }
    return found
  },

  create(ctx, desired, meta) {
    return write(ctx, desired, meta.logicalId)
  },

  update(ctx, desired, observed) {
    return write(ctx, desired, observed.logicalId!)
  },

  async delete(ctx, observed) {
    await remove(ctx, observed)
  },

  outputs(observed) {
    return {id: observed.id, name: observed.name}
  },

  health(observed) {
    return observed.aliasMissing ? {state: 'alias missing', ready: true, detail: observed.aliasMissing} : {state: 'ok', ready: true}
  },
}
