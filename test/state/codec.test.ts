import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {decodeDocument, decodeState, encodeDocument, encodeState, MAX_PARAMETER_CHARS, parseHeader, splitChunks} from '../../src/state/codec.js'
import {StateFormatError} from '../../src/state/types.js'
import {bigDocument} from './document-fixture.js'

describe('state codec', () => {
  it('round-trips a document through gzip+base64', () => {
    const doc = bigDocument(12, 4)
    const data = encodeDocument(doc)
    expect(data).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(decodeDocument(data)).toEqual(doc)
  })

  it('keeps a small document inline in the header', () => {
    const doc = bigDocument(3, 2)
    const {header, chunks} = encodeState(doc)
    expect(chunks).toEqual([])
    expect(JSON.stringify(header).length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS)
    expect(decodeState(parseHeader(JSON.stringify(header)))).toEqual(doc)
  })

  it('splits a 200-resource document into chunks of at most 4096 characters with a checksum', () => {
    const doc = bigDocument(200, 9)
    const {header, chunks} = encodeState(doc)
    expect('chunks' in header && header.chunks).toBe(chunks.length)
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS)
    expect(decodeState(parseHeader(JSON.stringify(header)), chunks)).toEqual(doc)
  })

  it('rejects chunks that do not match the checksum or are missing', () => {
    const {header, chunks} = encodeState(bigDocument(200, 9))
    const tampered = [...chunks]
    tampered[0] = `B${tampered[0]!.slice(1)}`
    expect(() => decodeState(header, tampered)).toThrow(/checksum/)
    expect(() => decodeState(header, chunks.slice(1))).toThrow(/chunks/)
  })

  it('splits text into fixed-size pieces', () => {
    expect(splitChunks('abcdefg', 3)).toEqual(['abc', 'def', 'g'])
  })

  it('refuses a header format or schema version it does not know, saying to upgrade', () => {
    expect(() => parseHeader(JSON.stringify({v: 2, serial: 1, encoding: 'gzip+base64', data: ''}))).toThrow(/format v2.*upgrade containrlab/)
    expect(() => parseHeader(JSON.stringify({v: 1, serial: 1, encoding: 'zstd', data: ''}))).toThrow(/unknown state encoding zstd/)
    expect(() => parseHeader('not json')).toThrow(StateFormatError)
    const future = gzipSync(Buffer.from(JSON.stringify({schemaVersion: 2, stack: 's', serial: 1, lineage: 'l', resources: {}}))).toString('base64')
    expect(() => decodeDocument(future)).toThrow(/schema version 2.*upgrade containrlab/)
  })
})
