import {describe, expect, it} from 'vitest'
import {chainPriorities} from '../../src/engine/schedule.js'
import {Limiter} from '../../src/engine/limiter.js'

describe('Limiter', () => {
  it('starts queued work by priority, then by arrival', async () => {
    const limiter = new Limiter(1)
    const started: string[] = []
    let unblock!: () => void
    const gate = new Promise<void>((resolve) => (unblock = resolve))
    const blocker = limiter.run(() => gate)
    const queued = [
      limiter.run(async () => void started.push('low-1'), 1),
      limiter.run(async () => void started.push('high'), 5),
      limiter.run(async () => void started.push('low-2'), 1),
      limiter.run(async () => void started.push('none')),
    ]
    unblock()
    await Promise.all([blocker, ...queued])
    expect(started).toEqual(['high', 'low-1', 'low-2', 'none'])
  })

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow(/positive integer/)
  })
})

describe('chainPriorities', () => {
  it('is the longest chain of typical durations waiting on a node', () => {
    // vpc → subnet → nat (slow) → route table; vpc → group (quick)
    const waiting: Record<string, string[]> = {vpc: ['subnet', 'group'], subnet: ['nat'], nat: ['rtb'], rtb: [], group: []}
    const own: Record<string, number> = {vpc: 2, subnet: 2, nat: 90, rtb: 2, group: 2}
    const priority = chainPriorities(
      Object.keys(waiting),
      (id) => waiting[id]!,
      (id) => own[id]!,
    )
    expect(Object.fromEntries(priority)).toEqual({vpc: 96, subnet: 94, nat: 92, rtb: 2, group: 2})
  })
})
