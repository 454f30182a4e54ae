import {access, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {type Alias, type CST, type Document, isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Node, Parser, type Scalar, type YAMLMap} from 'yaml'
import type {SpecIssue} from './errors.js'

/**
 * The YAML layer of a spec: reading the file as text, and the limits that keep
 * a hostile or mistaken file (a binary, 50,000 nested brackets, an alias bomb)
 * from crashing the parser or hanging the checks. Each problem becomes a
 * located issue; none lets the file's content into a message.
 */

/** Deepest nesting of mappings and lists read (a spec needs about ten; the parser's stack gives out near a thousand). */
export const MAX_DEPTH = 64

/** Most values the document may stand for once its aliases are expanded (a spec has a few hundred). */
export const MAX_VALUES = 100_000

/** Why `file` could not be read, in words that say what to do. */
async function readFailure(file: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      // Session.open recognises this wording (a command that may run without a spec).
      return 'no spec file here (ENOENT); pass --file/-f with the path of your containrlab.yaml'
    case 'EISDIR': {
      const inside = join(file, 'containrlab.yaml')
      const hint = await access(inside).then(
        () => ` (like -f ${inside})`,
        () => '',
      )
      return `this path is a folder, not a spec file: pass the YAML file itself with -f${hint}`
    }
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}): this user may not read the file; fix its permissions or pass a readable copy with -f`
    case 'ENOTDIR':
      return 'a part of this path is a file, not a folder (ENOTDIR); pass the path of the spec file with -f'
    default:
      return `cannot read the file (${code ?? firstLine(error instanceof Error ? error.message : String(error))}); pass a readable spec file with -f`
  }
}

/** The file's text, or why it is not text: `line N: …` for a binary, UTF-16 or non-UTF-8 file. */
export async function readSpecText(file: string): Promise<{text: string} | {issue: SpecIssue}> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    return {issue: {path: '', message: await readFailure(file, error)}}
  }
  const issue = bytesProblem(bytes)
  if (issue) return {issue}
  return {text: bytes.toString('utf8')}
}

/** A problem that makes `bytes` no UTF-8 text, at its line; undefined for text. */
function bytesProblem(bytes: Uint8Array): SpecIssue | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {path: '', line: 1, message: 'the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8'}
  }
  const nul = bytes.indexOf(0)
  if (nul >= 0) return nulIssue(lineOfByte(bytes, nul))
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    return undefined
  } catch {
    // A newline byte is never part of a multi-byte sequence, so lines can be checked one by one.
    let start = 0
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start)
      try {
        new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(start, end < 0 ? bytes.length : end))
      } catch {
        return {path: '', line, message: 'the file is not UTF-8 text (an invalid byte sequence on this line): save it as UTF-8, or check that -f names your spec'}
      }
      if (end < 0) return undefined
      start = end + 1
    }
  }
}

function nulIssue(line: number): SpecIssue {
  return {path: '', line, message: 'the file is binary, not text (a NUL byte on this line): check that -f names your YAML spec'}
}

/** A NUL character in text already decoded (parseSpec's callers pass strings). */
export function textProblem(text: string): SpecIssue | undefined {
  const nul = text.indexOf('\0')
  return nul < 0 ? undefined : nulIssue(lineOfOffset(text, nul))
}

function lineOfByte(bytes: Uint8Array, index: number): number {
  let line = 1
  for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) line++
  return line
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

/** `text` cut to its first line and `max` characters: a message quoting a library stays one line. */
export function firstLine(text: string, max = 160): string {
  const line = text.split('\n', 1)[0]!.trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

const nestedTooDeep = `nested more than ${MAX_DEPTH} levels deep (mappings and lists inside each other); a spec needs about ten: check the brackets and indentation`

/**
 * The offset of the first mapping or list nested deeper than MAX_DEPTH, read
 * from the syntax tree without recursion: composing such a document would
 * overflow the call stack (yaml then reports "Maximum call stack size
 * exceeded", and toJS or zod may crash outright).
 */
export function tooDeep(text: string): SpecIssue | undefined {
  const stack: [token: CST.Token, enclosing: number][] = []
  for (const token of [...new Parser().parse(text)].reverse()) stack.push([token, 0])
  while (stack.length) {
    const [token, enclosing] = stack.pop()!
    let children: (CST.Token | null | undefined)[] = []
    let level = enclosing
    if (token.type === 'document') children = [token.value]
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (enclosing >= MAX_DEPTH) return {path: '', line: lineOfOffset(text, token.offset), message: nestedTooDeep}
      level = enclosing + 1
      children = token.items.flatMap((item) => [item.key, item.value])
    }
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]
      if (child) stack.push([child, level])
    }
  }
  return undefined
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<'
}

/**
 * What the document's aliases do, checked before `toJS` resolves them: every
 * alias names an anchor set before it and is not inside it (a cycle would make
 * a circular value), merge keys take mappings, and the document expanded stays
 * under MAX_VALUES values and MAX_DEPTH levels. Each problem is at the line
 * of its alias. (yaml's own guard, toJS's `maxAliasCount`, throws without a
 * position and counts references rather than size: 101 uses of one anchor
 * fail it. This measures what zod and the checks would actually walk.)
 * Recursion here follows the written nesting only, which tooDeep bounded.
 */
export function checkAliases(doc: Document, lineAt: (offset: number) => number): SpecIssue[] {
  const anchors = new Map<string, Node>()
  const measured = new Map<Node, {size: number; depth: number}>()
  const open = new Set<Node>()
  const issues: SpecIssue[] = []
  let total = 0
  let exhausted = false
  const at = (node: Node, message: string): SpecIssue => ({path: '', line: node.range ? lineAt(node.range[0]) : undefined, message})
  const target = (node: unknown): unknown => (isAlias(node) ? anchors.get(node.source) : node)

  const measure = (node: unknown, level: number): {size: number; depth: number} => {
    if (exhausted) return {size: 0, depth: 0}
    if (isAlias(node)) {
      const name = node.source
      const source = anchors.get(name)
      if (!source) {
        issues.push(at(node, `alias *${name} has no anchor &${name} before it; set the anchor (&${name}) on an earlier value`))
        return {size: 1, depth: 0}
      }
      if (open.has(source)) {
        issues.push(at(node, `alias *${name} is inside the value it names (&${name}): a value cannot contain itself`))
        return {size: 1, depth: 0}
      }
      const size = measured.get(source) ?? {size: 1, depth: 0}
      total += size.size
      if (total > MAX_VALUES) {
        exhausted = true
        issues.push(at(node, `alias *${name} expands the document past ${MAX_VALUES} values (aliases of aliases multiply): a spec needs far fewer; use fewer nested aliases`))
      } else if (level + size.depth > MAX_DEPTH) {
        exhausted = true
        issues.push(at(node, `alias *${name} nests its value ${level + size.depth} levels deep here, more than ${MAX_DEPTH}; a spec needs about ten`))
      }
      return size
    }
    const anchor = (node as {anchor?: string} | null)?.anchor
    if (anchor) anchors.set(anchor, node as Node)
    total += 1
    if (!isCollection(node)) {
      const size = {size: 1, depth: 0}
      if (anchor) measured.set(node as Node, size)
      return size
    }
    open.add(node)
    let size = 1
    let depth = 0
    for (const item of node.items as unknown[]) {
      for (const part of isPair(item) ? [item.key, item.value] : [item]) {
        const inner = measure(part, level + 1)
        size += inner.size
        depth = Math.max(depth, inner.depth)
      }
      if (isPair(item) && isMergeKey(item.key)) {
        const value = target(item.value)
        const sources = isSeq(value) ? value.items.map(target) : [value]
        // An alias with no anchor is reported already (as undefined here).
        if (!sources.every((source) => isMap(source) || source === undefined) && !exhausted) {
          issues.push(at(item.key as Scalar, `a merge key (<<) takes a mapping or a list of mappings, like <<: *base or <<: [*a, *b]`))
        }
      }
    }
    open.delete(node)
    const result = {size, depth: depth + 1}
    measured.set(node, result)
    return result
  }
  measure(doc.contents, 0)
  return issues
}

type Path = readonly PropertyKey[]

/** Where a path leaves the text it is written in: through an alias, or a merge key. */
export interface Hop {
  /** `alias *web` or `merge key <<`, as in "via the alias *web at line 40". */
  what: string
  offset: number
}

/**
 * The node at `path` as toJS reads it (aliases followed, merged keys found in
 * their source mapping), so an issue in merged or aliased content points at
 * the line that holds the value, and `via` at the first alias or merge key
 * on the way. When the path ends early (a missing key), the last node reached.
 */
export function nodeAt(doc: Document, path: Path): {node: Node | undefined; complete: boolean; via?: Hop} {
  let node = doc.contents as Node | null
  let last: Node | undefined = node ?? undefined
  let via: Hop | undefined
  const hop = (found: Hop | undefined) => {
    via ??= found
  }
  for (const segment of path) {
    const collection = resolve(doc, node, hop)
    let next: Node | undefined
    if (isSeq(collection) && typeof segment === 'number') next = collection.items[segment] as Node | undefined
    else if (isMap(collection)) next = pairOf(doc, collection, String(segment), hop)?.value as Node | undefined
    if (!next) return {node: last, complete: false, via}
    node = next
    last = next
  }
  if (isAlias(node)) hop(aliasHop(node))
  return {node: last, complete: true, via}
}

/** The key node of `key` in the mapping at `path` (for an unknown key: the typo itself). */
export function keyAt(doc: Document, path: Path, key: string): {node: Node | undefined; via?: Hop} {
  const at = nodeAt(doc, path)
  let via = at.via
  const hop = (found: Hop | undefined) => {
    via ??= found
  }
  const map = at.complete ? resolve(doc, at.node, hop) : undefined
  return {node: isMap(map) ? (pairOf(doc, map, key, hop)?.key as Node | undefined) : undefined, via}
}

function aliasHop(alias: Alias): Hop | undefined {
  return alias.range ? {what: `alias *${alias.source}`, offset: alias.range[0]} : undefined
}

function resolve(doc: Document, node: unknown, hop: (found: Hop | undefined) => void): unknown {
  let current = node
  for (let hops = 0; isAlias(current) && hops < 100; hops++) {
    hop(aliasHop(current))
    current = current.resolve(doc)
  }
  return current
}

/** The pair for `key`: the mapping's own, else the first merged source's (YAML merge: own keys win, then sources in order). */
function pairOf(doc: Document, map: YAMLMap, key: string, hop: (found: Hop | undefined) => void, seen = new Set<unknown>()): {key: unknown; value: unknown} | undefined {
  seen.add(map)
  for (const pair of map.items) if (!isMergeKey(pair.key) && isScalar(pair.key) && String(pair.key.value) === key) return pair
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue
    const value = resolve(doc, pair.value, () => {})
    for (const source of isSeq(value) ? value.items.map((item) => resolve(doc, item, () => {})) : [value]) {
      if (!isMap(source) || seen.has(source)) continue
      const found = pairOf(doc, source, key, () => {}, seen)
      if (found) {
        const range = (pair.key as Scalar).range
        hop(range ? {what: 'merge key <<', offset: range[0]} : undefined)
        return found
      }
    }
  }
  return undefined
}
