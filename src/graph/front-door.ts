import {createHash} from 'node:crypto'
import type {ListenerAction} from '../resources/elbv2/desired.js'
import type {Spec, Subnet} from '../spec/schema.js'
import {type Desired, type GraphBuilder, ids} from './builder.js'
import {ref, type Ref} from './types.js'

/**
 * The front door: the hosted zone, certificate, load balancer, target
 * groups, listeners, routing rules and DNS records of the spec's
 * `loadBalancer` and `domain`.
 */

/** ALB and target group names: ≤ 32 characters of letters, digits and hyphens. https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html */
export const ELB_NAME_MAX = 32

/** `base` cut to fit `max` with `-<suffix>`; when it had to be cut, a short hash of the whole keeps it unique. */
export function boundedName(base: string, suffix: string, max = ELB_NAME_MAX): string {
  const whole = `${base}-${suffix}`
  if (whole.length <= max) return whole
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 4)
  return `${base.slice(0, max - suffix.length - hash.length - 2).replace(/-+$/, '')}-${hash}-${suffix}`
}

/** The hosts of the rules that have a record in the domain (the domain itself, or a name under it). */
export function recordHosts(spec: Spec): string[] {
  const domain = spec.domain?.name
  if (!domain || !spec.loadBalancer) return []
  const hosts = spec.loadBalancer.rules.flatMap((rule) => rule.hosts).filter((host) => !host.startsWith('*.') && (host === domain || host.endsWith(`.${domain}`)))
  return [...new Set(hosts)]
}

export function addFrontDoor(graph: GraphBuilder, spec: Spec): void {
  const lb = spec.loadBalancer
  if (!lb) return
  const domain = spec.domain

  if (domain) graph.add(ids.hostedZone, 'route53.hosted-zone', {name: domain.name, create: domain.createZone})

  for (const group of lb.targetGroups) {
    const {healthCheck} = group
    graph.add(ids.targetGroup(group.name), 'elbv2.target-group', {
      namePrefix: `${spec.name}-${group.name}`,
      vpcId: ref(ids.vpc),
      port: group.port,
      protocol: group.protocol,
      targetType: group.targetType,
      healthCheck: {
        path: healthCheck.path,
        intervalSeconds: healthCheck.interval,
        timeoutSeconds: healthCheck.timeout,
        healthyThreshold: healthCheck.healthyThreshold,
        unhealthyThreshold: healthCheck.unhealthyThreshold,
        matcher: healthCheck.matcher,
      },
      deregistrationDelaySeconds: group.deregistrationDelay,
    })
  }

  // One subnet of the tier per AZ (a load balancer takes at most one per AZ).
  const perZone = new Map<string, Subnet>()
  for (const subnet of spec.network.subnets) if (subnet.tier === lb.tier && !perZone.has(subnet.az)) perZone.set(subnet.az, subnet)
  const internetFacing = lb.scheme === 'internet-facing'
  graph.add(
    ids.loadBalancer,
    'elbv2.load-balancer',
    {
      name: boundedName(spec.name, 'alb'),
      scheme: lb.scheme,
      subnetIds: [...perZone.values()].map((subnet) => ref(ids.subnet(subnet.name))),
      securityGroupIds: lb.securityGroups.map((name) => ref(ids.securityGroup(name))),
      idleTimeoutSeconds: lb.idleTimeout,
      deletionProtection: lb.deletionProtection,
      http2: lb.http2,
    },
    // An internet-facing load balancer needs its VPC's internet gateway attached. (ALB API: InvalidSubnet otherwise.)
    internetFacing && spec.network.subnets.some((subnet) => subnet.tier === 'public') ? [ids.internetGateway] : undefined,
  )

  const lbArn = ref(ids.loadBalancer, 'arn')
  const fallback: Desired<ListenerAction> =
    'status' in lb.default ? {type: 'fixed-response', statusCode: lb.default.status, contentType: 'text/plain', body: ''} : {type: 'forward', targetGroupArn: ref(ids.targetGroup(lb.default.targetGroup), 'arn')}
  const certificateArn = lb.tls ? addCertificate(graph, spec) : undefined

  graph.add(ids.listener(80), 'elbv2.listener', {loadBalancerArn: lbArn, port: 80, protocol: 'HTTP', defaultAction: lb.tls ? {type: 'redirect-https'} : fallback})
  if (lb.tls) {
    graph.add(ids.listener(443), 'elbv2.listener', {loadBalancerArn: lbArn, port: 443, protocol: 'HTTPS', certificateArn: certificateArn!, sslPolicy: lb.tls.policy, defaultAction: fallback})
  }
  // With TLS, HTTP only redirects: the rules route HTTPS.
  const routed = lb.tls ? 443 : 80
  graph.add(ids.listenerRules(routed), 'elbv2.listener-rules', {
    listenerArn: ref(ids.listener(routed), 'arn'),
    // Spec order decides precedence; gaps of 10 leave room (the kind renumbers in one call anyway).
    rules: lb.rules.map((rule, i) => ({priority: (i + 1) * 10, hosts: rule.hosts, paths: rule.paths, targetGroupArn: ref(ids.targetGroup(rule.targetGroup), 'arn')})),
  })

  if (domain) {
    for (const host of recordHosts(spec)) {
      graph.add(ids.record(host), 'route53.alias-record', {
        zoneId: ref(ids.hostedZone),
        name: host,
        targetDnsName: ref(ids.loadBalancer, 'dnsName'),
        targetHostedZoneId: ref(ids.loadBalancer, 'canonicalHostedZoneId'),
        evaluateTargetHealth: true,
      })
    }
  }
}

/** The certificate the HTTPS listener uses: requested from ACM and validated in the zone, self-signed, or given. */
function addCertificate(graph: GraphBuilder, spec: Spec): string | Ref {
  const tls = spec.loadBalancer!.tls!
  if (tls.certificate === 'self-signed') {
    graph.add(ids.certificate, 'acm.self-signed-certificate', {commonName: `${spec.name}.internal`, validityDays: 365, renewDays: 30})
    return ref(ids.certificate, 'arn')
  }
  if (tls.certificate !== 'acm') return tls.certificate
  const domain = spec.domain!.name
  // The apex and every name one level under it; both validate through one DNS record.
  graph.add(ids.certificate, 'acm.certificate', {domainName: domain, subjectAlternativeNames: [`*.${domain}`]})
  graph.add(ids.validationRecords, 'route53.validation-records', {zoneId: ref(ids.hostedZone), records: ref(ids.certificate, 'validationRecords'), domain})
  graph.add(ids.certificateValidation, 'acm.certificate-validation', {certificateArn: ref(ids.certificate, 'arn'), recordNames: []}, [ids.validationRecords])
  return ref(ids.certificateValidation, 'arn')
}
