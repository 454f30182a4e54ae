import {buildDag} from '../src/graph/dag.js'
import type {ResourceNode} from '../src/graph/types.js'
import type {CallRecord} from '../test/fake-cloud/core.js'
import {LATENCY_MS, TRANSITION_MS, refusedUntilIamPropagates, transitionAfterMs, waitAfterCreateMs} from './model.js'

/**
 * The modelled duration of one node's work, from the calls it made and the
 * latency model (not from measured time): its mutating calls, the reads it
 * needs before them, and — when it waited for AWS — the transition it waited
 * out plus the one read that sees it done. Polls are not counted one by one:
 * a perfect waiter would see the state change at once. Every AWS service's
 * calls count (EC2, ELBv2, ACM, Route 53), not SSM's: the state is saved in
 * the background. A node that creates stores its create intent first (one
 * quick state commit: the conditional put; src/engine/apply.ts `create`,
 * src/state/ssm-store.ts) whatever its kind and whether or not its create
 * makes a mutating call, so that a crash between the call and the next save
 * cannot lead to a duplicate: that commit is part of its work by design, not
 * overhead. A kind whose create is a read that then waits (no mutating call:
 * acm.certificate-validation, see model.ts `waitAfterCreateMs`) waits out
 * that transition after its first read. A call refused until IAM propagates
 * is not work: the node could not have started before (see `criticalPathMs`).
 */
export function modelledNodeMs(calls: CallRecord[], scale: number, kind: string, created: boolean, desired?: Record<string, unknown>): number {
  let total = created ? LATENCY_MS.ssmWrite * scale : 0
  const readThenWait = created ? waitAfterCreateMs(kind) * scale : 0
  let started = false
  let polled = false
  let transition = 0
  for (const call of calls) {
    if (call.service === 'ssm') continue // state saves run in the background
    if (refusedUntilIamPropagates(call)) continue
    if (call.mutating) {
      total += call.latencyMs
      started = true
      transition = Math.max(transition, transitionAfterMs(call.operation, call.input, desired) * scale)
    } else if (!started) {
      total += call.latencyMs
      if (readThenWait > 0) {
        started = true
        transition = readThenWait
      }
    } else {
      polled = true
    }
  }
  if (polled && transition > 0) total += transition + LATENCY_MS.read * scale
  return total
}

/**
 * Bookkeeping outside any node: the lock, the state's load, the lock check
 * and release, teardown's removal of the state (SSM), and every kind's
 * reads by id, then lookups by tag or name (the other services). They run in
 * rounds, each round's calls in parallel, one round after another: rounds
 * are told apart by arrival time. Then the last save of the state, which is
 * waited for before the lock is released: a full save, the conditional put
 * and the listing that fences it (src/state/ssm-store.ts, steps 2–3).
 */
export function modelledOverheadMs(calls: CallRecord[], scale: number): number {
  const outside = calls.filter((call) => call.node === undefined).sort((a, b) => a.at - b.at)
  let total = 0
  let roundStart = -Infinity
  let roundMax = 0
  for (const call of outside) {
    // A call that arrives after the round's slowest call would have returned starts a new round.
    if (call.at >= roundStart + roundMax) {
      total += roundMax
      roundStart = call.at
      roundMax = 0
    }
    roundMax = Math.max(roundMax, call.latencyMs)
  }
  total += roundMax
  if (calls.some((call) => call.node !== undefined && call.service === 'ssm')) total += (LATENCY_MS.ssmWrite + LATENCY_MS.ssmRead) * scale
  return total
}

/**
 * Longest chain of modelled node durations through the graph (forward for
 * `up`, reversed for `teardown`: a resource goes only after everything that
 * depends on it), plus the bookkeeping overhead. `created`: the nodes the run
 * created or replaced (each stored its create intent first). A node that
 * another service refused until IAM propagated (model.ts
 * `refusedUntilIamPropagates`) starts no earlier than its IAM dependencies
 * finished plus `iamPropagation`: the edge from each carries that lag.
 */
export function criticalPathMs(nodes: ResourceNode[], calls: CallRecord[], scale: number, direction: 'up' | 'teardown', created: ReadonlySet<string>): {totalMs: number; chain: string[]; overheadMs: number} {
  const dag = buildDag(nodes)
  const byNode = new Map<string, CallRecord[]>()
  for (const call of calls) if (call.node) byNode.set(call.node, [...(byNode.get(call.node) ?? []), call])
  const weight = (id: string) => modelledNodeMs(byNode.get(id) ?? [], scale, dag.nodes.get(id)!.kind, created.has(id), dag.nodes.get(id)!.desired)
  const waitedForIam = (id: string) => direction === 'up' && (byNode.get(id) ?? []).some(refusedUntilIamPropagates)
  const lag = (dep: string, id: string) => (waitedForIam(id) && dag.nodes.get(dep)!.kind.startsWith('iam.') ? TRANSITION_MS.iamPropagation * scale : 0)
  const order = direction === 'up' ? dag.order : [...dag.order].reverse()
  const before = direction === 'up' ? dag.dependencies : dag.dependents
  const finish = new Map<string, number>()
  const via = new Map<string, string | undefined>()
  for (const id of order) {
    let start = 0
    let from: string | undefined
    for (const dep of before.get(id) ?? []) {
      const ready = (finish.get(dep) ?? 0) + lag(dep, id)
      if (ready > start) {
        start = ready
        from = dep
      }
    }
    finish.set(id, start + weight(id))
    via.set(id, from)
  }
  let end: string | undefined
  for (const [id, at] of finish) if (end === undefined || at > finish.get(end)!) end = id
  const chain: string[] = []
  for (let id = end; id; id = via.get(id)) chain.unshift(id)
  const overheadMs = modelledOverheadMs(calls, scale)
  return {totalMs: (end ? finish.get(end)! : 0) + overheadMs, chain, overheadMs}
}
