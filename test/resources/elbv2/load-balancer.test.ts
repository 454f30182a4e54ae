import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DuplicateLoadBalancerNameException,
  type LoadBalancer,
  LoadBalancerNotFoundException,
  ModifyLoadBalancerAttributesCommand,
  OperationNotPermittedException,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {DescribeNetworkInterfacesCommand} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {LoadBalancerDesired} from '../../../src/resources/elbv2/desired.js'
import {diffLoadBalancer, interfaceDescription, loadBalancer, type LoadBalancerObserved} from '../../../src/resources/elbv2/load-balancer.js'
import {testContext} from '../../helpers/context.js'
import {ec2Mock, findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {elbError, elbv2Mock, lbArn} from './elbv2-mock.js'

const {elbv2, inputs, sent, mutations} = elbv2Mock()
const ec2 = ec2Mock()

const tags = ownershipTags('load-balancer')
const meta = {logicalId: 'load-balancer', token: '0123456789abcdef0123456789abcdef', tags}
const arn = lbArn()
const desired: LoadBalancerDesired = {
  name: 'teststack-alb',
  scheme: 'internet-facing',
  subnetIds: ['subnet-b', 'subnet-a'],
  securityGroupIds: ['sg-1'],
  idleTimeoutSeconds: 60,
  deletionProtection: false,
  http2: true,
}
const awsLb = (overrides: Partial<LoadBalancer> = {}): LoadBalancer => ({
  LoadBalancerArn: arn,
  LoadBalancerName: 'teststack-alb',
  DNSName: 'teststack-alb-1234567890.us-east-1.elb.amazonaws.com',
  CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
  Scheme: 'internet-facing',
  Type: 'application',
  VpcId: 'vpc-1',
  State: {Code: 'active'},
  AvailabilityZones: [
    {ZoneName: 'us-east-1a', SubnetId: 'subnet-a'},
    {ZoneName: 'us-east-1b', SubnetId: 'subnet-b'},
  ],
  SecurityGroups: ['sg-1'],
  ...overrides,
})
const defaultAttributes = [
  {Key: 'idle_timeout.timeout_seconds', Value: '60'},
  {Key: 'deletion_protection.enabled', Value: 'false'},
  {Key: 'routing.http2.enabled', Value: 'true'},
  {Key: 'access_logs.s3.enabled', Value: 'false'},
]
const observed: LoadBalancerObserved = {
  id: arn,
  arn,
  logicalId: 'load-balancer',
  stack: 'teststack',
  name: 'teststack-alb',
  scheme: 'internet-facing',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-1'],
  idleTimeoutSeconds: 60,
  deletionProtection: false,
  http2: true,
  state: 'active',
  dnsName: 'teststack-alb-1234567890.us-east-1.elb.amazonaws.com',
  canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
  vpcId: 'vpc-1',
}

beforeEach(() => {
  elbv2.reset()
  ec2.ec2.reset()
  // A deleted load balancer's network interfaces: none left, unless a test says otherwise.
  ec2.ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: []})
})

