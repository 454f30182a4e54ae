import {type Cidr, contains, overlaps, parseCidr} from './cidr.js'
import {formatPath} from './errors.js'
import {effectiveNat, type ParsedSpec, quote, type Rule, type Tier} from './schema.js'

/**
 * Semantic checks: rules that need the whole document. They run only on a
 * spec that passed the schema, make no AWS call, and return every problem
 * found, each at the most precise path (load.ts turns paths into lines).
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

export function checkSpec(spec: ParsedSpec, options: CheckOptions = {}): PathIssue[] {
  return [...checkSubnets(spec, options), ...checkNat(spec), ...checkSecurityGroups(spec), ...checkEndpoints(spec)]
}

type Subnets = ParsedSpec['network']['subnets']

const SUBNETS = ['network', 'subnets']

function list(values: Iterable<string>): string {
  return [...values].join(', ')
}

function checkSubnets(spec: ParsedSpec, options: CheckOptions): PathIssue[] {
  const issues: PathIssue[] = []
  const {subnets, vpc} = spec.network
  const vpcCidr = parseCidr(vpc.cidr) as Cidr
  issues.push(
    ...duplicates(
      subnets.map((subnet) => subnet.name),
      SUBNETS,
      'name',
      'subnet name',
    ),
  )

  const parsed = subnets.map((subnet) => parseCidr(subnet.cidr) as Cidr)
  parsed.forEach((cidr, i) => {
    if (!contains(vpcCidr, cidr)) issues.push({path: [...SUBNETS, i, 'cidr'], message: `${quote(cidr.text)} is outside the VPC CIDR ${vpc.cidr}`})
    for (let j = 0; j < i; j++) {
      const other = parsed[j]!
      if (overlaps(other, cidr)) {
        issues.push({path: [...SUBNETS, i, 'cidr'], message: `${quote(cidr.text)} of subnet ${subnets[i]!.name} overlaps ${other.text} of subnet ${subnets[j]!.name}`})
      }
    }
  })

  // One subnet per tier per AZ: each tier's route table, the load balancer and interface endpoints all take at most one subnet per AZ.
  const seen = new Map<string, string>()
  subnets.forEach((subnet, i) => {
    const key = `${subnet.tier} ${subnet.az}`
    const first = seen.get(key)
    if (first) issues.push({path: [...SUBNETS, i, 'az'], message: `subnet ${subnet.name} is a second ${subnet.tier} subnet in ${subnet.az} (after ${first}); a tier has at most one subnet per AZ`})
    else seen.set(key, subnet.name)
  })

  issues.push(...checkZonesInRegion(spec, options))

  // The public tier is where the internet-facing ALB goes, and an ALB must be given subnets in at
  // least two AZs. A VPC with no public tier at all (internal only) is fine.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
  const publicZones = zonesOf(subnets, 'public')
  if (publicZones.size === 1) {
    issues.push({path: SUBNETS, message: `public subnets in one AZ only (${list(publicZones.keys())}): the public tier must cover at least two AZs, because an Application Load Balancer needs subnets in two AZs`})
  }
  return issues
}

/**
 * AZs belong to the spec's region, or (without one) to the region of the run
 * when it is known, else all to the same region: a VPC lives in one region.
 */
function checkZonesInRegion(spec: ParsedSpec, options: CheckOptions): PathIssue[] {
  const issues: PathIssue[] = []
  const {subnets} = spec.network
  const region = spec.region ?? options.runRegion ?? regionOfZone(subnets[0]!.az)
  const whose = spec.region
    ? 'the stack region'
    : options.runRegion
      ? 'the region of this run, from --region, AWS_REGION or the profile; set region: in the spec to pin it'
      : `the region of the first subnet (${subnets[0]!.name})`
  subnets.forEach((subnet, i) => {
    if (regionOfZone(subnet.az) !== region) issues.push({path: [...SUBNETS, i, 'az'], message: `${quote(subnet.az)} is not in ${region} (${whose}); a VPC and its subnets live in one region`})
  })
  return issues
}

/** `us-east-1a` → `us-east-1` (zone names are the region plus one letter). */
export function regionOfZone(az: string): string {
  return az.slice(0, -1)
}

/** AZ → first subnet name of that tier, in spec order. */
function zonesOf(subnets: Subnets, tier: Tier): Map<string, string> {
  const zones = new Map<string, string>()
  for (const subnet of subnets) if (subnet.tier === tier && !zones.has(subnet.az)) zones.set(subnet.az, subnet.name)
  return zones
}

