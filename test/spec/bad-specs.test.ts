import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {formatIssue, SpecError} from '../../src/spec/errors.js'
import {loadSpec} from '../../src/spec/load.js'
import {ROOT} from './support.js'

const BAD = join(ROOT, 'test', 'fixtures', 'specs', 'bad')

/** Each malformed spec (one realistic mistake each) and the first issue it must report: path, line, message fragment. */
const expected: Record<string, {path: string; line: number; fragment: string}> = {
  'alias-bomb.yaml': {path: '', line: 9, fragment: 'alias *lol4 expands the document past 100000 values (aliases of aliases multiply)'},
  'az-wrong-region.yaml': {path: 'network.subnets[1].az', line: 20, fragment: '"us-west-2b" is not in us-east-1 (the stack region)'},
  'bad-cidr.yaml': {path: 'network.subnets[3].cidr', line: 29, fragment: '"10.0.300.0/24" is not an IPv4 CIDR'},
  'bad-port-range.yaml': {path: 'network.securityGroups[1].ingress[0].ports', line: 43, fragment: '"8010-8000" is not a port range'},
  'bad-stack-name.yaml': {path: 'name', line: 5, fragment: '"ContainrLab" is not a valid stack name'},
  'binary.yaml': {path: '', line: 2, fragment: 'the file is binary, not text (a NUL byte on this line)'},
  'deep-nesting.yaml': {path: '', line: 36, fragment: 'nested more than 64 levels deep'},
  'duplicate-subnet-names.yaml': {path: 'network.subnets[3].name', line: 26, fragment: 'duplicate subnet name "private-a" (first at network.subnets[2])'},
  'gateway-endpoint-sqs.yaml': {path: 'network.endpoints[0].type', line: 52, fragment: '"sqs" has no gateway endpoint (only s3 and dynamodb do)'},
  'latin1.yaml': {path: '', line: 33, fragment: 'the file is not UTF-8 text (an invalid byte sequence on this line)'},
  // The name is written in the first subnet (line 13); the second takes it by its merge key (line 17).
  'merge-duplicate-name.yaml': {path: 'network.subnets[1].name', line: 13, fragment: 'duplicate subnet name "public-a" (first at network.subnets[0]); via the merge key << at line 17'},
  'missing-network.yaml': {path: 'network', line: 2, fragment: 'missing required key "network"'},
  'nat-without-public.yaml': {path: 'network.nat', line: 9, fragment: 'nat: single needs a public subnet to hold the NAT gateway'},
  'overlapping-subnets.yaml': {path: 'network.subnets[1].cidr', line: 21, fragment: '"10.0.0.0/23" of subnet public-b overlaps 10.0.1.0/24 of subnet public-a'},
  'per-az-nat-missing-public.yaml': {path: 'network.subnets[3].az', line: 28, fragment: 'but us-east-1c (subnet private-b) has no public subnet'},
  'subnet-outside-vpc.yaml': {path: 'network.subnets[3].cidr', line: 29, fragment: '"10.1.102.0/24" is outside the VPC CIDR 10.0.0.0/16'},
  'tcp-without-port.yaml': {path: 'network.securityGroups[0].ingress[1]', line: 36, fragment: 'a tcp rule needs port'},
  'top-level-list.yaml': {path: '', line: 2, fragment: 'expected a mapping at the top of the file, got a list'},
  'top-level-scalar.yaml': {path: '', line: 2, fragment: 'expected a mapping at the top of the file, got "Write the containrlab network spec here…" (90 characters)'},
  'typo-key.yaml': {path: 'network.vpc.dnsHostname', line: 12, fragment: 'unknown key "dnsHostname" (did you mean "dnsHostnames"?)'},
  'unknown-security-group.yaml': {path: 'network.securityGroups[1].ingress[0].securityGroup', line: 43, fragment: 'unknown security group "alb"; declared groups: alb-sg'},
  'unresolved-alias.yaml': {path: '', line: 50, fragment: 'alias *from-alb has no anchor &from-alb before it'},
  'vpc-host-bits.yaml': {path: 'network.vpc.cidr', line: 10, fragment: '"10.0.0.1/16" has host bits set'},
  'wrong-type.yaml': {path: 'network.securityGroups[0].ingress[1].port', line: 36, fragment: 'expected a number, got "443"'},
  'yaml-syntax-error.yaml': {path: '', line: 37, fragment: 'YAML syntax error: Flow map in block collection'},
}

describe('malformed specs (test/fixtures/specs/bad)', () => {
  const files = readdirSync(BAD)
    .filter((file) => file.endsWith('.yaml'))
    .sort()

  it('every fixture has an expectation, and there are at least 12', () => {
    expect(files).toEqual(Object.keys(expected).sort())
    expect(files.length).toBeGreaterThanOrEqual(12)
  })

  it.each(files)('%s', async (name) => {
    const file = join(BAD, name)
    const error = await loadSpec(file).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SpecError)
    const [first] = (error as SpecError).issues
    const want = expected[name]!
    expect({path: first!.path, line: first!.line}).toEqual({path: want.path, line: want.line})
    expect(first!.message).toContain(want.fragment)
    // The rendered message names the file and carries the same line.
    expect((error as SpecError).message.split('\n')[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ problems?$`))
    expect((error as SpecError).message).toContain(formatIssue(first!))
  })

  it('each fixture says in its first line which mistake it holds', () => {
    for (const name of files) expect(readFileSync(join(BAD, name), 'utf8').split('\n')[0]).toMatch(/^# Malformed on purpose \(test\/spec\/bad-specs\.test\.ts\): .+\.$/)
  })
})
