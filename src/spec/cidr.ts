/**
 * IPv4 CIDR blocks as the spec writes them (`10.0.1.0/24`). Pure arithmetic on
 * 32-bit unsigned integers; no AWS call and no dependency.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  address: number
  prefix: number
  /** The text it was parsed from. */
  text: string
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/

/** Parses `a.b.c.d/n`; undefined when it is not an IPv4 CIDR (bad octet, prefix > 32, leading zeros). */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR_PATTERN.exec(text)
  if (!match) return undefined
  const parts = match.slice(1).map((part) => ({part, value: Number(part)}))
  // `010` is octal to some tools and decimal to others: refuse the ambiguity.
  if (parts.some(({part}) => part.length > 1 && part.startsWith('0'))) return undefined
  const [a, b, c, d, prefix] = parts.map(({value}) => value) as [number, number, number, number, number]
  if ([a, b, c, d].some((octet) => octet > 255) || prefix > 32) return undefined
  const address = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
  return {address, prefix, text}
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/** Number of addresses in the block. */
export function size(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix)
}

/** The block's network address with host bits cleared (`10.0.1.5/24` → `10.0.1.0/24`). */
export function networkOf(cidr: Cidr): string {
  return `${formatAddress((cidr.address & mask(cidr.prefix)) >>> 0)}/${cidr.prefix}`
}

/** True when the address has no bits set beyond the prefix. */
export function isNetworkAddress(cidr: Cidr): boolean {
  return (cidr.address & mask(cidr.prefix)) >>> 0 === cidr.address
}

export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.')
}

function first(cidr: Cidr): number {
  return (cidr.address & mask(cidr.prefix)) >>> 0
}

function last(cidr: Cidr): number {
  return first(cidr) + size(cidr) - 1
}

/** True when every address of `inner` is in `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return first(inner) >= first(outer) && last(inner) <= last(outer)
}

/** True when the blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return first(a) <= last(b) && first(b) <= last(a)
}
