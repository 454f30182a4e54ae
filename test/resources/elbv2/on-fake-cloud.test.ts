import {CreateRuleCommand} from '@aws-sdk/client-elastic-load-balancing-v2'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {selfSignedCertificate} from '../../../src/resources/acm/self-signed-certificate.js'
import {securityGroup} from '../../../src/resources/ec2/security-group.js'
import {subnet} from '../../../src/resources/ec2/subnet.js'
import {vpc} from '../../../src/resources/ec2/vpc.js'
import type {ListenerDesired, ListenerRuleDesired, LoadBalancerDesired, TargetGroupDesired} from '../../../src/resources/elbv2/desired.js'
import {diffListenerRules, listenerRules} from '../../../src/resources/elbv2/listener-rules.js'
import {diffListener, listener} from '../../../src/resources/elbv2/listener.js'
import {diffLoadBalancer, loadBalancer} from '../../../src/resources/elbv2/load-balancer.js'
import {diffTargetGroup, targetGroup} from '../../../src/resources/elbv2/target-group.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/**
 * The ELBv2 reconcilers against the stateful fake: what only shows when
 * several calls meet AWS's rules (rule priorities held while rules move, a
 * target group in use, deletion protection, provisioning time, idempotent
 * creates).
 */

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

/** A fresh create meta: every object gets its own token, as the engine gives it. */
function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

/** The fake EC2's VPC, two subnets in two zones and two security groups, made for each test. */
let net: {vpcId: string; subnetIds: string[]; groupIds: string[]}
let lbDesired: LoadBalancerDesired
const healthCheck = {path: '/healthz', intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 2, matcher: '200-399'}
const tgDesired = (namePrefix: string): TargetGroupDesired => ({namePrefix, vpcId: net.vpcId, port: 8080, protocol: 'HTTP', targetType: 'ip', healthCheck, deregistrationDelaySeconds: 30})
const rule = (priority: number, host: string, targetGroupArn: string): ListenerRuleDesired => ({priority, hosts: [host], paths: [], targetGroupArn})

beforeEach(async () => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
  const vpcId = (await vpc.create(ctx, {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}, meta('vpc'))).id
  const subnetIds = []
  for (const [zone, cidr] of [
    ['us-east-1a', '10.0.1.0/24'],
    ['us-east-1b', '10.0.2.0/24'],
  ]) {
    subnetIds.push((await subnet.create(ctx, {vpcId, cidr: cidr!, availabilityZone: zone!, mapPublicIpOnLaunch: true}, meta(`subnet/${zone}`))).id)
  }
  const groupIds = []
  for (const name of ['alb', 'alb-2']) groupIds.push((await securityGroup.create(ctx, {vpcId, namePrefix: `teststack-${name}`, description: name}, meta(`security-group/${name}`))).id)
  net = {vpcId, subnetIds, groupIds}
  lbDesired = {name: 'teststack-alb', scheme: 'internet-facing', subnetIds, securityGroupIds: [groupIds[0]!], idleTimeoutSeconds: 60, deletionProtection: false, http2: true}
})

afterEach(() => {
  cloud.restore()
})

/** A certificate the fake ACM has issued (self-signed, imported): what an HTTPS listener needs. */
async function issuedCertificate(): Promise<string> {
  return (await selfSignedCertificate.create(ctx, {commonName: 'teststack.internal', validityDays: 365, renewDays: 30}, meta('certificate'))).id
}

/** A load balancer, two target groups and an HTTPS listener forwarding to the second. */
async function frontDoor() {
  const certificate = await issuedCertificate()
  const lb = await loadBalancer.create(ctx, lbDesired, meta('load-balancer'))
  const api = await targetGroup.create(ctx, tgDesired('teststack-api'), meta('target-group/api'))
  const web = await targetGroup.create(ctx, tgDesired('teststack-web'), meta('target-group/web'))
  const httpsDesired: ListenerDesired = {loadBalancerArn: lb.arn, port: 443, protocol: 'HTTPS', certificateArn: certificate, defaultAction: {type: 'forward', targetGroupArn: web.arn}}
  const https = await listener.create(ctx, httpsDesired, meta('listener/https'))
  return {lb, api, web, https, httpsDesired, certificate}
}

