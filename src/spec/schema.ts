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

/**
 * A DNS name as Route 53 and ACM take it: lowercase labels of letters,
 * digits and hyphens, 1–63 characters each, at most 253 in all, no
 * trailing dot. A host may start with `*.` (a wildcard).
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
 */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/
const domainName = z.string().regex(DNS_NAME, {error: (issue) => `${quote(issue.input)} is not a domain name (expected lowercase labels like example.com, no trailing dot)`})
const hostName = z.string().regex(/^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: (issue) => `${quote(issue.input)} is not a host name (expected like api.example.com or *.example.com, lowercase)`,
})

export const domainSchema = z
  .object({
    /** The public hosted zone the stack's records go in. */
    name: domainName,
    /** Create the hosted zone when it does not exist (and delete it at teardown). Default: it must exist. */
    createZone: z.boolean().default(false),
  })
  .strict()

/** AWS's defaults for an ALB target group's health check. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html */
export const healthCheckSchema = z
  .object({
    path: z
      .string()
      .regex(/^\/[\x21-\x7e]{0,1023}$/, {error: (issue) => `${quote(issue.input)} is not a health check path (expected a path starting with /, like /healthz)`})
      .default('/'),
    interval: z.number().int().min(5).max(300).default(30),
    timeout: z.number().int().min(2).max(120).default(5),
    healthyThreshold: z.number().int().min(2).max(10).default(5),
    unhealthyThreshold: z.number().int().min(2).max(10).default(2),
    matcher: z
      .string()
      .regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, {error: (issue) => `${quote(issue.input)} is not an HTTP code matcher (expected like 200, 200-399 or 200,302)`})
      .default('200'),
  })
  .strict()
  .superRefine((check, ctx) => {
    if (check.timeout >= check.interval) ctx.addIssue({code: 'custom', path: ['timeout'], message: `timeout (${check.timeout}s) must be shorter than interval (${check.interval}s)`})
  })

export const targetGroupSchema = z
  .object({
    name: resourceName,
    port,
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    /** `ip` for Fargate (awsvpc) tasks; `instance` for ECS on EC2 with bridge or host networking. */
    targetType: z.enum(['ip', 'instance']).default('ip'),
    healthCheck: healthCheckSchema.prefault({}),
    /** Seconds a target being deregistered keeps its connections (AWS default 300). */
    deregistrationDelay: z.number().int().min(0).max(3600).default(300),
  })
  .strict()

const pathPattern = z.string().regex(/^\/[\x21-\x7e]{0,127}$/, {error: (issue) => `${quote(issue.input)} is not a path pattern (expected like /api/* , at most 128 characters)`})

/** ALB conditions hold at most five values in all per rule. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html */
export const MAX_CONDITION_VALUES = 5

export const lbRuleSchema = z
  .object({
    hosts: z.array(hostName).optional(),
    paths: z.array(pathPattern).optional(),
    targetGroup: resourceName,
  })
  .strict()
  .superRefine((rule, ctx) => {
    const values = (rule.hosts?.length ?? 0) + (rule.paths?.length ?? 0)
    if (values === 0) ctx.addIssue({code: 'custom', message: 'a rule needs hosts, paths or both (what requests it matches)'})
    if (values > MAX_CONDITION_VALUES) ctx.addIssue({code: 'custom', message: `a rule matches at most ${MAX_CONDITION_VALUES} hosts and paths in all (an ALB limit), got ${values}; split it into two rules`})
  })

const certificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, {
  error: (issue) => `${quote(issue.input)} is not a certificate: expected acm (requested for the domain), self-signed, or an ACM certificate ARN`,
})

