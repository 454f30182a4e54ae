import type {SecurityGroupRuleDesired} from '../resources/ec2/desired.js'
import {parsePortRange, type Rule, type Spec} from '../spec/schema.js'
import {type Desired, type GraphBuilder, ids} from './builder.js'
import {ANYWHERE} from './network.js'
import {ref} from './types.js'

/** Security groups, and each group's rules as a node of their own (groups may refer to each other). */
export function addSecurityGroups(graph: GraphBuilder, spec: Spec): void {
  const vpcId = ref(ids.vpc)
  const groups = spec.network.securityGroups
  for (const group of groups) {
    graph.add(ids.securityGroup(group.name), 'ec2.security-group', {vpcId, namePrefix: `${spec.name}-${group.name}`, description: group.description})
  }
  for (const group of groups) {
    graph.add(ids.securityGroupRules(group.name), 'ec2.security-group-rules', {
      groupId: ref(ids.securityGroup(group.name)),
      ingress: group.ingress.map(normaliseRule),
      egress: group.egress ? group.egress.map(normaliseRule) : [DEFAULT_EGRESS],
    })
  }
}

/** What AWS gives a new group when the spec says nothing: all traffic to anywhere. https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html */
export const DEFAULT_EGRESS: SecurityGroupRuleDesired = {protocol: 'all', fromPort: -1, toPort: -1, cidr: ANYWHERE}

/** A spec rule as the reconciler compares it: explicit port range, group names as refs, no undefined keys. */
export function normaliseRule(rule: Rule): Desired<SecurityGroupRuleDesired> {
  // `all` (IpProtocol -1) ignores ports; for icmp -1/-1 means every type and code.
  const [fromPort, toPort] = rule.protocol === 'tcp' || rule.protocol === 'udp' ? (rule.port !== undefined ? [rule.port, rule.port] : parsePortRange(rule.ports!)!) : [-1, -1]
  return {
    protocol: rule.protocol,
    fromPort,
    toPort,
    ...(rule.cidr !== undefined ? {cidr: rule.cidr} : {sourceGroupId: ref(ids.securityGroup(rule.securityGroup!))}),
    ...(rule.description !== undefined ? {description: rule.description} : {}),
  }
}
