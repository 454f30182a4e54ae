import {readFile} from 'node:fs/promises'
import {type Document, isMap, isScalar, LineCounter, type Node, parseDocument} from 'yaml'
import type {z} from 'zod'
import {type CheckOptions, checkSpec, type PathIssue} from './checks.js'
import {formatPath, SpecError, type SpecIssue} from './errors.js'
import {normaliseSpec, quote, type Spec, specSchema} from './schema.js'

/**
 * Reading a spec: YAML → schema (zod) → semantic checks → defaults. Every
 * problem of a stage is collected before failing, each located by its path
 * and line, so one run shows the user everything to fix.
 */

type Path = readonly PropertyKey[]

export async function loadSpec(file: string, options: CheckOptions = {}): Promise<Spec> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SpecError(file, [{path: '', message: 'no spec file here (ENOENT); pass --file/-f with the path of your containrlab.yaml'}])
    }
    throw error
  }
  return parseSpec(text, file, options)
}

export function parseSpec(text: string, file: string, options: CheckOptions = {}): Spec {
  const lineCounter = new LineCounter()
  // prettyErrors off: we add the line ourselves, in the same format as every other issue.
  const doc = parseDocument(text, {lineCounter, prettyErrors: false})
  const lineAt = (offset: number) => lineCounter.linePos(offset).line

  if (doc.errors.length) {
    throw new SpecError(
      file,
      doc.errors.map((error) => ({
        path: '',
        line: lineAt(error.pos[0]),
        message: error.code === 'MULTIPLE_DOCS' ? 'the file holds more than one YAML document (a "---" separator); a spec is one document' : `YAML syntax error: ${error.message}`,
      })),
    )
  }

  const data: unknown = doc.toJS()
  const located = (issue: PathIssue | {path: Path; message: string}): SpecIssue => ({
    path: formatPath(issue.path),
    line: lineOf(doc, issue.path, lineAt),
    message: issue.message,
  })

  const result = specSchema.safeParse(data)
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) => describeZodIssue(issue, data, doc, lineAt))
    throw new SpecError(file, byLine(issues))
  }
  const semantic = checkSpec(result.data, options)
  if (semantic.length) throw new SpecError(file, byLine(semantic.map(located)))
  return normaliseSpec(result.data)
}

/** Stable sort by line, so issues read top to bottom like the file. */
function byLine(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, index) => ({issue, index}))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map(({issue}) => issue)
}

/**
 * Line of the YAML node at `path`; for a path that does not exist (a missing
 * key) the line of the nearest existing ancestor, i.e. the object lacking it.
 */
function lineOf(doc: Document, path: Path, lineAt: (offset: number) => number): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = (length === 0 ? doc.contents : doc.getIn(path.slice(0, length) as unknown[], true)) as Node | null | undefined
    if (node && typeof node === 'object' && node.range) return lineAt(node.range[0])
  }
  return undefined
}

/** Line of the key `key` in the mapping at `path` (for unknown keys: point at the typo itself). */
function keyLine(doc: Document, path: Path, key: string, lineAt: (offset: number) => number): number | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true)
  if (isMap(map)) {
    for (const pair of map.items) if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return lineAt(pair.key.range[0])
  }
  return lineOf(doc, path, lineAt)
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[segment as string]
  }
  return value
}

/** A YAML value as the user wrote it: strings quoted, collections named. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'an empty value'
  if (typeof value === 'object') return 'a mapping'
  return quote(value)
}

const EXPECTED: Record<string, string> = {string: 'a string', number: 'a number', boolean: 'true or false', object: 'a mapping', array: 'a list'}

function describeZodIssue(issue: z.core.$ZodIssue, data: unknown, doc: Document, lineAt: (offset: number) => number): SpecIssue[] {
  const path = issue.path
  const at = (message: string, line = lineOf(doc, path, lineAt)): SpecIssue => ({path: formatPath(path), line, message})
  const value = valueAt(data, path)
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected
      if (path.length === 0) return [at(value === null || value === undefined ? `the spec is empty; expected a mapping with name and network` : `expected a mapping at the top of the file, got ${describeValue(value)}`)]
      if (value === undefined) return [at(`missing required key ${quote(String(path[path.length - 1]))} (${expected})`)]
      return [at(`expected ${expected}, got ${describeValue(value)}`)]
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String)
      return [at(`${describeValue(value)} is not one of: ${allowed.join(', ')}${suggest(value, allowed)}`)]
    }
    case 'unrecognized_keys': {
      const known = keysAt(path)
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        line: keyLine(doc, path, key, lineAt),
        message: `unknown key ${quote(key)}${suggest(key, known)}${known.length ? `; expected one of: ${known.join(', ')}` : ''}`,
      }))
    }
    case 'too_small':
      if (issue.origin === 'array') return [at(`needs at least ${issue.minimum} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}, got ${Array.isArray(value) ? value.length : 0}`)]
      return [at(`${describeValue(value)} is too small (minimum ${issue.minimum})`)]
    default:
      // custom checks and format checks carry messages written for the user in schema.ts
      return [at(issue.message)]
  }
}

/** ` (did you mean "private"?)` when one allowed word is within two edits or differs only by case. */
function suggest(value: unknown, allowed: string[]): string {
  if (typeof value !== 'string') return ''
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === value.toLowerCase() ? 0 : editDistance(value, candidate)
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best === undefined ? '' : ` (did you mean ${quote(best)}?)`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}

/** The keys the schema allows for the object at `path` (array indices step into elements). */
function keysAt(path: Path): string[] {
  let schema = unwrap(specSchema as unknown as LooseSchema)
  for (const segment of path) {
    const def = schema._zod.def
    if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) schema = unwrap(def.shape[segment]!)
    else if (def.type === 'array' && typeof segment === 'number' && def.element) schema = unwrap(def.element)
    else return []
  }
  const def = schema._zod.def
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : []
}

interface LooseSchema {
  _zod: {def: {type: string; shape?: Record<string, LooseSchema>; element?: LooseSchema; innerType?: LooseSchema; in?: LooseSchema}}
}

function unwrap(schema: LooseSchema): LooseSchema {
  let current = schema
  for (;;) {
    const def = current._zod.def
    const inner = def.type === 'pipe' ? def.in : def.innerType
    if (!inner) return current
    current = inner
  }
}
