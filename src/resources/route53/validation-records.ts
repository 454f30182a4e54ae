import type {Change, ResourceRecordSet} from '@aws-sdk/client-route-53'
import type {Change as FieldChange, Observed, ReconcileContext, Reconciler} from '../types.js'
import type {ValidationRecordsDesired} from './desired.js'
import {classifyRoute53Error, isNoSuchHostedZone, isRecordAlreadyGone, isRecordChanged} from './errors.js'
import {absoluteName, canonicalName, changeRecordSets, cnameMarkerName, isMarkerOf, knownZoneId, markerRecordSet, markersIn, markerValue, recordSetsOfZone, valuesOf, zoneOfRecord} from './records.js'

/** One DNS record ACM asks for, as `acm.certificate` outputs it (names without a trailing dot). */
export interface ValidationRecord {
  name: string
  type: string
  value: string
}

export interface ValidationRecordsObserved extends Observed {
  /** `<zoneId>/<logical id>`: what read needs to find the records again (see `read`). */
  id: string
  zoneId: string
  /** JSON of the records at the names, sorted: ours and those found already in place. */
  records: string
  /**
   * Names of the CNAMEs this stack wrote: only those are ever deleted. The
   * others were there with the right value (see `write`) and are only used.
   */
  owned: string[]
}

