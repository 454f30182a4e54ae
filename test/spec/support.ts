import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'
import {formatIssue, SpecError, type SpecIssue} from '../../src/spec/errors.js'
import {parseSpec} from '../../src/spec/load.js'

export const ROOT = join(import.meta.dirname, '..', '..')
export const EXAMPLE_TEXT = readFileSync(join(ROOT, 'examples', 'containrlab.yaml'), 'utf8')
export const THREE_TIER_TEXT = readFileSync(join(ROOT, 'test', 'fixtures', 'specs', 'three-tier.yaml'), 'utf8')

/** `text` with `from` replaced by `to`; fails loudly when `from` is absent, so a test can't silently test the unchanged spec. */
export function edit(text: string, ...pairs: [from: string, to: string][]): string {
  let out = text
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`spec does not contain ${JSON.stringify(from)}`)
    out = out.replace(from, to)
  }
  return out
}

/** The example with edits. */
export const example = (...pairs: [string, string][]) => edit(EXAMPLE_TEXT, ...pairs)

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle))
  if (index < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`)
  return index + 1
}

/** The issues parseSpec reports for `text`; fails the test when the spec is accepted. */
export function issuesOf(text: string, file = 'containrlab.yaml'): SpecIssue[] {
  try {
    parseSpec(text, file)
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError)
    return (error as SpecError).issues
  }
  throw new Error('expected the spec to be rejected, but it parsed')
}

/** The issues as the user reads them: `path (line N): message`. */
export const reported = (text: string) => issuesOf(text).map(formatIssue)

/** One rule of the spec: a spec breaking it and every issue it must produce, exactly. */
export interface IssueCase {
  rule: string
  text: string
  /** [path, line or a needle on that line (its first occurrence), message] */
  issues: [string, string | number, string][]
}

/** The issues a case expects, rendered as the user reads them. */
export function expectedIssues({text, issues}: IssueCase): string[] {
  return issues.map(([path, line, message]) => `${path} (line ${typeof line === 'number' ? line : lineOf(text, line)}): ${message}`)
}
