import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  LoadBalancerNotFoundException,
  paginateDescribeLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClients} from '../../src/aws/clients.js'
import {VirtualClock} from '../../src/util/clock.js'
import {CreateSubnetCommand, CreateVpcCommand, EC2ServiceException} from '@aws-sdk/client-ec2'
import {type FakeEnv, Faults} from './core.js'
import {FakeElbv2} from './elbv2.js'
import {FakeCloud} from './index.js'

const REGION = 'us-east-1'
const ACCOUNT = '123456789012'
const CERTIFICATE = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`
const tags = [{Key: 'containrlab:stack', Value: 'demo'}]

let clock: VirtualClock
let env: FakeEnv
let elbv2: FakeElbv2
let call: (operation: string, input?: unknown) => any

function build(timings = {}): void {
  clock = new VirtualClock()
  env = {clock, faults: new Faults(), region: REGION, accountId: ACCOUNT}
  elbv2 = new FakeElbv2(env, timings)
  const handlers = new Map(elbv2.handlers().map((handler) => [handler.operation, handler]))
  call = (operation, input = {}) => {
    const handler = handlers.get(operation)
    if (!handler) throw new Error(`no handler for ${operation}`)
    return handler.handle(input)
  }
}

/** The ELBv2 error code a call fails with (the wire code, as the SDK sets it in `Code`). */
function codeOf(operation: string, input: unknown): string {
  try {
    call(operation, input)
  } catch (error) {
    expect(error).toBeInstanceOf(ElasticLoadBalancingV2ServiceException)
    return (error as {Code: string}).Code
  }
  throw new Error(`${operation} succeeded, expected an error`)
}

function loadBalancer(name = 'demo-alb', extra: object = {}): any {
  return call('CreateLoadBalancer', {Name: name, Type: 'application', Scheme: 'internet-facing', Subnets: ['subnet-a', 'subnet-b'], SecurityGroups: ['sg-1'], Tags: tags, ...extra}).LoadBalancers[0]
}

function targetGroup(name = 'demo-api-0a1b2c3d', extra: object = {}): any {
  return call('CreateTargetGroup', {Name: name, Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip', Tags: tags, ...extra}).TargetGroups[0]
}

function listener(lbArn: string, extra: object = {}): any {
  return call('CreateListener', {LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404', ContentType: 'text/plain'}}], ...extra})
    .Listeners[0]
}

function rule(listenerArn: string, priority: number, host: string, groupArn: string): any {
  return call('CreateRule', {ListenerArn: listenerArn, Priority: priority, Conditions: [{Field: 'host-header', HostHeaderConfig: {Values: [host]}}], Actions: [{Type: 'forward', TargetGroupArn: groupArn}]}).Rules[0]
}

const priorities = (listenerArn: string) => call('DescribeRules', {ListenerArn: listenerArn}).Rules.map((r: any) => [r.Conditions[0]?.Values?.[0] ?? 'default', r.Priority])

beforeEach(() => build())

describe('load balancers', () => {
  it('have AWS’s ARN, DNS name and hosted zone, and are provisioning for 120 s, then active', () => {
    const lb = loadBalancer()

    expect(lb.LoadBalancerArn).toMatch(new RegExp(`^arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/demo-alb/[0-9a-f]{16}$`))
    expect(lb.DNSName).toMatch(/^demo-alb-\d{10}\.us-east-1\.elb\.amazonaws\.com$/)
    expect(lb.CanonicalHostedZoneId).toBe('Z35SXDOTRQ7X7K')
    expect(lb.State).toEqual({Code: 'provisioning'})
    clock.advance(119_999)
    expect(call('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn]}).LoadBalancers[0].State).toEqual({Code: 'provisioning'})
    clock.advance(1)
    expect(call('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn]}).LoadBalancers[0].State).toEqual({Code: 'active'})
  })

  it('take the configured time, and an internal one has an internal- DNS name', () => {
    build({activeMs: 1_000})
    const lb = loadBalancer('demo-int', {Scheme: 'internal'})
    expect(lb.DNSName).toMatch(/^internal-demo-int-\d{10}\./)
    clock.advance(1_000)
    expect(call('DescribeLoadBalancers', {Names: ['demo-int']}).LoadBalancers[0].State.Code).toBe('active')
  })

  it('can be made to fail', () => {
    elbv2.failNextLoadBalancer('no capacity')
    const lb = loadBalancer()
    clock.advance(120_000)
    expect(call('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn]}).LoadBalancers[0].State).toEqual({Code: 'failed', Reason: 'no capacity'})
  })

  it.each([
    ['too long', 'a'.repeat(33)],
    ['an underscore', 'demo_alb'],
    ['a leading hyphen', '-demo'],
    ['a trailing hyphen', 'demo-'],
    ['internal-', 'internal-demo'],
  ])('refuse a name with %s (ValidationError)', (_name, name) => {
    expect(codeOf('CreateLoadBalancer', {Name: name, Subnets: ['subnet-a', 'subnet-b']})).toBe('ValidationError')
  })

  it('are created again idempotently with the same settings, and refuse the name with others (DuplicateLoadBalancerName)', () => {
    const lb = loadBalancer()
    expect(loadBalancer().LoadBalancerArn).toBe(lb.LoadBalancerArn)
    expect(codeOf('CreateLoadBalancer', {Name: 'demo-alb', Subnets: ['subnet-a', 'subnet-c'], SecurityGroups: ['sg-1']})).toBe('DuplicateLoadBalancerName')
  })

  it('need two subnets in two zones', () => {
    expect(codeOf('CreateLoadBalancer', {Name: 'one', Subnets: ['subnet-a']})).toBe('ValidationError')
  })

  it('are described by ARN (LoadBalancerNotFound for one unknown), by name, or all, at most 20 ARNs at a time', () => {
    const lb = loadBalancer()
    expect(codeOf('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn, `${lb.LoadBalancerArn}0`]})).toBe('LoadBalancerNotFound')
    expect(codeOf('DescribeLoadBalancers', {Names: ['nope']})).toBe('LoadBalancerNotFound')
    expect(codeOf('DescribeLoadBalancers', {LoadBalancerArns: Array.from({length: 21}, (_, i) => `${lb.LoadBalancerArn}${i}`)})).toBe('ValidationError')
    expect(call('DescribeLoadBalancers', {}).LoadBalancers).toHaveLength(1)
  })

  it('page with Marker and NextMarker', () => {
    elbv2.pageSize = 2
    for (const name of ['lb-1', 'lb-2', 'lb-3']) loadBalancer(name)
    const first = call('DescribeLoadBalancers', {})
    expect(first.LoadBalancers.map((lb: any) => lb.LoadBalancerName)).toEqual(['lb-1', 'lb-2'])
    const second = call('DescribeLoadBalancers', {Marker: first.NextMarker})
    expect(second.LoadBalancers.map((lb: any) => lb.LoadBalancerName)).toEqual(['lb-3'])
    expect(second.NextMarker).toBeUndefined()
    expect(call('DescribeLoadBalancers', {PageSize: 1}).LoadBalancers).toHaveLength(1)
    expect(codeOf('DescribeLoadBalancers', {PageSize: 401})).toBe('ValidationError')
  })

  it('have AWS’s default attributes, changed one key at a time and checked', () => {
    const lb = loadBalancer()
    const attributes = () => Object.fromEntries(call('DescribeLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn}).Attributes.map((a: any) => [a.Key, a.Value]))
    expect(attributes()).toMatchObject({'idle_timeout.timeout_seconds': '60', 'deletion_protection.enabled': 'false', 'routing.http2.enabled': 'true'})
    call('ModifyLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{Key: 'idle_timeout.timeout_seconds', Value: '120'}]})
    expect(attributes()).toMatchObject({'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'true'})
    expect(codeOf('ModifyLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{Key: 'idle_timeout.timeout_seconds', Value: '0'}]})).toBe('ValidationError')
    expect(codeOf('ModifyLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{Key: 'routing.http2.enabled', Value: 'yes'}]})).toBe('ValidationError')
    expect(codeOf('ModifyLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{Key: 'no.such.key', Value: '1'}]})).toBe('InvalidConfigurationRequest')
  })

  it('change subnets and security groups in place', () => {
    const lb = loadBalancer()
    call('SetSubnets', {LoadBalancerArn: lb.LoadBalancerArn, Subnets: ['subnet-a', 'subnet-c']})
    call('SetSecurityGroups', {LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: ['sg-2']})
    const now = call('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn]}).LoadBalancers[0]
    expect(now.AvailabilityZones.map((zone: any) => zone.SubnetId)).toEqual(['subnet-a', 'subnet-c'])
    expect(now.SecurityGroups).toEqual(['sg-2'])
    expect(codeOf('SetSecurityGroups', {LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: []})).toBe('ValidationError')
  })
})

describe('deleting a load balancer', () => {
  it('takes its listeners and rules with it; describes show it a few seconds more, then LoadBalancerNotFound; its name is free again', () => {
    const lb = loadBalancer()
    const front = listener(lb.LoadBalancerArn)
    rule(front.ListenerArn, 1, 'a.example.com', targetGroup().TargetGroupArn)

    call('DeleteLoadBalancer', {LoadBalancerArn: lb.LoadBalancerArn})

    expect(codeOf('DescribeListeners', {ListenerArns: [front.ListenerArn]})).toBe('ListenerNotFound')
    expect(codeOf('DescribeLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn})).toBe('LoadBalancerNotFound')
    expect(call('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn]}).LoadBalancers).toHaveLength(1)
    expect(codeOf('CreateLoadBalancer', {Name: 'demo-alb', Subnets: ['subnet-a', 'subnet-b'], SecurityGroups: ['sg-1']})).toBe('DuplicateLoadBalancerName')
    clock.advance(5_000)
    expect(codeOf('DescribeLoadBalancers', {LoadBalancerArns: [lb.LoadBalancerArn]})).toBe('LoadBalancerNotFound')
    expect(loadBalancer().LoadBalancerArn).not.toBe(lb.LoadBalancerArn)
  })

  it('succeeds for a load balancer that does not exist or is already deleted', () => {
    const lb = loadBalancer()
    call('DeleteLoadBalancer', {LoadBalancerArn: lb.LoadBalancerArn})
    expect(call('DeleteLoadBalancer', {LoadBalancerArn: lb.LoadBalancerArn})).toEqual({})
    expect(call('DeleteLoadBalancer', {LoadBalancerArn: `${lb.LoadBalancerArn}0`})).toEqual({})
  })

  it('is refused while deletion protection is on (OperationNotPermitted)', () => {
    const lb = loadBalancer()
    call('ModifyLoadBalancerAttributes', {LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{Key: 'deletion_protection.enabled', Value: 'true'}]})
    expect(codeOf('DeleteLoadBalancer', {LoadBalancerArn: lb.LoadBalancerArn})).toBe('OperationNotPermitted')
  })
})

/**
 * A stand-in for the fake EC2's `env.networkInterfaces` (core.ts
 * FakeNetworkInterfaces): the subnets and groups of a table, EC2's errors,
 * and what was asked of it.
 */
function ec2Interfaces() {
  const subnets: Record<string, {vpcId: string; availabilityZone: string}> = {
    'subnet-a': {vpcId: 'vpc-1', availabilityZone: 'us-east-1a'},
    'subnet-b': {vpcId: 'vpc-1', availabilityZone: 'us-east-1b'},
    'subnet-c': {vpcId: 'vpc-1', availabilityZone: 'us-east-1c'},
    'subnet-a2': {vpcId: 'vpc-1', availabilityZone: 'us-east-1a'},
    'subnet-x': {vpcId: 'vpc-2', availabilityZone: 'us-east-1c'},
  }
  const groups: Record<string, string> = {'sg-1': 'vpc-1', 'sg-2': 'vpc-1', 'sg-9': 'vpc-9'}
  const ec2Error = (name: string) => new EC2ServiceException({name, $fault: 'client', $metadata: {httpStatusCode: 400}, message: name})
  const checkGroups = (vpcId: string, ids: string[]) => {
    for (const id of ids) {
      if (!groups[id]) throw ec2Error('InvalidGroup.NotFound')
      if (groups[id] !== vpcId) throw ec2Error('InvalidParameter')
    }
  }
  const interfaces = new Map<string, {subnetId: string; groupIds?: string[]; description: string; requesterId?: string; requesterManaged?: boolean; released?: boolean}>()
  let count = 0
  const stub = {
    interfaces,
    add(spec: {subnetId: string; groupIds?: string[]; description: string; requesterId?: string; requesterManaged?: boolean}) {
      const subnet = subnets[spec.subnetId]
      if (!subnet) throw ec2Error('InvalidSubnetID.NotFound')
      checkGroups(subnet.vpcId, spec.groupIds ?? [])
      const id = `eni-${(++count).toString(16).padStart(17, '0')}`
      interfaces.set(id, {...spec})
      return {id, vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone, privateIpAddress: '10.0.0.10'}
    },
    release: (id: string) => void (interfaces.get(id)!.released = true),
    setGroups(id: string, groupIds: string[]) {
      const eni = interfaces.get(id)!
      checkGroups(subnets[eni.subnetId]!.vpcId, groupIds)
      eni.groupIds = groupIds
    },
    remove: (id: string) => void interfaces.delete(id),
    has: (id: string) => interfaces.has(id),
  }
  env.networkInterfaces = stub
  /** subnet → [groups, released], of every interface EC2 holds. */
  const held = () => [...interfaces.values()].map((eni) => [eni.subnetId, eni.groupIds, eni.released ?? false])
  return {stub, held}
}

describe('network interfaces, placed through the fake EC2 (env.networkInterfaces)', () => {
  it('are one per subnet, requester-managed by amazon-elb, described as AWS describes a load balancer’s; the zones and VPC are EC2’s', () => {
    const {stub} = ec2Interfaces()
    const lb = loadBalancer()
    const id = lb.LoadBalancerArn.split('/').at(-1)
    expect([...stub.interfaces.values()]).toEqual([
      {subnetId: 'subnet-a', groupIds: ['sg-1'], description: `ELB app/demo-alb/${id}`, interfaceType: 'interface', requesterId: 'amazon-elb', requesterManaged: true, attachment: {instanceOwnerId: 'amazon-elb'}},
      {subnetId: 'subnet-b', groupIds: ['sg-1'], description: `ELB app/demo-alb/${id}`, interfaceType: 'interface', requesterId: 'amazon-elb', requesterManaged: true, attachment: {instanceOwnerId: 'amazon-elb'}},
    ])
    expect(lb.VpcId).toBe('vpc-1')
    expect(lb.AvailabilityZones.map((zone: any) => [zone.SubnetId, zone.ZoneName])).toEqual([
      ['subnet-a', 'us-east-1a'],
      ['subnet-b', 'us-east-1b'],
    ])
  })

  it.each([
    ['a subnet EC2 does not have', ['subnet-a', 'subnet-gone'], ['sg-1'], 'SubnetNotFound'],
    ['two subnets in one zone', ['subnet-a', 'subnet-a2'], ['sg-1'], 'InvalidConfigurationRequest'],
    ['subnets of two VPCs', ['subnet-a', 'subnet-x'], [], 'InvalidConfigurationRequest'],
    ['a security group EC2 does not have', ['subnet-a', 'subnet-b'], ['sg-gone'], 'InvalidSecurityGroup'],
    ['a security group of another VPC', ['subnet-a', 'subnet-b'], ['sg-9'], 'InvalidSecurityGroup'],
  ])('refuse %s, leaving no interface behind', (_name, subnets, groups, code) => {
    const {stub} = ec2Interfaces()
    expect(codeOf('CreateLoadBalancer', {Name: 'x', Subnets: subnets, SecurityGroups: groups})).toBe(code)
    expect(stub.interfaces.size).toBe(0)
  })

  it('follow SetSubnets (a new subnet’s made, a dropped one’s released) and SetSecurityGroups', () => {
    const {held} = ec2Interfaces()
    const lb = loadBalancer()
    call('SetSubnets', {LoadBalancerArn: lb.LoadBalancerArn, Subnets: ['subnet-b', 'subnet-c']})
    call('SetSecurityGroups', {LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: ['sg-2']})
    expect(held()).toEqual([
      ['subnet-a', ['sg-1'], true],
      ['subnet-b', ['sg-2'], false],
      ['subnet-c', ['sg-2'], false],
    ])
    expect(codeOf('SetSecurityGroups', {LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: ['sg-9']})).toBe('InvalidSecurityGroup')
    expect(codeOf('SetSubnets', {LoadBalancerArn: lb.LoadBalancerArn, Subnets: ['subnet-b', 'subnet-gone']})).toBe('SubnetNotFound')
    expect(codeOf('SetSubnets', {LoadBalancerArn: lb.LoadBalancerArn, Subnets: ['subnet-a', 'subnet-x']})).toBe('InvalidConfigurationRequest')
    // Nothing made by a refused call stays.
    expect(held()).toHaveLength(3)
  })

  it('are released when the load balancer is deleted (EC2 keeps them a while, holding subnets and groups)', () => {
    const {held} = ec2Interfaces()
    const lb = loadBalancer()
    call('DeleteLoadBalancer', {LoadBalancerArn: lb.LoadBalancerArn})
    expect(held()).toEqual([
      ['subnet-a', ['sg-1'], true],
      ['subnet-b', ['sg-1'], true],
    ])
  })

  it('are none without a fake EC2: any subnet is taken, each in a zone of its own', () => {
    const lb = loadBalancer('free', {Subnets: ['subnet-p', 'subnet-q']})
    expect(lb.VpcId).toBeUndefined()
    expect(lb.AvailabilityZones.map((zone: any) => zone.ZoneName)).toEqual(['us-east-1a', 'us-east-1b'])
  })
})

describe('target groups', () => {
  it('have AWS’s ARN and health check defaults', () => {
    const group = targetGroup()
    expect(group.TargetGroupArn).toMatch(new RegExp(`^arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/demo-api-0a1b2c3d/[0-9a-f]{16}$`))
    expect(group).toMatchObject({
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: {HttpCode: '200'},
      LoadBalancerArns: [],
    })
  })

  it('are created again idempotently with the same settings, and refuse the name with others (DuplicateTargetGroupName)', () => {
    const group = targetGroup()
    expect(targetGroup().TargetGroupArn).toBe(group.TargetGroupArn)
    expect(codeOf('CreateTargetGroup', {Name: 'demo-api-0a1b2c3d', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1'})).toBe('DuplicateTargetGroupName')
  })

  it.each([
    ['a name too long', {Name: 'a'.repeat(33)}, 'ValidationError'],
    ['a name ending with a hyphen', {Name: 'api-'}, 'ValidationError'],
    ['a timeout not shorter than the interval', {HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10}, 'InvalidConfigurationRequest'],
    ['an interval out of range', {HealthCheckIntervalSeconds: 301}, 'ValidationError'],
    ['a threshold out of range', {HealthyThresholdCount: 11}, 'ValidationError'],
    ['a protocol an ALB does not route to', {Protocol: 'TCP'}, 'ValidationError'],
  ])('refuse %s', (_name, extra, code) => {
    expect(codeOf('CreateTargetGroup', {Name: 'ok', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', ...extra})).toBe(code)
  })

  it('are described by ARN or name (TargetGroupNotFound for one unknown) and modified in place', () => {
    const group = targetGroup()
    expect(codeOf('DescribeTargetGroups', {TargetGroupArns: [group.TargetGroupArn, `${group.TargetGroupArn}0`]})).toBe('TargetGroupNotFound')
    expect(call('DescribeTargetGroups', {Names: ['demo-api-0a1b2c3d']}).TargetGroups[0].TargetGroupArn).toBe(group.TargetGroupArn)
    call('ModifyTargetGroup', {TargetGroupArn: group.TargetGroupArn, HealthCheckPath: '/healthz', Matcher: {HttpCode: '200-399'}})
    call('ModifyTargetGroupAttributes', {TargetGroupArn: group.TargetGroupArn, Attributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '30'}]})
    expect(call('DescribeTargetGroups', {TargetGroupArns: [group.TargetGroupArn]}).TargetGroups[0]).toMatchObject({HealthCheckPath: '/healthz', Matcher: {HttpCode: '200-399'}})
    expect(call('DescribeTargetGroupAttributes', {TargetGroupArn: group.TargetGroupArn}).Attributes).toContainEqual({Key: 'deregistration_delay.timeout_seconds', Value: '30'})
    expect(codeOf('ModifyTargetGroupAttributes', {TargetGroupArn: group.TargetGroupArn, Attributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '3601'}]})).toBe('ValidationError')
  })

  it('cannot be deleted while a listener or rule forwards to it (ResourceInUse); one unknown is deleted without complaint', () => {
    const lb = loadBalancer()
    const group = targetGroup()
    const front = listener(lb.LoadBalancerArn)
    const forwarding = rule(front.ListenerArn, 1, 'a.example.com', group.TargetGroupArn)
    expect(call('DescribeTargetGroups', {TargetGroupArns: [group.TargetGroupArn]}).TargetGroups[0].LoadBalancerArns).toEqual([lb.LoadBalancerArn])
    expect(codeOf('DeleteTargetGroup', {TargetGroupArn: group.TargetGroupArn})).toBe('ResourceInUse')
    call('DeleteRule', {RuleArn: forwarding.RuleArn})
    call('DeleteTargetGroup', {TargetGroupArn: group.TargetGroupArn})
    expect(call('DeleteTargetGroup', {TargetGroupArn: group.TargetGroupArn})).toEqual({})
  })

  it('serve one load balancer (TargetGroupAssociationLimit)', () => {
    const group = targetGroup()
    listener(loadBalancer('one').LoadBalancerArn, {DefaultActions: [{Type: 'forward', TargetGroupArn: group.TargetGroupArn}]})
    expect(codeOf('CreateListener', {LoadBalancerArn: loadBalancer('two').LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'forward', TargetGroupArn: group.TargetGroupArn}]})).toBe(
      'TargetGroupAssociationLimit',
    )
  })
})

describe('target health', () => {
  it('is unused until the group serves an active load balancer, initial until the first checks pass, then healthy', () => {
    const group = targetGroup()
    call('RegisterTargets', {TargetGroupArn: group.TargetGroupArn, Targets: [{Id: '10.0.1.5'}, {Id: '10.0.2.5', Port: 9090}]})
    const health = () => call('DescribeTargetHealth', {TargetGroupArn: group.TargetGroupArn}).TargetHealthDescriptions.map((d: any) => [d.Target.Id, d.Target.Port, d.TargetHealth.State])
    expect(health()).toEqual([
      ['10.0.1.5', 8080, 'unused'],
      ['10.0.2.5', 9090, 'unused'],
    ])
    const lb = loadBalancer()
    listener(lb.LoadBalancerArn, {DefaultActions: [{Type: 'forward', TargetGroupArn: group.TargetGroupArn}]})
    clock.advance(120_000)
    expect(call('DescribeTargetHealth', {TargetGroupArn: group.TargetGroupArn}).TargetHealthDescriptions[0].TargetHealth).toEqual({State: 'healthy'})
    elbv2.setTargetHealth(group.TargetGroupArn, '10.0.2.5', 'unhealthy', 'Target.ResponseCodeMismatch')
    expect(call('DescribeTargetHealth', {TargetGroupArn: group.TargetGroupArn}).TargetHealthDescriptions[1].TargetHealth).toEqual({State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch'})
    call('DeregisterTargets', {TargetGroupArn: group.TargetGroupArn, Targets: [{Id: '10.0.1.5'}]})
    expect(health()).toEqual([['10.0.2.5', 9090, 'unhealthy']])
  })
})

describe('listeners', () => {
  it('have AWS’s ARN and a default rule holding their default actions', () => {
    const lb = loadBalancer()
    const front = listener(lb.LoadBalancerArn)
    const [name, id] = lb.LoadBalancerArn.split('/').slice(-2)
    expect(front.ListenerArn).toMatch(new RegExp(`:listener/app/${name}/${id}/[0-9a-f]{16}$`))
    const [defaultRule] = call('DescribeRules', {ListenerArn: front.ListenerArn}).Rules
    expect(defaultRule).toMatchObject({Priority: 'default', IsDefault: true, Conditions: [], Actions: front.DefaultActions})
    expect(defaultRule.RuleArn).toMatch(new RegExp(`:listener-rule/app/${name}/${id}/${front.ListenerArn.split('/').at(-1)}/[0-9a-f]{16}$`))
  })

  it('report actions with what AWS fills in: a redirect’s kept parts, a forward’s ForwardConfig', () => {
    const lb = loadBalancer()
    const group = targetGroup()
    const http = listener(lb.LoadBalancerArn, {DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}]})
    expect(http.DefaultActions).toEqual([{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}])
    const https = listener(lb.LoadBalancerArn, {Port: 443, Protocol: 'HTTPS', Certificates: [{CertificateArn: CERTIFICATE}], DefaultActions: [{Type: 'forward', TargetGroupArn: group.TargetGroupArn}]})
    expect(https.DefaultActions).toEqual([
      {Type: 'forward', TargetGroupArn: group.TargetGroupArn, ForwardConfig: {TargetGroups: [{TargetGroupArn: group.TargetGroupArn, Weight: 1}], TargetGroupStickinessConfig: {Enabled: false}}},
    ])
    expect(https.SslPolicy).toBe('ELBSecurityPolicy-2016-08')
  })

  it('HTTPS needs a certificate and a known policy', () => {
    const lb = loadBalancer()
    const https = {LoadBalancerArn: lb.LoadBalancerArn, Port: 443, Protocol: 'HTTPS', DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}]}
    expect(codeOf('CreateListener', https)).toBe('ValidationError')
    expect(codeOf('CreateListener', {...https, Certificates: [{CertificateArn: CERTIFICATE}], SslPolicy: 'NoSuchPolicy'})).toBe('SSLPolicyNotFound')
  })

  it('take a certificate the fake ACM has issued (CertificateNotFound otherwise), and tell ACM which listeners use it', () => {
    const status: Record<string, string> = {[CERTIFICATE]: 'ISSUED', [`${CERTIFICATE}-pending`]: 'PENDING_VALIDATION'}
    env.certificateStatus = (arn) => status[arn]
    const lb = loadBalancer()
    const https = (certificate: string) => ({
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{CertificateArn: certificate}],
      DefaultActions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}],
    })
    expect(codeOf('CreateListener', https(`${CERTIFICATE}-pending`))).toBe('CertificateNotFound')
    expect(codeOf('CreateListener', https(`${CERTIFICATE}-unknown`))).toBe('CertificateNotFound')
    const listenerArn = call('CreateListener', https(CERTIFICATE)).Listeners[0].ListenerArn
    expect(env.certificateUsers!(CERTIFICATE)).toEqual([listenerArn])
    expect(env.certificateUsers!(`${CERTIFICATE}-pending`)).toEqual([])
  })

  it('are idempotent for the same settings; a port taken with others is DuplicateListener', () => {
    const lb = loadBalancer()
    const front = listener(lb.LoadBalancerArn)
    expect(listener(lb.LoadBalancerArn).ListenerArn).toBe(front.ListenerArn)
    expect(codeOf('CreateListener', {LoadBalancerArn: lb.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', StatusCode: 'HTTP_301'}}]})).toBe(
      'DuplicateListener',
    )
  })

  it('are modified in place: turning HTTP drops the certificate and policy; the default rule follows the default actions', () => {
    const lb = loadBalancer()
    const https = listener(lb.LoadBalancerArn, {Port: 443, Protocol: 'HTTPS', Certificates: [{CertificateArn: CERTIFICATE}]})
    const redirect = [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}]
    const modified = call('ModifyListener', {ListenerArn: https.ListenerArn, Protocol: 'HTTP', DefaultActions: redirect}).Listeners[0]
    expect(modified.Certificates).toBeUndefined()
    expect(modified.SslPolicy).toBeUndefined()
    expect(call('DescribeRules', {ListenerArn: https.ListenerArn}).Rules[0].Actions[0].RedirectConfig.Host).toBe('#{host}')
  })

  it('are described by load balancer or ARN; deleting one takes its rules; ListenerNotFound after', () => {
    const lb = loadBalancer()
    const front = listener(lb.LoadBalancerArn)
    const forwarding = rule(front.ListenerArn, 1, 'a.example.com', targetGroup().TargetGroupArn)
    expect(call('DescribeListeners', {LoadBalancerArn: lb.LoadBalancerArn}).Listeners).toHaveLength(1)
    expect(codeOf('DescribeListeners', {})).toBe('ValidationError')
    call('DeleteListener', {ListenerArn: front.ListenerArn})
    expect(codeOf('DescribeRules', {RuleArns: [forwarding.RuleArn]})).toBe('RuleNotFound')
    expect(codeOf('DeleteListener', {ListenerArn: front.ListenerArn})).toBe('ListenerNotFound')
  })
})

describe('rules', () => {
  let front: any
  let api: string

  beforeEach(() => {
    front = listener(loadBalancer().LoadBalancerArn)
    api = targetGroup().TargetGroupArn
  })

  it('hold one priority each (PriorityInUse), 1–50000, and need a condition', () => {
    rule(front.ListenerArn, 1, 'a.example.com', api)
    expect(codeOf('CreateRule', {ListenerArn: front.ListenerArn, Priority: 1, Conditions: [{Field: 'host-header', HostHeaderConfig: {Values: ['b']}}], Actions: [{Type: 'forward', TargetGroupArn: api}]})).toBe(
      'PriorityInUse',
    )
    expect(codeOf('CreateRule', {ListenerArn: front.ListenerArn, Priority: 50_001, Conditions: [{Field: 'host-header', HostHeaderConfig: {Values: ['b']}}], Actions: [{Type: 'forward', TargetGroupArn: api}]})).toBe(
      'ValidationError',
    )
    expect(codeOf('CreateRule', {ListenerArn: front.ListenerArn, Priority: 2, Conditions: [], Actions: [{Type: 'forward', TargetGroupArn: api}]})).toBe('ValidationError')
  })

  it('are described by priority, the default rule last, each condition with its config and Values', () => {
    rule(front.ListenerArn, 10, 'b.example.com', api)
    rule(front.ListenerArn, 2, 'a.example.com', api)
    expect(priorities(front.ListenerArn)).toEqual([
      ['a.example.com', '2'],
      ['b.example.com', '10'],
      ['default', 'default'],
    ])
    expect(call('DescribeRules', {ListenerArn: front.ListenerArn}).Rules[0].Conditions).toEqual([{Field: 'host-header', HostHeaderConfig: {Values: ['a.example.com']}, Values: ['a.example.com']}])
  })

  it('swap priorities in one SetRulePriorities: the new order is checked as a whole', () => {
    const a = rule(front.ListenerArn, 1, 'a.example.com', api)
    const b = rule(front.ListenerArn, 2, 'b.example.com', api)
    call('SetRulePriorities', {
      RulePriorities: [
        {RuleArn: a.RuleArn, Priority: 2},
        {RuleArn: b.RuleArn, Priority: 1},
      ],
    })
    expect(priorities(front.ListenerArn)).toEqual([
      ['b.example.com', '1'],
      ['a.example.com', '2'],
      ['default', 'default'],
    ])
  })

  it('refuse a new order in which two rules meet (PriorityInUse), changing nothing', () => {
    const a = rule(front.ListenerArn, 1, 'a.example.com', api)
    rule(front.ListenerArn, 2, 'b.example.com', api)
    expect(codeOf('SetRulePriorities', {RulePriorities: [{RuleArn: a.RuleArn, Priority: 2}]})).toBe('PriorityInUse')
    expect(priorities(front.ListenerArn)[0]).toEqual(['a.example.com', '1'])
  })

  it('never let the default rule be moved, changed in its conditions or deleted (OperationNotPermitted)', () => {
    const defaultArn = call('DescribeRules', {ListenerArn: front.ListenerArn}).Rules[0].RuleArn
    expect(codeOf('SetRulePriorities', {RulePriorities: [{RuleArn: defaultArn, Priority: 5}]})).toBe('OperationNotPermitted')
    expect(codeOf('ModifyRule', {RuleArn: defaultArn, Conditions: [{Field: 'path-pattern', PathPatternConfig: {Values: ['/']}}]})).toBe('OperationNotPermitted')
    expect(codeOf('DeleteRule', {RuleArn: defaultArn})).toBe('OperationNotPermitted')
  })

  it('are modified in place', () => {
    const a = rule(front.ListenerArn, 1, 'a.example.com', api)
    call('ModifyRule', {RuleArn: a.RuleArn, Conditions: [{Field: 'path-pattern', PathPatternConfig: {Values: ['/v2/*']}}]})
    expect(call('DescribeRules', {RuleArns: [a.RuleArn]}).Rules[0].Conditions).toEqual([{Field: 'path-pattern', PathPatternConfig: {Values: ['/v2/*']}, Values: ['/v2/*']}])
  })
})

describe('tags', () => {
  it('are read 20 ARNs at a time, each ARN’s kind answering its own NotFound', () => {
    const lb = loadBalancer()
    const group = targetGroup()
    expect(call('DescribeTags', {ResourceArns: [lb.LoadBalancerArn, group.TargetGroupArn]}).TagDescriptions).toEqual([
      {ResourceArn: lb.LoadBalancerArn, Tags: tags},
      {ResourceArn: group.TargetGroupArn, Tags: tags},
    ])
    expect(codeOf('DescribeTags', {ResourceArns: Array.from({length: 21}, () => lb.LoadBalancerArn)})).toBe('ValidationError')
    expect(codeOf('DescribeTags', {ResourceArns: [`${group.TargetGroupArn}0`]})).toBe('TargetGroupNotFound')
    expect(codeOf('DescribeTags', {ResourceArns: [`${lb.LoadBalancerArn}0`]})).toBe('LoadBalancerNotFound')
  })

  it('are added and removed, one value per key, and refuse a key given twice', () => {
    const lb = loadBalancer()
    call('AddTags', {ResourceArns: [lb.LoadBalancerArn], Tags: [{Key: 'team', Value: 'a'}]})
    call('AddTags', {ResourceArns: [lb.LoadBalancerArn], Tags: [{Key: 'team', Value: 'b'}]})
    call('RemoveTags', {ResourceArns: [lb.LoadBalancerArn], TagKeys: ['containrlab:stack']})
    expect(call('DescribeTags', {ResourceArns: [lb.LoadBalancerArn]}).TagDescriptions[0].Tags).toEqual([{Key: 'team', Value: 'b'}])
    expect(
      codeOf('CreateTargetGroup', {
        Name: 'dup',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-1',
        Tags: [
          {Key: 'k', Value: '1'},
          {Key: 'k', Value: '2'},
        ],
      }),
    ).toBe('DuplicateTagKeys')
  })
})

describe('test helpers', () => {
  it('count the live objects and remove any by ARN at once', () => {
    const lb = loadBalancer()
    const front = listener(lb.LoadBalancerArn)
    rule(front.ListenerArn, 1, 'a.example.com', targetGroup().TargetGroupArn)
    // The load balancer, the target group, the listener and its one rule (not its default rule).
    expect(elbv2.resourceCount()).toBe(4)
    elbv2.deleteOutOfBand(lb.LoadBalancerArn)
    expect(elbv2.resourceCount()).toBe(1)
  })
})

describe('behind the real SDK client (FakeCloud)', () => {
  let cloud: FakeCloud
  let client: ElasticLoadBalancingV2Client

  beforeEach(async () => {
    cloud = new FakeCloud().install()
    client = await new AwsClients({region: REGION, clock: cloud.clock}).client('elbv2')
  })

  afterEach(() => cloud.restore())

  it('answers as cloud.elbv2, with errors as the SDK raises them: the modeled class, the wire code in Code', async () => {
    const error = await client.send(new DescribeLoadBalancersCommand({Names: ['nope']})).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LoadBalancerNotFoundException)
    expect(error).toMatchObject({name: 'LoadBalancerNotFoundException', Code: 'LoadBalancerNotFound', $metadata: {httpStatusCode: 400}})
    expect(cloud.calls.map((record) => [record.service, record.operation, record.error])).toEqual([['elbv2', 'DescribeLoadBalancers', 'LoadBalancerNotFound']])
  })

  it('pages through the SDK paginator', async () => {
    cloud.elbv2.pageSize = 1
    // The fake EC2 holds the subnets (and the load balancers' interfaces in them).
    const ec2 = await new AwsClients({region: REGION, clock: cloud.clock}).ec2()
    const vpcId = (await ec2.send(new CreateVpcCommand({CidrBlock: '10.0.0.0/16'}))).Vpc!.VpcId!
    const subnets = []
    for (const [zone, cidr] of [
      ['us-east-1a', '10.0.1.0/24'],
      ['us-east-1b', '10.0.2.0/24'],
    ]) {
      subnets.push((await ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone}))).Subnet!.SubnetId!)
    }
    for (const name of ['lb-1', 'lb-2']) await client.send(new CreateLoadBalancerCommand({Name: name, Subnets: subnets}))
    const names: string[] = []
    for await (const page of paginateDescribeLoadBalancers({client}, {})) names.push(...(page.LoadBalancers ?? []).map((lb) => lb.LoadBalancerName!))
    expect(names).toEqual(['lb-1', 'lb-2'])
  })

  it('throttles with ELBv2’s Throttling, which the SDK retries', async () => {
    cloud.faults.throttle('DescribeLoadBalancers', 2)
    await expect(client.send(new DescribeLoadBalancersCommand({}))).resolves.toMatchObject({LoadBalancers: []})
    expect(cloud.calls.map((record) => record.error)).toEqual(['Throttling', 'Throttling', undefined])
  })
})
