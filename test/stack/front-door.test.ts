import {DescribeListenersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand, RegisterTargetsCommand} from '@aws-sdk/client-elastic-load-balancing-v2'
import {ChangeResourceRecordSetsCommand, Route53Client} from '@aws-sdk/client-route-53'
import {afterEach, describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {formatPlan, formatStatus} from '../../src/ui/format.js'
import {EXAMPLE_DOMAIN, exampleEdited, exampleWith, stackHarness} from '../helpers/stack.js'

/**
 * The example's front door (seed 000/001) as its users meet it: the load
 * balancer, three target groups, two listeners, two host rules, the ACM
 * certificate validated through the zone, and three alias records.
 */

let harness: ReturnType<typeof stackHarness> | undefined
afterEach(() => {
  harness?.cloud.restore()
  harness = undefined
})

async function deployed() {
  harness = stackHarness()
  const report = await up(await harness.open(), harness.yes)
  expect(report.errors).toEqual([])
  const physical = (id: string) => report.resources.find((r) => r.id === id)!.physicalId!
  return {...harness, report, physical, zoneId: harness.cloud.route53.zoneIds()[0]!}
}

const elbv2 = () => new ElasticLoadBalancingV2Client({region: 'us-east-1'})
const route53 = () => new Route53Client({region: 'us-east-1'})

async function hostRules(listenerArn: string) {
  const rules = (await elbv2().send(new DescribeRulesCommand({ListenerArn: listenerArn}))).Rules ?? []
  return rules
    .filter((rule) => !rule.IsDefault)
    .map((rule) => ({priority: rule.Priority, hosts: rule.Conditions?.flatMap((condition) => condition.HostHeaderConfig?.Values ?? []), targetGroupArn: rule.Actions?.[0]?.TargetGroupArn}))
}

describe('the front door', () => {
  it('is made whole: the HTTPS listener routes each host to its group with an issued certificate, HTTP redirects', async () => {
    const {physical, cloud, zoneId} = await deployed()
    expect(await hostRules(physical('listener/443'))).toEqual([
      // Spaced by ten: a rule inserted between two later takes a free priority, moving neither.
      {priority: '10', hosts: ['api.containrlab.click'], targetGroupArn: physical('target-group/api')},
      {priority: '20', hosts: ['app.containrlab.click', 'containrlab.click'], targetGroupArn: physical('target-group/web')},
    ])
    const listeners = (await elbv2().send(new DescribeListenersCommand({LoadBalancerArn: physical('load-balancer')}))).Listeners!
    const byPort = new Map(listeners.map((listener) => [listener.Port, listener]))
    expect(byPort.get(80)).toMatchObject({Protocol: 'HTTP', DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}]})
    expect(byPort.get(443)).toMatchObject({Protocol: 'HTTPS', Certificates: [{CertificateArn: physical('certificate')}], SslPolicy: expect.stringMatching(/^ELBSecurityPolicy-TLS13-/)})
    expect(byPort.get(443)!.DefaultActions).toMatchObject([{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}])
    expect(cloud.acm.detail(physical('certificate'))).toMatchObject({Status: 'ISSUED', DomainName: EXAMPLE_DOMAIN, SubjectAlternativeNames: [EXAMPLE_DOMAIN, `*.${EXAMPLE_DOMAIN}`]})
    const aliases = cloud.route53.recordSets(zoneId).filter((set) => set.Type === 'A')
    expect(aliases.map((set) => set.Name).sort()).toEqual(['api.containrlab.click.', 'app.containrlab.click.', 'containrlab.click.'])
    expect(new Set(aliases.map((set) => set.AliasTarget?.DNSName))).toEqual(new Set([expect.stringMatching(/^containrlab-alb-\d+\.us-east-1\.elb\.amazonaws\.com\.?$/)]))
  })

  it('status shows the load balancer’s state, each group’s targets, the certificate’s days left and the URLs', async () => {
    const {open, physical, cloud} = await deployed()
    const api = physical('target-group/api')
    await elbv2().send(new RegisterTargetsCommand({TargetGroupArn: api, Targets: [{Id: '10.0.101.10'}, {Id: '10.0.102.10'}]}))
    cloud.elbv2.setTargetHealth(api, '10.0.101.10', 'healthy')
    cloud.elbv2.setTargetHealth(api, '10.0.102.10', 'unhealthy', 'Target.ResponseCodeMismatch')

    const report = await status(await open())

    const health = (id: string) => report.resources.find((r) => r.id === id)!.health
    expect(health('load-balancer')).toMatchObject({state: 'active', ready: true})
    expect(health('target-group/api')).toEqual({state: '1/2 healthy', ready: true, detail: '1 unhealthy', degraded: '1 of 2 targets unhealthy'})
    // Usable, matching the spec, and not doing its job: not ok (`status --detailed-exitcode` exits 2).
    expect(report.resources.find((r) => r.id === 'target-group/api')!.condition).toBe('degraded')
    expect(report.resources.find((r) => r.id === 'target-group/web')!.condition).toBe('ok')
    expect(health('target-group/web')).toMatchObject({state: 'no targets'})
    expect(health('certificate')).toMatchObject({state: 'ISSUED', detail: expect.stringMatching(/^expires in 19\d days/)})
    expect(report.urls).toEqual(['https://api.containrlab.click', 'https://containrlab.click', 'https://app.containrlab.click'])
    const text = formatStatus(report)
    expect(text).toMatch(/target-group\/api .* 1\/2 healthy: 1 unhealthy/)
    expect(text).toContain('URLs: https://api.containrlab.click  https://containrlab.click  https://app.containrlab.click')
  })

  it('a rule edited by hand and a record deleted by hand: status shows both, up repairs them, and then nothing is left to do', async () => {
    const {open, yes, physical, zoneId, cloud} = await deployed()
    const rules = (await elbv2().send(new DescribeRulesCommand({ListenerArn: physical('listener/443')}))).Rules!
    const apiRule = rules.find((rule) => rule.Priority === '10')!
    // Someone sends api traffic to the web group in the console, and deletes the app record.
    await elbv2().send(new ModifyRuleCommand({RuleArn: apiRule.RuleArn, Actions: [{Type: 'forward', TargetGroupArn: physical('target-group/web')}]}))
    const app = cloud.route53.recordSets(zoneId).find((set) => set.Name === 'app.containrlab.click.' && set.Type === 'A')!
    await route53().send(new ChangeResourceRecordSetsCommand({HostedZoneId: zoneId, ChangeBatch: {Changes: [{Action: 'DELETE', ResourceRecordSet: app}]}}))

    const seen = await status(await open())
    const condition = (id: string) => seen.resources.find((r) => r.id === id)!.condition
    expect(condition('listener-rules/443')).toBe('drifted')
    // The name's ownership marker is still there: the record is the stack's, its alias is missing.
    expect(seen.resources.find((r) => r.id === 'record/app.containrlab.click')).toMatchObject({condition: 'drifted', health: {state: 'alias missing', detail: 'no alias record there, only the marker'}})
    const preview = await plan(await open(), {offline: false})
    expect(preview.resources.filter((r) => r.action !== 'noop').map((r) => [r.id, r.action])).toEqual([
      ['listener-rules/443', 'update'],
      ['record/app.containrlab.click', 'update'],
    ])
    expect(formatPlan(preview)).toMatch(/~ listener-rules\/443/)

    cloud.resetCalls()
    const repaired = await up(await open(), yes)
    expect(repaired.errors).toEqual([])
    expect(repaired.summary).toMatchObject({update: 2, create: 0, replace: 0, delete: 0})
    expect(await hostRules(physical('listener/443'))).toContainEqual({priority: '10', hosts: ['api.containrlab.click'], targetGroupArn: physical('target-group/api')})
    expect(cloud.route53.recordSets(zoneId).find((set) => set.Name === 'app.containrlab.click.' && set.Type === 'A')).toEqual(app)
    expect((await plan(await open(), {offline: false})).changes).toBe(false)
  })

  it('a target group whose port changes is replaced beside the old one; the rule and the service move before the old group goes', async () => {
    const {open, yes, physical, cloud} = await deployed()
    const oldGroup = physical('target-group/api')
    const file = exampleWith('{name: api, port: 8000,', '{name: api, port: 8001,')

    const preview = await plan(await open({file}), {offline: false})
    expect(preview.resources.filter((r) => r.action !== 'noop').map((r) => [r.id, r.action])).toEqual([
      ['target-group/api', 'replace'],
      ['listener-rules/443', 'update'],
      ['service/api', 'update'],
    ])
    cloud.resetCalls()
    const report = await up(await open({file}), yes)
    expect(report.errors).toEqual([])
    const newGroup = report.resources.find((r) => r.id === 'target-group/api' && !r.partOf)!.physicalId!
    expect(newGroup).not.toBe(oldGroup)
    // Created, then the rule moved to it, then the old group deleted: no request met a rule pointing nowhere
    // (and ELBv2 refuses to delete a group a rule still forwards to: ResourceInUse).
    const ops = cloud.mutatingCalls().map((call) => call.operation)
    expect(ops.indexOf('CreateTargetGroup')).toBeLessThan(ops.indexOf('ModifyRule'))
    expect(ops.indexOf('ModifyRule')).toBeLessThan(ops.indexOf('DeleteTargetGroup'))
    expect(ops.indexOf('CreateTargetGroup')).toBeLessThan(ops.indexOf('UpdateService'))
    expect(ops.indexOf('UpdateService')).toBeLessThan(ops.indexOf('DeleteTargetGroup'))
    expect(cloud.calls.filter((call) => call.error)).toEqual([])
    expect(await hostRules(physical('listener/443'))).toContainEqual({priority: '10', hosts: ['api.containrlab.click'], targetGroupArn: newGroup})
    expect((await plan(await open({file}), {offline: false})).changes).toBe(false)
  })

  it('teardown deletes only what the stack made: a record of the same name re-pointed by hand, and the zone’s own TXT, stay', async () => {
    const {open, yes, zoneId, cloud} = await deployed()
    // The apex TXT set holds the user's SPF beside the stack's ownership marker; api was re-pointed by hand.
    const spf = '"v=spf1 include:_spf.google.com ~all"'
    const apexTxt = cloud.route53.recordSets(zoneId).find((set) => set.Name === 'containrlab.click.' && set.Type === 'TXT')!
    const api = cloud.route53.recordSets(zoneId).find((set) => set.Name === 'api.containrlab.click.' && set.Type === 'A')!
    const elsewhere = {Name: 'api.containrlab.click.', Type: 'A' as const, TTL: 60, ResourceRecords: [{Value: '203.0.113.10'}]}
    await route53().send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {Action: 'UPSERT', ResourceRecordSet: {...apexTxt, ResourceRecords: [{Value: spf}, ...apexTxt.ResourceRecords!]}},
            {Action: 'DELETE', ResourceRecordSet: api},
            {Action: 'CREATE', ResourceRecordSet: elsewhere},
          ],
        },
      }),
    )

    // up does not overwrite the hand-made record: it says what is there and what to do.
    const again = await up(await open(), yes)
    expect(again.errors).toEqual([
      `record/api.containrlab.click: api.containrlab.click has a record containrlab did not make (A 203.0.113.10) where its alias was (the TXT marker of record/api.containrlab.click of stack containrlab is still there); containrlab never overwrites it: delete it and run up again, or use another name`,
    ])

    const down = await teardown(await open(), {confirm: yes})

    expect(down.errors).toEqual([])
    const left = cloud.route53.recordSets(zoneId).filter((set) => set.Type !== 'NS' && set.Type !== 'SOA')
    expect(left).toEqual([{Name: 'containrlab.click.', Type: 'TXT', TTL: apexTxt.TTL, ResourceRecords: [{Value: spf}]}, expect.objectContaining({...elsewhere})])
    expect(cloud.elbv2.resourceCount() + cloud.acm.resourceCount() + cloud.ec2.resourceCount()).toBe(0)
    expect(down.leftAsFound).toEqual([expect.stringMatching(/^hosted-zone /), expect.stringMatching(/^ami\/x86_64 /)])
  })

  it('a domain whose hosted zone does not exist: up refuses before any change, naming the domain and the way out', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    const file = exampleEdited((text) => text.replaceAll(EXAMPLE_DOMAIN, 'not-registered.example'))
    const preview = await plan(await open({file}), {offline: false})
    expect(preview.missing).toEqual(['hosted-zone: hosted zone not-registered.example not found in this account: create it or set domain.createZone: true'])
    expect(formatPlan(preview)).toContain('`up` will refuse this plan, before any change:\n  ✖ hosted-zone: hosted zone not-registered.example not found')

    await expect(up(await open({file}), yes)).rejects.toThrow(
      /^refusing to apply: hosted-zone: hosted zone not-registered\.example not found in this account: create it or set domain\.createZone: true\. Nothing was changed\.$/,
    )
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
    expect((await status(await open({file}))).resources.find((r) => r.id === 'hosted-zone')).toMatchObject({condition: 'missing', error: expect.stringMatching(/createZone: true/)})
  })
})