export const loadBalancerSchema = z
  .object({
    scheme: z.enum(['internet-facing', 'internal']).default('internet-facing'),
    /** The tier whose subnets (one per AZ) hold it. Default: public when internet-facing, else private. */
    tier: z.enum(TIERS).optional(),
    securityGroups: z.array(resourceName).min(1),
    /** Seconds a connection may idle (AWS default 60). */
    idleTimeout: z.number().int().min(1).max(4000).default(60),
    deletionProtection: z.boolean().default(false),
    http2: z.boolean().default(true),
    /** HTTPS on 443 with this certificate, and HTTP on 80 redirecting to it. Absent: HTTP on 80 only. */
    tls: z
      .object({
        certificate: z.union([z.literal('acm'), z.literal('self-signed'), certificateArn]),
        policy: z
          .string()
          .regex(/^ELBSecurityPolicy-[A-Za-z0-9-]+$/, {error: (issue) => `${quote(issue.input)} is not an ELB security policy name (like ELBSecurityPolicy-TLS13-1-2-2021-06)`})
          .default('ELBSecurityPolicy-TLS13-1-2-2021-06'),
      })
      .strict()
      .optional(),
    /** What a request no rule matches gets: a fixed status, or a target group. */
    default: z.union([z.object({status: z.number().int().min(200).max(599)}).strict(), z.object({targetGroup: resourceName}).strict()]).default({status: 404}),
    targetGroups: z.array(targetGroupSchema).min(1),
    /** In order: the first matching rule wins. */
    rules: z.array(lbRuleSchema).default([]),
  })
  .strict()

// ---------------------------------------------------------------- containers (ECR, logs, ECS)

/** Retention periods CloudWatch Logs accepts. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const

export const repositorySchema = z
  .object({
    /** The repository is `<stack>-<name>` (seed 001: containrlab-api). */
    name: resourceName,
    scanOnPush: z.boolean().default(true),
    tagMutability: z.enum(['MUTABLE', 'IMMUTABLE']).default('MUTABLE'),
    /** A lifecycle policy expires all but the newest N images; 0: keep every image. */
    keepLastImages: z.number().int().min(0).max(1000).default(10),
  })
  .strict()

export const logsSchema = z
  .object({
    retentionDays: z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      error: (issue) => `${quote(issue.input)} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')} days)`,
    }),
  })
  .strict()

export const ARCHITECTURES = ['arm64', 'x86_64'] as const

/** Where a service's image comes from (ServiceSpec.imageSource). */
export const IMAGE_SOURCES = ['spec', 'deploy'] as const

export const clusterSchema = z
  .object({
    /** The cluster is `<stack>-<name>` (seed 001: containrlab-cluster, containrlab-runner-ec2). */
    name: resourceName,
    containerInsights: z.boolean().default(false),
    /** EC2 capacity; absent: a Fargate cluster. */
    instances: z
      .object({
        type: z.string().regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/, {error: (issue) => `${quote(issue.input)} is not an EC2 instance type (expected like t3.medium)`}),
        architecture: z.enum(ARCHITECTURES).default('x86_64'),
        /** A fixed number of instances (seed 001: one t3.medium)… */
        count: z.number().int().min(1).max(20).optional(),
        /** …or an Auto Scaling group behind an ECS capacity provider (seed 002: 2–10). */
        autoScaling: z
          .object({min: z.number().int().min(0).max(100), max: z.number().int().min(1).max(100)})
          .strict()
          .optional(),
        tier: z.enum(TIERS).default('private'),
        securityGroups: z.array(resourceName).min(1),
      })
      .strict()
      .optional(),
  })
  .strict()

/** An image of this stack's repositories (`api:latest`, `api@sha256:…`) or a full URI (`public.ecr.aws/nginx/nginx:1.27`). */
const image = z.string().regex(/^[a-z0-9][a-z0-9._/-]*(\.[a-z0-9-]+)*(:\d+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[0-9a-f]{64})?$/, {
  error: (issue) => `${quote(issue.input)} is not an image (expected repository:tag, like api:latest, or a full image URI)`,
})

