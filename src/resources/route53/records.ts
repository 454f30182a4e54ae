import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ChangeInfo,
  type HostedZone,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53'
import type {ReconcileContext} from '../types.js'
import {waitFor} from '../wait.js'

/**
 * What the Route 53 kinds share: names as Route 53 spells them, the TXT
 * ownership marker, listing record sets, change batches and their
 * propagation.
 */

export function route53(ctx: ReconcileContext): Promise<Route53Client> {
  return ctx.aws.client('route53')
}

/** `Z0123…` from `/hostedzone/Z0123…` (what CreateHostedZone and ListHostedZonesByName return). */
export function bareZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, '')
}

/**
 * A DNS name as the kinds compare it: lower case, no trailing dot, and
 * Route 53's octal escapes undone (it lists `*.example.com` as
 * `\052.example.com.`).
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
 */
export function canonicalName(name: string): string {
  return name
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, '')
}

/** The fully qualified form Route 53 answers with (trailing dot). */
export function absoluteName(name: string): string {
  return `${canonicalName(name)}.`
}

/** `a.b.example.com` → `b.example.com` → `example.com` → `com`. */
export function parentNames(name: string): string[] {
  const labels = canonicalName(name).split('.')
  return labels.map((_, i) => labels.slice(i).join('.'))
}

/**
 * The TXT record that says which stack and logical id own the records at a
 * name, as external-dns marks its records (`"heritage=external-dns,…"`): a
 * record without it, or with another owner's, is never changed or deleted.
 */
export const HERITAGE = 'containrlab'
const MARKER_TTL = 300

/**
 * `shared`: the record beside the marker was there before, holding the very
 * value wanted (an ACM validation CNAME made by hand): the marker says the
 * stack uses it, not that the stack made it, so it is never deleted.
 */
export function markerValue(stack: string, logicalId: string, shared = false): string {
  return `"heritage=${HERITAGE},${HERITAGE}/stack=${stack},${HERITAGE}/id=${logicalId}${shared ? `,${HERITAGE}/record=shared` : ''}"`
}

export interface Marker {
  stack: string
  logicalId: string
  shared?: boolean
}

export function isMarkerOf(value: string, stack: string, logicalId: string): boolean {
  const marker = parseMarker(value)
  return marker?.stack === stack && marker.logicalId === logicalId
}

/** A TXT value (one or more quoted strings: values over 255 characters are split) read as a marker, if it is one of ours. */
export function parseMarker(value: string): Marker | undefined {
  const text = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]).join('') || value
  const fields = new Map<string, string>()
  for (const part of text.split(',')) {
    const equals = part.indexOf('=')
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim())
  }
  const stack = fields.get(`${HERITAGE}/stack`)
  const logicalId = fields.get(`${HERITAGE}/id`)
  if (fields.get('heritage') !== HERITAGE || !stack || !logicalId) return undefined
  return fields.get(`${HERITAGE}/record`) === 'shared' ? {stack, logicalId, shared: true} : {stack, logicalId}
}

/** The values of a record set (TXT values keep their quotes, as Route 53 lists them). */
export function valuesOf(recordSet: ResourceRecordSet | undefined): string[] {
  return (recordSet?.ResourceRecords ?? []).map((record) => record.Value ?? '')
}

/** Every containrlab marker among a TXT record set's values. */
export function markersIn(recordSet: ResourceRecordSet | undefined): Marker[] {
  return valuesOf(recordSet)
    .map(parseMarker)
    .filter((marker): marker is Marker => marker !== undefined)
}

/**
 * A CNAME cannot share its name with any other record, the marker
 * included: Route 53 refuses "RRSet of type TXT … is not permitted because
 * a conflicting RRSet of type CNAME with the same DNS name already exists".
 * So a CNAME's marker sits at the name with `cname-` before its first label,
 * as external-dns's TXT registry names it.
 */
export function cnameMarkerName(name: string): string {
  return `cname-${canonicalName(name)}`
}

/** The TXT record set of a marker (with the values it must keep beside ours). */
export function markerRecordSet(name: string, values: string[]): ResourceRecordSet {
  return {Name: absoluteName(name), Type: 'TXT', TTL: MARKER_TTL, ResourceRecords: values.map((Value) => ({Value}))}
}

/** Record sets, as a change batch must give them to delete them: exactly as listed. */
export function deleteChange(recordSet: ResourceRecordSet): Change {
  return {Action: 'DELETE', ResourceRecordSet: recordSet}
}

/** ListResourceRecordSets takes at most 300 items a page. https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html */
const MAX_PAGE = 300

/**
 * The record sets at exactly `name`, every type. ListResourceRecordSets
 * answers in DNS order from StartRecordName, so the first page holds the
 * name's record sets (a name has few) and the pages stop at the next name.
 */
