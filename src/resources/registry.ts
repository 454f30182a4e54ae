import type {Reconciler} from './types.js'

/**
 * Kind → reconciler module, loaded on first use so that commands which never
 * touch a kind (or `--help`) don't pay for its SDK client.
 */
const loaders: Record<string, () => Promise<Reconciler>> = {
  'ec2.vpc': async () => (await import('./ec2/vpc.js')).vpc,
  'ec2.subnet': async () => (await import('./ec2/subnet.js')).subnet,
  'ec2.internet-gateway': async () => (await import('./ec2/internet-gateway.js')).internetGateway,
  'ec2.elastic-ip': async () => (await import('./ec2/elastic-ip.js')).elasticIp,
  'ec2.nat-gateway': async () => (await import('./ec2/nat-gateway.js')).natGateway,
  'ec2.route-table': async () => (await import('./ec2/route-table.js')).routeTable,
  'ec2.security-group': async () => (await import('./ec2/security-group.js')).securityGroup,
  'ec2.security-group-rules': async () => (await import('./ec2/security-group-rules.js')).securityGroupRules,
  'ec2.vpc-endpoint': async () => (await import('./ec2/vpc-endpoint.js')).vpcEndpoint,
}

export interface ReconcilerRegistry {
  get(kind: string): Promise<Reconciler>
  kinds(): string[]
}

export const registry: ReconcilerRegistry = {
  async get(kind) {
    const load = loaders[kind]
    if (!load) throw new Error(`no reconciler for resource kind "${kind}"`)
    return load()
  },
  kinds: () => Object.keys(loaders),
}