describe('loadBalancer.read', () => {
  it('describes the ARNs in one call, reads each one’s attributes and all their tags in one call', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb()]})
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({Attributes: defaultAttributes})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    const found = await loadBalancer.read(testContext(), [arn])

    expect(inputs(DescribeLoadBalancersCommand)).toEqual([{LoadBalancerArns: [arn]}])
    expect(inputs(DescribeTagsCommand)).toEqual([{ResourceArns: [arn]}])
    expect(found.get(arn)).toEqual(observed)
  })

  it('reads the attributes AWS reports: other idle timeout, protection on, HTTP/2 off', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb({State: {Code: 'failed', Reason: 'no capacity'}})]})
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({
      Attributes: [
        {Key: 'idle_timeout.timeout_seconds', Value: '120'},
        {Key: 'deletion_protection.enabled', Value: 'true'},
        {Key: 'routing.http2.enabled', Value: 'false'},
      ],
    })
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    const found = (await loadBalancer.read(testContext(), [arn])).get(arn)!

    expect(found).toMatchObject({idleTimeoutSeconds: 120, deletionProtection: true, http2: false, state: 'failed', stateReason: 'no capacity'})
  })

  it('omits an ARN that is gone: a batch answering LoadBalancerNotFound is asked again one ARN at a time', async () => {
    const gone = lbArn('gone', '0000000000000000')
    elbv2.on(DescribeLoadBalancersCommand, {LoadBalancerArns: [arn, gone]}).rejects(elbError(LoadBalancerNotFoundException))
    elbv2.on(DescribeLoadBalancersCommand, {LoadBalancerArns: [gone]}).rejects(elbError(LoadBalancerNotFoundException))
    elbv2.on(DescribeLoadBalancersCommand, {LoadBalancerArns: [arn]}).resolves({LoadBalancers: [awsLb()]})
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({Attributes: defaultAttributes})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    const found = await loadBalancer.read(testContext(), [arn, gone])

    expect([...found.keys()]).toEqual([arn])
    expect(inputs(DescribeLoadBalancersCommand).map((input) => input.LoadBalancerArns)).toEqual([[arn, gone], [arn], [gone]])
  })

  it('omits a load balancer deleted between its describe and its attributes', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb()]})
    elbv2.on(DescribeLoadBalancerAttributesCommand).rejects(elbError(LoadBalancerNotFoundException))

    expect((await loadBalancer.read(testContext(), [arn])).size).toBe(0)
    expect(sent()).not.toContain('DescribeTags')
  })

  it('asks for at most 20 ARNs per describe', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: []})
    const arns = Array.from({length: 21}, (_, i) => lbArn(`lb-${i}`))

    await loadBalancer.read(testContext(), arns)

    expect(inputs(DescribeLoadBalancersCommand).map((input) => input.LoadBalancerArns!.length)).toEqual([20, 1])
  })
})

describe('loadBalancer.find', () => {
  it('lists every load balancer of the region, page by page, and keeps the stack’s by their tags; only those are read in full', async () => {
    const other = lbArn('other', '1111111111111111')
    const untagged = lbArn('untagged', '2222222222222222')
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({LoadBalancers: [awsLb(), awsLb({LoadBalancerArn: other, LoadBalancerName: 'other'})], NextMarker: 'page-2'})
      .resolves({LoadBalancers: [awsLb({LoadBalancerArn: untagged, LoadBalancerName: 'untagged'}), awsLb({LoadBalancerArn: lbArn('nlb'), Type: 'network'})]})
    elbv2.on(DescribeTagsCommand).resolves({
      TagDescriptions: [
        {ResourceArn: arn, Tags: tags},
        {ResourceArn: other, Tags: ownershipTags('load-balancer', 'otherstack')},
        {ResourceArn: untagged, Tags: []},
      ],
    })
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({Attributes: defaultAttributes})

    const found = await loadBalancer.find(testContext(), findQuery)

    // (The SDK's paginator sends one input object, the marker written into it for the next page.)
    expect(sent().filter((name) => name === 'DescribeLoadBalancers')).toHaveLength(2)
    expect(inputs(DescribeLoadBalancersCommand).at(-1)).toEqual({PageSize: 400, Marker: 'page-2'})
    // Network load balancers are not this kind's: their tags are not even read.
    expect(inputs(DescribeTagsCommand)).toEqual([{ResourceArns: [arn, other, untagged]}])
    expect(inputs(DescribeLoadBalancerAttributesCommand)).toEqual([{LoadBalancerArn: arn}])
    expect(found).toEqual([observed])
  })

  it('reads tags 20 ARNs at a time', async () => {
    const lbs = Array.from({length: 25}, (_, i) => awsLb({LoadBalancerArn: lbArn(`lb-${i}`), LoadBalancerName: `lb-${i}`}))
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: lbs})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: []})

    expect(await loadBalancer.find(testContext(), findQuery)).toEqual([])
    expect(inputs(DescribeTagsCommand).map((input) => input.ResourceArns!.length)).toEqual([20, 5])
  })
})

