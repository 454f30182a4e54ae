import type {z} from 'zod'
import {contains, overlaps, parseCidr} from './cidr.js'
import {formatPath} from './errors.js'
import {checkContainers, type ContainersView, readContainers} from './containers.js'
import {checkFrontDoor, type FrontDoorView, readFrontDoor} from './front-door.js'
import {endpointSchema, type NatMode, quote, ruleSchema, securityGroupSchema, specSchema, subnetSchema, type Tier} from './schema.js'

/**
 * Semantic checks: rules that need the whole document. They make no AWS call
 * and return every problem found, each at the most precise path (load.ts
 * turns paths into lines).
 *
 * They run whether or not the schema passed, on a view of the spec in which
 * each field holds its value when that field is well-formed and null when it
 * is not (zod reports those). A check skips what it cannot read: a rule about
 * two subnets compares only subnets whose fields parsed, and a rule that
 * something is absent (no public subnet, no such group) runs only when every
 * entry it looks through is readable, so a typo never causes a second, false
 * report.
 */

export interface PathIssue {
  path: (string | number)[]
  message: string
}

/** Services that have a gateway endpoint; everything else is interface-only. https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html */
export const GATEWAY_SERVICES = ['s3', 'dynamodb']

export interface CheckOptions {
  /** The region of the run (--region, AWS_REGION, the profile) when the spec names none: its AZs must be there. */
  runRegion?: string
}

/** A field as the checks read it: its value (defaults filled) when it passed its schema, null when it did not. */
export type Read<T> = T | null

export interface SubnetView {
  name: Read<string>
  tier: Read<Tier>
  az: Read<string>
  cidr: Read<string>
}

export interface RuleView {
  securityGroup: Read<string | undefined>
}

export interface GroupView {
  name: Read<string>
  /** A list that is no list reads as empty: its rules are not checked. */
  ingress: RuleView[]
  egress: RuleView[]
}

export interface EndpointView {
  service: Read<string>
  type: Read<'gateway' | 'interface'>
  /** null: not a list. */
  tiers: Read<Read<Tier>[]>
  securityGroups: Read<string>[]
  privateDns: Read<boolean | undefined>
  policy: Read<Record<string, unknown> | undefined>
}

/** The spec as the checks read it; entries keep their index in the file. */
export interface SpecView {
  region: Read<string | undefined>
  vpc: {cidr: Read<string>; dnsSupport: Read<boolean>; dnsHostnames: Read<boolean>}
  /** null: missing, empty or not a list (what the VPC holds is unknown). */
  subnets: Read<SubnetView[]>
  nat: Read<NatMode | undefined>
  /** null: not a list (the declared names are unknown). */
  securityGroups: Read<GroupView[]>
  endpoints: EndpointView[]
  frontDoor: FrontDoorView
  containers: ContainersView
}

function read<S extends z.ZodType>(schema: S, value: unknown): Read<z.output<S>> {
  const result = schema.safeParse(value)
  return result.success ? result.data : null
}

