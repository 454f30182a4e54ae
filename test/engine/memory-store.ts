import type {StateDocument, StateStore} from '../../src/state/types.js'

/** A state store in memory for engine tests: every save kept, the last one loaded; no lock, no conflicts. */
export function memoryStore(): StateStore & {saved: StateDocument[]} {
  const saved: StateDocument[] = []
  return {
    saved,
    load: async () => saved.at(-1),
    save: async (doc) => {
      saved.push(structuredClone(doc))
    },
    destroy: async () => {
      saved.length = 0
    },
    lock: async () => ({release: async () => {}}),
    readLock: async () => undefined,
    forceUnlock: async () => undefined,
  }
}
