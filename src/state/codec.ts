import {createHash} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'
import {z} from 'zod'
import {type ResourceEntry, type RetiredEntry, STATE_SCHEMA_VERSION, type StateDocument, StateFormatError, StateVersionError} from './types.js'

/**
 * How a state document becomes SSM parameter values, and back. Pure: no AWS
 * calls (ssm-store.ts names the parameters and makes the calls).
 *
 * A Standard-tier parameter holds at most 4096 characters
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html)
 * and a 200-resource document is ~60 KB of JSON, so the document is gzipped
 * and base64-encoded; when that still does not fit in the header parameter,
 * it is split into chunk parameters that the header points to. Advanced tier
 * (8 KB) would only postpone the split and costs money per parameter.
 *
 * Documents are validated with zod on the way in. Schema versions:
 * - 1 (the first release): `resources` only; a second object of one logical
 *   id is an entry keyed `<logical id>#retired-<aws id>` (old half of a
 *   replacement) or `<logical id>#orphan-<aws id>` (orphan found at teardown).
 * - 2: `resources`, `retired`, `intents`, `generations` (types.ts).
 * A version-1 document is migrated to version 2 when read; a higher version
 * than this build knows is refused with "upgrade containrlab".
 *
 * Unknown fields are kept, not refused and not dropped: the schema version is
 * bumped for every change an older build must not ignore, so a field it does
 * not know is one a newer build added as optional, and dropping it on our next
 * save would lose that build's data. (Entries the engine rewrites lose such
 * fields; that is the price of "optional".)
 */

export const STATE_ENCODING = 'gzip+base64'
/** Largest Standard-tier parameter value, in characters. */
export const MAX_PARAMETER_CHARS = 4096
/** Format of the serial headers (`/containrlab/<stack>/serial/<n>`) this build writes and reads. */
export const HEADER_FORMAT = 2
/** Format of the single `/containrlab/<stack>/state` header of the first release. */
export const LEGACY_HEADER_FORMAT = 1
/** The document schema versions this build reads (it writes the last one). */
export const SUPPORTED_SCHEMA_VERSIONS = [1, STATE_SCHEMA_VERSION] as const

// ---------------------------------------------------------------------------
// Documents

const serialNumber = z.number().int().nonnegative()
const text = z.string()
const nonEmpty = z.string().min(1)

const resourceEntry = z.looseObject({
  kind: text,
  id: text,
  deps: z.array(text),
  outputs: z.record(text, text),
  updatedAt: text,
})

const retiredEntry = z.looseObject({
  logicalId: nonEmpty,
  kind: text,
  id: text,
  deps: z.array(text),
  reason: z.enum(['replaced', 'orphan']),
  since: text,
})

const createIntent = z.looseObject({kind: text, token: nonEmpty, startedAt: text})

const documentV2 = z.looseObject({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  stack: nonEmpty,
  serial: serialNumber,
  lineage: nonEmpty,
  resources: z.record(text, resourceEntry),
  retired: z.array(retiredEntry),
  intents: z.record(text, createIntent),
  generations: z.record(text, serialNumber),
})

const documentV1 = z.looseObject({
  schemaVersion: z.literal(1),
  stack: nonEmpty,
  serial: serialNumber,
  lineage: nonEmpty,
  resources: z.record(text, resourceEntry),
})

type DocumentV1 = z.infer<typeof documentV1>

/** Fields whose keys are data (logical ids, output names), printed as `resources["vpc/main"]`. */
const RECORD_FIELDS = new Set(['resources', 'intents', 'generations', 'outputs'])

/**
 * Checks a parsed document and returns it as schema version 2 (migrating a
 * version-1 document). Throws StateFormatError listing every problem by its
 * path, or StateVersionError for a version this build does not know.
 */
