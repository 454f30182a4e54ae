import {decide} from '../engine/converge.js'
import {observe} from '../engine/observe.js'
import {resolveRefs} from '../graph/types.js'
import {registry} from '../resources/registry.js'
import type {Health} from '../resources/types.js'
import {type ShownChange, showChange} from './report.js'
import type {Session} from './session.js'

/**
 * ok: exists and matches the spec; drifted: exists but differs (shown as the
 * changes `up` would make); missing: in the state but gone from AWS;
 * pending: exists but not ready (a NAT gateway still `pending`);
 * not-created: in the spec, never created; removed: in the state, no longer
 * in the spec (`up` deletes it).
 */
export type ResourceCondition = 'ok' | 'drifted' | 'missing' | 'pending' | 'not-created' | 'removed'

export interface StatusEntry {
  id: string
  kind: string
  physicalId?: string
  condition: ResourceCondition
  health?: Health
  changes: ShownChange[]
}

export interface StatusReport {
  stack: string
  region?: string
  /** false when the stack has no state at all. */
  deployed: boolean
  serial?: number
  lock?: {who: string; host: string; since: string; command: string}
  resources: StatusEntry[]
  outputs: Record<string, Record<string, string>>
  /** Counts per condition. */
  summary: Partial<Record<ResourceCondition, number>>
}

/** Reads every resource in the state (batched per kind) and compares it with the spec. Never mutates. */
export async function status(session: Session): Promise<StatusReport> {
  const doc = await session.store.load()
  const lock = await session.store.readLock()
  const nodes = session.spec ? session.nodes : []
  const report: StatusReport = {stack: session.stack, region: session.region, deployed: Boolean(doc), serial: doc?.serial, resources: [], outputs: {}, summary: {}}
  if (lock) report.lock = {who: lock.who, host: lock.host, since: lock.since, command: lock.command}
  if (!doc) {
    for (const node of nodes) report.resources.push({id: node.id, kind: node.kind, condition: 'not-created', changes: []})
  } else {
    const wanted = new Map(Object.entries(doc.resources).map(([id, entry]) => [id, entry.kind]))
    const observations = await observe({ctx: session.context(''), registry, state: doc, wanted, findMissing: false, concurrency: session.options.concurrency})
    const inSpec = new Set(nodes.map((node) => node.id))
    for (const node of nodes) {
      const entry = doc.resources[node.id]
      if (!entry) {
        report.resources.push({id: node.id, kind: node.kind, condition: 'not-created', changes: []})
        continue
      }
      const observed = observations.get(node.id)?.observed
      if (!observed) {
        report.resources.push({id: node.id, kind: node.kind, physicalId: entry.id, condition: 'missing', changes: []})
        continue
      }
      const reconciler = await registry.get(node.kind)
      const desired = resolveRefs(node.desired, (ref) => doc.resources[ref.$ref]?.outputs[ref.output])
      const {changes} = decide(reconciler, desired, observed)
      const health = reconciler.health?.(observed)
      const condition: ResourceCondition = changes.length > 0 ? 'drifted' : health && !health.ready ? 'pending' : 'ok'
      report.resources.push({id: node.id, kind: node.kind, physicalId: observed.id, condition, health, changes: changes.map(showChange)})
      report.outputs[node.id] = reconciler.outputs(observed)
    }
    for (const [id, entry] of Object.entries(doc.resources)) {
      if (inSpec.has(id)) continue
      const observed = observations.get(id)?.observed
      report.resources.push({id, kind: entry.kind, physicalId: entry.id, condition: observed ? 'removed' : 'missing', changes: []})
    }
  }
  for (const entry of report.resources) report.summary[entry.condition] = (report.summary[entry.condition] ?? 0) + 1
  return report
}
