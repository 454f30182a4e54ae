import {ids} from '../graph/builder.js'
import {recordHosts} from '../graph/front-door.js'
import {prepare, unreadableKinds} from '../engine/converge.js'
import {registry} from '../resources/registry.js'
import {describeError} from '../aws/errors.js'
import type {Health, Observed, Reconciler, StatusDetails} from '../resources/types.js'
import {newStateDocument} from '../state/document.js'
import {compareIds, type ShownChange, showChange} from './report.js'
import type {Session} from './session.js'

/**
 * ok: exists and matches the spec; drifted: exists but differs (shown as the
 * changes `up` would make); missing: recorded in the state but gone from
 * AWS; pending: exists but not ready (a NAT gateway still `pending`);
 * degraded: exists and matches the spec, but does not do its job (a target
 * group with unhealthy targets, a service running fewer tasks than desired
 * or whose last deployment failed: `health.degraded` says why);
 * not-created: in the spec, and nothing of the stack exists for it;
 * removed: exists, no longer in the spec (`up` deletes it); stray: a second
 * object of the stack (left by an interrupted run) that `up` deletes;
 * unknown: its kind could not be read (the entry's `error` says why).
 */
export type ResourceCondition = 'ok' | 'drifted' | 'degraded' | 'missing' | 'pending' | 'not-created' | 'removed' | 'stray' | 'unknown'

export interface StatusEntry {
  id: string
  kind: string
  physicalId?: string
  condition: ResourceCondition
  health?: Health
  /** What the kind tells beyond its health (a service's stopped tasks, a cluster's container instances). */
  details?: StatusDetails
  changes: ShownChange[]
  /** Found by its tags (or name), not through the state: a run crashed before saving it, or the state was lost. */
  foundByTags?: boolean
  /** `unknown`: why its kind could not be read (service, operation, HTTP status, AWS's words). */
  error?: string
}

export interface StatusReport {
  stack: string
  region?: string
  /** false when neither a state nor any object of the stack exists. */
  deployed: boolean
  serial?: number
  lock?: {who: string; host: string; since: string; command: string}
  resources: StatusEntry[]
  /** Logical id → outputs of what exists, sorted by logical id. */
  outputs: Record<string, Record<string, string>>
  /** Counts per condition. */
  summary: Partial<Record<ResourceCondition, number>>
  /** One per kind that could not be read: `<kind> (<logical ids>): <error>`; its resources are `unknown`. Also a kind whose details could not be read. */
  errors: string[]
  /** Where the stack answers: one URL per host of its DNS records, else its load balancer's DNS name (once it exists). */
  urls: string[]
}

/**
 * Reads what `plan` reads (the state's ids, then tags and names for what
 * they miss) and says, per resource, how it stands against the spec; the two
 * never disagree. Never mutates, takes no lock.
 */
