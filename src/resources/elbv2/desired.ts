/**
 * Desired properties of the ELBv2 kinds, as reconcilers receive them (refs
 * resolved to ARNs and ids). The graph layer (src/graph/front-door.ts)
 * builds these from the spec's `loadBalancer` section.
 */

/** `elbv2.load-balancer`: one Application Load Balancer. Outputs: id (= arn), arn, name, dnsName, canonicalHostedZoneId. */
export interface LoadBalancerDesired {
  /** Unique per region and account, ≤ 32 characters of letters, digits and hyphens; immutable. */
  name: string
  scheme: 'internet-facing' | 'internal'
  /** One per AZ (at least two AZs). Changed in place (SetSubnets). */
  subnetIds: string[]
  /** Changed in place (SetSecurityGroups). */
  securityGroupIds: string[]
  /** Attribute `idle_timeout.timeout_seconds` (AWS default 60). */
  idleTimeoutSeconds: number
  /** Attribute `deletion_protection.enabled`. Teardown turns it off first, and says so. */
  deletionProtection: boolean
  /** Attribute `routing.http2.enabled` (AWS default true). */
  http2: boolean
}

export interface HealthCheckDesired {
  /** Path of the HTTP GET, e.g. `/healthz`. */
  path: string
  intervalSeconds: number
  timeoutSeconds: number
  healthyThreshold: number
  unhealthyThreshold: number
  /** HTTP codes that count as healthy: `200`, `200-399`. */
  matcher: string
}

/** `elbv2.target-group`. Outputs: id (= arn), arn, name. */
export interface TargetGroupDesired {
  /**
   * The name is `<namePrefix>-<suffix>` (≤ 32 characters), the suffix taken
   * from the create token, so that a replacement can exist beside the old
   * group (create-before-delete). Diff compares the prefix only.
   */
  namePrefix: string
  vpcId: string
  /** Immutable (replacement). */
  port: number
  /** Immutable (replacement). */
  protocol: 'HTTP' | 'HTTPS'
  /** `ip` for awsvpc tasks (Fargate), `instance` for EC2 bridge/host networking. Immutable (replacement). */
  targetType: 'ip' | 'instance'
  /** Changed in place (ModifyTargetGroup). */
  healthCheck: HealthCheckDesired
  /** Attribute `deregistration_delay.timeout_seconds` (AWS default 300). */
  deregistrationDelaySeconds: number
}

/** What a listener does with a request no rule matched. */
export type ListenerAction =
  /** 301 to HTTPS on port 443, same host, path and query. */
  {type: 'redirect-https'} | {type: 'forward'; targetGroupArn: string} | {type: 'fixed-response'; statusCode: number; contentType: 'text/plain'; body: string}

/** `elbv2.listener`: one port of one load balancer. Outputs: id (= arn), arn, port. */
export interface ListenerDesired {
  loadBalancerArn: string
  /** Immutable per listener (a listener is found by load balancer and port). */
  port: number
  protocol: 'HTTP' | 'HTTPS'
  /** HTTPS only. */
  certificateArn?: string
  /** HTTPS only, e.g. `ELBSecurityPolicy-TLS13-1-2-2021-06`. */
  sslPolicy?: string
  defaultAction: ListenerAction
}

/** One routing rule: requests whose host (and path, when given) match go to the target group. */
export interface ListenerRuleDesired {
  /** Spec order decides it: the first rule has the lowest number (highest precedence). 1–50000. */
  priority: number
  /** host-header condition values (empty: no host condition). */
  hosts: string[]
  /** path-pattern condition values (empty: no path condition). */
  paths: string[]
  targetGroupArn: string
}

/**
 * `elbv2.listener-rules`: every rule of one listener, converged as a set (like
 * a security group's rules): missing rules created, extra ones deleted,
 * changed ones modified, and priorities changed together in one
 * SetRulePriorities call, so that no two rules ever hold one priority (AWS
 * refuses that). The default rule is the listener's. Observed id: the listener ARN.
 */
export interface ListenerRulesDesired {
  listenerArn: string
  rules: ListenerRuleDesired[]
}