describe('diffLoadBalancer', () => {
  it.each([
    ['no change (subnets in another order)', desired, []],
    ['other name', {...desired, name: 'teststack-web'}, [{field: 'name', before: 'teststack-alb', after: 'teststack-web', replace: true}]],
    ['other scheme', {...desired, scheme: 'internal' as const}, [{field: 'scheme', before: 'internet-facing', after: 'internal', replace: true}]],
    ['another subnet', {...desired, subnetIds: ['subnet-a', 'subnet-c']}, [{field: 'subnetIds', before: ['subnet-a', 'subnet-b'], after: ['subnet-a', 'subnet-c'], replace: false}]],
    ['another security group', {...desired, securityGroupIds: ['sg-1', 'sg-2']}, [{field: 'securityGroupIds', before: ['sg-1'], after: ['sg-1', 'sg-2'], replace: false}]],
    ['idle timeout', {...desired, idleTimeoutSeconds: 120}, [{field: 'idleTimeoutSeconds', before: 60, after: 120, replace: false}]],
    ['deletion protection', {...desired, deletionProtection: true}, [{field: 'deletionProtection', before: false, after: true, replace: false}]],
    ['HTTP/2', {...desired, http2: false}, [{field: 'http2', before: true, after: false, replace: false}]],
  ])('%s', (_name, wanted, expected) => {
    expect(diffLoadBalancer(wanted, observed)).toEqual(expected)
  })
})

describe('loadBalancer.create', () => {
  it('creates an application load balancer with its tags, checks they are ours, and sends no attribute that is AWS’s default', async () => {
    elbv2.on(CreateLoadBalancerCommand).resolves({LoadBalancers: [awsLb({State: {Code: 'provisioning'}})]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    const created = await loadBalancer.create(testContext(), desired, meta)

    expect(inputs(CreateLoadBalancerCommand)).toEqual([
      {Name: 'teststack-alb', Type: 'application', Scheme: 'internet-facing', IpAddressType: 'ipv4', Subnets: ['subnet-b', 'subnet-a'], SecurityGroups: ['sg-1'], Tags: tags},
    ])
    expect(sent()).toEqual(['CreateLoadBalancer', 'DescribeTags'])
    expect(created).toEqual({...observed, state: 'provisioning'})
    expect(diffLoadBalancer(desired, created)).toEqual([])
  })

  it('sets the attributes that differ from AWS’s defaults in one call', async () => {
    elbv2.on(CreateLoadBalancerCommand).resolves({LoadBalancers: [awsLb({State: {Code: 'provisioning'}})]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})
    elbv2.on(ModifyLoadBalancerAttributesCommand).resolves({})

    const created = await loadBalancer.create(testContext(), {...desired, idleTimeoutSeconds: 300, deletionProtection: true}, meta)

    expect(inputs(ModifyLoadBalancerAttributesCommand)).toEqual([
      {
        LoadBalancerArn: arn,
        Attributes: [
          {Key: 'idle_timeout.timeout_seconds', Value: '300'},
          {Key: 'deletion_protection.enabled', Value: 'true'},
        ],
      },
    ])
    expect(created).toMatchObject({idleTimeoutSeconds: 300, deletionProtection: true, http2: true})
  })

  it('refuses a load balancer of that name and settings that is not ours (CreateLoadBalancer returns it: it is idempotent)', async () => {
    elbv2.on(CreateLoadBalancerCommand).resolves({LoadBalancers: [awsLb()]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: ownershipTags('front', 'otherstack')}]})

    await expect(loadBalancer.create(testContext(), desired, meta)).rejects.toThrow(
      `load balancer teststack-alb (${arn}) already exists and is front of stack otherstack, not load-balancer of stack teststack; names are unique`,
    )
    expect(mutations()).toEqual(['CreateLoadBalancer'])
  })

  it('adopts its own load balancer made with other settings (DuplicateLoadBalancerName) and brings it to the desired ones', async () => {
    elbv2.on(CreateLoadBalancerCommand).rejects(elbError(DuplicateLoadBalancerNameException))
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb({SecurityGroups: ['sg-old']})]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({Attributes: defaultAttributes})
    elbv2.on(SetSecurityGroupsCommand).resolves({})

    const adopted = await loadBalancer.create(testContext(), desired, meta)

    expect(inputs(DescribeLoadBalancersCommand)).toEqual([{Names: ['teststack-alb']}])
    expect(inputs(SetSecurityGroupsCommand)).toEqual([{LoadBalancerArn: arn, SecurityGroups: ['sg-1']}])
    expect(adopted).toEqual(observed)
  })

  it('refuses the name held by another stack’s load balancer', async () => {
    elbv2.on(CreateLoadBalancerCommand).rejects(elbError(DuplicateLoadBalancerNameException))
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb()]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: []}]})

    await expect(loadBalancer.create(testContext(), desired, meta)).rejects.toThrow('is not tagged by containrlab, not load-balancer of stack teststack; names are unique per region and account')
  })
})