describe('a front door, made and read back', () => {
  it('reads back as made: no diff anywhere; found by its tags with the state lost', async () => {
    const {lb, api, web, https, httpsDesired} = await frontDoor()
    const http = await listener.create(ctx, {loadBalancerArn: lb.arn, port: 80, protocol: 'HTTP', defaultAction: {type: 'redirect-https'}}, meta('listener/http'))
    const rulesDesired = {listenerArn: https.arn, rules: [rule(1, 'api.example.com', api.arn)]}
    await listenerRules.create(ctx, rulesDesired, meta('listener-rules/https'))

    expect(diffLoadBalancer(lbDesired, (await loadBalancer.read(ctx, [lb.arn])).get(lb.arn)!)).toEqual([])
    expect(diffTargetGroup(tgDesired('teststack-api'), (await targetGroup.read(ctx, [api.arn])).get(api.arn)!)).toEqual([])
    expect(diffListener(httpsDesired, (await listener.read(ctx, [https.arn])).get(https.arn)!)).toEqual([])
    expect(diffListener({loadBalancerArn: lb.arn, port: 80, protocol: 'HTTP', defaultAction: {type: 'redirect-https'}}, (await listener.read(ctx, [http.arn])).get(http.arn)!)).toEqual([])
    expect(diffListenerRules(rulesDesired, (await listenerRules.read(ctx, [https.arn])).get(https.arn)!)).toEqual([])

    expect((await loadBalancer.find(ctx, findQuery)).map((found) => [found.logicalId, found.id])).toEqual([['load-balancer', lb.arn]])
    expect((await targetGroup.find(ctx, findQuery)).map((found) => found.logicalId).sort()).toEqual(['target-group/api', 'target-group/web'])
    expect((await listener.find(ctx, findQuery)).map((found) => found.logicalId).sort()).toEqual(['listener/http', 'listener/https'])
    expect(await loadBalancer.find(ctx, {stack: 'otherstack', wanted: []})).toEqual([])
    expect(web.targets).toEqual({healthy: 0, total: 0, others: {}})
  })

  it('waits for the load balancer to turn active (120 s of the fake’s clock)', async () => {
    const lb = await loadBalancer.create(ctx, lbDesired, meta('load-balancer'))
    const started = ctx.clock.now()

    const ready = await loadBalancer.waitReady!(ctx, lb)

    expect(ready.state).toBe('active')
    expect(ctx.clock.now() - started).toBeGreaterThanOrEqual(120_000)
    expect(loadBalancer.health!(ready).ready).toBe(true)
  })

  it('a retried create with the same token returns what the first attempt made', async () => {
    const lbMeta = meta('load-balancer')
    const tgMeta = meta('target-group/api')
    const first = await loadBalancer.create(ctx, lbDesired, lbMeta)
    const group = await targetGroup.create(ctx, tgDesired('teststack-api'), tgMeta)

    expect((await loadBalancer.create(ctx, lbDesired, lbMeta)).arn).toBe(first.arn)
    expect((await targetGroup.create(ctx, tgDesired('teststack-api'), tgMeta)).arn).toBe(group.arn)
    // With other settings since (a crash, then the spec changed): adopted and brought to them.
    const adopted = await loadBalancer.create(ctx, {...lbDesired, securityGroupIds: [net.groupIds[1]!], http2: false}, lbMeta)
    expect(adopted.arn).toBe(first.arn)
    expect((await loadBalancer.read(ctx, [first.arn])).get(first.arn)).toMatchObject({securityGroupIds: [net.groupIds[1]], http2: false})
    expect(cloud.elbv2.resourceCount()).toBe(2)
    // Its interfaces were made once, by the first attempt: one per subnet.
    expect(cloud.ec2.snapshot()).toMatchObject({networkInterfaces: [{subnetId: net.subnetIds[0]}, {subnetId: net.subnetIds[1]}]})
  })

  it('refuses a load balancer name another stack holds', async () => {
    await loadBalancer.create({...ctx, stack: 'otherstack'}, lbDesired, meta('load-balancer', 'otherstack'))

    await expect(loadBalancer.create(ctx, lbDesired, meta('load-balancer'))).rejects.toThrow('is load-balancer of stack otherstack, not load-balancer of stack teststack')
  })
})

