import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadSpec, parseSpec} from '../../src/spec/load.js'
import {edit, EXAMPLE_TEXT, example, expectedIssues, type IssueCase, reported, ROOT, THREE_TIER_TEXT} from './support.js'

const threeTier = (...pairs: [string, string][]) => edit(THREE_TIER_TEXT, ...pairs)
/** The three-tier spec with its public tier in eu-west-1a only (pub-b moved to the data tier in another AZ). */
const publicInOneAz = threeTier(['{name: pub-b, tier: public, az: eu-west-1b, cidr: 10.20.1.0/24}', '{name: pub-b, tier: data, az: eu-west-1c, cidr: 10.20.1.0/24}'], ['nat: per-az', 'nat: single'])

const cases: IssueCase[] = [
  {
    rule: 'subnet CIDRs lie inside the VPC CIDR',
    text: example(['cidr: 10.0.102.0/24', 'cidr: 10.1.102.0/24']),
    issues: [['network.subnets[3].cidr', '10.1.102.0/24', '"10.1.102.0/24" is outside the VPC CIDR 10.0.0.0/16']],
  },
  {
    rule: 'subnets do not overlap, and the message names both',
    text: example(['cidr: 10.0.2.0/24', 'cidr: 10.0.0.0/23']),
    issues: [['network.subnets[1].cidr', '10.0.0.0/23', '"10.0.0.0/23" of subnet public-b overlaps 10.0.1.0/24 of subnet public-a']],
  },
  {
    rule: 'subnet names are unique',
    text: example(['name: private-b', 'name: private-a']),
    issues: [['network.subnets[3].name', 25, 'duplicate subnet name "private-a" (first at network.subnets[2])']],
  },
  {
    rule: 'security group names are unique',
    text: example(['name: runner-sg', 'name: alb-sg']),
    issues: [
      // Renaming runner-sg also leaves the reference to it dangling.
      ['network.securityGroups[0].egress[1].securityGroup', 'securityGroup: runner-sg', 'unknown security group "runner-sg"; declared groups: alb-sg, ecs-tasks-sg'],
      ['network.securityGroups[2].name', 45, 'duplicate security group name "alb-sg" (first at network.securityGroups[0])'],
      // And the runner cluster's instances' group.
      ['clusters[1].instances.securityGroups[0]', 'instances: {type: t3.medium', 'unknown security group "runner-sg"; declared groups: alb-sg, ecs-tasks-sg'],
    ],
  },
  {
    rule: 'endpoint services are unique',
    text: threeTier(['{service: logs,', '{service: ecr.api,']),
    issues: [['network.endpoints[2].service', 'privateDns: false', 'duplicate endpoint service "ecr.api" (first at network.endpoints[1])']],
  },
  {
    rule: 'a rule’s securityGroup names a declared group (and the message lists them)',
    text: example(['port: 8080, securityGroup: runner-sg', 'port: 8080, securityGroup: runner']),
    issues: [['network.securityGroups[0].egress[1].securityGroup', 'securityGroup: runner,', 'unknown security group "runner"; declared groups: alb-sg, ecs-tasks-sg, runner-sg']],
  },
  {
    rule: 'ingress references resolve too',
    text: example(['port: 8000, securityGroup: alb-sg', 'port: 8000, securityGroup: alb']),
    issues: [['network.securityGroups[1].ingress[0].securityGroup', 'securityGroup: alb,', 'unknown security group "alb"; declared groups: alb-sg, ecs-tasks-sg, runner-sg']],
  },
  {
    rule: 'an endpoint’s securityGroups name declared groups',
    text: threeTier(['tiers: [private], securityGroups: [endpoints]}', 'tiers: [private], securityGroups: [endpoint]}']),
    issues: [['network.endpoints[1].securityGroups[0]', 'service: ecr.api', 'unknown security group "endpoint"; declared groups: app, db, endpoints']],
  },
  {
    rule: 'with no groups declared, the message says so',
    text: THREE_TIER_TEXT.replace(/ {2}securityGroups:\n( {4,}.*\n)+/, ''),
    issues: [
      ['network.endpoints[1].securityGroups[0]', 'service: ecr.api', 'unknown security group "endpoints"; no security groups are declared (network.securityGroups)'],
      ['network.endpoints[2].securityGroups[0]', 'service: logs', 'unknown security group "endpoints"; no security groups are declared (network.securityGroups)'],
    ],
  },
  {
    rule: 'at most one subnet per tier per AZ',
    text: example(['az: us-east-1b\n      cidr: 10.0.102.0/24', 'az: us-east-1a\n      cidr: 10.0.102.0/24']),
    issues: [['network.subnets[3].az', 27, 'subnet private-b is a second private subnet in us-east-1a (after private-a); a tier has at most one subnet per AZ']],
  },
  {
    rule: 'AZs belong to the stack region',
    text: example(['az: us-east-1b\n      cidr: 10.0.2.0/24', 'az: us-west-2b\n      cidr: 10.0.2.0/24']),
    issues: [['network.subnets[1].az', 'us-west-2b', '"us-west-2b" is not in us-east-1 (the stack region); a VPC and its subnets live in one region']],
  },
  {
    rule: 'without a region, the AZs still share one',
    text: example(['region: us-east-1\n', ''], ['az: us-east-1b\n      cidr: 10.0.102.0/24', 'az: eu-west-1b\n      cidr: 10.0.102.0/24']),
    issues: [['network.subnets[3].az', 'eu-west-1b', '"eu-west-1b" is not in us-east-1 (the region of the first subnet (public-a)); a VPC and its subnets live in one region']],
  },
  {
    rule: 'no public subnets at all; nat single then has nowhere to go',
    text: threeTier([`    - {name: pub-a, tier: public, az: eu-west-1a, cidr: 10.20.0.0/24}\n    - {name: pub-b, tier: public, az: eu-west-1b, cidr: 10.20.1.0/24}\n`, ''], ['nat: per-az', 'nat: single']),
    issues: [['network.nat', 'nat: single', 'nat: single needs a public subnet to hold the NAT gateway; add one or set nat: none']],
  },
  {
    rule: 'the default nat (single, because of private subnets) needs a public subnet too',
    text: threeTier([`    - {name: pub-a, tier: public, az: eu-west-1a, cidr: 10.20.0.0/24}\n    - {name: pub-b, tier: public, az: eu-west-1b, cidr: 10.20.1.0/24}\n`, ''], ['  nat: per-az\n', '']),
    issues: [['network', 'vpc: {cidr', 'nat defaults to single (there are private subnets), and it needs a public subnet to hold the NAT gateway; add one or set nat: none']],
  },
  {
    rule: 'nat per-az needs a public subnet in every AZ with private subnets',
    text: threeTier(
      ['{name: db-b, tier: data, az: eu-west-1b, cidr: 10.20.21.0/24}', '{name: db-b, tier: data, az: eu-west-1b, cidr: 10.20.21.0/24}\n    - {name: app-c, tier: private, az: eu-west-1c, cidr: 10.20.12.0/24}'],
      ['tiers: [private, data]', 'tiers: [data]'],
      ['tiers: [private], securityGroups: [endpoints]}', 'tiers: [data], securityGroups: [endpoints]}'],
      ['tiers: [private], securityGroups: [endpoints], privateDns', 'tiers: [data], securityGroups: [endpoints], privateDns'],
    ),
    issues: [['network.subnets[6].az', 'app-c', 'nat: per-az puts a NAT gateway in every AZ with private subnets, but eu-west-1c (subnet app-c) has no public subnet; public AZs: eu-west-1a, eu-west-1b']],
  },
  {
    rule: 'endpoint tiers must exist',
    text: example(['  nat: single\n', '  nat: single\n  endpoints:\n    - {service: s3, type: gateway, tiers: [private, data]}\n']),
    issues: [['network.endpoints[0].tiers[1]', 'service: s3', 'no data subnets are declared (a gateway endpoint routes through the tier’s route table); declared tiers: public, private']],
  },
  {
    rule: 'an interface endpoint needs subnets in its tiers',
    text: example(['  nat: single\n', '  nat: single\n  endpoints:\n    - {service: ecr.dkr, type: interface, tiers: [data]}\n']),
    issues: [['network.endpoints[0].tiers[0]', 'service: ecr.dkr', 'no data subnets are declared (an interface endpoint needs a subnet in each of its tiers); declared tiers: public, private']],
  },
  {
    rule: 'gateway endpoints exist only for s3 and dynamodb',
    text: threeTier(['{service: s3, type: gateway', '{service: sqs, type: gateway']),
    issues: [['network.endpoints[0].type', 'service: sqs', '"sqs" has no gateway endpoint (only s3 and dynamodb do); use type: interface']],
  },
  {
    rule: 'an interface endpoint takes one subnet per AZ',
    text: threeTier(['tiers: [private], securityGroups: [endpoints]}', 'tiers: [private, data], securityGroups: [endpoints]}']),
    issues: [
      ['network.endpoints[1].tiers', 'service: ecr.api', 'tiers private, data give interface endpoint ecr.api 2 subnets in eu-west-1a (app-a, db-a); it takes one subnet per AZ, so list one tier'],
      ['network.endpoints[1].tiers', 'service: ecr.api', 'tiers private, data give interface endpoint ecr.api 2 subnets in eu-west-1b (app-b, db-b); it takes one subnet per AZ, so list one tier'],
    ],
  },
  {
    rule: 'an endpoint policy has statements',
    text: threeTier(['tiers: [private, data]}', 'tiers: [private, data], policy: {Version: "2012-10-17"}}']),
    issues: [['network.endpoints[0].policy', 'service: s3', 'a policy needs a Statement (like Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}])']],
  },
  {
    rule: 'each endpoint policy statement names a Principal',
    text: threeTier(['tiers: [private, data]}', 'tiers: [private, data], policy: {Statement: [{Effect: Allow, Principal: "*", Action: "*", Resource: "*"}, {Effect: Deny, Action: "s3:DeleteObject", Resource: "*"}]}}']),
    issues: [['network.endpoints[0].policy.Statement[1]', 'service: s3', 'an endpoint policy statement needs a Principal (like Principal: "*")']],
  },
  {
    rule: 'an endpoint policy fits 20,480 characters',
    text: threeTier(['tiers: [private, data]}', `tiers: [private, data], policy: {Statement: [{Effect: Allow, Principal: "*", Action: "*", Resource: "${'x'.repeat(20_480)}"}]}}`]),
    issues: [['network.endpoints[0].policy', 'service: s3', 'the policy is 20557 characters as JSON; an endpoint policy takes at most 20480']],
  },
  {
    rule: 'private DNS needs the VPC DNS attributes',
    text: threeTier(['vpc: {cidr: 10.20.0.0/16}', 'vpc: {cidr: 10.20.0.0/16, dnsHostnames: false}']),
    issues: [['network.endpoints[1]', 'service: ecr.api', 'private DNS (the default) needs network.vpc.dnsSupport and dnsHostnames both true; enable them or set privateDns: false']],
  },
]