export function parseDocument(value: unknown): StateDocument {
  const version = isObject(value) ? value.schemaVersion : undefined
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_SCHEMA_VERSION) {
    throw new StateVersionError(`the state was written by a newer containrlab (state schema version ${version}; this build reads versions ${SUPPORTED_SCHEMA_VERSIONS.join(' and ')}): upgrade containrlab`)
  }
  if (version === 1) {
    const result = documentV1.safeParse(value, {reportInput: true})
    if (!result.success) throw invalid(result.error.issues.map(describeIssue))
    return migrateV1(result.data)
  }
  const result = documentV2.safeParse(value, {reportInput: true})
  if (!result.success) throw invalid(result.error.issues.map(describeIssue))
  return result.data
}

/**
 * Version 1 → 2: `#retired-` and `#orphan-` entries become `retired` entries
 * (reason `replaced` / `orphan`, `since` = their updatedAt; their outputs are
 * dropped: nothing may reference a retired object); no intents; no
 * generations (a v1 run recorded none).
 */
export function migrateV1(doc: DocumentV1): StateDocument {
  const resources: Record<string, ResourceEntry> = {}
  const retired: RetiredEntry[] = []
  const problems: string[] = []
  for (const [key, entry] of Object.entries(doc.resources)) {
    const hash = key.indexOf('#')
    if (hash < 0) {
      resources[key] = entry
      continue
    }
    const note = /^#(retired|orphan)-./.exec(key.slice(hash))
    if (!note || hash === 0) {
      problems.push(`${formatPath(['resources', key])}: a key with "#" must be <logical id>#retired-<aws id> or <logical id>#orphan-<aws id>`)
      continue
    }
    retired.push({logicalId: key.slice(0, hash), kind: entry.kind, id: entry.id, deps: entry.deps, reason: note[1] === 'retired' ? 'replaced' : 'orphan', since: entry.updatedAt})
  }
  if (problems.length > 0) throw invalid(problems)
  const {schemaVersion: _version, resources: _resources, ...rest} = doc
  return {...rest, schemaVersion: STATE_SCHEMA_VERSION, resources, retired, intents: {}, generations: {}}
}

