import {EC2ServiceException, type Filter, type Tag, type TagSpecification} from '@aws-sdk/client-ec2'

/**
 * Plumbing shared by the EC2 fake's operations: AWS-shaped errors, describe
 * filters, pagination, CIDR arithmetic and tag handling.
 */

/** An EC2 query-API error as the SDK raises it: `name` is the error code. */
export function ec2Error(code: string, message: string): EC2ServiceException {
  return new EC2ServiceException({name: code, $fault: 'client', $metadata: {httpStatusCode: 400}, message})
}

/** Filter name → the values a resource has for it. Names missing from the table are not supported for the kind. */
export type FilterTable<T> = Record<string, (item: T) => string[]>

/**
 * EC2 filter semantics: values of one filter are ORed, filters are ANDed,
 * `*` and `?` are wildcards, and `tag:<key>`, `tag-key`, `tag-value` work on
 * every taggable kind. An unknown filter name is an error, as in AWS.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html
 */
export function applyFilters<T extends {tags: Tag[]}>(items: T[], filters: Filter[] | undefined, table: FilterTable<T>): T[] {
  if (!filters?.length) return items
  return items.filter((item) =>
    filters.every((filter) => {
      const name = filter.Name ?? ''
      const actual = tagFilterValues(item.tags, name) ?? (Object.hasOwn(table, name) ? table[name]!(item) : undefined)
      if (actual === undefined) throw ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`)
      const wanted = filter.Values ?? []
      return wanted.some((pattern) => actual.some((value) => globMatch(pattern, value)))
    }),
  )
}

function tagFilterValues(tags: Tag[], name: string): string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4)
    return tags.filter((tag) => tag.Key === key).map((tag) => tag.Value ?? '')
  }
  if (name === 'tag-key') return tags.map((tag) => tag.Key ?? '')
  if (name === 'tag-value') return tags.map((tag) => tag.Value ?? '')
  return undefined
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`).test(value)
}

/**
 * Describe pagination: everything in one page unless MaxResults is given;
 * then pages of MaxResults with an opaque NextToken.
 */
export function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): {page: T[]; NextToken?: string} {
  if (maxResults === undefined) return {page: items}
  let offset = 0
  if (nextToken) {
    const decoded = Number(Buffer.from(nextToken, 'base64url').toString('utf8'))
    if (!Number.isInteger(decoded) || decoded < 0) throw ec2Error('InvalidPaginationToken', `Invalid pagination token: ${nextToken}`)
    offset = decoded
  }
  const page = items.slice(offset, offset + maxResults)
  const next = offset + maxResults
  return next < items.length ? {page, NextToken: Buffer.from(String(next)).toString('base64url')} : {page}
}

/** Tags of a create call, checking the ResourceType as EC2 does. */
export function tagsFrom(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = []
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== resourceType) {
      throw ec2Error('InvalidParameterValue', `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`)
    }
    for (const tag of spec.Tags ?? []) tags.push({Key: tag.Key, Value: tag.Value ?? ''})
  }
  return tags
}

/** JSON with sorted keys: idempotency tokens compare requests by value. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number
  prefix: number
}

/** Parses an IPv4 CIDR and canonicalises it (`10.0.1.7/24` → `10.0.1.0/24`, as EC2 does). */
export function parseCidr(text: string | undefined): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text ?? '')
  const octets = match ? match.slice(1, 5).map(Number) : []
  const prefix = match ? Number(match[5]) : NaN
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw ec2Error('InvalidParameterValue', `Value (${text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`)
  }
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0
  return {base: (address & maskOf(prefix)) >>> 0, prefix}
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

export function formatCidr(cidr: Cidr): string {
  return `${ipString(cidr.base)}/${cidr.prefix}`
}

export function ipString(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.')
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & maskOf(outer.prefix)) >>> 0 === outer.base
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a)
}
