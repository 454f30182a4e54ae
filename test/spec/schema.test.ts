import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {SpecError} from '../../src/spec/errors.js'
import {loadSpec, parseSpec} from '../../src/spec/load.js'
import {EXAMPLE_TEXT, example, expectedIssues, type IssueCase, lineOf, reported, THREE_TIER_TEXT} from './support.js'

const SSM_NAME = 'expected lowercase letters, digits and "-", starting with a letter or digit, at most 40 characters: it names the SSM path /containrlab/<name>/ and tags'

const cases: IssueCase[] = [
  {
    rule: 'a subnet CIDR must be an IPv4 CIDR',
    text: example(['cidr: 10.0.102.0/24', 'cidr: 10.0.300.0/24']),
    issues: [['network.subnets[3].cidr', '10.0.300.0/24', '"10.0.300.0/24" is not an IPv4 CIDR (expected address/prefix, like 10.0.0.0/16)']],
  },
  {
    rule: 'a CIDR has no host bits set',
    text: example(['cidr: 10.0.102.0/24', 'cidr: 10.0.102.7/24']),
    issues: [['network.subnets[3].cidr', '10.0.102.7/24', '"10.0.102.7/24" has host bits set; the block starts at 10.0.102.0/24']],
  },
  {
    rule: 'a VPC block is /16 to /28',
    text: example(['cidr: 10.0.0.0/16', 'cidr: 10.0.0.0/8']),
    issues: [['network.vpc.cidr', '10.0.0.0/8', '"10.0.0.0/8": a VPC CIDR block must be between /16 and /28, got /8']],
  },
  {
    rule: 'a subnet block is /16 to /28',
    text: example(['cidr: 10.0.101.0/24', 'cidr: 10.0.101.0/29']),
    issues: [['network.subnets[2].cidr', '10.0.101.0/29', '"10.0.101.0/29": a subnet CIDR block must be between /16 and /28, got /29']],
  },
  {
    rule: 'a typo’d key is an error, with a suggestion and the keys allowed',
    text: example(['dnsHostnames: true', 'dnsHostname: true']),
    issues: [['network.vpc.dnsHostname', 'dnsHostname:', 'unknown key "dnsHostname" (did you mean "dnsHostnames"?); expected one of: cidr, dnsSupport, dnsHostnames']],
  },
  {
    rule: 'unknown keys at the top level too',
    text: example(['region: us-east-1', 'regoin: us-east-1']),
    issues: [['regoin', 'regoin:', 'unknown key "regoin" (did you mean "region"?); expected one of: name, region, network']],
  },
  {
    rule: 'an unknown key inside a rule, far from any known one',
    text: example(['{protocol: tcp, port: 443, cidr: 0.0.0.0/0, description: HTTPS}', '{protocol: tcp, port: 443, cidr: 0.0.0.0/0, comment: HTTPS}']),
    issues: [['network.securityGroups[0].ingress[1].comment', 'comment: HTTPS', 'unknown key "comment"; expected one of: protocol, port, ports, cidr, securityGroup, description']],
  },
  {
    rule: 'tier is one of public, private, data',
    text: example(['tier: private', 'tier: privat']),
    issues: [['network.subnets[2].tier', 'tier: privat', '"privat" is not one of: public, private, data (did you mean "private"?)']],
  },
  {
    rule: 'nat is one of none, single, per-az',
    text: example(['nat: single', 'nat: two']),
    issues: [['network.nat', 'nat: two', '"two" is not one of: none, single, per-az']],
  },
  {
    rule: 'a port is a number, not a string',
    text: example(['port: 443,', 'port: "443",']),
    issues: [['network.securityGroups[0].ingress[1].port', 'port: "443"', 'expected a number, got "443"']],
  },
  {
    rule: 'booleans are booleans',
    text: example(['dnsSupport: true', 'dnsSupport: "yes"']),
    issues: [['network.vpc.dnsSupport', 'dnsSupport:', 'expected true or false, got "yes"']],
  },
  {
    rule: 'subnets is a list',
    text: THREE_TIER_TEXT.replace(/ {2}subnets:\n( {4}- .*\n)+/, '  subnets: {name: pub-a}\n'),
    issues: [['network.subnets', 'subnets:', 'expected a list, got a mapping']],
  },
  {
    rule: 'a missing key points at the object that lacks it',
    text: example(['    cidr: 10.0.0.0/16\n', '']),
    issues: [['network.vpc.cidr', 'dnsSupport: true', 'missing required key "cidr" (a string)']],
  },
  {
    rule: 'at least one subnet',
    text: THREE_TIER_TEXT.replace(/ {2}subnets:\n( {4}- .*\n)+/, '  subnets: []\n'),
    issues: [['network.subnets', 'subnets: []', 'needs at least 1 entry, got 0']],
  },
  {
    rule: 'an endpoint lists at least one tier',
    text: THREE_TIER_TEXT.replace('tiers: [private, data]', 'tiers: []'),
    issues: [['network.endpoints[0].tiers', 'tiers: []', 'needs at least 1 entry, got 0']],
  },
  {
    rule: 'the stack name is SSM- and tag-safe',
    text: example(['name: containrlab', 'name: ContainrLab']),
    issues: [['name', 'name: ContainrLab', `"ContainrLab" is not a valid stack name (${SSM_NAME})`]],
  },
  {
    rule: 'the stack name is at most 40 characters',
    text: example(['name: containrlab', `name: ${'a'.repeat(41)}`]),
    issues: [['name', 'name: aaa', `"${'a'.repeat(41)}" is not a valid stack name (${SSM_NAME})`]],
  },
  {
    rule: 'a region looks like us-east-1',
    text: example(['region: us-east-1', 'region: us-east']),
    issues: [['region', 'region: us-east', '"us-east" is not an AWS region name (expected like us-east-1)']],
  },
  {
    rule: 'an AZ is a region plus a letter',
    text: example(['az: us-east-1a', 'az: us-east-1']),
    issues: [['network.subnets[0].az', 'az: us-east-1', '"us-east-1" is not an availability zone name (expected a region plus a letter, like us-east-1a)']],
  },
  {
    rule: 'subnet names are safe for logical ids',
    text: example(['name: public-a', 'name: public/a']),
    issues: [['network.subnets[0].name', 'name: public/a', '"public/a" is not a valid name (expected letters, digits, ".", "_" or "-", starting with a letter or digit, at most 63 characters)']],
  },
  {
    rule: 'descriptions use the characters EC2 accepts',
    text: example(['description: Fargate tasks (api, web)', 'description: Fargate tasks <api, web>']),
    issues: [['network.securityGroups[1].description', 'Fargate tasks <api', '"Fargate tasks <api, web>" is not a valid AWS description (at most 255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)']],
  },
  {
    rule: 'a rule takes cidr or securityGroup, not both',
    text: example(['port: 80, cidr: 0.0.0.0/0,', 'port: 80, cidr: 0.0.0.0/0, securityGroup: runner-sg,']),
    issues: [['network.securityGroups[0].ingress[0].securityGroup', 'port: 80,', 'a rule takes exactly one of cidr or securityGroup, got both']],
  },
  {
    rule: 'a rule needs a peer',
    text: example(['port: 80, cidr: 0.0.0.0/0,', 'port: 80,']),
    issues: [['network.securityGroups[0].ingress[0]', 'port: 80,', 'a rule needs exactly one of cidr or securityGroup (the peer it allows), got neither']],
  },
  {
    rule: 'tcp needs port or ports',
    text: example(['{protocol: tcp, port: 443, cidr', '{protocol: tcp, cidr']),
    issues: [['network.securityGroups[0].ingress[1]', 'description: HTTPS}', 'a tcp rule needs port (like port: 443) or ports (like ports: "8000-8010")']],
  },
  {
    rule: 'udp needs port or ports too',
    text: example(['{protocol: tcp, port: 443, cidr', '{protocol: udp, cidr']),
    issues: [['network.securityGroups[0].ingress[1]', 'description: HTTPS}', 'a udp rule needs port (like port: 443) or ports (like ports: "8000-8010")']],
  },
  {
    rule: 'port and ports are exclusive',
    text: example(['port: 443,', 'port: 443, ports: "443-444",']),
    issues: [['network.securityGroups[0].ingress[1].ports', 'ports: "443-444"', 'give port or ports, not both']],
  },
  {
    rule: 'ports is "from-to" with from ≤ to',
    text: example(['port: 8000, securityGroup: alb-sg', 'ports: "8010-8000", securityGroup: alb-sg']),
    issues: [['network.securityGroups[1].ingress[0].ports', '8010-8000', '"8010-8000" is not a port range (expected "from-to" with 1 ≤ from ≤ to ≤ 65535, like "8000-8010")']],
  },
  {
    rule: 'ports ends are ports',
    text: example(['port: 8000, securityGroup: alb-sg', 'ports: "0-80", securityGroup: alb-sg']),
    issues: [['network.securityGroups[1].ingress[0].ports', '"0-80"', '"0-80" is not a port range (expected "from-to" with 1 ≤ from ≤ to ≤ 65535, like "8000-8010")']],
  },
  {
    rule: 'a port is 1 to 65535',
    text: example(['port: 443,', 'port: 70000,']),
    issues: [['network.securityGroups[0].ingress[1].port', 'port: 70000', '70000 is not a port (expected a whole number from 1 to 65535)']],
  },
  {
    rule: 'protocol all takes no port',
    text: example(['{protocol: all, securityGroup: ecs-tasks-sg', '{protocol: all, port: 80, securityGroup: ecs-tasks-sg']),
    issues: [['network.securityGroups[0].egress[0].port', 'protocol: all, port: 80', 'protocol all takes no port (it covers every port); remove it or use tcp/udp']],
  },
  {
    rule: 'icmp takes no ports',
    text: THREE_TIER_TEXT.replace('{protocol: icmp, cidr', '{protocol: icmp, ports: "1-2", cidr'),
    issues: [['network.securityGroups[2].ingress[1].ports', 'protocol: icmp', 'protocol icmp takes no ports (it covers every port); remove it or use tcp/udp']],
  },
  {
    rule: 'a gateway endpoint takes no security groups',
    text: THREE_TIER_TEXT.replace('tiers: [private, data]}', 'tiers: [private, data], securityGroups: [endpoints]}'),
    issues: [['network.endpoints[0].securityGroups', 'service: s3', 'securityGroups applies to interface endpoints only; a gateway endpoint is a route, remove it']],
  },
  {
    rule: 'an endpoint policy is a mapping (a JSON policy document written as YAML)',
    text: THREE_TIER_TEXT.replace('tiers: [private, data]}', 'tiers: [private, data], policy: "{}"}'),
    issues: [['network.endpoints[0].policy', 'service: s3', 'expected record, got "{}"']],
  },
  {
    rule: 'a gateway endpoint has no private DNS setting',
    text: THREE_TIER_TEXT.replace('tiers: [private, data]}', 'tiers: [private, data], privateDns: true}'),
    issues: [['network.endpoints[0].privateDns', 'service: s3', 'privateDns applies to interface endpoints only; a gateway endpoint is a route, remove it']],
  },
]

