import {type Document, LineCounter, type Node, parseDocument} from 'yaml'
import type {z} from 'zod'
import {type CheckOptions, checkSpec, type PathIssue, readSpec} from './checks.js'
import {checkAliases, firstLine, type Hop, keyAt, MAX_DEPTH, nodeAt, readSpecText, textProblem, tooDeep} from './document.js'
import {formatPath, SpecError, type SpecIssue} from './errors.js'
import {normaliseSpec, quote, type Spec, specSchema} from './schema.js'

/**
 * Reading a spec: text → YAML → schema (zod) and semantic checks → defaults.
 * Whatever the file holds, a problem is a SpecError naming the file, each
 * issue located by its path and line. Schema and semantic issues are
 * collected together (the checks read whatever parts are well-formed), so
 * one run shows the user everything to fix.
 */

type Path = readonly PropertyKey[]

/** YAML errors listed before the rest are summed up: after the first few, most follow from them. */
const MAX_SYNTAX_ISSUES = 10

export async function loadSpec(file: string, options: CheckOptions = {}): Promise<Spec> {
  const read = await readSpecText(file)
  if ('issue' in read) throw new SpecError(file, [read.issue])
  return parseSpec(read.text, file, options)
}

/**
 * The last specs read, by file, region and text: a run opens its spec more
 * than once (the session, a retry of `up` in a runbook, every command of a
 * test), and parsing a full example with its checks costs ~40 ms. Each
 * caller gets its own copy.
 */
const parsed = new Map<string, Spec>()
const PARSED_KEPT = 4

export function parseSpec(text: string, file: string, options: CheckOptions = {}): Spec {
  const key = JSON.stringify([file, options, text])
  const known = parsed.get(key)
  if (known) return structuredClone(known)
  const spec = parseChecked(text, file, options)
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!)
  parsed.set(key, structuredClone(spec))
  return spec
}

function parseChecked(text: string, file: string, options: CheckOptions): Spec {
  try {
    return parseText(text, file, options)
  } catch (error) {
    if (error instanceof SpecError) throw error
    // Past every guard below, a stack overflow can only come from nesting the guards did not foresee.
    if (error instanceof RangeError && /call stack/i.test(error.message))
      throw new SpecError(file, [{path: '', message: `the document is nested too deeply to read (${firstLine(error.message)}); a spec needs about ten levels`}])
    throw error
  }
}

function parseText(text: string, file: string, options: CheckOptions): Spec {
  const early = textProblem(text) ?? tooDeep(text)
  if (early) throw new SpecError(file, [early])

  const lineCounter = new LineCounter()
  // prettyErrors off: we add the line ourselves, in the same format as every other issue.
  // merge: `<<: *base` merge keys (YAML 1.1's), on top of the YAML 1.2 core schema (yes/no stay strings).
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, merge: true})
  const lineAt = (offset: number) => lineCounter.linePos(offset).line

  if (doc.errors.length) throw new SpecError(file, syntaxIssues(doc, lineAt))
  const aliasIssues = checkAliases(doc, lineAt)
  if (aliasIssues.length) throw new SpecError(file, aliasIssues)

  let data: unknown
  try {
    // checkAliases bounded what aliases expand to (the measure that matters), so yaml's count of references is off.
    data = doc.toJS({maxAliasCount: -1})
  } catch (error) {
    if (error instanceof RangeError) throw error
    throw new SpecError(file, [{path: '', message: `the YAML cannot be read: ${firstLine(error instanceof Error ? error.message : String(error))}`}])
  }

  const result = specSchema.safeParse(data)
  const schemaIssues = result.success ? [] : result.error.issues.flatMap((issue) => describeZodIssue(issue, data, doc, lineAt))
  // The semantic checks run on whatever parts passed the schema, so one run reports both kinds.
  const semantic = checkSpec(readSpec(data), options).map((issue: PathIssue) => issueAt(doc, issue.path, issue.message, lineAt))
  const issues = [...schemaIssues, ...semantic]
  if (issues.length || !result.success) throw new SpecError(file, byLine(issues))
  return normaliseSpec(result.data)
}