function invalid(problems: string[]): StateFormatError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  return new StateFormatError(`the state document is not valid (${count}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
}

/** `resources["subnet/a"].deps[1]`: record keys quoted in brackets, fields dotted, indices bracketed. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  let keyNext = false
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (keyNext) out += `[${JSON.stringify(String(segment))}]`
    else out += `${out ? '.' : ''}${String(segment)}`
    keyNext = !keyNext && typeof segment === 'string' && RECORD_FIELDS.has(segment)
  }
  return out || '(the document)'
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  boolean: 'true or false',
}

/** A JSON value as the state holds it: numbers and short strings verbatim, collections named. */
function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)
  return String(value)
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path)
  const input = (issue as {input?: unknown}).input
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected
      return input === undefined ? `${where}: missing (expected ${expected})` : `${where}: expected ${expected}, got ${describeValue(input)}`
    }
    case 'invalid_value': {
      const expected = issue.values.map((allowed) => JSON.stringify(allowed)).join(' or ')
      return input === undefined ? `${where}: missing (expected ${expected})` : `${where}: expected ${expected}, got ${describeValue(input)}`
    }
    case 'too_small':
      if (issue.origin === 'string') return `${where}: expected a non-empty string`
      return `${where}: expected ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}, got ${describeValue(input)}`
    case 'invalid_union':
      // The one union: a header's payload.
      return `${where}: expected either "data", or "chunks" and "sha256"`
    case 'invalid_format':
      return `${where}: expected ${issue.format === 'regex' ? 'a sha256 in hex' : issue.format}, got ${describeValue(input)}`
    default:
      return `${where}: ${issue.message}`
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
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
  return parseDocument(parsed)
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function splitChunks(value: string, size = MAX_PARAMETER_CHARS): string[] {
  const chunks: string[] = []
  for (let start = 0; start < value.length; start += size) chunks.push(value.slice(start, start + size))
  return chunks
}

// ---------------------------------------------------------------------------
// Headers

/**
 * The value of a serial header, the commit point of one serial: the whole
 * document (`data`) when it fits, else the count and checksum of its chunks.
 * `writer` is random per store: it makes two runs' headers differ even for
 * one document, so "the existing header is byte-identical to mine" can only
 * mean "mine".
 */
export type SerialHeader = {v: typeof HEADER_FORMAT; serial: number; writer: string; encoding: typeof STATE_ENCODING} & ({data: string} | {chunks: number; sha256: string})

/** The `state` parameter of the first release: the same idea without a writer. */
export type LegacyHeader = {v: typeof LEGACY_HEADER_FORMAT; serial: number; encoding: typeof STATE_ENCODING} & ({data: string} | {chunks: number; sha256: string})

/**
 * What `state` holds once the state moved to serial headers. Its `v` is 2 so
 * that the first release, which reads only `v: 1`, refuses it with "upgrade
 * containrlab" instead of taking the stack for one without state.
 */
export interface MovedMarker {
  v: typeof HEADER_FORMAT
  moved: string
}

export interface EncodedState {
  header: SerialHeader
  /** The header's value as stored: compared byte for byte after a lost response. */
  value: string
  /** Chunk values in order; empty when the header carries the data itself. */
  chunks: string[]
}

/** The header alone when it fits in one parameter, else a header plus chunks of ≤ 4096 characters. */
export function encodeState(doc: StateDocument, writer: string, limit = MAX_PARAMETER_CHARS): EncodedState {
  const data = encodeDocument(doc)
  const base = {v: HEADER_FORMAT, serial: doc.serial, writer, encoding: STATE_ENCODING} as const
  const inline: SerialHeader = {...base, data}
  const inlineValue = JSON.stringify(inline)
  if (inlineValue.length <= limit) return {header: inline, value: inlineValue, chunks: []}
  const chunks = splitChunks(data, limit)
  const header: SerialHeader = {...base, chunks: chunks.length, sha256: sha256(data)}
  return {header, value: JSON.stringify(header), chunks}
}

/**
 * Names the chunk set of a chunked header: its checksum's first 16 hex
 * digits. Two runs committing different documents as the same serial thus
 * write different chunk parameters, and the loser never overwrites the
 * winner's chunks (identical documents share names and values, harmlessly).
 */
export function chunkSetId(header: {sha256: string}): string {
  return header.sha256.slice(0, 16)
}

const dataOrChunks = z.union([z.looseObject({data: z.string()}), z.looseObject({chunks: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/)})])
const serialHeader = z.looseObject({v: z.literal(HEADER_FORMAT), serial: serialNumber, writer: z.string(), encoding: z.literal(STATE_ENCODING)}).and(dataOrChunks)
const legacyHeader = z.looseObject({v: z.literal(LEGACY_HEADER_FORMAT), serial: serialNumber, encoding: z.literal(STATE_ENCODING)}).and(dataOrChunks)

function parseJson(value: string, what: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new StateFormatError(`${what} is not JSON: was it edited by hand?`)
  }
  if (!isObject(parsed)) throw new StateFormatError(`${what} is not a containrlab state header`)
  return parsed
}

function refuseNewer(parsed: Record<string, unknown>, known: number): void {
  if (typeof parsed.v === 'number' && parsed.v > known) {
    throw new StateVersionError(`the state was written by a newer containrlab (header format v${parsed.v}; this build reads v${known}): upgrade containrlab`)
  }
  if (parsed.v === known && typeof parsed.encoding === 'string' && parsed.encoding !== STATE_ENCODING) {
    throw new StateVersionError(`the state was written by a newer containrlab (unknown state encoding ${JSON.stringify(parsed.encoding)}): upgrade containrlab`)
  }
}

function checkHeader<T>(schema: z.ZodType<T>, parsed: Record<string, unknown>): T {
  const result = schema.safeParse(parsed, {reportInput: true})
  if (!result.success) {
    const problems = [...new Set(result.error.issues.map((issue) => describeIssue(issue).replace(/^\(the document\)/, 'header')))]
    throw new StateFormatError(`the state header is not valid: ${problems.join('; ')}`)
  }
  return result.data
}

export function parseSerialHeader(value: string): SerialHeader {
  const parsed = parseJson(value, 'the state header')
  refuseNewer(parsed, HEADER_FORMAT)
  return checkHeader(serialHeader, parsed) as SerialHeader
}

/** The first release's `state` parameter: a header, or the marker left when the state moved. */
export function parseLegacyHeader(value: string): LegacyHeader | MovedMarker {
  const parsed = parseJson(value, 'the state parameter')
  if (parsed.v === HEADER_FORMAT && typeof parsed.moved === 'string') return {v: HEADER_FORMAT, moved: parsed.moved}
  refuseNewer(parsed, LEGACY_HEADER_FORMAT)
  return checkHeader(legacyHeader, parsed) as LegacyHeader
}

/** Rebuilds the document from its header and (when chunked) its chunk values in order. */
export function decodeState(header: SerialHeader | LegacyHeader, chunks: string[] = []): StateDocument {
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

// ---------------------------------------------------------------------------
// Raw inspection (`state show --raw`)

/** One stored header as `state show --raw` prints it: the value as stored, and what it decodes to, whatever is wrong with it. */
export interface InspectedHeader {
  /** The chunk parameters the header points to, in order (none when it holds the data itself). */
  chunks: string[]
  /** Chunk parameters it points to that do not exist. */
  missingChunks?: string[]
  /** The decoded JSON document, when the data decodes (valid or not). */
  document?: unknown
  /** Why it does not decode, or the validation's problems when it decodes but is not a valid state document. */
  problem?: string
}

/**
 * Decodes a header's value as far as it goes, never throwing: JSON header →
 * data (inline, or the chunks `chunkName(i)` names, read with `chunkValue`)
 * → gzip+base64 → JSON → validation. Every step that fails says so in
 * `problem`, in words (no class names).
 */
export function inspectHeader(value: string, chunkName: (header: {chunks: number; sha256: string}, index: number) => string, chunkValue: (name: string) => string | undefined): InspectedHeader {
  let header: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(value)
    if (!isObject(parsed)) return {chunks: [], problem: 'the value is JSON but not a containrlab state header (an object)'}
    header = parsed
  } catch {
    return {chunks: [], problem: 'the value is not JSON'}
  }
  if (typeof header.moved === 'string') return {chunks: [], problem: `not a state: the state moved to ${header.moved}`}
  let data: string
  const inspected: InspectedHeader = {chunks: []}
  if (typeof header.data === 'string') {
    data = header.data
  } else if (typeof header.chunks === 'number' && Number.isInteger(header.chunks) && header.chunks > 0 && header.chunks <= 10_000 && typeof header.sha256 === 'string') {
    const shape = {chunks: header.chunks, sha256: header.sha256}
    inspected.chunks = Array.from({length: header.chunks}, (_, i) => chunkName(shape, i))
    const missing = inspected.chunks.filter((name) => chunkValue(name) === undefined)
    if (missing.length > 0) return {...inspected, missingChunks: missing, problem: `${missing.length} of its ${header.chunks} chunks are missing`}
    data = inspected.chunks.map((name) => chunkValue(name)!).join('')
    if (sha256(data) !== header.sha256) inspected.problem = "the chunks do not match the header's checksum"
  } else {
    return {chunks: [], problem: 'the header holds neither "data" nor "chunks" and "sha256"'}
  }
  let document: unknown
  try {
    document = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'))
  } catch (error) {
    return {...inspected, problem: `the data does not decode (gzip+base64 of JSON): ${(error as Error).message}`}
  }
  inspected.document = document
  try {
    const doc = parseDocument(document)
    if (typeof header.serial === 'number' && doc.serial !== header.serial) inspected.problem ??= `the header says serial ${header.serial} but the document is serial ${doc.serial}`
  } catch (error) {
    inspected.problem ??= (error as Error).message
  }
  return inspected
}
