import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {decodeDocument, decodeState, encodeDocument, encodeState, formatPath, MAX_PARAMETER_CHARS, parseDocument, parseLegacyHeader, parseSerialHeader, splitChunks} from '../../src/state/codec.js'
import {StateFormatError, StateVersionError} from '../../src/state/types.js'
import {bigDocument, bigV1Document} from './document-fixture.js'

const WRITER = '5d0c1f7e-0000-4000-8000-000000000001'

function problemsOf(value: unknown): string {
  try {
    parseDocument(value)
  } catch (error) {
    expect(error).toBeInstanceOf(StateFormatError)
    return (error as Error).message
  }
  throw new Error('expected the document to be refused')
}

const valid = () => JSON.parse(JSON.stringify(bigDocument(12, 4))) as Record<string, any>

describe('state codec: encoding', () => {
  it('round-trips a document through gzip+base64', () => {
    const doc = bigDocument(12, 4)
    const data = encodeDocument(doc)
    expect(data).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(decodeDocument(data)).toEqual(doc)
  })

  it('keeps a small document inline in the header, stamped with the serial and the writer', () => {
    const doc = bigDocument(3, 2)
    const {header, value, chunks} = encodeState(doc, WRITER)
    expect(chunks).toEqual([])
    expect(header).toMatchObject({v: 2, serial: 2, writer: WRITER, encoding: 'gzip+base64'})
    expect(value).toBe(JSON.stringify(header))
    expect(value.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS)
    expect(decodeState(parseSerialHeader(value))).toEqual(doc)
  })

  it('splits a 200-resource document into chunks of at most 4096 characters with a checksum', () => {
    const doc = bigDocument(200, 9)
    const {header, value, chunks} = encodeState(doc, WRITER)
    expect('chunks' in header && header.chunks).toBe(chunks.length)
    expect(chunks.length).toBeGreaterThan(1)
    expect(value.length).toBeLessThan(300)
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS)
    expect(decodeState(parseSerialHeader(value), chunks)).toEqual(doc)
  })

  it('rejects chunks that do not match the checksum or are missing', () => {
    const {header, chunks} = encodeState(bigDocument(200, 9), WRITER)
    const tampered = [...chunks]
    tampered[0] = `B${tampered[0]!.slice(1)}`
    expect(() => decodeState(header, tampered)).toThrow(/checksum/)
    expect(() => decodeState(header, chunks.slice(1))).toThrow(/chunks/)
  })

  it('splits text into fixed-size pieces', () => {
    expect(splitChunks('abcdefg', 3)).toEqual(['abc', 'def', 'g'])
  })

  it('refuses what a newer containrlab wrote, saying to upgrade', () => {
    const header = (fields: object) => JSON.stringify({v: 2, serial: 1, writer: WRITER, encoding: 'gzip+base64', data: 'x', ...fields})
    expect(() => parseSerialHeader(header({v: 3}))).toThrow(StateVersionError)
    expect(() => parseSerialHeader(header({v: 3}))).toThrow('the state was written by a newer containrlab (header format v3; this build reads v2): upgrade containrlab')
    expect(() => parseSerialHeader(header({encoding: 'zstd'}))).toThrow('the state was written by a newer containrlab (unknown state encoding "zstd"): upgrade containrlab')
    expect(() => parseSerialHeader('not json')).toThrow(StateFormatError)
    const future = gzipSync(Buffer.from(JSON.stringify({schemaVersion: 3, stack: 's', serial: 1, lineage: 'l', things: []}))).toString('base64')
    expect(() => decodeDocument(future)).toThrow(StateVersionError)
    expect(() => decodeDocument(future)).toThrow('the state was written by a newer containrlab (state schema version 3; this build reads versions 1 and 2): upgrade containrlab')
  })

  it('names what is wrong with a header', () => {
    expect(() => parseSerialHeader(JSON.stringify({v: 2, serial: -1, writer: WRITER, encoding: 'gzip+base64', data: 'x'}))).toThrow('serial: expected at least 0, got -1')
    expect(() => parseSerialHeader(JSON.stringify({v: 2, serial: 1, writer: WRITER, encoding: 'gzip+base64'}))).toThrow(/the state header is not valid/)
  })

  it("reads the first release's header and the marker left in it when the state moved", () => {
    expect(parseLegacyHeader(JSON.stringify({v: 1, serial: 3, encoding: 'gzip+base64', data: 'x'}))).toEqual({v: 1, serial: 3, encoding: 'gzip+base64', data: 'x'})
    expect(parseLegacyHeader(JSON.stringify({v: 2, moved: '/containrlab/s/serial/'}))).toEqual({v: 2, moved: '/containrlab/s/serial/'})
    expect(() => parseLegacyHeader(JSON.stringify({v: 9, serial: 1, encoding: 'gzip+base64', data: ''}))).toThrow(/header format v9.*upgrade containrlab/)
  })
})

