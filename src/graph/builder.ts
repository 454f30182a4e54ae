import type {DesiredOf, Kind} from '../resources/registry.js'
import type {Ref, ResourceNode} from './types.js'

/** A kind's desired props as the graph holds them: any id may still be a Ref. */
export type Desired<T> = T extends string ? T | Ref : T extends (infer U)[] ? Desired<U>[] : T extends object ? {[K in keyof T]: Desired<T[K]>} : T

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
  hostedZone: 'hosted-zone',
  targetGroup: (name: string) => `target-group/${name}`,
  loadBalancer: 'load-balancer',
  listener: (port: number) => `listener/${port}`,
  listenerRules: (port: number) => `listener-rules/${port}`,
  certificate: 'certificate',
  validationRecords: 'certificate/validation-records',
  certificateValidation: 'certificate/validation',
  record: (host: string) => `record/${host}`,
}

/** Collects the graph's nodes in the order they are added; `add` checks each kind's desired type. */
export class GraphBuilder {
  readonly nodes: ResourceNode[] = []

  add<K extends Kind>(id: string, kind: K, desired: Desired<DesiredOf<K>>, dependsOn?: string[]): void {
    this.nodes.push({id, kind, desired: desired as Record<string, unknown>, ...(dependsOn ? {dependsOn} : {})})
  }
}