describe('loadBalancer.update', () => {
  it('makes no call when nothing differs', async () => {
    expect(await loadBalancer.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('SetSubnets with the whole desired list when the subnets differ', async () => {
    elbv2.on(SetSubnetsCommand).resolves({})
    const wanted = {...desired, subnetIds: ['subnet-a', 'subnet-c']}

    const updated = await loadBalancer.update(testContext(), wanted, observed, diffLoadBalancer(wanted, observed))

    expect(sent()).toEqual(['SetSubnets'])
    expect(inputs(SetSubnetsCommand)).toEqual([{LoadBalancerArn: arn, Subnets: ['subnet-a', 'subnet-c']}])
    expect(diffLoadBalancer(wanted, updated)).toEqual([])
  })

  it('SetSecurityGroups when the groups differ', async () => {
    elbv2.on(SetSecurityGroupsCommand).resolves({})
    const wanted = {...desired, securityGroupIds: ['sg-2']}

    const updated = await loadBalancer.update(testContext(), wanted, observed, diffLoadBalancer(wanted, observed))

    expect(sent()).toEqual(['SetSecurityGroups'])
    expect(diffLoadBalancer(wanted, updated)).toEqual([])
  })

  it('one ModifyLoadBalancerAttributes with only the attributes that differ', async () => {
    elbv2.on(ModifyLoadBalancerAttributesCommand).resolves({})
    const wanted = {...desired, http2: false}

    const updated = await loadBalancer.update(testContext(), wanted, observed, diffLoadBalancer(wanted, observed))

    expect(inputs(ModifyLoadBalancerAttributesCommand)).toEqual([{LoadBalancerArn: arn, Attributes: [{Key: 'routing.http2.enabled', Value: 'false'}]}])
    expect(diffLoadBalancer(wanted, updated)).toEqual([])
  })
})

describe('loadBalancer.waitReady', () => {
  it('polls until the load balancer is active, saying what it waits for', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({LoadBalancers: [awsLb({State: {Code: 'provisioning'}})]})
      .resolves({LoadBalancers: [awsLb()]})
    const ctx = testContext()

    const ready = await loadBalancer.waitReady!(ctx, {...observed, state: 'provisioning'})

    expect(ready).toEqual(observed)
    expect(ctx.messages).toEqual(['waiting for load balancer teststack-alb to be active: provisioning, 0s'])
  })

  it('counts active_impaired as serving', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb({State: {Code: 'active_impaired', Reason: 'cannot scale'}})]})

    const ready = await loadBalancer.waitReady!(testContext(), {...observed, state: 'provisioning'})

    expect(ready).toMatchObject({state: 'active_impaired', stateReason: 'cannot scale'})
    expect(loadBalancer.health!(ready)).toEqual({state: 'active_impaired', ready: true, detail: 'cannot scale'})
  })

  it('fails when the load balancer fails, with AWS’s reason', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [awsLb({State: {Code: 'failed', Reason: 'Insufficient capacity'}})]})

    await expect(loadBalancer.waitReady!(testContext(), {...observed, state: 'provisioning'})).rejects.toThrow('load balancer teststack-alb to be active: failed: Insufficient capacity')
  })
})

