import type {ShownChange} from '../app/report.js'

/**
 * How values and changes are printed (plan, status, confirmations): short
 * values on one line; lists one item per line, a change to a list as the
 * items it adds (`+`) and removes (`-`); empty strings as `""`; anything
 * longer than a line wrapped (JSON documents pretty-printed, text at word
 * boundaries). Pure: returns lines, the caller indents them.
 */

/** Lines longer than this are wrapped (terminal-friendly, and what fits a CI log viewer). */
export const LINE_WIDTH = 100

const MISSING = '(none)'

/** A string as shown: bare, unless bare would hide it (empty, white space at an end, line breaks). */
function showString(value: string): string {
  if (value === '' || value.trim() !== value || /[\n\r\t]/.test(value)) return JSON.stringify(value)
  return value
}

/** One value on one line: strings as showString, lists `[a, b]`, objects `{key: value, …}`, absent `(none)`. */
export function inline(value: unknown): string {
  if (value === undefined) return MISSING
  if (typeof value === 'string') return showString(value)
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${inline(v)}`)
      .join(', ')}}`
  }
  return String(value)
}

/** A string holding a JSON object or list (a policy document), parsed; undefined otherwise. */
function jsonDocument(value: string): object | undefined {
  if (!/^\s*[[{]/.test(value)) return undefined
  try {
    const parsed: unknown = JSON.parse(value)
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined
  } catch {
    return undefined
  }
}

/** Text cut at word boundaries into lines of at most `width` characters (a word longer than that is split). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/(?<= )/)) {
    for (let rest = word; rest.length > 0;) {
      if ((line + rest).trimEnd().length <= width) {
        line += rest
        rest = ''
      } else if (line.length > 0) {
        lines.push(line.trimEnd())
        line = ''
      } else {
        lines.push(rest.slice(0, width))
        rest = rest.slice(width)
      }
    }
  }
  if (line.trimEnd().length > 0 || lines.length === 0) lines.push(line.trimEnd())
  return lines
}

/**
 * A value over as many lines as it needs, each at most `width` wide where
 * possible: one line when it fits; else lists one item per line (`- `),
 * objects one key per line, JSON documents pretty-printed, text wrapped.
 */
export function block(value: unknown, width: number, expand = false): string[] {
  const one = inline(value)
  if (one.length <= width && !(expand && isObject(value))) return [one]
  if (typeof value === 'string') {
    const document = jsonDocument(value)
    if (document) return JSON.stringify(document, null, 2).split('\n')
    return wrapText(showString(value), width)
  }
  if (Array.isArray(value)) return items('-', value, width)
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .flatMap(([key, v]) => {
        const head = `${key}: `
        const lines = block(v, width - 2)
        if (lines.length === 1 && head.length + lines[0]!.length <= width) return [`${head}${lines[0]}`]
        return [`${key}:`, ...lines.map((line) => `  ${line}`)]
      })
  }
  return [one]
}

/** One item after a mark (`+`, `-`): the first line beside the mark, the rest under it. `expand`: an object one key per line even when it fits on one. */
export function bullet(mark: string, value: unknown, width: number, expand = false): string[] {
  const lines = block(value, width - mark.length - 1, expand)
  return lines.map((line, i) => (i === 0 ? `${mark} ${line}` : `${' '.repeat(mark.length + 1)}${line}`))
}

/** A list's items, each after `mark`; when one object needs several lines, every object gets them (the list reads evenly). */
function items(mark: string, list: unknown[], width: number): string[] {
  const expand = list.some((item) => isObject(item) && inline(item).length > width - mark.length - 1)
  return list.flatMap((item) => bullet(mark, item, width, expand))
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A property of a resource to be created: `name = value` when it fits,
 * else `name =` and the value's lines under it (a list: one `+` per item).
 */
export function propertyLines(name: string, value: unknown, nameWidth: number, width = LINE_WIDTH): string[] {
  const head = `${name.padEnd(nameWidth)} = `
  const one = inline(value)
  if (head.length + one.length <= width) return [`${head}${one}`]
  const lines = Array.isArray(value) ? items('+', value, width - 2) : block(value, width - 2)
  return [`${name.padEnd(nameWidth)} =`, ...lines.map((line) => `  ${line}`)]
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v))
}

/** What a change to a list does: the items it removes and adds (an item in both is unchanged and not shown). */
function listDelta(before: unknown[], after: unknown[]): {removed: unknown[]; added: unknown[]} {
  const left = new Set(before.map(canonical))
  const right = new Set(after.map(canonical))
  return {removed: before.filter((item) => !right.has(canonical(item))), added: after.filter((item) => !left.has(canonical(item)))}
}

const isList = (value: unknown): value is unknown[] => Array.isArray(value)

/**
 * The changes of one resource, grouped by field in the order they come:
 * `~ field: before → after` when that fits on a line; a list field (or a
 * field whose changes each add or remove one item, as security group rules
 * do) as `~ field:` and its `- removed` / `+ added` items; a long value as
 * `- before` / `+ after` blocks. `# forces replacement` marks the fields
 * that force one.
 */
export function changeLines(changes: ShownChange[], width = LINE_WIDTH): string[] {
  const groups = new Map<string, ShownChange[]>()
  for (const change of changes) groups.set(change.field, [...(groups.get(change.field) ?? []), change])
  const lines: string[] = []
  for (const [field, group] of groups) {
    const mark = group.some((change) => change.replace) ? '  # forces replacement' : ''
    const marked: string[] = []
    const itemised = group.every((change) => change.before === undefined || change.after === undefined || (isList(change.before) && isList(change.after)))
    if (itemised) {
      for (const change of group) {
        if (isList(change.before) || isList(change.after)) {
          const {removed, added} = listDelta(isList(change.before) ? change.before : [], isList(change.after) ? change.after : [])
          marked.push(...items('-', removed, width - 4), ...items('+', added, width - 4))
        } else {
          if (change.before !== undefined) marked.push(...bullet('-', change.before, width - 4))
          if (change.after !== undefined) marked.push(...bullet('+', change.after, width - 4))
        }
      }
      lines.push(`~ ${field}:${mark}`, ...marked.map((line) => `    ${line}`))
      continue
    }
    for (const change of group) {
      const one = `~ ${field}: ${inline(change.before)} → ${inline(change.after)}`
      if (one.length <= width) {
        lines.push(`${one}${mark}`)
        continue
      }
      lines.push(`~ ${field}:${mark}`, ...[...bullet('-', change.before, width - 4), ...bullet('+', change.after, width - 4)].map((line) => `    ${line}`))
    }
  }
  return lines
}
