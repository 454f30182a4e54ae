import {buildDag} from '../src/graph/dag.js'
import type {ResourceNode} from '../src/graph/types.js'
import type {CallRecord} from '../test/fake-cloud/core.js'
import {LATENCY_MS, transitionAfterMs} from './model.js'

/** Operations that make a new object: each is preceded by a commit of its create intent to the state. */
const CREATES = /^(Create|Allocate)/

/**
 * The modelled duration of one node's work, from the calls it made and the
 * latency model (not from measured time): its mutating calls, the reads it
 * needs before them, and — when it waited for AWS — the transition it waited
 * out plus the one read that sees it done. Polls are not counted one by one:
 * a perfect waiter would see the state change at once. A node that creates
 * an object first stores its create intent (one quick state commit: the
 * conditional put; src/engine/apply.ts, src/state/ssm-store.ts),
 * so that a crash between the call and the next save cannot lead to a
 * duplicate: that commit is part of its work by design, not overhead.
 */
export function modelledNodeMs(calls: CallRecord[], scale: number): number {
  let total = calls.some((call) => call.service === 'ec2' && call.mutating && CREATES.test(call.operation)) ? LATENCY_MS.ssmWrite * scale : 0
  let mutated = false
  let polled = false
  let transition = 0
  for (const call of calls) {
    if (call.service !== 'ec2') continue // state saves run in the background
    if (call.mutating) {
      total += call.latencyMs
      mutated = true
      transition = Math.max(transition, transitionAfterMs(call.operation, call.input) * scale)
    } else if (!mutated) {
      total += call.latencyMs
    } else {
      polled = true
    }
  }
  if (polled && transition > 0) total += transition + LATENCY_MS.read * scale
  return total
}

/**
 * Bookkeeping outside any node: SSM calls (lock, state, release) run one
 * after another; EC2 reads run in rounds (reads by id, then lookups by tag,
 * each round in parallel). Rounds are told apart by arrival time.
 */
export function modelledOverheadMs(calls: CallRecord[]): number {
  const outside = calls.filter((call) => call.node === undefined)
  let total = outside.filter((call) => call.service === 'ssm').reduce((sum, call) => sum + call.latencyMs, 0)
  const reads = outside.filter((call) => call.service === 'ec2').sort((a, b) => a.at - b.at)
  let roundStart = -Infinity
  let roundMax = 0
  for (const call of reads) {
    // A call that arrives after the round's slowest call would have returned starts a new round.
    if (call.at >= roundStart + roundMax) {
      total += roundMax
      roundStart = call.at
      roundMax = 0
    }
    roundMax = Math.max(roundMax, call.latencyMs)
  }
  total += roundMax
  // The last background save of the state is waited for before the run ends.
  if (calls.some((call) => call.node !== undefined && call.service === 'ssm')) total += Math.max(0, ...calls.filter((c) => c.service === 'ssm' && c.mutating).map((c) => c.latencyMs))
  return total
}

/**
 * Longest chain of modelled node durations through the graph (forward for
 * `up`, reversed for `teardown`: a resource goes only after everything that
 * depends on it), plus the bookkeeping overhead.
 */
export function criticalPathMs(nodes: ResourceNode[], calls: CallRecord[], scale: number, direction: 'up' | 'teardown'): {totalMs: number; chain: string[]; overheadMs: number} {
  const dag = buildDag(nodes)
  const byNode = new Map<string, CallRecord[]>()
  for (const call of calls) if (call.node) byNode.set(call.node, [...(byNode.get(call.node) ?? []), call])
  const weight = (id: string) => modelledNodeMs(byNode.get(id) ?? [], scale)
  const order = direction === 'up' ? dag.order : [...dag.order].reverse()
  const before = direction === 'up' ? dag.dependencies : dag.dependents
  const finish = new Map<string, number>()
  const via = new Map<string, string | undefined>()
  for (const id of order) {
    let start = 0
    let from: string | undefined
    for (const dep of before.get(id) ?? []) {
      if ((finish.get(dep) ?? 0) > start) {
        start = finish.get(dep)!
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
  const overheadMs = modelledOverheadMs(calls)
  return {totalMs: (end ? finish.get(end)! : 0) + overheadMs, chain, overheadMs}
}
