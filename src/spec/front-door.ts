import type {z} from 'zod'
import type {GroupView, PathIssue, Read, SubnetView} from './checks.js'
import {domainSchema, lbRuleSchema, loadBalancerSchema, quote, targetGroupSchema, type Tier} from './schema.js'

/**
 * Checks of the front door (`domain`, `loadBalancer`) that need the rest of
 * the spec: declared groups and target groups, subnets in two AZs, a domain
 * for an ACM certificate. Like checks.ts, they read a tolerant view (a field
 * that failed the schema reads as null) and skip what they cannot read.
 */

export interface FrontDoorView {
  domain: Read<string | undefined>
  /** undefined: no load balancer declared. */
  loadBalancer?: {
    scheme: Read<'internet-facing' | 'internal'>
    tier: Read<Tier | undefined>
    securityGroups: Read<string>[]
    certificate: Read<string | undefined>
    defaultTargetGroup: Read<string | undefined>
    /** null: not a list. */
    targetGroups: Read<Read<string>[]>
    /** hosts: null where a host is not a host name (the schema says why). */
    rules: {targetGroup: Read<string>; hosts: Read<string>[]}[]
  }
}

const LB = loadBalancerSchema.shape
const TG = targetGroupSchema.shape
const RULE = lbRuleSchema.shape

function read<S extends z.ZodType>(schema: S, value: unknown): Read<z.output<S>> {
  const result = schema.safeParse(value)
  return result.success ? result.data : null
}

