import type {Spec} from '../spec/schema.js'
import {type GraphBuilder, ids} from './builder.js'
import {type Network, subnetRefs} from './network.js'
import {ref} from './types.js'

/** VPC endpoints: gateway endpoints are routes in the tiers' route tables, interface endpoints ENIs in their subnets. */
export function addEndpoints(graph: GraphBuilder, spec: Spec, region: string, network: Network): void {
  const {subnets} = spec.network
  for (const endpoint of spec.network.endpoints) {
    const gateway = endpoint.type === 'gateway'
    const members = subnets.filter((subnet) => endpoint.tiers.includes(subnet.tier))
    graph.add(ids.vpcEndpoint(endpoint.service), 'ec2.vpc-endpoint', {
      vpcId: ref(ids.vpc),
      serviceName: `com.amazonaws.${region}.${endpoint.service}`,
      type: gateway ? 'Gateway' : 'Interface',
      routeTableIds: gateway ? endpoint.tiers.flatMap((tier) => network.tierTables[tier]).map((id) => ref(id)) : [],
      subnetIds: gateway ? [] : subnetRefs(members),
      securityGroupIds: gateway ? [] : endpoint.securityGroups.map((name) => ref(ids.securityGroup(name))),
      privateDnsEnabled: gateway ? false : endpoint.privateDns,
      ...(endpoint.policy === undefined ? {} : {policyDocument: JSON.stringify(endpoint.policy)}),
    })
  }
}
