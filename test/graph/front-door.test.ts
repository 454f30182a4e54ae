import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {compileSpec} from '../../src/graph/compile.js'
import {buildDag} from '../../src/graph/dag.js'
import {boundedName, ELB_NAME_MAX} from '../../src/graph/front-door.js'
import {nodeDependencies, ref} from '../../src/graph/types.js'
import {parseSpec} from '../../src/spec/load.js'
import {EXAMPLE_TEXT, example} from '../spec/support.js'

const ROOT = join(import.meta.dirname, '..', '..')
const nodesOf = (text: string) => compileSpec(parseSpec(text, 'spec.yaml'), 'us-east-1')
const byId = (text: string) => new Map(nodesOf(text).map((node) => [node.id, node]))

describe('the example’s front door as resources', () => {
  const nodes = byId(EXAMPLE_TEXT)

  it('has the zone, three target groups, the load balancer, two listeners, the rules, the certificate and its validation, and a record per host', () => {
    const front = [...nodes.values()].filter((node) => /^(elbv2|acm|route53)\./.test(node.kind)).map((node) => [node.id, node.kind])
    expect(front).toEqual([
      ['hosted-zone', 'route53.hosted-zone'],
      ['target-group/api', 'elbv2.target-group'],
      ['target-group/web', 'elbv2.target-group'],
      ['target-group/runner', 'elbv2.target-group'],
      ['load-balancer', 'elbv2.load-balancer'],
      ['certificate', 'acm.certificate'],
      ['certificate/validation-records', 'route53.validation-records'],
      ['certificate/validation', 'acm.certificate-validation'],
      ['listener/80', 'elbv2.listener'],
      ['listener/443', 'elbv2.listener'],
      ['listener-rules/443', 'elbv2.listener-rules'],
      ['record/api.containrlab.click', 'route53.alias-record'],
      ['record/containrlab.click', 'route53.alias-record'],
      ['record/app.containrlab.click', 'route53.alias-record'],
    ])
    expect(() => buildDag([...nodes.values()])).not.toThrow()
  })

  it('HTTP redirects; HTTPS forwards by host rules, in spec order, with the validated certificate', () => {
    expect(nodes.get('listener/80')!.desired).toEqual({loadBalancerArn: ref('load-balancer', 'arn'), port: 80, protocol: 'HTTP', defaultAction: {type: 'redirect-https'}})
    expect(nodes.get('listener/443')!.desired).toMatchObject({
      port: 443,
      protocol: 'HTTPS',
      certificateArn: ref('certificate/validation', 'arn'),
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      defaultAction: {type: 'fixed-response', statusCode: 404},
    })
    expect(nodes.get('listener-rules/443')!.desired).toEqual({
      listenerArn: ref('listener/443', 'arn'),
      rules: [
        {priority: 10, hosts: ['api.containrlab.click'], paths: [], targetGroupArn: ref('target-group/api', 'arn')},
        {priority: 20, hosts: ['containrlab.click', 'app.containrlab.click'], paths: [], targetGroupArn: ref('target-group/web', 'arn')},
      ],
    })
  })

  it('the load balancer spans one public subnet per AZ with the ALB group, after the internet gateway', () => {
    const lb = nodes.get('load-balancer')!
    expect(lb.desired).toMatchObject({name: 'containrlab-alb', scheme: 'internet-facing', subnetIds: [ref('subnet/public-a'), ref('subnet/public-b')], securityGroupIds: [ref('security-group/alb-sg')]})
    expect(nodeDependencies(lb)).toContain('internet-gateway')
  })

  it('the certificate is validated only once its records are in the zone; records alias the load balancer', () => {
    expect(nodes.get('certificate')!.desired).toEqual({domainName: 'containrlab.click', subjectAlternativeNames: ['*.containrlab.click']})
    expect(nodes.get('certificate/validation-records')!.desired).toEqual({zoneId: ref('hosted-zone'), records: ref('certificate', 'validationRecords'), domain: 'containrlab.click'})
    expect(nodeDependencies(nodes.get('certificate/validation')!)).toEqual(['certificate', 'certificate/validation-records'])
    expect(nodes.get('record/api.containrlab.click')!.desired).toEqual({
      zoneId: ref('hosted-zone'),
      name: 'api.containrlab.click',
      targetDnsName: ref('load-balancer', 'dnsName'),
      targetHostedZoneId: ref('load-balancer', 'canonicalHostedZoneId'),
      evaluateTargetHealth: true,
    })
  })

  it('target groups carry the health checks and types of the seed', () => {
    expect(nodes.get('target-group/runner')!.desired).toMatchObject({
      namePrefix: 'containrlab-runner',
      vpcId: ref('vpc'),
      port: 8080,
      protocol: 'HTTP',
      targetType: 'instance',
      healthCheck: {path: '/health'},
      deregistrationDelaySeconds: 300,
    })
  })
})

describe('other front doors', () => {
  it('fargate-ha: a self-signed certificate, HTTPS forwarding to its one target group by default', () => {
    const nodes = byId(readFileSync(join(ROOT, 'examples', 'fargate-ha.yaml'), 'utf8'))
    expect(nodes.get('certificate')).toMatchObject({kind: 'acm.self-signed-certificate', desired: {commonName: 'fargate-ha.internal', validityDays: 365, renewDays: 30}})
    expect(nodes.get('listener/443')!.desired).toMatchObject({certificateArn: ref('certificate', 'arn'), defaultAction: {type: 'forward', targetGroupArn: ref('target-group/app', 'arn')}})
    expect(nodes.has('hosted-zone')).toBe(false)
    expect([...nodes.keys()].filter((id) => id.startsWith('record/'))).toEqual([])
  })

  it('no TLS: HTTP:80 carries the rules; a given certificate ARN is used as it is', () => {
    const plain = byId(example(['  tls:\n    certificate: acm\n', '']))
    expect(plain.get('listener/80')!.desired).toMatchObject({defaultAction: {type: 'fixed-response', statusCode: 404}})
    expect(plain.has('listener/443')).toBe(false)
    expect(plain.get('listener-rules/80')!.desired).toMatchObject({listenerArn: ref('listener/80', 'arn')})
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f9f3b2e-8c7b-4f43-9a57-0d1b3c5e7a9f'
    const given = byId(example(['certificate: acm', `certificate: ${arn}`]))
    expect(given.get('listener/443')!.desired).toMatchObject({certificateArn: arn})
    expect(given.has('certificate')).toBe(false)
  })

  it('hosts outside the domain, and wildcards, get no record', () => {
    // With a certificate of the user's that covers www.example.org too (acm's would not: validate refuses that host).
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000'
    const nodes = byId(example(['hosts: [containrlab.click, app.containrlab.click]', 'hosts: [containrlab.click, www.example.org, "*.containrlab.click"]'], ['certificate: acm', `certificate: ${arn}`]))
    expect([...nodes.keys()].filter((id) => id.startsWith('record/'))).toEqual(['record/api.containrlab.click', 'record/containrlab.click'])
  })
})

describe('names AWS limits to 32 characters', () => {
  it('fit, and stay unique when cut', () => {
    expect(boundedName('containrlab', 'alb')).toBe('containrlab-alb')
    const long = boundedName('a-very-long-stack-name-of-forty-chars-xx', 'alb')
    expect(long.length).toBeLessThanOrEqual(ELB_NAME_MAX)
    expect(long).toMatch(/^a-very-long-stack-name-[0-9a-f]{4}-alb$/)
    expect(boundedName('a-very-long-stack-name-of-forty-chars-yy', 'alb')).not.toBe(long)
  })
})