describe('semantic checks', () => {
  it('accept the example, the three-tier spec, and nat none with private subnets', () => {
    expect(parseSpec(EXAMPLE_TEXT, 'a.yaml').network.subnets).toHaveLength(4)
    expect(parseSpec(THREE_TIER_TEXT, 'b.yaml').network.endpoints).toHaveLength(3)
    expect(parseSpec(example(['nat: single', 'nat: none']), 'c.yaml').network.nat).toBe('none')
  })

  it.each(cases)('$rule', (rule) => {
    expect(reported(rule.text)).toEqual(expectedIssues(rule))
  })

  it('collect every semantic issue at once, sorted by line', () => {
    const text = example(
      ['cidr: 10.0.102.0/24', 'cidr: 10.1.102.0/24'],
      ['az: us-east-1b\n      cidr: 10.0.2.0/24', 'az: us-west-2b\n      cidr: 10.0.2.0/24'],
      ['port: 8000, securityGroup: alb-sg', 'port: 8000, securityGroup: alb'],
    )
    expect(reported(text)).toEqual([
      'network.subnets[1].az (line 19): "us-west-2b" is not in us-east-1 (the stack region); a VPC and its subnets live in one region',
      'network.subnets[3].cidr (line 28): "10.1.102.0/24" is outside the VPC CIDR 10.0.0.0/16',
      'network.securityGroups[1].ingress[0].securityGroup (line 42): unknown security group "alb"; declared groups: alb-sg, ecs-tasks-sg, runner-sg',
    ])
  })
})

describe('a VPC with no public tier', () => {
  it('is valid with nat: none (an internal-only network needs no ALB subnets)', () => {
    const spec = parseSpec(
      ['name: internal', 'region: us-east-1', 'network:', '  vpc: {cidr: 10.0.0.0/16}', '  nat: none', '  subnets:', '    - {name: app-a, tier: private, az: us-east-1a, cidr: 10.0.1.0/24}', ''].join('\n'),
      'internal.yaml',
    )
    expect(spec.network.subnets.map((subnet) => subnet.name)).toEqual(['app-a'])
  })
})

describe('a public tier in one AZ (the spec declares no load balancer)', () => {
  it('is valid: nothing in the spec needs public subnets in two AZs', async () => {
    expect(parseSpec(publicInOneAz, 'one-az.yaml').network.subnets.filter((subnet) => subnet.tier === 'public')).toHaveLength(1)
    const spec = await loadSpec(join(ROOT, 'test', 'fixtures', 'specs', 'public-one-az.yaml'))
    expect(spec.network.subnets.filter((subnet) => subnet.tier === 'public').map((subnet) => subnet.az)).toEqual(['us-east-1a'])
  })
})