export async function recordSetsAt(ctx: ReconcileContext, zoneId: string, name: string): Promise<ResourceRecordSet[]> {
  const client = await route53(ctx)
  const wanted = canonicalName(name)
  const found: ResourceRecordSet[] = []
  let start: {StartRecordName: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string} = {StartRecordName: absoluteName(name)}
  for (;;) {
    const page = await client.send(new ListResourceRecordSetsCommand({HostedZoneId: zoneId, ...start, MaxItems: 10}))
    const sets = page.ResourceRecordSets ?? []
    found.push(...sets.filter((set) => canonicalName(set.Name ?? '') === wanted))
    const passed = sets.some((set) => canonicalName(set.Name ?? '') !== wanted)
    if (passed || !page.IsTruncated || !page.NextRecordName || canonicalName(page.NextRecordName) !== wanted) return found
    start = {StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, ...(page.NextRecordIdentifier ? {StartRecordIdentifier: page.NextRecordIdentifier} : {})}
  }
}

/** Every record set of a zone, page by page. */
export async function recordSetsOfZone(ctx: ReconcileContext, zoneId: string): Promise<ResourceRecordSet[]> {
  const client = await route53(ctx)
  const all: ResourceRecordSet[] = []
  let start: {StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string} = {}
  for (;;) {
    const page = await client.send(new ListResourceRecordSetsCommand({HostedZoneId: zoneId, ...start, MaxItems: MAX_PAGE}))
    all.push(...(page.ResourceRecordSets ?? []))
    if (!page.IsTruncated || !page.NextRecordName) return all
    start = {StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, ...(page.NextRecordIdentifier ? {StartRecordIdentifier: page.NextRecordIdentifier} : {})}
  }
}

/** Sends one change batch: Route 53 applies it whole or not at all. */
export async function changeRecordSets(ctx: ReconcileContext, zoneId: string, changes: Change[], comment: string): Promise<ChangeInfo> {
  const client = await route53(ctx)
  const response = await client.send(new ChangeResourceRecordSetsCommand({HostedZoneId: zoneId, ChangeBatch: {Comment: comment.slice(0, 256), Changes: changes}}))
  return response.ChangeInfo!
}

/**
 * Waits until a change is INSYNC: every Route 53 authoritative server
 * answers with it (PENDING until then, usually well under a minute).
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 */
export async function waitInSync(ctx: ReconcileContext, change: ChangeInfo, what: string): Promise<void> {
  if (change.Status === 'INSYNC') return
  const client = await route53(ctx)
  const id = change.Id!
  await waitFor(ctx, {
    what: `${what} to reach every Route 53 name server (change ${id.replace(/^\/change\//, '')})`,
    poll: async () => (await client.send(new GetChangeCommand({Id: id}))).ChangeInfo,
    state: (info) => info?.Status ?? 'unknown',
    done: (info) => info?.Status === 'INSYNC',
  })
}

/**
 * The public hosted zones named exactly `name`. ListHostedZonesByName lists
 * zones in DNS order from DNSName; several zones may have one name (Route 53
 * allows it), and private zones of that name are not the domain's.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html
 */
export async function publicZonesNamed(ctx: ReconcileContext, name: string): Promise<HostedZone[]> {
  const client = await route53(ctx)
  const wanted = canonicalName(name)
  const zones: HostedZone[] = []
  let start: {DNSName: string; HostedZoneId?: string} = {DNSName: absoluteName(name)}
  for (;;) {
    const page = await client.send(new ListHostedZonesByNameCommand({...start, MaxItems: 100}))
    const listed = page.HostedZones ?? []
    zones.push(...listed.filter((zone) => canonicalName(zone.Name ?? '') === wanted && zone.Config?.PrivateZone !== true))
    const passed = listed.some((zone) => canonicalName(zone.Name ?? '') !== wanted)
    if (passed || !page.IsTruncated || !page.NextDNSName) return zones
    start = {DNSName: page.NextDNSName, ...(page.NextHostedZoneId ? {HostedZoneId: page.NextHostedZoneId} : {})}
  }
}

/**
 * The zone a record name belongs to: the public zone of the longest suffix
 * of the name that has exactly one. Used by `find` when the zone id is still
 * a reference (the spec's desired properties hold refs there).
 */
export async function zoneOfRecord(ctx: ReconcileContext, name: string): Promise<string | undefined> {
  for (const suffix of parentNames(name)) {
    const zones = await publicZonesNamed(ctx, suffix)
    if (zones.length === 1) return bareZoneId(zones[0]!.Id!)
    if (zones.length > 1) return undefined
  }
  return undefined
}

/** A zone id the kinds can use: a string that is an id, not a reference or the plan's "(known after apply: …)". */
export function knownZoneId(value: unknown): string | undefined {
  // AWS's ids are `Z` and upper-case letters and digits; emulators' may start otherwise (moto: any of them).
  return typeof value === 'string' && /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/.test(value) ? bareZoneId(value) : undefined
}