/** The desired records, normalised: lower-case names and values without trailing dots, de-duplicated, sorted by name. */
export function parseRecords(json: string): ValidationRecord[] {
  const parsed = JSON.parse(json) as unknown
  if (!Array.isArray(parsed)) throw new Error(`validation records must be a JSON array, got ${json.slice(0, 80)}`)
  const byName = new Map<string, ValidationRecord>()
  for (const item of parsed as Partial<ValidationRecord>[]) {
    if (typeof item?.name !== 'string' || typeof item.value !== 'string') throw new Error(`a validation record needs a name and a value, got ${JSON.stringify(item)}`)
    const record = {name: canonicalName(item.name), type: (item.type ?? 'CNAME').toUpperCase(), value: canonicalName(item.value)}
    byName.set(record.name, record)
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function recordsJson(records: ValidationRecord[]): string {
  return JSON.stringify(records.map(({name, type, value}) => ({name, type, value})))
}

export function validationRecordsId(zoneId: string, logicalId: string): string {
  return `${zoneId}/${logicalId}`
}

function parseId(id: string): {zoneId: string; logicalId: string} {
  const slash = id.indexOf('/')
  return {zoneId: id.slice(0, slash), logicalId: id.slice(slash + 1)}
}

export function diffValidationRecords(desired: ValidationRecordsDesired, observed: ValidationRecordsObserved): FieldChange[] {
  const changes: FieldChange[] = []
  if (desired.zoneId !== observed.zoneId) changes.push({field: 'zoneId', before: observed.zoneId, after: desired.zoneId, replace: true})
  const records = recordsJson(parseRecords(desired.records))
  // Records added or removed (a certificate with other names) are written in place, in one batch.
  if (records !== observed.records) changes.push({field: 'records', before: observed.records, after: records, replace: false})
  return changes
}

/** A zone's record sets by name. */
function byName(sets: ResourceRecordSet[]): Map<string, ResourceRecordSet[]> {
  const names = new Map<string, ResourceRecordSet[]>()
  for (const set of sets) {
    const name = canonicalName(set.Name ?? '')
    names.set(name, [...(names.get(name) ?? []), set])
  }
  return names
}

/** The marker record set at a CNAME's `cname-` name. */
function markerSetOf(names: Map<string, ResourceRecordSet[]>, name: string): ResourceRecordSet | undefined {
  return names.get(cnameMarkerName(name))?.find((set) => set.Type === 'TXT' && !set.SetIdentifier)
}

function cnameAt(names: Map<string, ResourceRecordSet[]>, name: string): ResourceRecordSet | undefined {
  return names.get(name)?.find((set) => set.Type === 'CNAME' && !set.SetIdentifier)
}

/** The validation records each logical id of a stack marked in a zone (by their `cname-` markers). */
function markedCnames(zoneId: string, stack: string, sets: ResourceRecordSet[], only?: string): ValidationRecordsObserved[] {
  const names = byName(sets)
  const found = new Map<string, {observed: ValidationRecordsObserved; list: ValidationRecord[]}>()
  for (const markerName of names.keys()) {
    if (!markerName.startsWith('cname-')) continue
    const name = markerName.slice('cname-'.length)
    const cname = cnameAt(names, name)
    if (!cname) continue
    for (const marker of markersIn(markerSetOf(names, name))) {
      if (marker.stack !== stack || (only !== undefined && marker.logicalId !== only)) continue
      const entry = found.get(marker.logicalId) ?? {observed: {id: validationRecordsId(zoneId, marker.logicalId), logicalId: marker.logicalId, stack, zoneId, records: '[]', owned: []}, list: []}
      entry.list.push({name, type: 'CNAME', value: canonicalName(valuesOf(cname)[0] ?? '')})
      if (!marker.shared) entry.observed.owned.push(name)
      found.set(marker.logicalId, entry)
    }
  }
  return [...found.values()].map(({observed, list}) => ({...observed, owned: observed.owned.sort(), records: recordsJson(list.sort((a, b) => (a.name < b.name ? -1 : 1)))}))
}

/** Our marker in a marker record set, beside the values of others (other stacks sharing the record): UPSERT keeps theirs. */
function markerUpsert(name: string, existing: ResourceRecordSet | undefined, stack: string, logicalId: string, shared: boolean): Change {
  const others = valuesOf(existing).filter((value) => !isMarkerOf(value, stack, logicalId))
  return {Action: 'UPSERT', ResourceRecordSet: markerRecordSet(cnameMarkerName(name), [...others, markerValue(stack, logicalId, shared)])}
}

/** Our marker out of a marker record set: deleted with its exact values, others' values written back in the same batch. */
function markerRemoval(existing: ResourceRecordSet, stack: string, logicalId: string): Change[] {
  const others = valuesOf(existing).filter((value) => !isMarkerOf(value, stack, logicalId))
  const changes: Change[] = [{Action: 'DELETE', ResourceRecordSet: existing}]
  if (others.length > 0) changes.push({Action: 'CREATE', ResourceRecordSet: {...existing, ResourceRecords: others.map((Value) => ({Value}))}})
  return changes
}

/**
 * Writes the records in one batch, each CNAME with its marker. A CNAME of
 * that name already holding the value ACM asks for (the domain was
 * validated before, by hand or by another stack: ACM gives a domain the
 * same record in every certificate of an account) serves as it is: the
 * marker says the stack uses it (`shared`), and it is never deleted. One
 * holding another value, or any other record at the name, is someone
 * else's and fails the write.
 */
async function write(ctx: ReconcileContext, desired: ValidationRecordsDesired, logicalId: string): Promise<ValidationRecordsObserved> {
  const zoneId = desired.zoneId
  const wanted = parseRecords(desired.records)
  const sets = await recordSetsOfZone(ctx, zoneId)
  const names = byName(sets)
  const before = markedCnames(zoneId, ctx.stack, sets, logicalId)[0]
  const changes: Change[] = []
  const owned: string[] = []
  for (const record of wanted) {
    const atName = names.get(record.name) ?? []
    const markerSet = markerSetOf(names, record.name)
    const ownMarker = markersIn(markerSet).find((marker) => marker.stack === ctx.stack && marker.logicalId === logicalId)
    const cname = cnameAt(names, record.name)
    const clashing = atName.filter((set) => set !== cname)
    const holdsValue = cname !== undefined && canonicalName(valuesOf(cname)[0] ?? '') === record.value
    if (clashing.length > 0 || (cname && !holdsValue && (!ownMarker || ownMarker.shared))) {
      const what = atName.map((set) => `${set.Type} ${valuesOf(set).join(' ')}`.trim()).join(', ')
      throw new Error(`${record.name} already has a record containrlab did not make (${what}), not the ${record.type} ${record.value} ACM asks for; containrlab never overwrites it: delete it, then run again`)
    }
    // A CNAME there with the right value that we did not write is used as it is.
    const shared = holdsValue && (!ownMarker || ownMarker.shared === true)
    if (!shared) {
      owned.push(record.name)
      if (!holdsValue) changes.push({Action: 'UPSERT', ResourceRecordSet: {Name: absoluteName(record.name), Type: 'CNAME', TTL: 300, ResourceRecords: [{Value: absoluteName(record.value)}]}})
    }
    if (!ownMarker || (ownMarker.shared ?? false) !== shared) changes.push(markerUpsert(record.name, markerSet, ctx.stack, logicalId, shared))
  }
  // Records of ours no longer asked for (the certificate lost a name) go in the same batch.
  const stillWanted = new Set(wanted.map((record) => record.name))
  for (const record of before ? parseRecords(before.records) : []) {
    if (stillWanted.has(record.name)) continue
    changes.push(...removal(names, record.name, before!.owned.includes(record.name), ctx.stack, logicalId))
  }
  // ACM checks the records itself: no need to wait for INSYNC here (`acm.certificate-validation` waits for ISSUED).
  if (changes.length > 0) await changeRecordSets(ctx, zoneId, changes, `containrlab: ${ctx.stack} ${logicalId}`)
  return {id: validationRecordsId(zoneId, logicalId), logicalId, stack: ctx.stack, zoneId, records: recordsJson(wanted), owned: owned.sort()}
}

/**
 * The changes that take one name's record off a logical id: its marker
 * always; the CNAME only when the stack wrote it and no other marker
 * (another stack sharing it) still uses it.
 */
function removal(names: Map<string, ResourceRecordSet[]>, name: string, owned: boolean, stack: string, logicalId: string): Change[] {
  const markerSet = markerSetOf(names, name)
  const changes: Change[] = markerSet ? markerRemoval(markerSet, stack, logicalId) : []
  const otherUsers = markersIn(markerSet).filter((marker) => marker.stack !== stack || marker.logicalId !== logicalId)
  const cname = cnameAt(names, name)
  if (owned && cname && otherUsers.length === 0) changes.push({Action: 'DELETE', ResourceRecordSet: cname})
  return changes
}

/** Deletes our CNAMEs and markers (their exact current values) in one batch; records we did not write stay. */
async function remove(ctx: ReconcileContext, observed: ValidationRecordsObserved, attempt = 0): Promise<void> {
  const stack = observed.stack ?? ctx.stack
  let sets: ResourceRecordSet[]
  try {
    sets = await recordSetsOfZone(ctx, observed.zoneId)
  } catch (error) {
    if (isNoSuchHostedZone(error)) return
    throw error
  }
  const current = markedCnames(observed.zoneId, stack, sets, observed.logicalId)[0]
  if (!current) return
  const names = byName(sets)
  const changes = parseRecords(current.records).flatMap((record) => removal(names, record.name, current.owned.includes(record.name), stack, current.logicalId!))
  try {
    await changeRecordSets(ctx, observed.zoneId, changes, `containrlab: teardown of ${stack} ${current.logicalId}`)
  } catch (error) {
    if (isNoSuchHostedZone(error)) return
    if ((isRecordAlreadyGone(error) || isRecordChanged(error)) && attempt === 0) return remove(ctx, observed, attempt + 1)
    if (isRecordAlreadyGone(error)) return
    throw error
  }
}

export const validationRecords: Reconciler<ValidationRecordsDesired, ValidationRecordsObserved> = {
  kind: 'route53.validation-records',
  // Another zone's records can exist beside these; in one zone, records change in place.
  replaceStrategy: 'create-before-delete',
  // UPSERT: a retried create writes the same records.
  idempotentCreate: true,
  classifyError: classifyRoute53Error,
  diff: diffValidationRecords,

  /**
   * The id names the zone and the logical id: the CNAMEs are those whose
   * `cname-` marker names this stack and logical id. Their names come from
   * ACM, not from the id, so the zone is listed (one listing per zone).
   */
  async read(ctx, ids) {
    const found = new Map<string, ValidationRecordsObserved>()
    const byZone = new Map<string, string[]>()
    for (const id of ids) {
      const {zoneId, logicalId} = parseId(id)
      byZone.set(zoneId, [...(byZone.get(zoneId) ?? []), logicalId])
    }
    for (const [zoneId, logicalIds] of byZone) {
      let sets: ResourceRecordSet[]
      try {
        sets = await recordSetsOfZone(ctx, zoneId)
      } catch (error) {
        if (isNoSuchHostedZone(error)) continue
        throw error
      }
      for (const observed of markedCnames(zoneId, ctx.stack, sets)) if (logicalIds.includes(observed.logicalId!)) found.set(observed.id, observed)
    }
    return found
  },

  /** The stack's marked CNAMEs in the zones the wanted entries name (an id, or the zone of their record names once known, or of their domain). */
  async find(ctx, query) {
    const zones = new Set<string>()
    for (const {desired} of query.wanted) {
      const wanted = desired as Partial<Record<keyof ValidationRecordsDesired, unknown>> | undefined
      let zoneId = knownZoneId(wanted?.zoneId)
      if (!zoneId && typeof wanted?.records === 'string') {
        const first = (() => {
          try {
            return parseRecords(wanted.records as string)[0]
          } catch {
            return undefined
          }
        })()
        if (first) zoneId = await zoneOfRecord(ctx, first.name)
      }
      if (!zoneId && typeof wanted?.domain === 'string') zoneId = await zoneOfRecord(ctx, wanted.domain)
      if (zoneId) zones.add(zoneId)
    }
    const found: ValidationRecordsObserved[] = []
    for (const zoneId of zones) {
      try {
        found.push(...markedCnames(zoneId, query.stack, await recordSetsOfZone(ctx, zoneId)))
      } catch (error) {
        if (!isNoSuchHostedZone(error)) throw error
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
    return {
      id: observed.id,
      names: parseRecords(observed.records)
        .map((record) => record.name)
        .join(','),
    }
  },
}
