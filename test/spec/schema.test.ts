import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {SpecError} from '../../src/spec/errors.js'
import {loadSpec, parseSpec} from '../../src/spec/load.js'
import {EXAMPLE_TEXT, example, expectedIssues, type IssueCase, issuesOf, lineOf, reported, THREE_TIER_TEXT} from './support.js'

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
    issues: [['regoin', 'regoin:', 'unknown key "regoin" (did you mean "region"?); expected one of: name, region, network, domain, loadBalancer, repositories, logs, clusters, services']],
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

  it('runs the semantic checks too, on the parts that are well-formed: one run lists both kinds', () => {
    // An AZ that is no AZ name (schema) used to hide another subnet's AZ in the wrong region (semantic).
    const text = example(['az: us-east-1a\n      cidr: 10.0.1.0/24', 'az: mars-1a\n      cidr: 10.0.1.0/24'], ['az: us-east-1b\n      cidr: 10.0.2.0/24', 'az: us-west-2a\n      cidr: 10.0.2.0/24'])
    expect(reported(text)).toEqual([
      'network.subnets[0].az (line 15): "mars-1a" is not an availability zone name (expected a region plus a letter, like us-east-1a)',
      'network.subnets[1].az (line 19): "us-west-2a" is not in us-east-1 (the stack region); a VPC and its subnets live in one region',
    ])
    const outside = example(['tier: private', 'tier: privat'], ['cidr: 10.0.102.0/24', 'cidr: 10.9.102.0/24'])
    expect(reported(outside)).toEqual([
      'network.subnets[2].tier (line 22): "privat" is not one of: public, private, data (did you mean "private"?)',
      'network.subnets[3].cidr (line 28): "10.9.102.0/24" is outside the VPC CIDR 10.0.0.0/16',
    ])
  })

  it('a field that fails the schema causes no second, false report from the checks', () => {
    // With both public tiers misspelt, nat: single has no readable public subnet, but the tiers are unknown, not absent.
    const tiers = example(['tier: public\n      az: us-east-1a', 'tier: pubilc\n      az: us-east-1a'], ['tier: public\n      az: us-east-1b', 'tier: pubilc\n      az: us-east-1b'])
    expect(reported(tiers)).toEqual([
      'network.subnets[0].tier (line 14): "pubilc" is not one of: public, private, data (did you mean "public"?)',
      'network.subnets[1].tier (line 18): "pubilc" is not one of: public, private, data (did you mean "public"?)',
    ])
    // A group whose name is malformed: the rules naming it are not called unknown references.
    const group = example(['- name: alb-sg', '- name: alb sg'])
    expect(reported(group)).toEqual(['network.securityGroups[0].name (line 31): "alb sg" is not a valid name (expected letters, digits, ".", "_" or "-", starting with a letter or digit, at most 63 characters)'])
    // A VPC CIDR that does not parse: no subnet is called outside it.
    expect(reported(example(['cidr: 10.0.0.0/16', 'cidr: 10.0.0/16']))).toEqual(['network.vpc.cidr (line 9): "10.0.0/16" is not an IPv4 CIDR (expected address/prefix, like 10.0.0.0/16)'])
  })

  it.each([
    [
      'entries that are not mappings',
      'name: x\nnetwork:\n  vpc: {cidr: 10.0.0.0/16}\n  subnets: [5, "a", null, [], {cidr: 10}]\n  securityGroups: [7, {name: a, ingress: 5, egress: [null, 3]}]\n  endpoints: [1, {tiers: 5}, {tiers: [5], type: interface, securityGroups: 3}]\n',
    ],
    ['sections of the wrong kind', 'name: x\nregion: 5\nnetwork:\n  vpc: []\n  subnets: {a: 1}\n  nat: [single]\n  securityGroups: yes\n  endpoints: 3\n'],
    ['network as a list', 'name: x\nnetwork: [1, 2]\n'],
  ])('the checks skip what they cannot read instead of crashing: %s', (_, text) => {
    expect(issuesOf(text).length).toBeGreaterThan(0)
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

  it('reports an empty file, a top-level list and a top-level string (cut short, not echoed)', () => {
    expect(reported('# nothing yet\n')).toEqual(['the spec is empty (nothing but comments or blank lines); expected a mapping with name and network'])
    expect(reported('')).toEqual(['the spec is empty (nothing but comments or blank lines); expected a mapping with name and network'])
    expect(reported('- name: x\n')).toEqual(['line 1: expected a mapping at the top of the file, got a list'])
    expect(reported(`${'ÿØÿà JFIF '.repeat(150)}\n`)).toEqual(['line 1: expected a mapping at the top of the file, got "ÿØÿà JFIF ÿØÿà JFIF ÿØÿà JFIF ÿØÿà JFIF…" (1499 characters)'])
  })

  it('quotes a long value shortly, wherever it appears', () => {
    expect(reported(example(['name: containrlab', `name: ${'Stack'.repeat(100)}`]))).toEqual([
      `name (line 4): "${'Stack'.repeat(8)}…" (500 characters) is not a valid stack name (expected lowercase letters, digits and "-", starting with a letter or digit, at most 40 characters: it names the SSM path /containrlab/<name>/ and tags)`,
    ])
  })

  it('refuses a NUL character: the text is binary', () => {
    expect(reported(`name: x\nnetwork:\n  vpc: \u0000\n`)).toEqual(['line 3: the file is binary, not text (a NUL byte on this line): check that -f names your YAML spec'])
  })

  it('refuses nesting past 64 levels before the parser overflows its stack, at the line where it goes too deep', () => {
    const depth = (levels: number) => `name: x\nnetwork:\n  vpc: {cidr: 10.0.0.0/16}\n  endpoints: ${'['.repeat(levels)}${']'.repeat(levels)}\n`
    const tooDeep = 'line 4: nested more than 64 levels deep (mappings and lists inside each other); a spec needs about ten: check the brackets and indentation'
    // Three levels above the brackets (the document, network, endpoints' list is the first bracket).
    expect(reported(depth(62))).not.toContain(tooDeep)
    expect(reported(depth(63))).toEqual([tooDeep])
    // The issue's case: 50,000 levels (yaml says "Maximum call stack size exceeded"), closed or not.
    expect(reported(depth(50_000))).toEqual([tooDeep])
    expect(reported(`name: x\nnetwork:\n  vpc: {cidr: 10.0.0.0/16}\n  endpoints: ${'{a: '.repeat(50_000)}\n`)).toEqual([tooDeep])
    expect(reported(`${'- '.repeat(50_000)}x\n`)).toEqual(['line 1: nested more than 64 levels deep (mappings and lists inside each other); a spec needs about ten: check the brackets and indentation'])
  })

  it('refuses an alias bomb at the alias that expands past the limit, before toJS', () => {
    const rows = ['lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for (let i = 1; i <= 9; i++)
      rows.push(
        `lol${i}: &lol${i} [${Array(10)
          .fill(`*lol${i - 1}`)
          .join(', ')}]`,
      )
    // lol3 stands for 11,111 values (lists count too): its uses in lol4 (line 5) pass 100,000.
    expect(reported(`${rows.join('\n')}\n`)).toEqual(['line 5: alias *lol3 expands the document past 100000 values (aliases of aliases multiply): a spec needs far fewer; use fewer nested aliases'])
  })

  it('takes many uses of one anchor (toJS would count 101 uses as a bomb)', () => {
    const rules = Array(150).fill('        - *https').join('\n')
    const text = example(['        - {protocol: tcp, port: 443, cidr: 0.0.0.0/0, description: HTTPS}', `        - &https {protocol: tcp, port: 443, cidr: 0.0.0.0/0, description: HTTPS}\n${rules}`])
    expect(parseSpec(text, 'many.yaml').network.securityGroups[0]!.ingress).toHaveLength(152)
  })

  it('refuses an alias nested deeper than 64 levels once expanded', () => {
    const rows = [`a0: &a0 ${'['.repeat(30)}${']'.repeat(30)}`, `a1: &a1 ${'['.repeat(30)}*a0${']'.repeat(30)}`, `a2: &a2 ${'['.repeat(30)}*a1${']'.repeat(30)}`]
    expect(reported(`${rows.join('\n')}\n`)).toEqual(['line 3: alias *a1 nests its value 91 levels deep here, more than 64; a spec needs about ten'])
  })

  it('refuses an alias without an anchor, an alias inside its own anchor, and a merge key given no mapping', () => {
    expect(reported(example(['securityGroup: runner-sg', 'securityGroup: *runner']))).toEqual(['line 38: alias *runner has no anchor &runner before it; set the anchor (&runner) on an earlier value'])
    expect(reported('name: x\nnetwork: &net\n  vpc: *net\n')).toEqual(['line 3: alias *net is inside the value it names (&net): a value cannot contain itself'])
    expect(reported(example(['{protocol: tcp, port: 443,', '{<<: [*cidrs], protocol: tcp, port: 443,'], ['    cidr: 10.0.0.0/16', '    cidr: &cidrs 10.0.0.0/16']))).toEqual([
      'line 35: a merge key (<<) takes a mapping or a list of mappings, like <<: *base or <<: [*a, *b]',
    ])
  })

  it('lists the first ten YAML syntax errors, each once, and counts the rest', () => {
    const issues = reported(': ] ] :: - [ {\n'.repeat(40))
    expect(issues).toHaveLength(11)
    expect(new Set(issues).size).toBe(11)
    expect(issues[10]).toMatch(/^… and \d+ more YAML syntax errors \(most follow from the first ones: fix those and run again\)$/)
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
