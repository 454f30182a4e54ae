import {randomUUID} from 'node:crypto'
import {STATE_SCHEMA_VERSION, type StateDocument} from './types.js'

/** The state of a stack that has never been deployed. Serial 0 means "never saved". */
export function newStateDocument(stack: string): StateDocument {
  return {schemaVersion: STATE_SCHEMA_VERSION, stack, serial: 0, lineage: randomUUID(), resources: {}, retired: [], intents: {}, generations: {}}
}
