import {createHash} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'
import {StateFormatError, type StateDocument} from './types.js'

/**
 * How a state document becomes SSM parameter values. Pure: no AWS calls.
 *
 * A Standard-tier parameter holds at most 4096 characters
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html)
 * and a 200-resource document is ~60 KB of JSON, so the document is gzipped
 * and base64-encoded; when that still does not fit in the header parameter,
 * it is split into chunk parameters that the header points to. Advanced tier
 * (8 KB) would only postpone the split and costs money per parameter.
 */

export const STATE_ENCODING = 'gzip+base64'
/** Largest Standard-tier parameter value, in characters. */
export const MAX_PARAMETER_CHARS = 4096
/** The document schema versions this build can read. */
export const SUPPORTED_SCHEMA_VERSIONS = [1, 2]

/** The `state` parameter: either the whole document (`data`) or a pointer to its chunks. */
export type StateHeader =
  | {v: 1; serial: number; encoding: typeof STATE_ENCODING; data: string}
  | {v: 1; serial: number; encoding: typeof STATE_ENCODING; chunks: number; sha256: string}

export interface EncodedState {
  header: StateHeader
  /** Chunk values in order; empty when the header carries the data itself. */
  chunks: string[]
}

export function encodeDocument(doc: StateDocument): string {
  return gzipSync(Buffer.from(JSON.stringify(doc), 'utf8'), {level: 9}).toString('base64')
}

export function decodeDocument(data: string): StateDocument {
  let parsed: unknown
  try {
    parsed = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'))
  } catch (error) {
    throw new StateFormatError(`the state document is corrupt: ${(error as Error).message}`)
  }
  return checkDocument(parsed)
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function splitChunks(text: string, size = MAX_PARAMETER_CHARS): string[] {
  const chunks: string[] = []
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size))
  return chunks
}

/** The header alone when it fits in one parameter, else a header plus chunks of ≤ 4096 characters. */
export function encodeState(doc: StateDocument, limit = MAX_PARAMETER_CHARS): EncodedState {
  const data = encodeDocument(doc)
  const inline: StateHeader = {v: 1, serial: doc.serial, encoding: STATE_ENCODING, data}
  if (JSON.stringify(inline).length <= limit) return {header: inline, chunks: []}
  const chunks = splitChunks(data, limit)
  return {header: {v: 1, serial: doc.serial, encoding: STATE_ENCODING, chunks: chunks.length, sha256: sha256(data)}, chunks}
}

export function parseHeader(text: string): StateHeader {
  let parsed: any
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new StateFormatError('the state parameter is not JSON: was it edited by hand?')
  }
  if (typeof parsed !== 'object' || parsed === null) throw new StateFormatError('the state parameter is not a containrlab state header')
  if (parsed.v !== 1) {
    throw new StateFormatError(`the state was written in format v${String(parsed.v)}, which this version of containrlab cannot read: upgrade containrlab`)
  }
  if (parsed.encoding !== STATE_ENCODING) throw new StateFormatError(`unknown state encoding ${String(parsed.encoding)}: upgrade containrlab`)
  if (!Number.isInteger(parsed.serial)) throw new StateFormatError('the state header has no serial')
  if (typeof parsed.data === 'string') return {v: 1, serial: parsed.serial, encoding: STATE_ENCODING, data: parsed.data}
  if (Number.isInteger(parsed.chunks) && parsed.chunks > 0 && typeof parsed.sha256 === 'string') {
    return {v: 1, serial: parsed.serial, encoding: STATE_ENCODING, chunks: parsed.chunks, sha256: parsed.sha256}
  }
  throw new StateFormatError('the state header has neither data nor chunks')
}

/** Rebuilds the document from its header and (when chunked) its chunk values in order. */
export function decodeState(header: StateHeader, chunks: string[] = []): StateDocument {
  let data: string
  if ('data' in header) {
    data = header.data
  } else {
    if (chunks.length !== header.chunks) throw new StateFormatError(`the state has ${chunks.length} of its ${header.chunks} chunks`)
    data = chunks.join('')
    if (sha256(data) !== header.sha256) throw new StateFormatError(`the chunks of state serial ${header.serial} do not match the header's checksum`)
  }
  const doc = decodeDocument(data)
  if (doc.serial !== header.serial) throw new StateFormatError(`the state header says serial ${header.serial} but the document is serial ${doc.serial}`)
  return doc
}

function checkDocument(parsed: any): StateDocument {
  if (typeof parsed !== 'object' || parsed === null) throw new StateFormatError('the state document is not an object')
  if (!SUPPORTED_SCHEMA_VERSIONS.includes(parsed.schemaVersion)) {
    throw new StateFormatError(
      `the state document has schema version ${String(parsed.schemaVersion)}; this version of containrlab reads ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}: upgrade containrlab`,
    )
  }
  if (typeof parsed.stack !== 'string' || !Number.isInteger(parsed.serial) || typeof parsed.lineage !== 'string') {
    throw new StateFormatError('the state document lacks its stack, serial or lineage')
  }
  if (typeof parsed.resources !== 'object' || parsed.resources === null || Array.isArray(parsed.resources)) {
    throw new StateFormatError('the state document has no resources map')
  }
  return parsed as StateDocument
}