export async function status(session: Session): Promise<StatusReport> {
  const [loaded, lock] = await Promise.all([session.store.load(), session.store.readLock()])
  const nodes = session.spec ? session.nodes : []
  const doc = loaded ?? newStateDocument(session.stack)
  // A kind that cannot be read leaves its resources unknown; every other resource is shown as usual.
  const prepared = await prepare({nodes, registry, context: session.context, state: doc, concurrency: session.options.concurrency, allowUnreadable: true})
  const report: StatusReport = {stack: session.stack, region: session.region, deployed: Boolean(loaded), serial: loaded?.serial, resources: [], outputs: {}, summary: {}, errors: [], urls: []}
  if (lock) report.lock = {who: lock.who, host: lock.host, since: lock.since, command: lock.command}
  /** Objects found and used, never made (a user's hosted zone): they do not make the stack deployed. */
  const usedNotMade = new Set<string>()
  /** The spec's objects that exist, per kind that has details to add. */
  const observedByKind = new Map<string, {entry: StatusEntry; observed: Observed}[]>()
  for (const planned of prepared.plan.nodes.values()) {
    const {node, observation} = planned
    const observed = observation.observed
    const foundByTags = observation.source === 'found' ? {foundByTags: true} : {}
    if (planned.unreadable) {
      report.resources.push({id: node.id, kind: node.kind, physicalId: doc.resources[node.id]?.id, condition: 'unknown', changes: [], error: planned.unreadable})
      continue
    }
    const reconciler = prepared.reconcilers.get(node.kind)!
    if (!observed) {
      // One the spec says exists already is missing, not to be created: say what is wrong.
      const mustExist = reconciler.mustExist?.(planned.desired)
      const condition = doc.resources[node.id] || mustExist ? 'missing' : 'not-created'
      report.resources.push({id: node.id, kind: node.kind, physicalId: doc.resources[node.id]?.id, condition, changes: [], ...(mustExist ? {error: mustExist} : {})})
      continue
    }
    if (reconciler.notOurs?.(observed)) usedNotMade.add(node.id)
    const health = reconciler.health?.(observed)
    const drifted = planned.action !== 'noop' && planned.changes.length > 0
    const condition: ResourceCondition = drifted ? 'drifted' : health?.degraded ? 'degraded' : health && !health.ready ? 'pending' : 'ok'
    report.resources.push({id: node.id, kind: node.kind, physicalId: observed.id, condition, health, changes: planned.changes.map(showChange), ...foundByTags})
    report.outputs[node.id] = reconciler.outputs(observed)
    if (reconciler.statusDetails) observedByKind.set(node.kind, [...(observedByKind.get(node.kind) ?? []), {entry: report.resources.at(-1)!, observed}])
  }
  const detailErrors = await addDetails(session, prepared.reconcilers, observedByKind)
  for (const deletion of prepared.plan.deletions) {
    if (deletion.cause === 'replaced') continue
    if (deletion.unreadable) {
      report.resources.push({id: deletion.logicalId, kind: deletion.kind, physicalId: deletion.id, condition: 'unknown', changes: [], error: deletion.unreadable})
      continue
    }
    if (!deletion.observed) {
      if (deletion.cause === 'removed') report.resources.push({id: deletion.logicalId, kind: deletion.kind, physicalId: deletion.id, condition: 'missing', changes: []})
      continue
    }
    report.resources.push({id: deletion.logicalId, kind: deletion.kind, physicalId: deletion.id, condition: deletion.cause === 'removed' ? 'removed' : 'stray', changes: []})
  }
  report.outputs = Object.fromEntries(Object.entries(report.outputs).sort(([a], [b]) => compareIds(a, b)))
  const kindOf = (id: string) => prepared.plan.nodes.get(id)?.node.kind ?? doc.resources[id]?.kind
  for (const [kind, {error, ids}] of unreadableKinds(prepared.world, doc, kindOf)) report.errors.push(`${kind}${ids.length > 0 ? ` (${ids.join(', ')})` : ''} could not be read: ${error}`)
  report.errors.push(...detailErrors)
  report.urls = stackUrls(session, report.outputs)
  report.deployed ||= report.resources.some((entry) => entry.physicalId !== undefined && entry.condition !== 'missing' && !usedNotMade.has(entry.id))
  for (const entry of report.resources) report.summary[entry.condition] = (report.summary[entry.condition] ?? 0) + 1
  return report
}

/**
 * Each kind's details of its objects, one batch per kind, the kinds side by
 * side. An object the details call degraded is `degraded` unless it is
 * drifted already; a kind whose details could not be read is an error (the
 * status is incomplete), its objects shown as they are.
 */
async function addDetails(session: Session, reconcilers: Map<string, Reconciler>, observedByKind: Map<string, {entry: StatusEntry; observed: Observed}[]>): Promise<string[]> {
  const errors: string[] = []
  await Promise.all(
    [...observedByKind].map(async ([kind, found]) => {
      try {
        const details = await reconcilers.get(kind)!.statusDetails!(
          session.context(`status:${kind}`),
          found.map((item) => item.observed),
        )
        for (const {entry, observed} of found) {
          const detail = details.get(observed.id)
          if (!detail) continue
          entry.details = detail
          if (detail.degraded && (entry.condition === 'ok' || entry.condition === 'pending')) entry.condition = 'degraded'
        }
      } catch (error) {
        errors.push(`${kind} (${found.map((item) => item.entry.id).join(', ')}) details could not be read: ${describeError(error)}`)
      }
    }),
  )
  return errors.sort()
}

/** The stack's URLs: its records' hosts (HTTPS when the load balancer has TLS), or the load balancer's own name. */
function stackUrls(session: Session, outputs: Record<string, Record<string, string>>): string[] {
  const lb = session.spec?.loadBalancer
  if (!lb) return []
  const scheme = lb.tls ? 'https' : 'http'
  const hosts = recordHosts(session.spec!)
  if (hosts.length > 0) return hosts.map((host) => `${scheme}://${host}`)
  const dnsName = outputs[ids.loadBalancer]?.dnsName
  return dnsName ? [`${scheme}://${dnsName}`] : []
}