export const serviceSchema = z
  .object({
    name: resourceName,
    cluster: resourceName,
    image,
    /**
     * Who says which image runs. `spec` (default): \`image\`, to which every
     * \`up\` converges. \`deploy\`: \`image\` is only the first one (for a task
     * definition not registered yet); after that \`containrlab deploy\` rolls
     * the image, and \`up\` keeps the one of the active revision.
     */
    imageSource: z.enum(IMAGE_SOURCES).default('spec'),
    /** CPU units (1024 = 1 vCPU) and MiB of the task; on Fargate one of its task sizes. */
    cpu: z.number().int().min(128).max(16384),
    memory: z.number().int().min(128).max(122880),
    architecture: z.enum(ARCHITECTURES).default('x86_64'),
    desiredCount: z.number().int().min(0).max(1000).default(1),
    /** The container's port; with targetGroup, the load balancer sends it traffic. */
    port: z.number().int().min(1).max(65535).optional(),
    targetGroup: resourceName.optional(),
    /** Fargate tasks' security groups (awsvpc); EC2 tasks use their instances'. */
    securityGroups: z.array(resourceName).default([]),
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    /** Variable → SSM parameter name (`/containrlab/NEXTAUTH_SECRET`): read by the task at start (valueFrom), never by containrlab. */
    secrets: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, {error: (issue) => `${quote(issue.input)} is not an SSM parameter name (expected like /containrlab/NEXTAUTH_SECRET)`}),
      )
      .default({}),
    /** EC2 only (seed 001's runner: Docker-in-Docker). */
    privileged: z.boolean().default(false),
    /** EC2 only: bind-mount the instance's /var/run/docker.sock. */
    dockerSocket: z.boolean().default(false),
    /** The container's own health check (CMD-SHELL), checked by ECS. */
    healthCheck: z
      .object({command: z.string().min(1), interval: z.number().int().min(5).max(300).default(30), retries: z.number().int().min(1).max(10).default(3), startPeriod: z.number().int().min(0).max(300).default(0)})
      .strict()
      .optional(),
    deployment: z
      .object({
        minHealthyPercent: z.number().int().min(0).max(100).default(100),
        maxPercent: z.number().int().min(100).max(200).default(200),
        /** Seconds the tasks may fail the target group's health check after they start. */
        healthCheckGracePeriod: z.number().int().min(0).max(2147483647).default(60),
      })
      .strict()
      .prefault({}),
  })
  .strict()

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
    domain: domainSchema.optional(),
    loadBalancer: loadBalancerSchema.optional(),
    repositories: z.array(repositorySchema).default([]),
    logs: logsSchema.prefault({retentionDays: 30}),
    clusters: z.array(clusterSchema).default([]),
    services: z.array(serviceSchema).default([]),
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

export type TargetGroupSpec = z.output<typeof targetGroupSchema>
export type LbRule = z.output<typeof lbRuleSchema>

export interface LoadBalancerSpec extends Omit<z.output<typeof loadBalancerSchema>, 'tier' | 'rules'> {
  tier: Tier
  rules: {hosts: string[]; paths: string[]; targetGroup: string}[]
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
  domain?: {name: string; createZone: boolean}
  loadBalancer?: LoadBalancerSpec
  repositories: RepositorySpec[]
  logs: {retentionDays: number}
  clusters: ClusterSpec[]
  services: ServiceSpec[]
}

export type RepositorySpec = z.output<typeof repositorySchema>
export type ClusterSpec = z.output<typeof clusterSchema>
export type ServiceSpec = z.output<typeof serviceSchema>

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
    ...(parsed.domain === undefined ? {} : {domain: parsed.domain}),
    ...(parsed.loadBalancer === undefined ? {} : {loadBalancer: normaliseLoadBalancer(parsed.loadBalancer)}),
    repositories: parsed.repositories,
    logs: parsed.logs,
    clusters: parsed.clusters,
    services: parsed.services,
  }
}

function normaliseLoadBalancer(lb: z.output<typeof loadBalancerSchema>): LoadBalancerSpec {
  return {
    ...lb,
    tier: lb.tier ?? (lb.scheme === 'internet-facing' ? 'public' : 'private'),
    rules: lb.rules.map((rule) => ({hosts: rule.hosts ?? [], paths: rule.paths ?? [], targetGroup: rule.targetGroup})),
  }
}
