import {regionOfZone} from '../spec/checks.js'
import type {Spec} from '../spec/schema.js'
import {GraphBuilder} from './builder.js'
import {addContainers} from './containers.js'
import {addEndpoints} from './endpoints.js'
import {addFrontDoor} from './front-door.js'
import {addNetwork} from './network.js'
import {addSecurityGroups} from './security-groups.js'
import type {ResourceNode} from './types.js'

export {type Desired, ids} from './builder.js'
export {DEFAULT_EGRESS, normaliseRule} from './security-groups.js'

/**
 * Spec → resource graph, one module per domain (network, security groups,
 * endpoints, the front door, the containers; RDS as it comes). Pure: the same spec and region
 * give the same nodes in the same order (spec order), with `Ref`s wherever a
 * desired property holds another resource's AWS id.
 */
export function compileSpec(spec: Spec, region: string): ResourceNode[] {
  // Session checks the AZs against the run's region with located errors; this guards other callers.
  for (const subnet of spec.network.subnets) {
    if (regionOfZone(subnet.az) !== region) throw new Error(`subnet ${subnet.name}: availability zone ${subnet.az} is not in region ${region} (the region of this run); set region: in the spec or pass --region`)
  }
  const graph = new GraphBuilder()
  const network = addNetwork(graph, spec)
  addSecurityGroups(graph, spec)
  addEndpoints(graph, spec, region, network)
  addFrontDoor(graph, spec)
  addContainers(graph, spec, region)
  return graph.nodes
}
