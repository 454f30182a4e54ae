import {describe, expect, it} from 'vitest'
import {compileSpec, DEFAULT_EGRESS} from '../../src/graph/compile.js'
import {buildDag} from '../../src/graph/dag.js'
import {ref, type ResourceNode} from '../../src/graph/types.js'
import {parseSpec} from '../../src/spec/load.js'
import {edit, EXAMPLE_TEXT, THREE_TIER_TEXT} from '../spec/support.js'

/** The network's nodes: EC2 kinds but the containers' capacity (its AMI, instances and launch templates). */
const isNetwork = (node: {kind: string}) => node.kind.startsWith('ec2.') && !['ec2.ami', 'ec2.instance', 'ec2.launch-template'].includes(node.kind)

const compile = (text: string, region?: string) => {
  const spec = parseSpec(text, 'containrlab.yaml')
  return compileSpec(spec, region ?? spec.region!)
}
const byId = (nodes: ResourceNode[]) => new Map(nodes.map((node) => [node.id, node]))
const vpcId = ref('vpc')
const anywhere = '0.0.0.0/0'

describe('compileSpec: the example (ContainrLab, one NAT)', () => {
  const nodes = compile(EXAMPLE_TEXT)
  const node = (id: string) => byId(nodes).get(id)!

  it('compiles its network to exactly 17 nodes, in spec order (the front door follows: test/graph/front-door.test.ts)', () => {
    expect(nodes.filter(isNetwork).map((n) => `${n.id} ${n.kind}`)).toEqual([
      'vpc ec2.vpc',
      'subnet/public-a ec2.subnet',
      'subnet/public-b ec2.subnet',
      'subnet/private-a ec2.subnet',
      'subnet/private-b ec2.subnet',
      'internet-gateway ec2.internet-gateway',
      'elastic-ip/nat-us-east-1a ec2.elastic-ip',
      'nat-gateway/us-east-1a ec2.nat-gateway',
      'route-table/public ec2.route-table',
      'route-table/private-us-east-1a ec2.route-table',
      'route-table/private-us-east-1b ec2.route-table',
      'security-group/alb-sg ec2.security-group',
      'security-group/ecs-tasks-sg ec2.security-group',
      'security-group/runner-sg ec2.security-group',
      'security-group-rules/alb-sg ec2.security-group-rules',
      'security-group-rules/ecs-tasks-sg ec2.security-group-rules',
      'security-group-rules/runner-sg ec2.security-group-rules',
    ])
  })

  it('VPC, subnets and internet gateway', () => {
    expect(node('vpc').desired).toEqual({cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true})
    expect(node('subnet/public-b').desired).toEqual({vpcId, cidr: '10.0.2.0/24', availabilityZone: 'us-east-1b', mapPublicIpOnLaunch: true})
    expect(node('subnet/private-a').desired).toEqual({vpcId, cidr: '10.0.101.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false})
    expect(node('internet-gateway').desired).toEqual({vpcId})
  })

  it('one NAT gateway in the first public AZ, after the internet gateway, serving both private AZs', () => {
    expect(node('elastic-ip/nat-us-east-1a').desired).toEqual({domain: 'vpc'})
    expect(node('nat-gateway/us-east-1a')).toEqual({
      id: 'nat-gateway/us-east-1a',
      kind: 'ec2.nat-gateway',
      desired: {subnetId: ref('subnet/public-a'), allocationId: ref('elastic-ip/nat-us-east-1a')},
      dependsOn: ['internet-gateway'],
    })
    expect(node('route-table/public').desired).toEqual({vpcId, routes: [{destinationCidr: anywhere, gatewayId: ref('internet-gateway')}], subnetIds: [ref('subnet/public-a'), ref('subnet/public-b')]})
    expect(node('route-table/private-us-east-1a').desired).toEqual({vpcId, routes: [{destinationCidr: anywhere, natGatewayId: ref('nat-gateway/us-east-1a')}], subnetIds: [ref('subnet/private-a')]})
    expect(node('route-table/private-us-east-1b').desired).toEqual({vpcId, routes: [{destinationCidr: anywhere, natGatewayId: ref('nat-gateway/us-east-1a')}], subnetIds: [ref('subnet/private-b')]})
  })

  it('security groups named after the stack, rules normalised with group refs', () => {
    expect(node('security-group/alb-sg').desired).toEqual({vpcId, namePrefix: 'containrlab-alb-sg', description: 'Internet-facing load balancer'})
    expect(node('security-group-rules/alb-sg').desired).toEqual({
      groupId: ref('security-group/alb-sg'),
      ingress: [
        {protocol: 'tcp', fromPort: 80, toPort: 80, cidr: anywhere, description: 'HTTP (redirects to HTTPS)'},
        {protocol: 'tcp', fromPort: 443, toPort: 443, cidr: anywhere, description: 'HTTPS'},
      ],
      egress: [
        {protocol: 'all', fromPort: -1, toPort: -1, sourceGroupId: ref('security-group/ecs-tasks-sg'), description: 'To the Fargate tasks'},
        {protocol: 'tcp', fromPort: 8080, toPort: 8080, sourceGroupId: ref('security-group/runner-sg'), description: 'To the runner target group'},
      ],
    })
  })

  it('omitted egress is AWS’s default: all traffic to anywhere, no description', () => {
    expect(node('security-group-rules/ecs-tasks-sg').desired.egress).toEqual([{protocol: 'all', fromPort: -1, toPort: -1, cidr: anywhere}])
    expect(DEFAULT_EGRESS).toEqual({protocol: 'all', fromPort: -1, toPort: -1, cidr: anywhere})
  })

  it('is deterministic and forms a valid DAG: every node after the nodes it waits for', () => {
    expect(compile(EXAMPLE_TEXT)).toEqual(nodes)
    const dag = buildDag(nodes)
    // The network's 17, the front door's 14, the containers' 21.
    expect(dag.order).toHaveLength(52)
    for (const [id, deps] of dag.dependencies) for (const dep of deps) expect(dag.order.indexOf(dep)).toBeLessThan(dag.order.indexOf(id))
    expect(dag.dependencies.get('nat-gateway/us-east-1a')).toEqual(['subnet/public-a', 'elastic-ip/nat-us-east-1a', 'internet-gateway'])
    // Mutual references between groups are fine: rules depend on groups, never groups on rules.
    expect(dag.dependencies.get('security-group-rules/alb-sg')).toEqual(['security-group/alb-sg', 'security-group/ecs-tasks-sg', 'security-group/runner-sg'])
  })
})

describe('compileSpec: variants', () => {
  it('nat per-az: one EIP + NAT per AZ with private subnets, each private table to its own NAT', () => {
    const nodes = byId(compile(THREE_TIER_TEXT))
    expect([...nodes.keys()].filter((id) => /^(nat-gateway|elastic-ip)\//.test(id))).toEqual(['elastic-ip/nat-eu-west-1a', 'nat-gateway/eu-west-1a', 'elastic-ip/nat-eu-west-1b', 'nat-gateway/eu-west-1b'])
    expect(nodes.get('nat-gateway/eu-west-1b')!.desired).toEqual({subnetId: ref('subnet/pub-b'), allocationId: ref('elastic-ip/nat-eu-west-1b')})
    expect(nodes.get('route-table/private-eu-west-1a')!.desired.routes).toEqual([{destinationCidr: anywhere, natGatewayId: ref('nat-gateway/eu-west-1a')}])
    expect(nodes.get('route-table/private-eu-west-1b')!.desired.routes).toEqual([{destinationCidr: anywhere, natGatewayId: ref('nat-gateway/eu-west-1b')}])
  })

  it('data tier: one route table with no route out, holding every data subnet', () => {
    const nodes = byId(compile(THREE_TIER_TEXT))
    expect(nodes.get('route-table/data')!.desired).toEqual({vpcId, routes: [], subnetIds: [ref('subnet/db-a'), ref('subnet/db-b')]})
    expect(nodes.get('subnet/db-a')!.desired.mapPublicIpOnLaunch).toBe(false)
  })

  it('rules: port ranges, icmp, explicit empty egress, default description', () => {
    const nodes = byId(compile(THREE_TIER_TEXT))
    expect(nodes.get('security-group/app')!.desired).toEqual({vpcId, namePrefix: 'shop-app', description: 'Managed by containrlab'})
    expect(nodes.get('security-group-rules/app')!.desired.ingress).toEqual([{protocol: 'tcp', fromPort: 8000, toPort: 8010, cidr: '10.20.0.0/16'}])
    expect(nodes.get('security-group-rules/db')!.desired).toEqual({
      groupId: ref('security-group/db'),
      ingress: [{protocol: 'tcp', fromPort: 5432, toPort: 5432, sourceGroupId: ref('security-group/app'), description: 'from the app tier'}],
      egress: [],
    })
    expect(nodes.get('security-group-rules/endpoints')!.desired.ingress).toEqual([
      {protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.20.0.0/16'},
      {protocol: 'icmp', fromPort: -1, toPort: -1, cidr: '10.20.0.0/16'},
    ])
  })

  it('endpoints: gateway on its tiers’ route tables, interface in its tiers’ subnets with groups and DNS', () => {
    const nodes = byId(compile(THREE_TIER_TEXT))
    expect(nodes.get('vpc-endpoint/s3')).toEqual({
      id: 'vpc-endpoint/s3',
      kind: 'ec2.vpc-endpoint',
      desired: {
        vpcId,
        serviceName: 'com.amazonaws.eu-west-1.s3',
        type: 'Gateway',
        routeTableIds: [ref('route-table/private-eu-west-1a'), ref('route-table/private-eu-west-1b'), ref('route-table/data')],
        subnetIds: [],
        securityGroupIds: [],
        privateDnsEnabled: false,
      },
    })
    expect(nodes.get('vpc-endpoint/ecr.api')!.desired).toEqual({
      vpcId,
      serviceName: 'com.amazonaws.eu-west-1.ecr.api',
      type: 'Interface',
      routeTableIds: [],
      subnetIds: [ref('subnet/app-a'), ref('subnet/app-b')],
      securityGroupIds: [ref('security-group/endpoints')],
      privateDnsEnabled: true,
    })
    expect(nodes.get('vpc-endpoint/logs')!.desired.privateDnsEnabled).toBe(false)
    const all = compile(THREE_TIER_TEXT)
    expect(all).toHaveLength(1 + 6 + 1 + 4 + 1 + 2 + 1 + 3 + 3 + 3)
    expect(buildDag(all).order).toHaveLength(all.length)
  })

  it('endpoint policy: the JSON document as desired, none when the spec has none (AWS default)', () => {
    const text = edit(THREE_TIER_TEXT, ['tiers: [private, data]}', 'tiers: [private, data], policy: {Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}]}}'])
    const nodes = byId(compile(text))
    expect(JSON.parse(nodes.get('vpc-endpoint/s3')!.desired.policyDocument as string)).toEqual({Statement: [{Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*'}]})
    expect(nodes.get('vpc-endpoint/ecr.api')!.desired).not.toHaveProperty('policyDocument')
  })

  it('nat none: no EIP or NAT, private route tables with no route out', () => {
    const nodes = byId(compile(edit(EXAMPLE_TEXT, ['nat: single', 'nat: none'])))
    expect([...nodes.keys()].some((id) => id.startsWith('nat-gateway/') || id.startsWith('elastic-ip/'))).toBe(false)
    expect(nodes.get('route-table/private-us-east-1a')!.desired).toEqual({vpcId, routes: [], subnetIds: [ref('subnet/private-a')]})
    expect([...nodes.values()].filter(isNetwork)).toHaveLength(15)
  })

  it('nat single picks the first AZ, in subnet order, that has a public subnet', () => {
    const text = edit(THREE_TIER_TEXT, ['nat: per-az', 'nat: single'], ['{name: pub-a, tier: public, az: eu-west-1a', '{name: pub-a, tier: public, az: eu-west-1c'])
    const nodes = byId(compile(text))
    expect(nodes.get('nat-gateway/eu-west-1c')!.desired.subnetId).toEqual(ref('subnet/pub-a'))
    expect(nodes.get('route-table/private-eu-west-1a')!.desired.routes).toEqual([{destinationCidr: anywhere, natGatewayId: ref('nat-gateway/eu-west-1c')}])
    expect(nodes.get('route-table/private-eu-west-1b')!.desired.routes).toEqual([{destinationCidr: anywhere, natGatewayId: ref('nat-gateway/eu-west-1c')}])
    expect([...nodes.keys()].filter((id) => id.startsWith('nat-gateway/'))).toEqual(['nat-gateway/eu-west-1c'])
  })

  it('refuses a run region that does not hold the AZs', () => {
    expect(() => compile(EXAMPLE_TEXT, 'eu-west-1')).toThrow('subnet public-a: availability zone us-east-1a is not in region eu-west-1 (the region of this run); set region: in the spec or pass --region')
  })

  it('uses the run region in endpoint service names', () => {
    const text = edit(THREE_TIER_TEXT, ['region: eu-west-1\n', ''])
    const nodes = byId(compile(text, 'eu-west-1'))
    expect(nodes.get('vpc-endpoint/s3')!.desired.serviceName).toBe('com.amazonaws.eu-west-1.s3')
  })
})
