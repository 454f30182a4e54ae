import {z} from 'zod'
import {isNetworkAddress, networkOf, parseCidr} from './cidr.js'

/**
 * The stack spec (`containrlab.yaml`): its shape, per-field rules and
 * defaults. Cross-field rules that need the whole document (CIDRs inside the
 * VPC, references resolve…) are in checks.ts; defaults that depend on other
 * fields (mapPublicIp by tier, nat by subnets) are filled by `normaliseSpec`.
 * Every object is strict, so a typo'd key is an error instead of a silent
 * default.
 */

export const TIERS = ['public', 'private', 'data'] as const
export type Tier = (typeof TIERS)[number]
export const NAT_MODES = ['none', 'single', 'per-az'] as const
export type NatMode = (typeof NAT_MODES)[number]
export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'all'] as const
export type Protocol = (typeof PROTOCOLS)[number]

export const DEFAULT_GROUP_DESCRIPTION = 'Managed by containrlab'

/** Longest string `quote` shows whole; a message never echoes more of the file than this. */
export const QUOTE_MAX = 48

/**
 * How values are quoted in messages: strings in double quotes, the rest as
 * YAML shows them. A long string is cut (`"first characters…" (2048
 * characters)`), so a message stays one line whatever the file holds.
 */
export function quote(value: unknown): string {
  if (typeof value !== 'string') return String(value)
  const characters = [...value]
  if (characters.length <= QUOTE_MAX) return JSON.stringify(value)
  return `${JSON.stringify(
    `${characters
      .slice(0, QUOTE_MAX - 8)
      .join('')
      .trimEnd()}…`,
  )} (${characters.length} characters)`
}

/**
 * An IPv4 CIDR with a prefix length in [min, max] (VPCs and subnets: /16 to
 * /28, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpc.html
 * and API_CreateSubnet.html). The address must be the
 * network address: AWS stores the block as given, so `10.0.1.5/24` would be
 * compared against what AWS reports forever.
 */
function cidr(min: number, max: number, what: string) {
  return z.string().superRefine((value, ctx) => {
    const parsed = parseCidr(value)
    if (!parsed) {
      ctx.addIssue({code: 'custom', message: `${quote(value)} is not an IPv4 CIDR (expected address/prefix, like 10.0.0.0/16)`})
    } else if (parsed.prefix < min || parsed.prefix > max) {
      ctx.addIssue({code: 'custom', message: `${quote(value)}: ${what} must be between /${min} and /${max}, got /${parsed.prefix}`})
    } else if (!isNetworkAddress(parsed)) {
      ctx.addIssue({code: 'custom', message: `${quote(value)} has host bits set; the block starts at ${networkOf(parsed)}`})
    }
  })
}

/**
 * Names become logical ids (`subnet/<name>`) and parts of AWS names and tag
 * values, so they stay in a conservative alphabet without `/`.
 */
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i
const resourceName = z.string().regex(NAME, {
  error: (issue) => `${quote(issue.input)} is not a valid name (expected letters, digits, ".", "_" or "-", starting with a letter or digit, at most 63 characters)`,
})

/** Regions look like `us-east-1`, `us-gov-west-1`; zones add a letter (`us-east-1a`). */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/
const AZ = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/

/**
 * Security group descriptions and rule descriptions share one alphabet and
 * length limit. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
 */
const AWS_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/
const description = z.string().regex(AWS_DESCRIPTION, {
  error: (issue) => `${quote(issue.input)} is not a valid AWS description (at most 255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)`,
})

const port = z.number().superRefine((value, ctx) => {
  if (!Number.isInteger(value) || value < 1 || value > 65535) ctx.addIssue({code: 'custom', message: `${quote(value)} is not a port (expected a whole number from 1 to 65535)`})
})

/** `"8000-8010"` → [8000, 8010]; undefined unless both ends are ports and from ≤ to. */
export function parsePortRange(text: string): [number, number] | undefined {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(text)
  if (!match) return undefined
  const from = Number(match[1])
  const to = Number(match[2])
  if (from < 1 || to > 65535 || from > to) return undefined
  return [from, to]
}

const portRange = z.string().superRefine((value, ctx) => {
  if (!parsePortRange(value)) ctx.addIssue({code: 'custom', message: `${quote(value)} is not a port range (expected "from-to" with 1 ≤ from ≤ to ≤ 65535, like "8000-8010")`})
})

export const ruleSchema = z
  .object({
    protocol: z.enum(PROTOCOLS),
    port: port.optional(),
    ports: portRange.optional(),
    cidr: cidr(0, 32, 'a rule CIDR').optional(),
    securityGroup: resourceName.optional(),
    description: description.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const peers = [rule.cidr, rule.securityGroup].filter((peer) => peer !== undefined).length
    if (peers === 0) ctx.addIssue({code: 'custom', message: 'a rule needs exactly one of cidr or securityGroup (the peer it allows), got neither'})
    if (peers === 2) ctx.addIssue({code: 'custom', path: ['securityGroup'], message: 'a rule takes exactly one of cidr or securityGroup, got both'})
    if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
      if (rule.port === undefined && rule.ports === undefined) {
        ctx.addIssue({code: 'custom', message: `a ${rule.protocol} rule needs port (like port: 443) or ports (like ports: "8000-8010")`})
      } else if (rule.port !== undefined && rule.ports !== undefined) {
        ctx.addIssue({code: 'custom', path: ['ports'], message: 'give port or ports, not both'})
      }
    } else {
      // IpProtocol -1 ignores ports, and the spec has no ICMP type/code yet: both mean every port (-1/-1).
      const key = rule.port !== undefined ? 'port' : rule.ports !== undefined ? 'ports' : undefined
      if (key) ctx.addIssue({code: 'custom', path: [key], message: `protocol ${rule.protocol} takes no ${key} (it covers every port); remove it or use tcp/udp`})
    }
  })

