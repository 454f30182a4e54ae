import {describe, expect, it} from 'vitest'
import {parseSpec} from '../../src/spec/load.js'
import {EXAMPLE_TEXT, edit, example, issuesOf} from './support.js'

describe('the front door of the example (seed 001)', () => {
  it('parses with AWS’s defaults filled', () => {
    const spec = parseSpec(EXAMPLE_TEXT, 'containrlab.yaml')
    expect(spec.domain).toEqual({name: 'containrlab.click', createZone: false})
    const lb = spec.loadBalancer!
    expect(lb).toMatchObject({scheme: 'internet-facing', tier: 'public', securityGroups: ['alb-sg'], idleTimeout: 60, deletionProtection: false, http2: true, default: {status: 404}})
    expect(lb.tls).toEqual({certificate: 'acm', policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06'})
    expect(lb.targetGroups.map((group) => [group.name, group.port, group.targetType, group.healthCheck.path])).toEqual([
      ['api', 8000, 'ip', '/healthz'],
      ['web', 3000, 'ip', '/'],
      ['runner', 8080, 'instance', '/health'],
    ])
    expect(lb.targetGroups[0]!.healthCheck).toEqual({path: '/healthz', interval: 30, timeout: 5, healthyThreshold: 5, unhealthyThreshold: 2, matcher: '200'})
    expect(lb.targetGroups[0]!.deregistrationDelay).toBe(300)
    expect(lb.rules).toEqual([
      {hosts: ['api.containrlab.click'], paths: [], targetGroup: 'api'},
      {hosts: ['containrlab.click', 'app.containrlab.click'], paths: [], targetGroup: 'web'},
    ])
  })
})

describe('front door problems, each at its path', () => {
  const cases: [string, string, [string, RegExp][]][] = [
    ['an unknown security group', example(['securityGroups: [alb-sg]', 'securityGroups: [alb-gs]']), [['loadBalancer.securityGroups[0]', /unknown security group "alb-gs"; declared: alb-sg, ecs-tasks-sg, runner-sg/]]],
    ['a rule to an unknown target group', example(['targetGroup: api}', 'targetGroup: apl}']), [['loadBalancer.rules[0].targetGroup', /unknown target group "apl"; declared: api, web, runner/]]],
    ['an unknown default target group', example(['  tls:\n    certificate: acm', '  tls:\n    certificate: acm\n  default: {targetGroup: nope}']), [['loadBalancer.default.targetGroup', /unknown target group "nope"/]]],
    [
      'a duplicate target group',
      example(['{name: web, port: 3000', '{name: api, port: 3000']),
      [
        ['loadBalancer.targetGroups[1].name', /duplicate target group name "api" \(first at loadBalancer.targetGroups\[0\]\)/],
        ['loadBalancer.rules[1].targetGroup', /unknown target group "web"/],
      ],
    ],
    ['an ACM certificate with no domain', example(['domain:\n  name: containrlab.click\n', '']), [['loadBalancer.tls.certificate', /certificate: acm is requested for the stack’s domain/]]],
    [
      'an internet-facing load balancer in the private tier',
      example(['scheme: internet-facing', 'scheme: internet-facing\n  tier: private']),
      [['loadBalancer.tier', /an internet-facing load balancer lives in the public tier/]],
    ],
    ['a rule that matches nothing', example(['- {hosts: [api.containrlab.click], targetGroup: api}', '- {targetGroup: api}']), [['loadBalancer.rules[0]', /a rule needs hosts, paths or both/]]],
    [
      'a rule with six values',
      example(['hosts: [api.containrlab.click]', 'hosts: [a.x.io, b.x.io, c.x.io, d.x.io, e.x.io, f.x.io]']),
      [['loadBalancer.rules[0]', /at most 5 hosts and paths in all \(an ALB limit\), got 6/]],
    ],
    [
      'a health check timeout as long as its interval',
      example(['healthCheck: {path: /healthz}', 'healthCheck: {path: /healthz, interval: 5, timeout: 5}']),
      [['loadBalancer.targetGroups[0].healthCheck.timeout', /timeout \(5s\) must be shorter than interval \(5s\)/]],
    ],
    [
      'a host the requested certificate does not cover (another domain, two labels deep)',
      example(['hosts: [containrlab.click, app.containrlab.click]', 'hosts: [containrlab.click, www.other.com, a.b.containrlab.click, "*.containrlab.click"]']),
      [
        ['loadBalancer.rules[1].hosts[1]', /^www\.other\.com is not covered by the certificate requested for containrlab\.click \(it covers containrlab\.click and \*\.containrlab\.click, one label deep\)/],
        ['loadBalancer.rules[1].hosts[2]', /^a\.b\.containrlab\.click is not covered by the certificate/],
      ],
    ],
    ['an upper-case host', example(['hosts: [api.containrlab.click]', 'hosts: [API.containrlab.click]']), [['loadBalancer.rules[0].hosts[0]', /"API.containrlab.click" is not a host name/]]],
    [
      'a certificate that is neither acm, self-signed nor an ARN',
      example(['certificate: acm', 'certificate: letsencrypt']),
      [['loadBalancer.tls.certificate', /expected acm \(requested for the domain\), self-signed, or an ACM certificate ARN/]],
    ],
  ]
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const issues = issuesOf(text)
      for (const [path, message] of expected) expect(issues.find((issue) => issue.path === path)?.message, `${path} in ${JSON.stringify(issues)}`).toMatch(message)
    })
  }

  it('an Application Load Balancer needs its tier in two AZs', () => {
    const issues = issuesOf(edit(EXAMPLE_TEXT, ['az: us-east-1b\n      cidr: 10.0.2.0/24', 'az: us-east-1a\n      cidr: 10.0.2.0/24']))
    expect(issues.find((issue) => issue.path === 'loadBalancer.tier')?.message).toMatch(/public subnets in one AZ only \(us-east-1a\): an Application Load Balancer needs subnets in at least two AZs/)
  })

  it('a certificate ARN and an internal load balancer need neither a domain nor a public tier', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f9f3b2e-8c7b-4f43-9a57-0d1b3c5e7a9f'
    const spec = parseSpec(example(['domain:\n  name: containrlab.click\n', ''], ['certificate: acm', `certificate: ${arn}`], ['scheme: internet-facing', 'scheme: internal']), 'internal.yaml')
    expect(spec.loadBalancer).toMatchObject({scheme: 'internal', tier: 'private', tls: {certificate: arn}})
  })
})