describe('listener rules against the fake (priorities held while rules move)', () => {
  it('reorders two rules, then inserts one at the top, then removes one, each converging with no PriorityInUse', async () => {
    const {api, web, https} = await frontDoor()
    const converge = async (rules: ListenerRuleDesired[]) => {
      const desired = {listenerArn: https.arn, rules}
      const current = (await listenerRules.read(ctx, [https.arn])).get(https.arn)!
      await listenerRules.update(ctx, desired, current, diffListenerRules(desired, current))
      const after = (await listenerRules.read(ctx, [https.arn])).get(https.arn)!
      expect(diffListenerRules(desired, after)).toEqual([])
      return after.rules.map((live) => [live.priority, live.hosts[0]])
    }
    await listenerRules.create(ctx, {listenerArn: https.arn, rules: [rule(1, 'a.example.com', api.arn), rule(2, 'b.example.com', web.arn)]}, meta('listener-rules/https'))

    expect(await converge([rule(1, 'b.example.com', web.arn), rule(2, 'a.example.com', api.arn)])).toEqual([
      [1, 'b.example.com'],
      [2, 'a.example.com'],
    ])
    expect(await converge([rule(1, 'new.example.com', api.arn), rule(2, 'b.example.com', web.arn), rule(3, 'a.example.com', api.arn)])).toEqual([
      [1, 'new.example.com'],
      [2, 'b.example.com'],
      [3, 'a.example.com'],
    ])
    expect(await converge([rule(1, 'b.example.com', web.arn), rule(2, 'a.example.com', api.arn)])).toEqual([
      [1, 'b.example.com'],
      [2, 'a.example.com'],
    ])
    expect(cloud.calls.filter((call) => call.error !== undefined)).toEqual([])
  })

  it('takes over a rule added by hand at a priority it needs (PriorityInUse on a stale picture: re-read, re-plan)', async () => {
    const {api, https} = await frontDoor()
    const empty = await listenerRules.create(ctx, {listenerArn: https.arn, rules: []}, meta('listener-rules/https'))
    await (
      await ctx.aws.client('elbv2')
    ).send(new CreateRuleCommand({ListenerArn: https.arn, Priority: 1, Conditions: [{Field: 'path-pattern', PathPatternConfig: {Values: ['/x']}}], Actions: [{Type: 'forward', TargetGroupArn: api.arn}]}))

    const desired = {listenerArn: https.arn, rules: [rule(1, 'a.example.com', api.arn)]}
    await listenerRules.update(ctx, desired, empty, diffListenerRules(desired, empty))

    expect(diffListenerRules(desired, (await listenerRules.read(ctx, [https.arn])).get(https.arn)!)).toEqual([])
    expect(cloud.calls.map((call) => call.error).filter(Boolean)).toEqual(['PriorityInUse'])
  })
})

describe('teardown order', () => {
  it('rules, then listeners and target groups, then the load balancer: a target group in use is refused until then (in-use)', async () => {
    const {lb, api, web, https} = await frontDoor()
    const rules = await listenerRules.create(ctx, {listenerArn: https.arn, rules: [rule(1, 'a.example.com', api.arn)]}, meta('listener-rules/https'))

    const inUse = await targetGroup.delete(ctx, api, keepData).catch((error: unknown) => error)
    expect(targetGroup.classifyError(inUse)).toBe('in-use')

    await listenerRules.delete(ctx, rules, keepData)
    await targetGroup.delete(ctx, api, keepData)
    await listener.delete(ctx, https, keepData)
    await targetGroup.delete(ctx, web, keepData)
    await loadBalancer.delete(ctx, lb, keepData)

    expect(cloud.elbv2.resourceCount()).toBe(0)
    // Deleting again finds everything gone.
    await listenerRules.delete(ctx, rules, keepData)
    await listener.delete(ctx, https, keepData)
    await targetGroup.delete(ctx, api, keepData)
    await loadBalancer.delete(ctx, lb, keepData)
  })

  it('an HTTPS listener holds its certificate: ACM refuses to delete it (in-use) until the listener is gone', async () => {
    const {https, certificate} = await frontDoor()
    const observed = (await selfSignedCertificate.read(ctx, [certificate])).get(certificate)!

    const inUse = await selfSignedCertificate.delete(ctx, observed, keepData).catch((error: unknown) => error)
    expect(selfSignedCertificate.classifyError(inUse)).toBe('in-use')

    await listener.delete(ctx, https, keepData)
    await selfSignedCertificate.delete(ctx, observed, keepData)
  })

  it('deletes a load balancer whose deletion protection is on, and its listeners with it', async () => {
    const lb = await loadBalancer.create(ctx, {...lbDesired, deletionProtection: true}, meta('load-balancer'))
    const http = await listener.create(ctx, {loadBalancerArn: lb.arn, port: 80, protocol: 'HTTP', defaultAction: {type: 'redirect-https'}}, meta('listener/http'))

    await loadBalancer.delete(ctx, lb, keepData)

    expect(ctx.messages).toContain('turning deletion protection of teststack-alb off, to delete it')
    expect((await loadBalancer.read(ctx, [lb.arn])).size).toBe(0)
    expect((await listener.read(ctx, [http.arn])).size).toBe(0)
  })
})

