import {describe, expect, it} from 'vitest'
import {contains, formatAddress, isCidr, isNetworkAddress, networkOf, overlaps, parseCidr, size} from '../../src/spec/cidr.js'

const cidr = (text: string) => {
  const parsed = parseCidr(text)
  if (!parsed) throw new Error(`not a CIDR: ${text}`)
  return parsed
}

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/16', 0x0a000000, 16],
    ['0.0.0.0/0', 0, 0],
    ['255.255.255.255/32', 0xffffffff, 32],
    ['192.168.1.0/24', 0xc0a80100, 24],
  ])('parses %s', (text, address, prefix) => {
    expect(parseCidr(text)).toEqual({address, prefix, text})
  })

  it.each(['10.0.300.0/24', '10.0.0.0/33', '10.0.0/24', '10.0.0.0', '10.0.0.0/', 'ten.0.0.0/8', '010.0.0.0/8', '10.0.0.0/016', ' 10.0.0.0/16', '10.0.0.0/16 ', '::/0'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined()
    expect(isCidr(text)).toBe(false)
  })
})

describe('CIDR arithmetic', () => {
  it('sizes blocks and formats addresses', () => {
    expect(size(cidr('10.0.0.0/16'))).toBe(65_536)
    expect(size(cidr('10.0.0.0/28'))).toBe(16)
    expect(size(cidr('0.0.0.0/0'))).toBe(2 ** 32)
    expect(formatAddress(0xc0a80101)).toBe('192.168.1.1')
  })

  it('finds host bits and the network address', () => {
    expect(isNetworkAddress(cidr('10.0.1.0/24'))).toBe(true)
    expect(isNetworkAddress(cidr('10.0.1.5/24'))).toBe(false)
    expect(networkOf(cidr('10.0.1.5/24'))).toBe('10.0.1.0/24')
    expect(networkOf(cidr('255.255.255.255/1'))).toBe('128.0.0.0/1')
    expect(isNetworkAddress(cidr('0.0.0.0/0'))).toBe(true)
  })

  it.each([
    ['10.0.0.0/16', '10.0.1.0/24', true],
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['10.0.0.0/16', '10.0.255.240/28', true],
    ['10.0.0.0/16', '10.1.0.0/24', false],
    ['10.0.1.0/24', '10.0.0.0/16', false],
    ['0.0.0.0/0', '255.255.255.255/32', true],
    ['10.0.0.0/16', '9.255.255.255/32', false],
  ])('contains(%s, %s) is %s', (outer, inner, expected) => {
    expect(contains(cidr(outer), cidr(inner))).toBe(expected)
  })

  it.each([
    ['10.0.1.0/24', '10.0.1.128/25', true],
    ['10.0.0.0/23', '10.0.1.0/24', true],
    ['10.0.1.0/24', '10.0.2.0/24', false],
    ['10.0.1.0/24', '10.0.0.0/24', false],
    ['10.0.0.0/8', '10.255.255.255/32', true],
    ['0.0.0.0/0', '192.168.0.0/16', true],
  ])('overlaps(%s, %s) is %s, both ways', (a, b, expected) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(expected)
    expect(overlaps(cidr(b), cidr(a))).toBe(expected)
  })
})
