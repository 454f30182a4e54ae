import {describe, expect, it} from 'vitest'
import {StateWriter} from '../../src/engine/state-writer.js'
import {newStateDocument} from '../../src/state/document.js'
import type {StateDocument, StateStore} from '../../src/state/types.js'
import {VirtualClock} from '../../src/util/clock.js'

function slowStore(clock: VirtualClock, fail = new Set<number>()): StateStore & {saved: {serial: number; at: number; resources: string[]}[]} {
  const saved: {serial: number; at: number; resources: string[]}[] = []
  return {
    saved,
    load: async () => undefined,
    save: async (doc: StateDocument) => {
      await clock.sleep(100) // a PutParameter round trip
      // Fails once per listed serial (a save that gave up), like a store that then recovers.
      if (fail.delete(doc.serial)) throw Object.assign(new Error('Rate exceeded'), {name: 'ThrottlingException'})
      saved.push({serial: doc.serial, at: clock.now(), resources: Object.keys(doc.resources).sort()})
    },
    destroy: async () => {},
    lock: async () => ({release: async () => {}}),
    readLock: async () => undefined,
    forceUnlock: async () => undefined,
  }
}

describe('StateWriter', () => {
  it('coalesces mutations that arrive while a save is in flight into one next save, paced apart', async () => {
    const clock = new VirtualClock()
    const store = slowStore(clock)
    const doc = newStateDocument('s')
    const writer = new StateWriter(doc, store, {clock, minIntervalMs: 300})
    const mutate = (id: string) => {
      doc.resources[id] = {kind: 'test', id: `${id}-1`, deps: [], outputs: {}, updatedAt: ''}
    }
    for (const id of ['a', 'b', 'c']) {
      mutate(id)
      writer.saveInBackground()
    }
    mutate('d')
    await writer.commit()
    // The first save holds `a`; b, c and d arrived meanwhile and share the second, 300 ms after the first began.
    expect(store.saved.map((s) => s.resources)).toEqual([['a'], ['a', 'b', 'c', 'd']])
    expect(store.saved.map((s) => s.serial)).toEqual([1, 2])
    expect(store.saved[1]!.at - store.saved[0]!.at).toBeGreaterThanOrEqual(300)

    // At the end of a run, flush stores what is left (it cuts the pacing short on a real clock).
    mutate('e')
    writer.saveInBackground()
    await writer.flush()
    expect(store.saved.at(-1)!.resources).toContain('e')
  })

  it('reports a failed background save at flush', async () => {
    const clock = new VirtualClock()
    const doc = newStateDocument('s')
    const writer = new StateWriter(doc, slowStore(clock, new Set([1])), {clock, minIntervalMs: 0})
    writer.saveInBackground()
    await expect(writer.flush()).rejects.toThrow('Rate exceeded')
    // Reported once; a later save that works flushes clean, committing the serial the failed save did not.
    writer.saveInBackground()
    await expect(writer.flush()).resolves.toBeUndefined()
    expect(doc.serial).toBe(1)
  })
})
