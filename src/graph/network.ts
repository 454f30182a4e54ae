import type {RouteDesired} from '../resources/ec2/desired.js'
import type {Spec, Subnet, Tier} from '../spec/schema.js'
import {type Desired, type GraphBuilder, ids} from './builder.js'
import {ref} from './types.js'

/** The VPC and what routes it: subnets, internet gateway, NAT gateways with their addresses, route tables per tier. */

export const ANYWHERE = '0.0.0.0/0'

/** What the later parts of the graph need from the network. */
export interface Network {
  /** Route tables serving each tier, for gateway endpoints. */
  tierTables: Record<Tier, string[]>
}

export function addNetwork(graph: GraphBuilder, spec: Spec): Network {
  const {network} = spec
  const {subnets} = network
  const vpcId = ref(ids.vpc)

  graph.add(ids.vpc, 'ec2.vpc', {cidr: network.vpc.cidr, enableDnsSupport: network.vpc.dnsSupport, enableDnsHostnames: network.vpc.dnsHostnames})
  for (const subnet of subnets) {
    graph.add(ids.subnet(subnet.name), 'ec2.subnet', {vpcId, cidr: subnet.cidr, availabilityZone: subnet.az, mapPublicIpOnLaunch: subnet.mapPublicIp})
  }

  const ofTier = (tier: Tier) => subnets.filter((subnet) => subnet.tier === tier)
  const publicSubnets = ofTier('public')
  const privateZones = zones(ofTier('private'))
  if (publicSubnets.length) graph.add(ids.internetGateway, 'ec2.internet-gateway', {vpcId})

  // AZ of each NAT gateway, and which NAT serves each private AZ.
  const natZones = network.nat === 'per-az' ? privateZones : network.nat === 'single' ? zones(publicSubnets).slice(0, 1) : []
  const natFor = (az: string) => (network.nat === 'per-az' ? ids.natGateway(az) : ids.natGateway(natZones[0]!))
  for (const az of natZones) {
    const holder = publicSubnets.find((subnet) => subnet.az === az)!
    graph.add(ids.natEip(az), 'ec2.elastic-ip', {domain: 'vpc'})
    // A public NAT gateway created before the VPC has an attached internet gateway fails
    // (FailureCode Gateway.NotAttached). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html
    graph.add(ids.natGateway(az), 'ec2.nat-gateway', {subnetId: ref(ids.subnet(holder.name)), allocationId: ref(ids.natEip(az))}, [ids.internetGateway])
  }

  const routeTable = (id: string, routes: Desired<RouteDesired>[], members: Subnet[]) => graph.add(id, 'ec2.route-table', {vpcId, routes, subnetIds: subnetRefs(members)})
  const tierTables: Record<Tier, string[]> = {public: [], private: [], data: []}
  if (publicSubnets.length) {
    routeTable(ids.publicRouteTable, [{destinationCidr: ANYWHERE, gatewayId: ref(ids.internetGateway)}], publicSubnets)
    tierTables.public.push(ids.publicRouteTable)
  }
  for (const az of privateZones) {
    const routes = network.nat === 'none' ? [] : [{destinationCidr: ANYWHERE, natGatewayId: ref(natFor(az))}]
    routeTable(
      ids.privateRouteTable(az),
      routes,
      ofTier('private').filter((subnet) => subnet.az === az),
    )
    tierTables.private.push(ids.privateRouteTable(az))
  }
  const dataSubnets = ofTier('data')
  if (dataSubnets.length) {
    // The data tier has no route out of the VPC: databases are reached from inside only.
    routeTable(ids.dataRouteTable, [], dataSubnets)
    tierTables.data.push(ids.dataRouteTable)
  }
  return {tierTables}
}

/** Refs to the ids of these subnets. */
export function subnetRefs(list: Subnet[]) {
  return list.map((subnet) => ref(ids.subnet(subnet.name)))
}

/** Distinct AZs in order of first appearance. */
function zones(list: Subnet[]): string[] {
  return [...new Set(list.map((subnet) => subnet.az))]
}