describe('loadBalancer.delete', () => {
  it('deletes and waits until describes no longer show it', async () => {
    elbv2.on(DeleteLoadBalancerCommand).resolves({})
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({LoadBalancers: [awsLb()]})
      .rejects(elbError(LoadBalancerNotFoundException))
    const ctx = testContext()

    await loadBalancer.delete(ctx, observed, keepData)

    expect(sent()).toEqual(['DeleteLoadBalancer', 'DescribeLoadBalancers', 'DescribeLoadBalancers'])
    expect(ctx.messages).toEqual(['waiting for load balancer teststack-alb to be deleted: active, 0s'])
  })

  it('then waits until its network interfaces are released (they hold its subnets and security groups)', async () => {
    elbv2.on(DeleteLoadBalancerCommand).resolves({})
    elbv2.on(DescribeLoadBalancersCommand).rejects(elbError(LoadBalancerNotFoundException))
    ec2.ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({NetworkInterfaces: [{NetworkInterfaceId: 'eni-1'}, {NetworkInterfaceId: 'eni-2'}]})
      .resolves({NetworkInterfaces: []})
    const ctx = testContext()

    await loadBalancer.delete(ctx, observed, keepData)

    expect(interfaceDescription(arn)).toBe('ELB app/teststack-alb/50dc6c495c0c9188')
    expect(ec2.inputs(DescribeNetworkInterfacesCommand).at(-1)).toMatchObject({Filters: [{Name: 'description', Values: ['ELB app/teststack-alb/50dc6c495c0c9188']}]})
    expect(ctx.messages).toEqual(['waiting for the network interfaces of load balancer teststack-alb to be released: 2 still in its subnets, 0s'])
  })

  it('turns deletion protection off first, and says so', async () => {
    elbv2.on(ModifyLoadBalancerAttributesCommand).resolves({})
    elbv2.on(DeleteLoadBalancerCommand).resolves({})
    elbv2.on(DescribeLoadBalancersCommand).rejects(elbError(LoadBalancerNotFoundException))
    const ctx = testContext()

    await loadBalancer.delete(ctx, {...observed, deletionProtection: true}, keepData)

    expect(mutations()).toEqual(['ModifyLoadBalancerAttributes', 'DeleteLoadBalancer'])
    expect(inputs(ModifyLoadBalancerAttributesCommand)).toEqual([{LoadBalancerArn: arn, Attributes: [{Key: 'deletion_protection.enabled', Value: 'false'}]}])
    expect(ctx.messages[0]).toBe('turning deletion protection of teststack-alb off, to delete it')
  })

  it('turns deletion protection off and tries again when it was turned on since the read (OperationNotPermitted)', async () => {
    elbv2.on(ModifyLoadBalancerAttributesCommand).resolves({})
    elbv2.on(DeleteLoadBalancerCommand).rejectsOnce(elbError(OperationNotPermittedException)).resolves({})
    elbv2.on(DescribeLoadBalancersCommand).rejects(elbError(LoadBalancerNotFoundException))

    await loadBalancer.delete(testContext(), observed, keepData)

    expect(mutations()).toEqual(['DeleteLoadBalancer', 'ModifyLoadBalancerAttributes', 'DeleteLoadBalancer'])
  })

  it('counts a load balancer already gone as deleted, and waits for its interfaces only (it may have gone moments ago)', async () => {
    elbv2.on(DeleteLoadBalancerCommand).rejects(elbError(LoadBalancerNotFoundException))

    await loadBalancer.delete(testContext(), observed, keepData)

    expect(sent()).toEqual(['DeleteLoadBalancer'])
    expect(ec2.sent()).toEqual(['DescribeNetworkInterfaces'])
  })

  it('counts one gone while protection was being turned off as deleted', async () => {
    elbv2.on(ModifyLoadBalancerAttributesCommand).rejects(elbError(LoadBalancerNotFoundException))

    await loadBalancer.delete(testContext(), {...observed, deletionProtection: true}, keepData)

    expect(sent()).toEqual(['ModifyLoadBalancerAttributes'])
  })
})

describe('loadBalancer outputs and health', () => {
  it('gives the ARN as id, the name, the DNS name and the hosted zone for alias records', () => {
    expect(loadBalancer.outputs(observed)).toEqual({
      id: arn,
      arn,
      name: 'teststack-alb',
      dnsName: 'teststack-alb-1234567890.us-east-1.elb.amazonaws.com',
      canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    })
  })

  it.each([
    ['provisioning', false],
    ['active', true],
    ['failed', false],
  ])('is ready when serving: %s → %s', (state, ready) => {
    expect(loadBalancer.health!({...observed, state})).toEqual({state, ready})
  })
})
