import {randomUUID} from 'node:crypto'
import type {StateDocument} from './types.js'

/** The state of a stack that has never been deployed. Serial 0 means "never saved". */
export function newStateDocument(stack: string): StateDocument {
  return {schemaVersion: 1, stack, serial: 0, lineage: randomUUID(), resources: {}}
}