function mapping(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export function readFrontDoor(top: Record<string, unknown>): FrontDoorView {
  const domain = top.domain === undefined ? undefined : (read(domainSchema.shape.name, mapping(top.domain).name) ?? null)
  if (top.loadBalancer === undefined) return {domain}
  const lb = mapping(top.loadBalancer)
  const tls = mapping(lb.tls)
  const fallback = mapping(lb.default)
  const names = (value: unknown, item: (entry: unknown) => Read<string>): Read<Read<string>[]> => (Array.isArray(value) ? value.map(item) : value === undefined ? [] : null)
  return {
    domain,
    loadBalancer: {
      scheme: read(LB.scheme, lb.scheme),
      tier: read(LB.tier, lb.tier),
      securityGroups: (names(lb.securityGroups, (name) => read(TG.name, name)) ?? []).map((name) => name),
      certificate: lb.tls === undefined ? undefined : read(LB.tls.unwrap().shape.certificate, tls.certificate),
      defaultTargetGroup: fallback.targetGroup === undefined ? undefined : read(TG.name, fallback.targetGroup),
      targetGroups: names(lb.targetGroups, (group) => read(TG.name, mapping(group).name)),
      rules: (Array.isArray(lb.rules) ? lb.rules : []).map((rule) => {
        const hosts = mapping(rule).hosts
        return {targetGroup: read(RULE.targetGroup, mapping(rule).targetGroup), hosts: Array.isArray(hosts) ? hosts.map((host) => read(RULE.hosts.unwrap().element, host)) : []}
      }),
    },
  }
}

const LOAD_BALANCER = ['loadBalancer']

/** Every problem of the front door that the schema alone cannot see. */
export function checkFrontDoor(view: FrontDoorView, network: {subnets: Read<SubnetView[]>; securityGroups: Read<GroupView[]>}): PathIssue[] {
  const lb = view.loadBalancer
  if (!lb) return []
  const issues: PathIssue[] = []
  const scheme = lb.scheme ?? 'internet-facing'
  const tier = lb.tier === null ? null : (lb.tier ?? (scheme === 'internet-facing' ? 'public' : 'private'))

  // An internet-facing load balancer needs subnets with a route to the internet gateway.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme
  if (lb.scheme === 'internet-facing' && tier !== null && tier !== 'public') {
    issues.push({path: [...LOAD_BALANCER, 'tier'], message: `an internet-facing load balancer lives in the public tier (its subnets route to the internet gateway), not ${tier}; use tier: public or scheme: internal`})
  }
  if (tier !== null) issues.push(...checkTierZones(network.subnets, tier))

  const groups = network.securityGroups
  if (groups && groups.every((group) => group.name !== null)) {
    const declared = new Set(groups.map((group) => group.name!))
    lb.securityGroups.forEach((name, i) => {
      if (name !== null && !declared.has(name)) issues.push({path: [...LOAD_BALANCER, 'securityGroups', i], message: unknown('security group', name, declared, 'network.securityGroups')})
    })
  }

  if (lb.certificate === 'acm' && view.domain === undefined) {
    issues.push({
      path: [...LOAD_BALANCER, 'tls', 'certificate'],
      message: 'certificate: acm is requested for the stack’s domain and validated in its hosted zone: declare domain: {name: …}, or use self-signed or a certificate ARN',
    })
  }

  if (lb.certificate === 'acm' && typeof view.domain === 'string') issues.push(...checkCertificateCovers(view.domain, lb.rules))

  const targetGroups = lb.targetGroups
  if (targetGroups) {
    const seen = new Map<string, number>()
    targetGroups.forEach((name, i) => {
      if (name === null) return
      const first = seen.get(name)
      if (first !== undefined) issues.push({path: [...LOAD_BALANCER, 'targetGroups', i, 'name'], message: `duplicate target group name ${quote(name)} (first at loadBalancer.targetGroups[${first}])`})
      else seen.set(name, i)
    })
    if (targetGroups.every((name) => name !== null)) {
      const declared = new Set(targetGroups as string[])
      lb.rules.forEach((rule, i) => {
        if (rule.targetGroup !== null && !declared.has(rule.targetGroup))
          issues.push({path: [...LOAD_BALANCER, 'rules', i, 'targetGroup'], message: unknown('target group', rule.targetGroup, declared, 'loadBalancer.targetGroups')})
      })
      if (lb.defaultTargetGroup && !declared.has(lb.defaultTargetGroup)) {
        issues.push({path: [...LOAD_BALANCER, 'default', 'targetGroup'], message: unknown('target group', lb.defaultTargetGroup, declared, 'loadBalancer.targetGroups')})
      }
    }
  }
  return issues
}

/**
 * The certificate `acm` requests covers the domain and the names one level
 * under it (`*.<domain>`: a wildcard matches one label only). A rule for any
 * other host would answer HTTPS with a certificate for another name, which
 * every browser and client refuses, and HTTP redirects there.
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate.html#wildcard-domain-names
 */
function checkCertificateCovers(domain: string, rules: {hosts: Read<string>[]}[]): PathIssue[] {
  const covered = (host: string) => host === domain || host === `*.${domain}` || (host.endsWith(`.${domain}`) && !host.slice(0, -domain.length - 1).includes('.') && !host.startsWith('*'))
  const issues: PathIssue[] = []
  rules.forEach((rule, i) =>
    rule.hosts.forEach((host, j) => {
      if (host === null || covered(host)) return
      issues.push({
        path: [...LOAD_BALANCER, 'rules', i, 'hosts', j],
        message: `${host} is not covered by the certificate requested for ${domain} (it covers ${domain} and *.${domain}, one label deep): HTTPS for it would fail; use a host under the domain, or a certificate ARN that covers it`,
      })
    }),
  )
  return issues
}

/**
 * An Application Load Balancer needs subnets in at least two AZs; it takes
 * one subnet of its tier per AZ.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 */
function checkTierZones(subnets: Read<SubnetView[]>, tier: Tier): PathIssue[] {
  // That there is no second AZ is known only when every subnet's tier and az are.
  if (!subnets || subnets.some((subnet) => subnet.tier === null || subnet.az === null)) return []
  const zones = new Set(subnets.filter((subnet) => subnet.tier === tier).map((subnet) => subnet.az!))
  if (zones.size >= 2) return []
  const where = zones.size === 0 ? `no ${tier} subnets` : `${tier} subnets in one AZ only (${[...zones].join(', ')})`
  return [{path: [...LOAD_BALANCER, 'tier'], message: `${where}: an Application Load Balancer needs subnets in at least two AZs; add a ${tier} subnet in another AZ`}]
}

function unknown(what: string, name: string, declared: Set<string>, where: string): string {
  return `unknown ${what} ${quote(name)}; ${declared.size > 0 ? `declared: ${[...declared].join(', ')}` : `none is declared (${where})`}`
}