export const subnetSchema = z
  .object({
    name: resourceName,
    tier: z.enum(TIERS),
    az: z.string().regex(AZ, {error: (issue) => `${quote(issue.input)} is not an availability zone name (expected a region plus a letter, like us-east-1a)`}),
    cidr: cidr(16, 28, 'a subnet CIDR block'),
    /** Default: true for the public tier, false otherwise. */
    mapPublicIp: z.boolean().optional(),
  })
  .strict()

export const securityGroupSchema = z
  .object({
    name: resourceName,
    description: description.default(DEFAULT_GROUP_DESCRIPTION),
    ingress: z.array(ruleSchema).default([]),
    /** Omitted: AWS's default egress (all traffic to 0.0.0.0/0). */
    egress: z.array(ruleSchema).optional(),
  })
  .strict()

export const endpointSchema = z
  .object({
    service: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, {
      error: (issue) => `${quote(issue.input)} is not an AWS service short name (expected like s3, dynamodb, ecr.api)`,
    }),
    type: z.enum(['gateway', 'interface']),
    tiers: z.array(z.enum(TIERS)).min(1),
    securityGroups: z.array(resourceName).optional(),
    /** Interface endpoints only; default true. */
    privateDns: z.boolean().optional(),
    /** The endpoint policy (a JSON policy document written as YAML). Absent: AWS's default, full access. */
    policy: z.record(z.string(), z.json()).optional(),
  })
  .strict()
  .superRefine((endpoint, ctx) => {
    // Gateway endpoints are route-table targets: no ENI, so no security group and no private DNS.
    // https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
    if (endpoint.type !== 'gateway') return
    for (const key of ['securityGroups', 'privateDns'] as const) {
      if (endpoint[key] !== undefined) ctx.addIssue({code: 'custom', path: [key], message: `${key} applies to interface endpoints only; a gateway endpoint is a route, remove it`})
    }
  })

export const specSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
      error: (issue) =>
        `${quote(issue.input)} is not a valid stack name (expected lowercase letters, digits and "-", starting with a letter or digit, at most 40 characters: it names the SSM path /containrlab/<name>/ and tags)`,
    }),
    region: z
      .string()
      .regex(REGION, {error: (issue) => `${quote(issue.input)} is not an AWS region name (expected like us-east-1)`})
      .optional(),
    network: z
      .object({
        vpc: z
          .object({
            cidr: cidr(16, 28, 'a VPC CIDR block'),
            dnsSupport: z.boolean().default(true),
            dnsHostnames: z.boolean().default(true),
          })
          .strict(),
        subnets: z.array(subnetSchema).min(1),
        /** Default: single when there are private subnets, else none. */
        nat: z.enum(NAT_MODES).optional(),
        securityGroups: z.array(securityGroupSchema).default([]),
        endpoints: z.array(endpointSchema).default([]),
      })
      .strict(),
  })
  .strict()

/** The spec as zod returns it: shape checked, plain defaults filled, context-dependent ones not yet. */
export type ParsedSpec = z.output<typeof specSchema>

export type Rule = z.output<typeof ruleSchema>

export interface Subnet {
  name: string
  tier: Tier
  az: string
  cidr: string
  mapPublicIp: boolean
}

export interface SecurityGroup {
  name: string
  description: string
  ingress: Rule[]
  /** Undefined: AWS's default egress. */
  egress?: Rule[]
}

export interface Endpoint {
  service: string
  type: 'gateway' | 'interface'
  tiers: Tier[]
  /** Empty for gateway endpoints. */
  securityGroups: string[]
  /** Always false for gateway endpoints. */
  privateDns: boolean
  /** Absent: AWS's default policy (full access). */
  policy?: Record<string, unknown>
}

/** A validated spec with every default filled: what the graph compiler reads. */
export interface Spec {
  name: string
  region?: string
  network: {
    vpc: {cidr: string; dnsSupport: boolean; dnsHostnames: boolean}
    subnets: Subnet[]
    nat: NatMode
    securityGroups: SecurityGroup[]
    endpoints: Endpoint[]
  }
}

/** The NAT mode in effect: the spec's, or single when there are private subnets, else none. */
export function effectiveNat(spec: Pick<ParsedSpec, 'network'>): NatMode {
  return spec.network.nat ?? (spec.network.subnets.some((subnet) => subnet.tier === 'private') ? 'single' : 'none')
}

/** Fills the defaults that depend on other fields. */
export function normaliseSpec(parsed: ParsedSpec): Spec {
  const {network} = parsed
  return {
    name: parsed.name,
    ...(parsed.region === undefined ? {} : {region: parsed.region}),
    network: {
      vpc: network.vpc,
      subnets: network.subnets.map((subnet) => ({...subnet, mapPublicIp: subnet.mapPublicIp ?? subnet.tier === 'public'})),
      nat: effectiveNat(parsed),
      securityGroups: network.securityGroups,
      endpoints: network.endpoints.map((endpoint) => ({
        service: endpoint.service,
        type: endpoint.type,
        tiers: endpoint.tiers,
        securityGroups: endpoint.type === 'interface' ? (endpoint.securityGroups ?? []) : [],
        privateDns: endpoint.type === 'interface' ? (endpoint.privateDns ?? true) : false,
        ...(endpoint.policy === undefined ? {} : {policy: endpoint.policy}),
      })),
    },
  }
}
