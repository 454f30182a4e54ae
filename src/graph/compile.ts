import type {
  ElasticIpDesired,
  InternetGatewayDesired,
  NatGatewayDesired,
  RouteDesired,
  RouteTableDesired,
  SecurityGroupDesired,
  SecurityGroupRuleDesired,
  SecurityGroupRulesDesired,
  SubnetDesired,
  VpcDesired,
  VpcEndpointDesired,
} from '../resources/ec2/desired.js'
import {regionOfZone} from '../spec/checks.js'
import {parsePortRange, type Rule, type Spec, type Subnet, type Tier} from '../spec/schema.js'
import {type Ref, ref, type ResourceNode} from './types.js'

/**
 * Spec → resource graph. Pure: the same spec and region give the same nodes
 * in the same order (spec order), with `Ref`s wherever a desired property
 * holds another resource's AWS id.
 */

/** A kind's desired props as the graph holds them: any id may still be a Ref. */
export type Desired<T> = T extends string ? T | Ref : T extends (infer U)[] ? Desired<U>[] : T extends object ? {[K in keyof T]: Desired<T[K]>} : T

const ANYWHERE = '0.0.0.0/0'

/** Logical ids, one place so tests and other layers spell them the same way. */
export const ids = {
  vpc: 'vpc',
  subnet: (name: string) => `subnet/${name}`,
  internetGateway: 'internet-gateway',
  natEip: (az: string) => `elastic-ip/nat-${az}`,
  natGateway: (az: string) => `nat-gateway/${az}`,
  publicRouteTable: 'route-table/public',
  privateRouteTable: (az: string) => `route-table/private-${az}`,
  dataRouteTable: 'route-table/data',
  securityGroup: (name: string) => `security-group/${name}`,
  securityGroupRules: (name: string) => `security-group-rules/${name}`,
  vpcEndpoint: (service: string) => `vpc-endpoint/${service}`,
}

export function compileSpec(spec: Spec, region: string): ResourceNode[] {
  const {network} = spec
  const {subnets} = network
  // The spec may omit `region`; the run's region must still match the AZs, or every CreateSubnet fails.
  for (const subnet of subnets) {
    if (regionOfZone(subnet.az) !== region) throw new Error(`subnet ${subnet.name}: availability zone ${subnet.az} is not in region ${region} (the region of this run); set region: in the spec or pass --region`)
  }

  const nodes: ResourceNode[] = []
  const add = <T>(id: string, kind: string, desired: Desired<T>, dependsOn?: string[]) => {
    nodes.push({id, kind, desired: desired as Record<string, unknown>, ...(dependsOn ? {dependsOn} : {})})
  }
  const vpcId = ref(ids.vpc)

  add<VpcDesired>(ids.vpc, 'ec2.vpc', {cidr: network.vpc.cidr, enableDnsSupport: network.vpc.dnsSupport, enableDnsHostnames: network.vpc.dnsHostnames})
  for (const subnet of subnets) {
    add<SubnetDesired>(ids.subnet(subnet.name), 'ec2.subnet', {vpcId, cidr: subnet.cidr, availabilityZone: subnet.az, mapPublicIpOnLaunch: subnet.mapPublicIp})
  }

  const ofTier = (tier: Tier) => subnets.filter((subnet) => subnet.tier === tier)
  const publicSubnets = ofTier('public')
  const privateZones = zones(ofTier('private'))
  if (publicSubnets.length) add<InternetGatewayDesired>(ids.internetGateway, 'ec2.internet-gateway', {vpcId})

  // AZ of each NAT gateway, and which NAT serves each private AZ.
  const natZones = network.nat === 'per-az' ? privateZones : network.nat === 'single' ? zones(publicSubnets).slice(0, 1) : []
  const natFor = (az: string) => (network.nat === 'per-az' ? ids.natGateway(az) : ids.natGateway(natZones[0]!))
  for (const az of natZones) {
    const holder = publicSubnets.find((subnet) => subnet.az === az)!
    add<ElasticIpDesired>(ids.natEip(az), 'ec2.elastic-ip', {domain: 'vpc'})
    // A public NAT gateway created before the VPC has an attached internet gateway fails
    // (FailureCode Gateway.NotAttached). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html
    add<NatGatewayDesired>(ids.natGateway(az), 'ec2.nat-gateway', {subnetId: ref(ids.subnet(holder.name)), allocationId: ref(ids.natEip(az))}, [ids.internetGateway])
  }

  const subnetRefs = (list: Subnet[]) => list.map((subnet) => ref(ids.subnet(subnet.name)))
  const routeTable = (id: string, routes: Desired<RouteDesired>[], members: Subnet[]) =>
    add<RouteTableDesired>(id, 'ec2.route-table', {vpcId, routes, subnetIds: subnetRefs(members)})
  /** Route tables serving each tier, for gateway endpoints. */
  const tierTables: Record<Tier, string[]> = {public: [], private: [], data: []}

  if (publicSubnets.length) {
    routeTable(ids.publicRouteTable, [{destinationCidr: ANYWHERE, gatewayId: ref(ids.internetGateway)}], publicSubnets)
    tierTables.public.push(ids.publicRouteTable)
  }
  for (const az of privateZones) {
    const routes = network.nat === 'none' ? [] : [{destinationCidr: ANYWHERE, natGatewayId: ref(natFor(az))}]
    routeTable(ids.privateRouteTable(az), routes, ofTier('private').filter((subnet) => subnet.az === az))
    tierTables.private.push(ids.privateRouteTable(az))
  }
  const dataSubnets = ofTier('data')
  if (dataSubnets.length) {
    // The data tier has no route out of the VPC: databases are reached from inside only.
    routeTable(ids.dataRouteTable, [], dataSubnets)
    tierTables.data.push(ids.dataRouteTable)
  }

  for (const group of network.securityGroups) {
    add<SecurityGroupDesired>(ids.securityGroup(group.name), 'ec2.security-group', {vpcId, namePrefix: `${spec.name}-${group.name}`, description: group.description})
  }
  for (const group of network.securityGroups) {
    add<SecurityGroupRulesDesired>(ids.securityGroupRules(group.name), 'ec2.security-group-rules', {
      groupId: ref(ids.securityGroup(group.name)),
      ingress: group.ingress.map(normaliseRule),
      egress: group.egress ? group.egress.map(normaliseRule) : [DEFAULT_EGRESS],
    })
  }

  for (const endpoint of network.endpoints) {
    const gateway = endpoint.type === 'gateway'
    const members = subnets.filter((subnet) => endpoint.tiers.includes(subnet.tier))
    add<VpcEndpointDesired>(ids.vpcEndpoint(endpoint.service), 'ec2.vpc-endpoint', {
      vpcId,
      serviceName: `com.amazonaws.${region}.${endpoint.service}`,
      type: gateway ? 'Gateway' : 'Interface',
      routeTableIds: gateway ? endpoint.tiers.flatMap((tier) => tierTables[tier]).map((id) => ref(id)) : [],
      subnetIds: gateway ? [] : subnetRefs(members),
      securityGroupIds: gateway ? [] : endpoint.securityGroups.map((name) => ref(ids.securityGroup(name))),
      privateDnsEnabled: gateway ? false : endpoint.privateDns,
      ...(endpoint.policy === undefined ? {} : {policyDocument: JSON.stringify(endpoint.policy)}),
    })
  }
  return nodes
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

/** Distinct AZs in order of first appearance. */
function zones(list: Subnet[]): string[] {
  return [...new Set(list.map((subnet) => subnet.az))]
}
