import type {Reconciler} from '../resources/types.js'

/**
 * Scheduling hints: when --concurrency makes work queue, the node with the
 * longest chain of typical AWS durations behind it goes first, so that a NAT
 * gateway everything waits for is not queued behind a batch of security groups.
 */

const DEFAULT_TYPICAL_MS = {create: 2_000, delete: 1_000}

/** A reconciler's typical duration for a phase (a scheduling hint). */
export function typicalMs(reconciler: Reconciler, phase: 'create' | 'delete'): number {
  return reconciler.typicalMs?.[phase] ?? DEFAULT_TYPICAL_MS[phase]
}

/**
 * Scheduling priority of each node: its own typical duration plus the
 * longest chain of typical durations that waits for it (`waitingOn` gives
 * what waits: dependents when creating, dependencies when deleting).
 */
export function chainPriorities(ids: Iterable<string>, waitingOn: (id: string) => string[], own: (id: string) => number): Map<string, number> {
  const priority = new Map<string, number>()
  const visiting = new Set<string>()
  const of = (id: string): number => {
    const known = priority.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) return 0 // a loop in old state data: no priority rather than no end
    visiting.add(id)
    const value = own(id) + Math.max(0, ...waitingOn(id).map(of))
    priority.set(id, value)
    return value
  }
  for (const id of ids) of(id)
  return priority
}