function mapping(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

/** Each entry read by `entry`, at its index; `absent` when the key is missing, null when it holds no list. */
function list<T>(value: unknown, entry: (item: unknown) => T, absent: T[] | null): T[] | null {
  if (value === undefined) return absent
  return Array.isArray(value) ? value.map(entry) : null
}

const NETWORK = specSchema.shape.network.shape
const VPC = NETWORK.vpc.shape
const SUBNET = subnetSchema.shape
const GROUP = securityGroupSchema.shape
const RULE = ruleSchema.shape
const ENDPOINT = endpointSchema.shape

/** The view the checks read of a document (the YAML as data, valid or not). */
export function readSpec(data: unknown): SpecView {
  const top = mapping(data)
  const network = mapping(top.network)
  const vpc = mapping(network.vpc)
  const rules = (value: unknown): RuleView[] => list(value, (rule) => ({securityGroup: read(RULE.securityGroup, mapping(rule).securityGroup)}), []) ?? []
  const subnet = (item: unknown): SubnetView => {
    const fields = mapping(item)
    return {name: read(SUBNET.name, fields.name), tier: read(SUBNET.tier, fields.tier), az: read(SUBNET.az, fields.az), cidr: read(SUBNET.cidr, fields.cidr)}
  }
  const group = (item: unknown): GroupView => {
    const fields = mapping(item)
    return {name: read(GROUP.name, fields.name), ingress: rules(fields.ingress), egress: rules(fields.egress)}
  }
  const endpoint = (item: unknown): EndpointView => {
    const fields = mapping(item)
    return {
      service: read(ENDPOINT.service, fields.service),
      type: read(ENDPOINT.type, fields.type),
      tiers: list(fields.tiers, (tier) => read(SUBNET.tier, tier), null),
      securityGroups: list(fields.securityGroups, (name) => read(GROUP.name, name), []) ?? [],
      privateDns: read(ENDPOINT.privateDns, fields.privateDns),
      policy: read(ENDPOINT.policy, fields.policy),
    }
  }
  return {
    region: read(specSchema.shape.region, top.region),
    vpc: {cidr: read(VPC.cidr, vpc.cidr), dnsSupport: read(VPC.dnsSupport, vpc.dnsSupport), dnsHostnames: read(VPC.dnsHostnames, vpc.dnsHostnames)},
    // An empty list fails the schema (at least one subnet): what the VPC would hold is unknown, not nothing.
    subnets: Array.isArray(network.subnets) && network.subnets.length === 0 ? null : list(network.subnets, subnet, null),
    nat: read(NETWORK.nat, network.nat),
    securityGroups: list(network.securityGroups, group, []),
    endpoints: list(network.endpoints, endpoint, []) ?? [],
    frontDoor: readFrontDoor(top),
    containers: readContainers(top),
  }
}

export function checkSpec(spec: SpecView, options: CheckOptions = {}): PathIssue[] {
  return [...checkSubnets(spec, options), ...checkNat(spec), ...checkSecurityGroups(spec), ...checkEndpoints(spec), ...checkFrontDoor(spec.frontDoor, spec), ...checkContainers(spec.containers, spec)]
}

const SUBNETS = ['network', 'subnets']

function joined(values: Iterable<string>): string {
  return [...values].join(', ')
}

/** Index and value of each entry whose `pick` is readable. */
function readable<T, V>(entries: readonly T[], pick: (entry: T) => V | null | undefined): [index: number, value: V][] {
  const out: [number, V][] = []
  entries.forEach((entry, i) => {
    const value = pick(entry)
    if (value !== null && value !== undefined) out.push([i, value])
  })
  return out
}

/** A subnet as messages name it: its name, or its path when the name is unreadable. */
function nameOf(subnets: readonly SubnetView[], i: number): string {
  return subnets[i]!.name ?? formatPath([...SUBNETS, i])
}

function checkSubnets(spec: SpecView, options: CheckOptions): PathIssue[] {
  const {subnets} = spec
  if (!subnets) return []
  const issues = duplicates(
    readable(subnets, (subnet) => subnet.name),
    SUBNETS,
    'name',
    'subnet name',
  )

  const vpcCidr = spec.vpc.cidr === null ? undefined : parseCidr(spec.vpc.cidr)
  const parsed = readable(subnets, (subnet) => (subnet.cidr === null ? undefined : parseCidr(subnet.cidr)))
  parsed.forEach(([i, cidr], n) => {
    if (vpcCidr && !contains(vpcCidr, cidr)) issues.push({path: [...SUBNETS, i, 'cidr'], message: `${quote(cidr.text)} is outside the VPC CIDR ${vpcCidr.text}`})
    for (const [j, other] of parsed.slice(0, n)) {
      if (overlaps(other, cidr)) {
        issues.push({path: [...SUBNETS, i, 'cidr'], message: `${quote(cidr.text)} of subnet ${nameOf(subnets, i)} overlaps ${other.text} of subnet ${nameOf(subnets, j)}`})
      }
    }
  })

  // One subnet per tier per AZ: each tier's route table, the load balancer and interface endpoints all take at most one subnet per AZ.
  const seen = new Map<string, string>()
  subnets.forEach((subnet, i) => {
    if (subnet.tier === null || subnet.az === null) return
    const key = `${subnet.tier} ${subnet.az}`
    const first = seen.get(key)
    if (first) issues.push({path: [...SUBNETS, i, 'az'], message: `subnet ${nameOf(subnets, i)} is a second ${subnet.tier} subnet in ${subnet.az} (after ${first}); a tier has at most one subnet per AZ`})
    else seen.set(key, nameOf(subnets, i))
  })

  issues.push(...checkZonesInRegion(spec, subnets, options))
  return issues
}

/**
 * AZs belong to the spec's region, or (without one) to the region of the run
 * when it is known, else all to the same region: a VPC lives in one region.
 */
function checkZonesInRegion(spec: SpecView, subnets: readonly SubnetView[], options: CheckOptions): PathIssue[] {
  // A malformed region: (zod reports it) leaves nothing to compare with.
  if (spec.region === null) return []
  const zones = readable(subnets, (subnet) => subnet.az)
  if (zones.length === 0) return []
  const [firstIndex, firstZone] = zones[0]!
  const region = spec.region ?? options.runRegion ?? regionOfZone(firstZone)
  const whose = spec.region
    ? 'the stack region'
    : options.runRegion
      ? 'the region of this run, from --region, AWS_REGION or the profile; set region: in the spec to pin it'
      : firstIndex === 0
        ? `the region of the first subnet (${nameOf(subnets, 0)})`
        : `the region of subnet ${nameOf(subnets, firstIndex)}, the first with a valid az`
  return zones.flatMap(([i, az]) => (regionOfZone(az) === region ? [] : [{path: [...SUBNETS, i, 'az'], message: `${quote(az)} is not in ${region} (${whose}); a VPC and its subnets live in one region`}]))
}

/** `us-east-1a` → `us-east-1` (zone names are the region plus one letter). */
export function regionOfZone(az: string): string {
  return az.slice(0, -1)
}

/** AZ → first subnet name of that tier, in spec order (subnets whose tier and az are readable). */
function zonesOf(subnets: readonly SubnetView[], tier: Tier): Map<string, string> {
  const zones = new Map<string, string>()
  subnets.forEach((subnet, i) => {
    if (subnet.tier === tier && subnet.az !== null && !zones.has(subnet.az)) zones.set(subnet.az, nameOf(subnets, i))
  })
  return zones
}

/** The NAT mode in effect (the spec's, or single when there are private subnets, else none); null when that is unknown. */
function natOf(spec: SpecView, subnets: readonly SubnetView[]): Read<NatMode> {
  if (spec.nat !== undefined) return spec.nat
  if (subnets.some((subnet) => subnet.tier === 'private')) return 'single'
  return subnets.some((subnet) => subnet.tier === null) ? null : 'none'
}

function checkNat(spec: SpecView): PathIssue[] {
  const {subnets} = spec
  if (!subnets) return []
  const nat = natOf(spec, subnets)
  if (nat === null || nat === 'none') return []
  const explicit = spec.nat !== undefined
  const natPath = explicit ? ['network', 'nat'] : ['network']
  const said = explicit ? `nat: ${nat}` : `nat defaults to ${nat} (there are private subnets), and it`
  const tiersKnown = subnets.every((subnet) => subnet.tier !== null)
  // A NAT gateway sits in a public subnet, whose route table sends 0.0.0.0/0 to the internet gateway.
  // https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
  if (!subnets.some((subnet) => subnet.tier === 'public')) {
    return tiersKnown ? [{path: natPath, message: `${said} needs a public subnet to hold the NAT gateway; add one or set nat: none`}] : []
  }
  if (nat !== 'per-az' || !tiersKnown || subnets.some((subnet) => subnet.az === null)) return []
  const publicZones = zonesOf(subnets, 'public')
  const issues: PathIssue[] = []
  const reported = new Set<string>()
  subnets.forEach((subnet, i) => {
    if (subnet.tier !== 'private' || subnet.az === null || publicZones.has(subnet.az) || reported.has(subnet.az)) return
    reported.add(subnet.az)
    issues.push({
      path: [...SUBNETS, i, 'az'],
      message: `nat: per-az puts a NAT gateway in every AZ with private subnets, but ${subnet.az} (subnet ${nameOf(subnets, i)}) has no public subnet; public AZs: ${joined(publicZones.keys())}`,
    })
  })
  return issues
}

/** The declared security group names; undefined when some name is unreadable (then no reference can be called unknown). */
function groupNames(spec: SpecView): Set<string> | undefined {
  const groups = spec.securityGroups
  if (!groups || groups.some((group) => group.name === null)) return undefined
  return new Set(groups.map((group) => group.name!))
}

function checkSecurityGroups(spec: SpecView): PathIssue[] {
  const groups = spec.securityGroups
  if (!groups) return []
  const base = ['network', 'securityGroups']
  const issues = duplicates(
    readable(groups, (group) => group.name),
    base,
    'name',
    'security group name',
  )
  const names = groupNames(spec)
  if (!names) return issues
  groups.forEach((group, g) => {
    for (const direction of ['ingress', 'egress'] as const) {
      group[direction].forEach((rule, r) => {
        if (typeof rule.securityGroup === 'string' && !names.has(rule.securityGroup)) {
          issues.push({path: [...base, g, direction, r, 'securityGroup'], message: unknownGroup(rule.securityGroup, names)})
        }
      })
    }
  })
  return issues
}

function unknownGroup(name: string, names: Set<string>): string {
  const declared = names.size ? `declared groups: ${joined(names)}` : 'no security groups are declared (network.securityGroups)'
  return `unknown security group ${quote(name)}; ${declared}`
}

function checkEndpoints(spec: SpecView): PathIssue[] {
  const {endpoints, subnets, vpc} = spec
  const base = ['network', 'endpoints']
  const issues = duplicates(
    readable(endpoints, (endpoint) => endpoint.service),
    base,
    'service',
    'endpoint service',
  )
  const names = groupNames(spec)
  // Which tiers exist is known only when every subnet's tier is.
  const declaredTiers = subnets && subnets.every((subnet) => subnet.tier !== null) ? new Set(subnets.map((subnet) => subnet.tier!)) : undefined
  endpoints.forEach((endpoint, e) => {
    const {service, type} = endpoint
    const tiers = readable(endpoint.tiers ?? [], (tier) => tier)
    if (type === 'gateway' && service !== null && !GATEWAY_SERVICES.includes(service)) {
      issues.push({path: [...base, e, 'type'], message: `${quote(service)} has no gateway endpoint (only ${GATEWAY_SERVICES.join(' and ')} do); use type: interface`})
    }
    if (declaredTiers && type !== null) {
      for (const [t, tier] of tiers) {
        if (declaredTiers.has(tier)) continue
        const needs = type === 'interface' ? 'an interface endpoint needs a subnet in each of its tiers' : 'a gateway endpoint routes through the tier’s route table'
        issues.push({path: [...base, e, 'tiers', t], message: `no ${tier} subnets are declared (${needs}); declared tiers: ${joined(declaredTiers)}`})
      }
    }
    if (endpoint.policy) issues.push(...checkEndpointPolicy(endpoint.policy, [...base, e, 'policy']))
    if (type !== 'interface') return
    if (names) {
      endpoint.securityGroups.forEach((name, s) => {
        if (name !== null && !names.has(name)) issues.push({path: [...base, e, 'securityGroups', s], message: unknownGroup(name, names)})
      })
    }
    // CreateVpcEndpoint takes at most one subnet per AZ. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
    const endpointTiers = tiers.map(([, tier]) => tier)
    const byZone = new Map<string, string[]>()
    ;(subnets ?? []).forEach((subnet, i) => {
      if (subnet.tier !== null && subnet.az !== null && endpointTiers.includes(subnet.tier)) byZone.set(subnet.az, [...(byZone.get(subnet.az) ?? []), nameOf(subnets!, i)])
    })
    for (const [az, inZone] of byZone) {
      if (inZone.length > 1)
        issues.push({
          path: [...base, e, 'tiers'],
          message: `tiers ${endpointTiers.join(', ')} give interface endpoint ${service ?? formatPath([...base, e])} ${inZone.length} subnets in ${az} (${joined(inZone)}); it takes one subnet per AZ, so list one tier`,
        })
    }
    // Private DNS for an interface endpoint needs both VPC DNS attributes (PrivateDnsEnabled).
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
    if (endpoint.privateDns === null || vpc.dnsSupport === null || vpc.dnsHostnames === null) return
    if ((endpoint.privateDns ?? true) && !(vpc.dnsSupport && vpc.dnsHostnames)) {
      const path = endpoint.privateDns === undefined ? [...base, e] : [...base, e, 'privateDns']
      issues.push({path, message: `private DNS (${endpoint.privateDns === undefined ? 'the default' : 'privateDns: true'}) needs network.vpc.dnsSupport and dnsHostnames both true; enable them or set privateDns: false`})
    }
  })
  return issues
}

/** An endpoint policy's size limit (characters, white space included). */
export const ENDPOINT_POLICY_MAX = 20_480

/**
 * What AWS requires of an endpoint policy beyond JSON: statements, each with
 * a Principal, and at most 20,480 characters.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 */
function checkEndpointPolicy(policy: Record<string, unknown>, path: (string | number)[]): PathIssue[] {
  const size = JSON.stringify(policy).length
  if (size > ENDPOINT_POLICY_MAX) return [{path, message: `the policy is ${size} characters as JSON; an endpoint policy takes at most ${ENDPOINT_POLICY_MAX}`}]
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement === undefined ? [] : [policy.Statement]
  if (statements.length === 0) return [{path, message: 'a policy needs a Statement (like Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}])'}]
  const issues: PathIssue[] = []
  statements.forEach((statement: unknown, i) => {
    const at = Array.isArray(policy.Statement) ? [...path, 'Statement', i] : [...path, 'Statement']
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) issues.push({path: at, message: 'a statement is a mapping (Effect, Principal, Action, Resource…)'})
    else if (!('Principal' in statement) && !('NotPrincipal' in statement)) issues.push({path: at, message: 'an endpoint policy statement needs a Principal (like Principal: "*")'})
  })
  return issues
}

/** One issue per repeated value, at its second and later occurrences, naming the first. */
function duplicates(values: readonly [index: number, value: string][], base: (string | number)[], key: string, what: string): PathIssue[] {
  const first = new Map<string, number>()
  const issues: PathIssue[] = []
  for (const [i, value] of values) {
    const at = first.get(value)
    if (at === undefined) first.set(value, i)
    else issues.push({path: [...base, i, key], message: `duplicate ${what} ${quote(value)} (first at ${formatPath([...base, at])})`})
  }
  return issues
}
