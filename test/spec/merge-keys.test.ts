import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseSpec} from '../../src/spec/load.js'
import {edit, EXAMPLE_TEXT, example, lineOf, reported, ROOT} from './support.js'

/** The example written with merge keys (`<<: *public`, `<<: [*runner, *from-alb]`). */
const MERGED = readFileSync(join(ROOT, 'test', 'fixtures', 'specs', 'merge-keys.yaml'), 'utf8')
const merged = (...pairs: [string, string][]) => edit(MERGED, ...pairs)

describe('YAML merge keys (<<)', () => {
  it('a spec written with merge keys reads as the same spec written out', () => {
    // The merged copy holds the example's network (its front door has nothing to merge).
    expect(parseSpec(MERGED, 'merged.yaml').network).toEqual(parseSpec(EXAMPLE_TEXT, 'example.yaml').network)
  })

  it('the rest stays YAML 1.2: yes is a string, not true', () => {
    expect(reported(example(['dnsSupport: true', 'dnsSupport: yes']))).toEqual(['network.vpc.dnsSupport (line 10): expected true or false, got "yes"'])
  })

  it('an error in merged content is at the line holding the value, and names the merge key that brought it', () => {
    const text = merged(['      tier: public\n', '      tier: pubilc\n'])
    const at = lineOf(text, 'tier: pubilc')
    const message = '"pubilc" is not one of: public, private, data (did you mean "public"?)'
    expect(reported(text)).toEqual([`network.subnets[0].tier (line ${at}): ${message}`, `network.subnets[1].tier (line ${at}): ${message}; via the merge key << at line ${lineOf(text, '- <<: *public')}`])
  })

  it('through two merges, the first merge key on the way is named', () => {
    const text = merged(['tier: private', 'tier: privat'])
    const at = lineOf(text, 'tier: privat')
    const message = '"privat" is not one of: public, private, data (did you mean "private"?)'
    expect(reported(text)).toEqual([`network.subnets[2].tier (line ${at}): ${message}`, `network.subnets[3].tier (line ${at}): ${message}; via the merge key << at line ${lineOf(text, '- <<: *private')}`])
  })

  it('a semantic issue in merged content too: a subnet that merged another keeps its name', () => {
    const text = merged(['    - <<: *public\n      name: public-b\n', '    - <<: *public\n'])
    expect(reported(text)).toEqual([
      `network.subnets[1].name (line ${lineOf(text, 'name: public-a')}): duplicate subnet name "public-a" (first at network.subnets[0]); via the merge key << at line ${lineOf(text, '- <<: *public')}`,
    ])
  })

  it('an unknown key in a merged mapping is reported at the key, for each mapping that merges it', () => {
    const text = merged(['&web {protocol: tcp, port: 80,', '&web {protocol: tcp, prot: 80,'])
    const at = lineOf(text, 'prot: 80')
    const message = 'unknown key "prot" (did you mean "port"?); expected one of: protocol, port, ports, cidr, securityGroup, description'
    expect(reported(text)).toEqual([
      `network.securityGroups[0].ingress[0].prot (line ${at}): ${message}`,
      // The first rule also lacks its port; the second has its own (443).
      `network.securityGroups[0].ingress[0] (line ${at}): a tcp rule needs port (like port: 443) or ports (like ports: "8000-8010")`,
      `network.securityGroups[0].ingress[1].prot (line ${at}): ${message}; via the merge key << at line ${lineOf(text, '{<<: *web')}`,
    ])
  })

  it('in a list of merge sources the first that has the key wins, and the line follows it', () => {
    // runner-sg's second rule takes its port from *runner (listed first), not from *from-alb.
    const text = merged(['port: 8080, securityGroup: runner-sg', 'port: 70000, securityGroup: runner-sg'], ['&from-alb {protocol: tcp, port: 8000', '&from-alb {protocol: tcp, port: 8001'])
    const at = lineOf(text, 'port: 70000')
    const message = '70000 is not a port (expected a whole number from 1 to 65535)'
    expect(reported(text)).toEqual([
      `network.securityGroups[0].egress[1].port (line ${at}): ${message}`,
      `network.securityGroups[2].ingress[0].port (line ${at}): ${message}; via the merge key << at line ${lineOf(text, '{<<: *runner,')}`,
      `network.securityGroups[2].ingress[1].port (line ${at}): ${message}; via the merge key << at line ${lineOf(text, '{<<: [*runner, *from-alb]')}`,
    ])
  })

  it('an error in aliased content (no merge) is at the anchored value, naming the alias', () => {
    const text = example(
      ['      ingress:\n        - {protocol: tcp, port: 80,', '      ingress: &public-web\n        - {protocol: tcp, port: 80,'],
      ['port: 443,', 'port: 0,'],
      ['      ingress:\n        - {protocol: tcp, port: 8080, securityGroup: ecs-tasks-sg', '      ingress: *public-web\n      egress:\n        - {protocol: tcp, port: 8080, securityGroup: ecs-tasks-sg'],
    )
    const at = lineOf(text, 'port: 0,')
    const message = '0 is not a port (expected a whole number from 1 to 65535)'
    expect(reported(text)).toEqual([
      `network.securityGroups[0].ingress[1].port (line ${at}): ${message}`,
      `network.securityGroups[2].ingress[1].port (line ${at}): ${message}; via the alias *public-web at line ${lineOf(text, 'ingress: *public-web')}`,
    ])
  })
})