describe('the load balancer’s network interfaces (in the fake EC2)', () => {
  it('are waited for by the load balancer’s delete: its subnets and security group then delete at once', async () => {
    const lb = await loadBalancer.create(ctx, lbDesired, meta('load-balancer'))
    const started = ctx.clock.now()

    await loadBalancer.delete(ctx, lb, keepData)

    // The fake EC2 keeps a released interface 3 minutes.
    expect(ctx.clock.now() - started).toBeGreaterThanOrEqual(3 * 60_000)
    expect(ctx.messages.at(-1)).toMatch(/^waiting for the network interfaces of load balancer teststack-alb to be released: 2 still in its subnets/)
    await subnet.delete(ctx, (await subnet.read(ctx, [net.subnetIds[0]!])).get(net.subnetIds[0]!)!, keepData)
    await securityGroup.delete(ctx, (await securityGroup.read(ctx, [net.groupIds[0]!])).get(net.groupIds[0]!)!, keepData)
  })

  it('of one deleted in the console hold its subnets until EC2 releases them (the subnet’s delete is in-use meanwhile)', async () => {
    const lb = await loadBalancer.create(ctx, lbDesired, meta('load-balancer'))
    cloud.elbv2.deleteOutOfBand(lb.arn)
    const first = (await subnet.read(ctx, [net.subnetIds[0]!])).get(net.subnetIds[0]!)!

    expect(subnet.classifyError(await subnet.delete(ctx, first, keepData).catch((error: unknown) => error))).toBe('in-use')
    ctx.clock.advance(3 * 60_000)
    await subnet.delete(ctx, first, keepData)
  })

  it('move with SetSubnets and SetSecurityGroups', async () => {
    const lb = await loadBalancer.create(ctx, lbDesired, meta('load-balancer'))
    const third = (await subnet.create(ctx, {vpcId: net.vpcId, cidr: '10.0.3.0/24', availabilityZone: 'us-east-1c', mapPublicIpOnLaunch: true}, meta('subnet/us-east-1c'))).id
    const wanted = {...lbDesired, subnetIds: [net.subnetIds[1]!, third], securityGroupIds: [net.groupIds[1]!]}

    const updated = await loadBalancer.update(ctx, wanted, lb, diffLoadBalancer(wanted, lb))

    expect(diffLoadBalancer(wanted, (await loadBalancer.read(ctx, [lb.arn])).get(lb.arn)!)).toEqual([])
    expect(updated.subnetIds).toEqual([net.subnetIds[1], third].sort())
    // The first group is held by the dropped subnet's interface until EC2 releases it.
    const first = (await securityGroup.read(ctx, [net.groupIds[0]!])).get(net.groupIds[0]!)!
    expect(securityGroup.classifyError(await securityGroup.delete(ctx, first, keepData).catch((error: unknown) => error))).toBe('in-use')
    ctx.clock.advance(10 * 60_000)
    await securityGroup.delete(ctx, first, keepData)
  })
})

describe('a target group replaced (create-before-delete)', () => {
  it('gets a new name beside the old group; the rules move to it; then the old one can go', async () => {
    const {api, https} = await frontDoor()
    await listenerRules.create(ctx, {listenerArn: https.arn, rules: [rule(1, 'a.example.com', api.arn)]}, meta('listener-rules/https'))

    const replacement = await targetGroup.create(ctx, {...tgDesired('teststack-api'), port: 9090}, meta('target-group/api'))
    expect(replacement.name).not.toBe(api.name)
    expect(replacement.name.startsWith('teststack-api-')).toBe(true)

    const desired = {listenerArn: https.arn, rules: [rule(1, 'a.example.com', replacement.arn)]}
    const current = (await listenerRules.read(ctx, [https.arn])).get(https.arn)!
    await listenerRules.update(ctx, desired, current, diffListenerRules(desired, current))
    await targetGroup.delete(ctx, api, keepData)

    expect((await targetGroup.read(ctx, [api.arn, replacement.arn])).has(replacement.arn)).toBe(true)
    expect((await targetGroup.read(ctx, [api.arn])).size).toBe(0)
  })
})