describe('state codec: validation', () => {
  it('accepts a valid schema-2 document as it is', () => {
    expect(parseDocument(valid())).toEqual(bigDocument(12, 4))
  })

  it('names the path of a resource that is not an object', () => {
    expect(problemsOf({...valid(), resources: {vpc: 42}})).toBe('the state document is not valid (1 problem):\n  - resources["vpc"]: expected an object, got 42')
  })

  it('collects every problem, each named by its path', () => {
    const doc = valid()
    doc.resources['vpc/main'] = {kind: 'ec2.vpc', id: 42, deps: ['a', 7], outputs: {id: null}, updatedAt: '2026-11-26T05:00:00.000Z'}
    doc.retired[0].reason = 'gone'
    delete doc.lineage
    doc.generations['subnet/private-1'] = 1.5
    doc.intents['security-group/svc-new'].token = ''
    const message = problemsOf(doc)
    expect(message).toContain('the state document is not valid (7 problems):')
    for (const problem of [
      'lineage: missing (expected a string)',
      'resources["vpc/main"].id: expected a string, got 42',
      'resources["vpc/main"].deps[1]: expected a string, got 7',
      'resources["vpc/main"].outputs["id"]: expected a string, got null',
      'retired[0].reason: expected "replaced" or "orphan", got "gone"',
      'intents["security-group/svc-new"].token: expected a non-empty string',
      'generations["subnet/private-1"]: expected an integer, got 1.5',
    ]) {
      expect(message).toContain(`\n  - ${problem}`)
    }
  })

  it('names missing collections and the document itself', () => {
    expect(problemsOf(42)).toContain('(the document): expected an object, got 42')
    const {retired: _r, intents: _i, ...rest} = valid()
    const message = problemsOf(rest)
    expect(message).toContain('retired: missing (expected a list)')
    expect(message).toContain('intents: missing (expected an object)')
    expect(problemsOf({...valid(), schemaVersion: 'two'})).toContain('schemaVersion: expected 2, got "two"')
  })

  it("keeps fields it does not know, at the top and in entries, so that saving does not drop a newer build's data", () => {
    const doc = valid()
    doc.drift = {checkedAt: '2026-11-26T06:00:00.000Z'}
    doc.resources['subnet/private-0'].tags = {team: 'a'}
    const parsed = parseDocument(doc) as unknown as Record<string, any>
    expect(parsed.drift).toEqual({checkedAt: '2026-11-26T06:00:00.000Z'})
    expect(parsed.resources['subnet/private-0'].tags).toEqual({team: 'a'})
  })

  it('formats paths with record keys quoted and indices bracketed', () => {
    expect(formatPath(['resources', 'outputs', 'outputs', 'id'])).toBe('resources["outputs"].outputs["id"]')
    expect(formatPath(['retired', 2, 'deps', 0])).toBe('retired[2].deps[0]')
    expect(formatPath([])).toBe('(the document)')
  })
})

describe('state codec: schema 1 → 2', () => {
  it('turns #retired- and #orphan- entries into retired entries and starts intents and generations empty', () => {
    const v1 = bigV1Document(6, 7)
    const doc = parseDocument(v1)
    expect(doc.schemaVersion).toBe(2)
    expect(doc).toMatchObject({stack: 'teststack', serial: 7, lineage: v1.lineage, intents: {}, generations: {}})
    expect(Object.keys(doc.resources)).toEqual(Object.keys(v1.resources).filter((key) => !key.includes('#')))
    for (const [key, entry] of Object.entries(doc.resources)) expect(entry).toEqual(v1.resources[key])
    const retiredKey = Object.keys(v1.resources).find((key) => key.includes('#retired-'))!
    const orphanKey = Object.keys(v1.resources).find((key) => key.includes('#orphan-'))!
    expect(doc.retired).toEqual([
      {logicalId: 'subnet/private-0', kind: 'ec2.subnet', id: v1.resources[retiredKey]!.id, deps: ['vpc/main'], reason: 'replaced', since: '2026-11-26T04:00:00.000Z'},
      {logicalId: 'security-group/svc-1', kind: 'ec2.security-group', id: v1.resources[orphanKey]!.id, deps: [], reason: 'orphan', since: '2026-11-26T04:30:00.000Z'},
    ])
  })

  it('validates a schema-1 document before migrating it', () => {
    const v1 = bigV1Document(3) as unknown as Record<string, any>
    v1.resources['subnet/private-0'].deps = 'vpc/main'
    v1.resources['x#renamed-1'] = {kind: 'k', id: 'i', deps: [], outputs: {}, updatedAt: ''}
    expect(problemsOf(v1)).toContain('resources["subnet/private-0"].deps: expected a list, got "vpc/main"')
    delete v1.resources['subnet/private-0']
    expect(problemsOf(v1)).toContain('resources["x#renamed-1"]: a key with "#" must be <logical id>#retired-<aws id> or <logical id>#orphan-<aws id>')
  })
})
