import type {Change} from '../resources/types.js'

/** What a node does in a run. `delete` covers removed resources, retired replacements and teardown. */
export type NodeAction = 'create' | 'update' | 'replace' | 'delete' | 'noop'

/**
 * `kept`: a deletion skipped because the object holds data (see
 * Reconciler.dataLoss); --purge deletes it. `blocked`: not started (a
 * dependency failed, or the run stopped). `interrupted`: started, and cut
 * short by Ctrl-C / SIGTERM (what it made is in the state, or found by its
 * tags by the next run).
 */
export type NodeStatus = 'planned' | 'done' | 'failed' | 'blocked' | 'kept' | 'interrupted'

/**
 * The engine reports through events; the UI layer (listr2, plain lines,
 * JSON) turns them into output. The engine never prints.
 */
export type EngineEvent =
  /** Everything the run will go through, in order, once the live resources are read. */
  | {type: 'run-start'; nodes: {id: string; kind: string; waitsFor: string[]}[]}
  | {type: 'node-start'; id: string; kind: string; action: NodeAction; changes: Change[]}
  | {type: 'node-progress'; id: string; message: string}
  | {type: 'node-done'; id: string; kind: string; action: NodeAction; physicalId?: string; durationMs: number}
  | {type: 'node-failed'; id: string; kind: string; action: NodeAction; error: string}
  /** Cut short by Ctrl-C / SIGTERM: not a failure. */
  | {type: 'node-interrupted'; id: string; kind: string; action: NodeAction; message: string}
  /** Not started: `blockedBy` failed, or (empty) the run stopped, `reason` saying why (default: interrupted). */
  | {type: 'node-blocked'; id: string; kind: string; blockedBy: string[]; reason?: string}

export type EventSink = (event: EngineEvent) => void

export interface NodeResult {
  id: string
  kind: string
  action: NodeAction
  status: NodeStatus
  physicalId?: string
  changes: Change[]
  /** Why a replacement or deletion happens, for the plan. */
  reason?: string
  /** Plan of a create or replacement: the properties the new object will get (unknown refs marked, sensitive values masked). */
  desired?: Record<string, unknown>
  /** What deleting this object loses, and what happens to it instead unless --purge. */
  dataLoss?: string
  /**
   * Set on the deletion of an old object that finishes this run's
   * replacement of that logical id: part of the `replace`, not a delete of
   * its own (plan and apply count the same).
   */
  partOf?: string
  error?: string
  durationMs: number
}