describe('spec schema', () => {
  it('accepts the example and fills defaults', () => {
    const spec = parseSpec(EXAMPLE_TEXT, 'containrlab.yaml')
    expect(spec.name).toBe('containrlab')
    expect(spec.region).toBe('us-east-1')
    expect(spec.network.vpc).toEqual({cidr: '10.0.0.0/16', dnsSupport: true, dnsHostnames: true})
    expect(spec.network.subnets.map((subnet) => [subnet.name, subnet.mapPublicIp])).toEqual([
      ['public-a', true],
      ['public-b', true],
      ['private-a', false],
      ['private-b', false],
    ])
    expect(spec.network.nat).toBe('single')
    expect(spec.network.endpoints).toEqual([])
    expect(spec.network.securityGroups[1]).toEqual({
      name: 'ecs-tasks-sg',
      description: 'Fargate tasks (api, web)',
      ingress: [
        {protocol: 'tcp', port: 8000, securityGroup: 'alb-sg', description: 'api from the ALB'},
        {protocol: 'tcp', port: 3000, securityGroup: 'alb-sg', description: 'web from the ALB'},
      ],
    })
  })

  it('fills context-dependent defaults: nat by subnets, mapPublicIp by tier, endpoint DNS by type', () => {
    const text = THREE_TIER_TEXT.replace('  nat: per-az\n', '').replace('{name: app-a, tier: private,', '{name: app-a, tier: private, mapPublicIp: true,')
    const spec = parseSpec(text, 'x.yaml')
    expect(spec.network.nat).toBe('single')
    expect(spec.network.subnets.find((subnet) => subnet.name === 'app-a')!.mapPublicIp).toBe(true)
    expect(spec.network.subnets.find((subnet) => subnet.name === 'db-a')!.mapPublicIp).toBe(false)
    expect(spec.network.vpc).toEqual({cidr: '10.20.0.0/16', dnsSupport: true, dnsHostnames: true})
    expect(spec.network.securityGroups[0]!.description).toBe('Managed by containrlab')
    expect(spec.network.securityGroups[0]!.egress).toBeUndefined()
    expect(spec.network.securityGroups[1]!.egress).toEqual([])
    expect(spec.network.endpoints).toEqual([
      {service: 's3', type: 'gateway', tiers: ['private', 'data'], securityGroups: [], privateDns: false},
      {service: 'ecr.api', type: 'interface', tiers: ['private'], securityGroups: ['endpoints'], privateDns: true},
      {service: 'logs', type: 'interface', tiers: ['private'], securityGroups: ['endpoints'], privateDns: false},
    ])
    const withoutPrivate = THREE_TIER_TEXT.replace('  nat: per-az\n', '')
      .replace(/ {4}- \{name: app-.*\n/g, '')
      .replace(/tiers: \[private\]/g, 'tiers: [data]')
      .replace('tiers: [private, data]', 'tiers: [data]')
    expect(parseSpec(withoutPrivate, 'x.yaml').network.nat).toBe('none')
  })

  it('keeps an endpoint policy as written', () => {
    const text = THREE_TIER_TEXT.replace('tiers: [private, data]}', 'tiers: [private, data], policy: {Statement: [{Effect: Allow, Principal: "*", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::shop-*/*"}]}}')
    expect(parseSpec(text, 'x.yaml').network.endpoints[0]!.policy).toEqual({Statement: [{Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::shop-*/*'}]})
    expect(parseSpec(THREE_TIER_TEXT, 'x.yaml').network.endpoints[0]).not.toHaveProperty('policy')
  })

  it.each(cases)('$rule', (rule) => {
    expect(reported(rule.text)).toEqual(expectedIssues(rule))
  })

  it('collects every schema issue in one pass, sorted by line', () => {
    const text = example(['tier: private', 'tier: privat'], ['dnsHostnames: true', 'dnsHostname: true'], ['port: 443,', 'port: "443",'], ['cidr: 10.0.102.0/24', 'cidr: 10.0.300.0/24'])
    expect(reported(text)).toEqual([
      `network.vpc.dnsHostname (line 11): unknown key "dnsHostname" (did you mean "dnsHostnames"?); expected one of: cidr, dnsSupport, dnsHostnames`,
      `network.subnets[2].tier (line 22): "privat" is not one of: public, private, data (did you mean "private"?)`,
      `network.subnets[3].cidr (line 28): "10.0.300.0/24" is not an IPv4 CIDR (expected address/prefix, like 10.0.0.0/16)`,
      `network.securityGroups[0].ingress[1].port (line 35): expected a number, got "443"`,
    ])
  })

  it('reports several unknown keys of one object each at its own line', () => {
    const text = example(['    dnsSupport: true\n    dnsHostnames: true\n', '    dnsSupprot: true\n    dnsHostname: true\n'])
    expect(reported(text)).toEqual([
      'network.vpc.dnsSupprot (line 10): unknown key "dnsSupprot" (did you mean "dnsSupport"?); expected one of: cidr, dnsSupport, dnsHostnames',
      'network.vpc.dnsHostname (line 11): unknown key "dnsHostname" (did you mean "dnsHostnames"?); expected one of: cidr, dnsSupport, dnsHostnames',
    ])
  })

  it('does not run semantic checks on a spec that fails the schema', () => {
    // The subnet outside the VPC would be a semantic issue; the bad tier hides it until fixed.
    const text = example(['tier: private', 'tier: privat'], ['cidr: 10.0.102.0/24', 'cidr: 10.9.102.0/24'])
    expect(reported(text)).toEqual([`network.subnets[2].tier (line 22): "privat" is not one of: public, private, data (did you mean "private"?)`])
  })
})

describe('YAML and document errors', () => {
  it('reports a YAML syntax error with its line', () => {
    const text = example(['description: HTTPS}', 'description: HTTPS'])
    // The parser notices the unclosed `{` where the next line starts.
    expect(reported(text)).toEqual([`line ${lineOf(text, 'egress:')}: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }`])
  })

  it('reports duplicate keys', () => {
    const text = example(['  nat: single\n', '  nat: single\n  nat: none\n'])
    expect(reported(text)).toEqual([`line ${lineOf(text, 'nat: none')}: YAML syntax error: Map keys must be unique`])
  })

  it('refuses several documents in one file', () => {
    const text = `${EXAMPLE_TEXT}---\nname: other\n`
    expect(reported(text)).toEqual([`line ${lineOf(text, '---')}: the file holds more than one YAML document (a "---" separator); a spec is one document`])
  })

  it('reports an empty file and a top-level list', () => {
    expect(reported('# nothing yet\n')).toEqual(['the spec is empty; expected a mapping with name and network'])
    expect(reported('- name: x\n')).toEqual(['line 1: expected a mapping at the top of the file, got a list'])
  })

  it('reports a missing section at the document', () => {
    expect(reported('name: containrlab\nregion: us-east-1\n')).toEqual(['network (line 1): missing required key "network" (a mapping)'])
  })

  it('SpecError: message headed by the file, one issue per line; issues kept structured', () => {
    let caught: unknown
    try {
      parseSpec(example(['tier: private', 'tier: privat'], ['nat: single', 'nat: two']), 'stacks/prod.yaml')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(SpecError)
    const error = caught as SpecError
    expect(error.file).toBe('stacks/prod.yaml')
    expect(error.issues).toEqual([
      {path: 'network.subnets[2].tier', line: 22, message: '"privat" is not one of: public, private, data (did you mean "private"?)'},
      {path: 'network.nat', line: 29, message: '"two" is not one of: none, single, per-az'},
    ])
    expect(error.message).toBe(
      [
        'stacks/prod.yaml: 2 problems',
        '  network.subnets[2].tier (line 22): "privat" is not one of: public, private, data (did you mean "private"?)',
        '  network.nat (line 29): "two" is not one of: none, single, per-az',
      ].join('\n'),
    )
  })
})

describe('loadSpec', () => {
  it('reads and validates a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'containrlab-spec-'))
    const file = join(dir, 'containrlab.yaml')
    writeFileSync(file, EXAMPLE_TEXT)
    expect((await loadSpec(file)).network.subnets).toHaveLength(4)
    writeFileSync(file, example(['nat: single', 'nat: two']))
    await expect(loadSpec(file)).rejects.toThrow(`${file}: 1 problem\n  network.nat (line 29): "two" is not one of: none, single, per-az`)
  })

  it('says there is no spec file (the session recognises ENOENT)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'containrlab-spec-')), 'missing.yaml')
    const error = await loadSpec(file).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).message).toBe(`${file}: 1 problem\n  no spec file here (ENOENT); pass --file/-f with the path of your containrlab.yaml`)
  })
})