/** YAML syntax errors, each once, the first few of them; a stack overflow while composing is the nesting limit. */
function syntaxIssues(doc: Document, lineAt: LineAt): SpecIssue[] {
  const seen = new Set<string>()
  const issues: SpecIssue[] = []
  for (const error of doc.errors) {
    const message =
      error.code === 'MULTIPLE_DOCS'
        ? 'the file holds more than one YAML document (a "---" separator); a spec is one document'
        : error.code === 'RESOURCE_EXHAUSTION'
          ? `nested too deeply to read (more than the parser's stack holds); a spec needs about ten levels, and at most ${MAX_DEPTH} are read`
          : `YAML syntax error: ${firstLine(error.message)}`
    const issue = {path: '', line: lineAt(error.pos[0]), message}
    const key = `${issue.line} ${message}`
    if (!seen.has(key)) issues.push(issue)
    seen.add(key)
  }
  if (issues.length <= MAX_SYNTAX_ISSUES) return issues
  const more = issues.length - MAX_SYNTAX_ISSUES
  return [...issues.slice(0, MAX_SYNTAX_ISSUES), {path: '', message: `… and ${more} more YAML syntax error${more === 1 ? '' : 's'} (most follow from the first ones: fix those and run again)`}]
}

/** Stable sort by line, so issues read top to bottom like the file. */
function byLine(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, index) => ({issue, index}))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map(({issue}) => issue)
}

type LineAt = (offset: number) => number

/** An issue at `path`: its line, and, when the value got there through an alias or merge key, where that is. */
function issueAt(doc: Document, path: Path, message: string, lineAt: LineAt): SpecIssue {
  const {node, via} = nodeAt(doc, path)
  return located(formatPath(path), node, via, message, lineAt)
}

/**
 * The line of `node` (for a missing key, the object lacking it), and a note
 * when the value was reached through an alias or a merge key: the line holds
 * the anchored text, the note the place that pulled it in.
 */
function located(path: string, node: Node | undefined, via: Hop | undefined, message: string, lineAt: LineAt): SpecIssue {
  const line = node?.range ? lineAt(node.range[0]) : undefined
  const note = via && lineAt(via.offset) !== line ? `; via the ${via.what} at line ${lineAt(via.offset)}` : ''
  return {path, line, message: `${message}${note}`}
}

/** An unknown key: at the key itself (the typo), else at the object. */
function keyIssue(doc: Document, path: Path, key: string, message: string, lineAt: LineAt): SpecIssue {
  const {node, via} = keyAt(doc, path, key)
  return node ? located(formatPath([...path, key]), node, via, message, lineAt) : {...issueAt(doc, path, message, lineAt), path: formatPath([...path, key])}
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

function describeZodIssue(issue: z.core.$ZodIssue, data: unknown, doc: Document, lineAt: LineAt): SpecIssue[] {
  const path = issue.path
  const at = (message: string): SpecIssue => issueAt(doc, path, message, lineAt)
  const value = valueAt(data, path)
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected
      if (path.length === 0)
        return [
          at(
            value === null || value === undefined
              ? `the spec is empty (nothing but comments or blank lines); expected a mapping with name and network`
              : `expected a mapping at the top of the file, got ${describeValue(value)}`,
          ),
        ]
      if (value === undefined) return [at(`missing required key ${quote(String(path[path.length - 1]))} (${expected})`)]
      return [at(`expected ${expected}, got ${describeValue(value)}`)]
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String)
      return [at(`${describeValue(value)} is not one of: ${allowed.join(', ')}${suggest(value, allowed)}`)]
    }
    case 'unrecognized_keys': {
      const known = keysAt(path)
      return issue.keys.map((key) => keyIssue(doc, path, key, `unknown key ${quote(key)}${suggest(key, known)}${known.length ? `; expected one of: ${known.join(', ')}` : ''}`, lineAt))
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