function checkNat(spec: ParsedSpec): PathIssue[] {
  const {subnets} = spec.network
  const nat = effectiveNat(spec)
  if (nat === 'none') return []
  const explicit = spec.network.nat !== undefined
  const natPath = explicit ? ['network', 'nat'] : ['network']
  const said = explicit ? `nat: ${nat}` : `nat defaults to ${nat} (there are private subnets), and it`
  // A NAT gateway sits in a public subnet, whose route table sends 0.0.0.0/0 to the internet gateway.
  // https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
  const publicZones = zonesOf(subnets, 'public')
  if (publicZones.size === 0) return [{path: natPath, message: `${said} needs a public subnet to hold the NAT gateway; add one or set nat: none`}]
  if (nat !== 'per-az') return []
  const issues: PathIssue[] = []
  const reported = new Set<string>()
  subnets.forEach((subnet, i) => {
    if (subnet.tier !== 'private' || publicZones.has(subnet.az) || reported.has(subnet.az)) return
    reported.add(subnet.az)
    issues.push({
      path: [...SUBNETS, i, 'az'],
      message: `nat: per-az puts a NAT gateway in every AZ with private subnets, but ${subnet.az} (subnet ${subnet.name}) has no public subnet; public AZs: ${list(publicZones.keys())}`,
    })
  })
  return issues
}

function checkSecurityGroups(spec: ParsedSpec): PathIssue[] {
  const groups = spec.network.securityGroups
  const base = ['network', 'securityGroups']
  const issues = duplicates(
    groups.map((group) => group.name),
    base,
    'name',
    'security group name',
  )
  const names = new Set(groups.map((group) => group.name))
  groups.forEach((group, g) => {
    for (const direction of ['ingress', 'egress'] as const) {
      ;(group[direction] ?? []).forEach((rule: Rule, r) => {
        if (rule.securityGroup !== undefined && !names.has(rule.securityGroup)) {
          issues.push({path: [...base, g, direction, r, 'securityGroup'], message: unknownGroup(rule.securityGroup, names)})
        }
      })
    }
  })
  return issues
}

function unknownGroup(name: string, names: Set<string>): string {
  const declared = names.size ? `declared groups: ${list(names)}` : 'no security groups are declared (network.securityGroups)'
  return `unknown security group ${quote(name)}; ${declared}`
}

function checkEndpoints(spec: ParsedSpec): PathIssue[] {
  const {endpoints, subnets, securityGroups, vpc} = spec.network
  const base = ['network', 'endpoints']
  const issues = duplicates(
    endpoints.map((endpoint) => endpoint.service),
    base,
    'service',
    'endpoint service',
  )
  const groupNames = new Set(securityGroups.map((group) => group.name))
  const declaredTiers = new Set(subnets.map((subnet) => subnet.tier))
  endpoints.forEach((endpoint, e) => {
    if (endpoint.type === 'gateway' && !GATEWAY_SERVICES.includes(endpoint.service)) {
      issues.push({path: [...base, e, 'type'], message: `${quote(endpoint.service)} has no gateway endpoint (only ${GATEWAY_SERVICES.join(' and ')} do); use type: interface`})
    }
    endpoint.tiers.forEach((tier, t) => {
      if (!declaredTiers.has(tier)) {
        const needs = endpoint.type === 'interface' ? 'an interface endpoint needs a subnet in each of its tiers' : 'a gateway endpoint routes through the tier’s route table'
        issues.push({path: [...base, e, 'tiers', t], message: `no ${tier} subnets are declared (${needs}); declared tiers: ${list(declaredTiers)}`})
      }
    })
    if (endpoint.policy !== undefined) issues.push(...checkEndpointPolicy(endpoint.policy, [...base, e, 'policy']))
    if (endpoint.type !== 'interface') return
    ;(endpoint.securityGroups ?? []).forEach((name, s) => {
      if (!groupNames.has(name)) issues.push({path: [...base, e, 'securityGroups', s], message: unknownGroup(name, groupNames)})
    })
    // CreateVpcEndpoint takes at most one subnet per AZ. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
    const byZone = new Map<string, string[]>()
    for (const subnet of subnets) if (endpoint.tiers.includes(subnet.tier)) byZone.set(subnet.az, [...(byZone.get(subnet.az) ?? []), subnet.name])
    for (const [az, names] of byZone) {
      if (names.length > 1)
        issues.push({
          path: [...base, e, 'tiers'],
          message: `tiers ${endpoint.tiers.join(', ')} give interface endpoint ${endpoint.service} ${names.length} subnets in ${az} (${list(names)}); it takes one subnet per AZ, so list one tier`,
        })
    }
    // Private DNS for an interface endpoint needs both VPC DNS attributes (PrivateDnsEnabled).
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
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
function duplicates(values: string[], base: (string | number)[], key: string, what: string): PathIssue[] {
  const first = new Map<string, number>()
  const issues: PathIssue[] = []
  values.forEach((value, i) => {
    const at = first.get(value)
    if (at === undefined) first.set(value, i)
    else issues.push({path: [...base, i, key], message: `duplicate ${what} ${quote(value)} (first at ${formatPath([...base, at])})`})
  })
  return issues
}
