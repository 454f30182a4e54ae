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
    // Background saves start on the next turn of the event loop: a commit in the same turn (a dependent
    // storing its create intent right after its dependency was recorded) shares one save with them.
    for (const id of ['a', 'b', 'c']) {
      mutate(id)
      writer.saveInBackground()
    }
    mutate('d')
    await writer.commit()
    expect(store.saved.map((s) => s.resources)).toEqual([['a', 'b', 'c', 'd']])
    // Background saves wait out the pacing (300 ms after the previous one began); what arrives meanwhile shares them.
    mutate('e')
    writer.saveInBackground()
    mutate('f')
    writer.saveInBackground()
    while (store.saved.length < 2) await new Promise((resolve) => setTimeout(resolve, 1))
    expect(store.saved.map((s) => s.resources.length)).toEqual([4, 6])
    expect(store.saved[1]!.at - store.saved[0]!.at).toBeGreaterThanOrEqual(300)
    // A commit someone waits for (a create intent) cuts the pacing short, and holds the background change too.
    mutate('g')
    writer.saveInBackground()
    mutate('h')
    await writer.commit()
    expect(store.saved.map((s) => s.resources.length)).toEqual([4, 6, 8])
    expect(store.saved[2]!.at - store.saved[1]!.at).toBeLessThan(300)
    expect(store.saved.map((s) => s.serial)).toEqual([1, 2, 3])

    // At the end of a run, flush stores what is left, a background save not yet started included.
    mutate('h')
    writer.saveInBackground()
    await writer.flush()
    expect(store.saved.at(-1)!.resources).toContain('h')
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
