import {CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand, type VpcEndpoint} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {VpcEndpointDesired} from '../../../src/resources/ec2/desired.js'
import {diffVpcEndpoint, isDefaultPolicy, normalisePolicy, vpcEndpoint, type VpcEndpointObserved} from '../../../src/resources/ec2/vpc-endpoint.js'
import {testContext} from '../../helpers/context.js'
import {ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

const tags = ownershipTags('endpoint/ecr-api')
const meta = {logicalId: 'endpoint/ecr-api', token: 'token-1', tags}
/** DescribeVpcEndpoints answers states in lower case, unlike the SDK's enum. */
const state = (value: string) => value as any

const interfaceEndpoint: VpcEndpoint = {
  VpcEndpointId: 'vpce-1',
  VpcEndpointType: 'Interface',
  VpcId: 'vpc-1',
  ServiceName: 'com.amazonaws.us-east-1.ecr.api',
  State: state('available'),
  SubnetIds: ['subnet-b', 'subnet-a'],
  Groups: [{GroupId: 'sg-endpoints', GroupName: 'endpoints'}],
  PrivateDnsEnabled: true,
  DnsEntries: [{DnsName: 'vpce-1-abc.api.ecr.us-east-1.vpce.amazonaws.com', HostedZoneId: 'Z1'}],
  Tags: tags,
}
const interfaceObserved: VpcEndpointObserved = {
  id: 'vpce-1',
  logicalId: 'endpoint/ecr-api',
  stack: 'teststack',
  vpcId: 'vpc-1',
  serviceName: 'com.amazonaws.us-east-1.ecr.api',
  type: 'Interface',
  state: 'available',
  routeTableIds: [],
  subnetIds: ['subnet-b', 'subnet-a'],
  securityGroupIds: ['sg-endpoints'],
  privateDnsEnabled: true,
  dnsName: 'vpce-1-abc.api.ecr.us-east-1.vpce.amazonaws.com',
}
const interfaceDesired: VpcEndpointDesired = {
  vpcId: 'vpc-1',
  serviceName: 'com.amazonaws.us-east-1.ecr.api',
  type: 'Interface',
  routeTableIds: [],
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-endpoints'],
  privateDnsEnabled: true,
}
const gatewayObserved: VpcEndpointObserved = {
  id: 'vpce-s3',
  vpcId: 'vpc-1',
  serviceName: 'com.amazonaws.us-east-1.s3',
  type: 'Gateway',
  state: 'available',
  routeTableIds: ['rtb-1', 'rtb-2'],
  subnetIds: [],
  securityGroupIds: [],
  privateDnsEnabled: false,
}
const gatewayDesired: VpcEndpointDesired = {
  vpcId: 'vpc-1',
  serviceName: 'com.amazonaws.us-east-1.s3',
  type: 'Gateway',
  routeTableIds: ['rtb-2', 'rtb-1'],
  subnetIds: [],
  securityGroupIds: [],
  privateDnsEnabled: true,
}

beforeEach(() => {
  ec2.reset()
})

describe('vpcEndpoint.read', () => {
  it('describes many ids in one filtered call; gone and deleting/deleted/failed/rejected endpoints are absent', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        interfaceEndpoint,
        {...interfaceEndpoint, VpcEndpointId: 'vpce-deleting', State: state('deleting')},
        {...interfaceEndpoint, VpcEndpointId: 'vpce-deleted', State: state('deleted')},
        {...interfaceEndpoint, VpcEndpointId: 'vpce-failed', State: state('failed')},
        {...interfaceEndpoint, VpcEndpointId: 'vpce-rejected', State: state('rejected')},
        {...interfaceEndpoint, VpcEndpointId: 'vpce-pending', State: state('pending')},
      ],
    })
    const ids = ['vpce-1', 'vpce-deleting', 'vpce-deleted', 'vpce-failed', 'vpce-rejected', 'vpce-pending', 'vpce-gone']

    const found = await vpcEndpoint.read(testContext(), ids)

    expect(inputs(DescribeVpcEndpointsCommand)).toEqual([{Filters: [{Name: 'vpc-endpoint-id', Values: ids}]}])
    expect([...found.keys()]).toEqual(['vpce-1', 'vpce-pending'])
    expect(found.get('vpce-1')).toEqual(interfaceObserved)
    expect(found.get('vpce-pending')?.state).toBe('pending')
  })

  it('accepts the capitalised states of the SDK enum too', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({VpcEndpoints: [{...interfaceEndpoint, State: 'Available'}]})
    expect((await vpcEndpoint.read(testContext(), ['vpce-1'])).get('vpce-1')?.state).toBe('available')
  })
})

describe('vpcEndpoint.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag, skipping deleted ones', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({VpcEndpoints: [{...interfaceEndpoint, VpcEndpointId: 'vpce-old', State: state('deleted')}, interfaceEndpoint]})

    const found = await vpcEndpoint.find(testContext(), findQuery)

    expect(inputs(DescribeVpcEndpointsCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['endpoint/ecr-api', interfaceObserved]])
  })
})

describe('diffVpcEndpoint', () => {
  it.each<[string, VpcEndpointDesired, VpcEndpointObserved, unknown[]]>([
    ['interface, no change (order-insensitive)', interfaceDesired, interfaceObserved, []],
    ['gateway, no change; subnets, groups and private DNS ignored', gatewayDesired, gatewayObserved, []],
    ['interface without groups: the VPC default group AWS assigns is not a change', {...interfaceDesired, securityGroupIds: []}, interfaceObserved, []],
    [
      'other service',
      {...interfaceDesired, serviceName: 'com.amazonaws.us-east-1.ecr.dkr'},
      interfaceObserved,
      [{field: 'serviceName', before: 'com.amazonaws.us-east-1.ecr.api', after: 'com.amazonaws.us-east-1.ecr.dkr', replace: true}],
    ],
    ['other vpc', {...interfaceDesired, vpcId: 'vpc-2'}, interfaceObserved, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}]],
    ['other subnets', {...interfaceDesired, subnetIds: ['subnet-a', 'subnet-c']}, interfaceObserved, [{field: 'subnetIds', before: ['subnet-a', 'subnet-b'], after: ['subnet-a', 'subnet-c'], replace: false}]],
    ['other groups', {...interfaceDesired, securityGroupIds: ['sg-x']}, interfaceObserved, [{field: 'securityGroupIds', before: ['sg-endpoints'], after: ['sg-x'], replace: false}]],
    ['private DNS', {...interfaceDesired, privateDnsEnabled: false}, interfaceObserved, [{field: 'privateDnsEnabled', before: true, after: false, replace: false}]],
    ['gateway route tables', {...gatewayDesired, routeTableIds: ['rtb-1']}, gatewayObserved, [{field: 'routeTableIds', before: ['rtb-1', 'rtb-2'], after: ['rtb-1'], replace: false}]],
  ])('%s', (_name, wanted, current, expected) => {
    expect(diffVpcEndpoint(wanted, current)).toEqual(expected)
  })

  it('marks a type change as a replacement', () => {
    const changes = diffVpcEndpoint({...gatewayDesired, type: 'Interface'}, gatewayObserved)
    expect(changes[0]).toEqual({field: 'type', before: 'Gateway', after: 'Interface', replace: true})
  })
})

describe('vpcEndpoint.create', () => {
  it('creates an interface endpoint with subnets, groups, private DNS, token and tags', async () => {
    ec2.on(CreateVpcEndpointCommand).resolves({VpcEndpoint: {...interfaceEndpoint, State: state('pending'), Tags: undefined}})

    const created = await vpcEndpoint.create(testContext(), interfaceDesired, meta)

    expect(inputs(CreateVpcEndpointCommand)).toEqual([
      {
        VpcEndpointType: 'Interface',
        VpcId: 'vpc-1',
        ServiceName: 'com.amazonaws.us-east-1.ecr.api',
        RouteTableIds: undefined,
        SubnetIds: ['subnet-a', 'subnet-b'],
        SecurityGroupIds: ['sg-endpoints'],
        PrivateDnsEnabled: true,
        PolicyDocument: undefined,
        ClientToken: 'token-1',
        TagSpecifications: [{ResourceType: 'vpc-endpoint', Tags: tags}],
      },
    ])
    expect(created).toEqual({...interfaceObserved, state: 'pending'})
  })

  it('creates a gateway endpoint with its route tables only', async () => {
    ec2
      .on(CreateVpcEndpointCommand)
      .resolves({VpcEndpoint: {VpcEndpointId: 'vpce-s3', VpcEndpointType: 'Gateway', VpcId: 'vpc-1', ServiceName: 'com.amazonaws.us-east-1.s3', State: state('available'), RouteTableIds: ['rtb-2', 'rtb-1']}})

    await vpcEndpoint.create(testContext(), gatewayDesired, {...meta, logicalId: 'endpoint/s3'})

    const [input] = inputs(CreateVpcEndpointCommand)
    expect(input).toMatchObject({VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-2', 'rtb-1'], ClientToken: 'token-1'})
    expect(input?.SubnetIds).toBeUndefined()
    expect(input?.SecurityGroupIds).toBeUndefined()
    expect(input?.PrivateDnsEnabled).toBeUndefined()
  })
})

describe('vpcEndpoint.update', () => {
  it('adds and removes only what differs, in one ModifyVpcEndpoint', async () => {
    ec2.on(ModifyVpcEndpointCommand).resolves({Return: true})
    const wanted = {...interfaceDesired, subnetIds: ['subnet-a', 'subnet-c'], privateDnsEnabled: false}

    const updated = await vpcEndpoint.update(testContext(), wanted, interfaceObserved, diffVpcEndpoint(wanted, interfaceObserved))

    expect(inputs(ModifyVpcEndpointCommand)).toEqual([{VpcEndpointId: 'vpce-1', AddSubnetIds: ['subnet-c'], RemoveSubnetIds: ['subnet-b'], PrivateDnsEnabled: false}])
    expect(diffVpcEndpoint(wanted, updated)).toEqual([])
  })

  it('changes a gateway endpoint route tables', async () => {
    ec2.on(ModifyVpcEndpointCommand).resolves({Return: true})
    const wanted = {...gatewayDesired, routeTableIds: ['rtb-1', 'rtb-3']}

    await vpcEndpoint.update(testContext(), wanted, gatewayObserved, diffVpcEndpoint(wanted, gatewayObserved))

    expect(inputs(ModifyVpcEndpointCommand)).toEqual([{VpcEndpointId: 'vpce-s3', AddRouteTableIds: ['rtb-3'], RemoveRouteTableIds: ['rtb-2']}])
  })

  it('makes no call when equal', async () => {
    expect(await vpcEndpoint.update(testContext(), interfaceDesired, interfaceObserved, [])).toEqual(interfaceObserved)
    expect(await vpcEndpoint.update(testContext(), gatewayDesired, gatewayObserved, [])).toEqual(gatewayObserved)
    expect(sent()).toEqual([])
  })
})

describe('endpoint policy', () => {
  /** What AWS reports for an endpoint created without a policy: a gateway's, an interface's (DescribeVpcEndpoints example). */
  const gatewayDefault = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
  const interfaceDefault = '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}'
  const readOnly = {Statement: [{Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*'}]}
  const policyDocument = JSON.stringify(readOnly)

  it('is read from DescribeVpcEndpoints as reported', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({VpcEndpoints: [{...interfaceEndpoint, PolicyDocument: interfaceDefault}]})
    expect((await vpcEndpoint.read(testContext(), ['vpce-1'])).get('vpce-1')?.policyDocument).toBe(interfaceDefault)
  })

  it.each([
    ['none wanted, the gateway default reported', undefined, gatewayDefault],
    ['none wanted, the interface default reported', undefined, interfaceDefault],
    ['none wanted, none reported (a service without endpoint policies)', undefined, undefined],
    ['the same document, other key order and white space', policyDocument, '{ "Statement": [ { "Resource": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Principal": "*", "Effect": "Allow" } ] }'],
  ])('no change: %s', (_name, wanted, reported) => {
    expect(diffVpcEndpoint({...gatewayDesired, policyDocument: wanted}, {...gatewayObserved, policyDocument: reported})).toEqual([])
  })

  it.each([
    ['a policy where the default is reported', policyDocument, gatewayDefault, '(default: full access)', normalisePolicy(policyDocument)],
    ['the default wanted, a custom policy reported (drift)', undefined, policyDocument, normalisePolicy(policyDocument), '(default: full access)'],
    [
      'another action',
      JSON.stringify({Statement: [{...readOnly.Statement[0], Action: 's3:*'}]}),
      policyDocument,
      normalisePolicy(policyDocument),
      '{"Statement":[{"Action":"s3:*","Effect":"Allow","Principal":"*","Resource":"*"}]}',
    ],
    ['array order matters in a policy', JSON.stringify({Statement: [{...readOnly.Statement[0], Action: ['s3:ListBucket', 's3:GetObject']}]}), policyDocument, normalisePolicy(policyDocument), expect.any(String)],
  ])('in place: %s', (_name, wanted, reported, before, after) => {
    expect(diffVpcEndpoint({...gatewayDesired, policyDocument: wanted}, {...gatewayObserved, policyDocument: reported})).toEqual([{field: 'policyDocument', before, after, replace: false}])
  })

  it('recognises the default in its spellings, and nothing else', () => {
    expect([gatewayDefault, interfaceDefault, undefined].map(isDefaultPolicy)).toEqual([true, true, true])
    expect([policyDocument, '{"Statement":[]}', 'not json', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}'].map(isDefaultPolicy)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })

  it('is passed at create; absent, AWS attaches its default', async () => {
    ec2.on(CreateVpcEndpointCommand).resolves({
      VpcEndpoint: {
        VpcEndpointId: 'vpce-s3',
        VpcEndpointType: 'Gateway',
        VpcId: 'vpc-1',
        ServiceName: 'com.amazonaws.us-east-1.s3',
        State: state('available'),
        RouteTableIds: ['rtb-1', 'rtb-2'],
        PolicyDocument: policyDocument,
      },
    })

    const created = await vpcEndpoint.create(testContext(), {...gatewayDesired, policyDocument}, meta)

    expect(inputs(CreateVpcEndpointCommand)[0]!.PolicyDocument).toBe(policyDocument)
    expect(diffVpcEndpoint({...gatewayDesired, policyDocument}, created)).toEqual([])
  })

  it('is changed in place with ModifyVpcEndpoint PolicyDocument', async () => {
    ec2.on(ModifyVpcEndpointCommand).resolves({Return: true})
    const wanted = {...gatewayDesired, policyDocument}
    const before = {...gatewayObserved, policyDocument: gatewayDefault}

    const updated = await vpcEndpoint.update(testContext(), wanted, before, diffVpcEndpoint(wanted, before))

    expect(inputs(ModifyVpcEndpointCommand)).toEqual([{VpcEndpointId: 'vpce-s3', PolicyDocument: policyDocument}])
    expect(diffVpcEndpoint(wanted, updated)).toEqual([])
  })

  it('goes back to the default with ResetPolicy', async () => {
    ec2.on(ModifyVpcEndpointCommand).resolves({Return: true})
    const before = {...interfaceObserved, policyDocument}

    const updated = await vpcEndpoint.update(testContext(), interfaceDesired, before, diffVpcEndpoint(interfaceDesired, before))

    expect(inputs(ModifyVpcEndpointCommand)).toEqual([{VpcEndpointId: 'vpce-1', ResetPolicy: true}])
    expect(diffVpcEndpoint(interfaceDesired, updated)).toEqual([])
  })
})

describe('vpcEndpoint.waitReady', () => {
  it('polls pending → available on the virtual clock and reports progress', async () => {
    ec2
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce({VpcEndpoints: []})
      .resolvesOnce({VpcEndpoints: [{...interfaceEndpoint, State: state('pending')}]})
      .resolvesOnce({VpcEndpoints: [{...interfaceEndpoint, State: state('pending')}]})
      .resolves({VpcEndpoints: [interfaceEndpoint]})
    const ctx = testContext()
    const started = ctx.clock.now()

    const ready = await vpcEndpoint.waitReady!(ctx, {...interfaceObserved, state: 'pending'})

    expect(ready).toEqual(interfaceObserved)
    expect(inputs(DescribeVpcEndpointsCommand)).toHaveLength(4)
    expect(inputs(DescribeVpcEndpointsCommand)[0]).toEqual({Filters: [{Name: 'vpc-endpoint-id', Values: ['vpce-1']}]})
    expect(ctx.messages).toEqual(['waiting for vpce-1 to be available: not visible yet, 0s', 'waiting for vpce-1 to be available: pending, 5s', 'waiting for vpce-1 to be available: pending, 10s'])
    expect(ctx.clock.now() - started).toBeGreaterThanOrEqual(15_000)
  })

  it('keeps the owner it knew when the describe shows no tags yet', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({VpcEndpoints: [{...interfaceEndpoint, Tags: undefined}]})

    const ready = await vpcEndpoint.waitReady!(testContext(), {...interfaceObserved, state: 'pending'})

    expect(ready).toEqual(interfaceObserved)
  })

  it('fails when the endpoint ends failed or rejected', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({VpcEndpoints: [{...interfaceEndpoint, State: state('failed')}]})
    await expect(vpcEndpoint.waitReady!(testContext(), interfaceObserved)).rejects.toThrow('endpoint is failed')
  })
})

describe('vpcEndpoint.delete', () => {
  it('deletes, then waits until the endpoint is deleted', async () => {
    ec2.on(DeleteVpcEndpointsCommand).resolves({Unsuccessful: []})
    ec2
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce({VpcEndpoints: [{...interfaceEndpoint, State: state('deleting')}]})
      .resolves({VpcEndpoints: [{...interfaceEndpoint, State: state('deleted')}]})
    const ctx = testContext()

    await vpcEndpoint.delete(ctx, interfaceObserved, keepData)

    expect(inputs(DeleteVpcEndpointsCommand)).toEqual([{VpcEndpointIds: ['vpce-1']}])
    expect(sent()).toEqual(['DeleteVpcEndpoints', 'DescribeVpcEndpoints', 'DescribeVpcEndpoints'])
    expect(ctx.messages).toEqual(['waiting for vpce-1 to be deleted: deleting, 0s'])
  })

  it('treats a not-found entry in Unsuccessful as already deleted', async () => {
    ec2.on(DeleteVpcEndpointsCommand).resolves({Unsuccessful: [{ResourceId: 'vpce-1', Error: {Code: 'InvalidVpcEndpoint.NotFound', Message: 'does not exist'}}]})

    await expect(vpcEndpoint.delete(testContext(), interfaceObserved, keepData)).resolves.toBeUndefined()
    expect(sent()).toEqual(['DeleteVpcEndpoints'])
  })

  it('throws other Unsuccessful entries with their code', async () => {
    ec2.on(DeleteVpcEndpointsCommand).resolves({Unsuccessful: [{ResourceId: 'vpce-1', Error: {Code: 'DependencyViolation', Message: 'in use'}}]})

    await expect(vpcEndpoint.delete(testContext(), interfaceObserved, keepData)).rejects.toMatchObject({name: 'DependencyViolation'})
  })
})

describe('vpcEndpoint.outputs and health', () => {
  it('exposes the DNS name of interface endpoints', () => {
    expect(vpcEndpoint.outputs(interfaceObserved)).toEqual({id: 'vpce-1', dnsName: 'vpce-1-abc.api.ecr.us-east-1.vpce.amazonaws.com'})
    expect(vpcEndpoint.outputs(gatewayObserved)).toEqual({id: 'vpce-s3'})
  })

  it('is ready only when available', () => {
    expect(vpcEndpoint.health!(interfaceObserved)).toEqual({state: 'available', ready: true})
    expect(vpcEndpoint.health!({...interfaceObserved, state: 'pending'})).toEqual({state: 'pending', ready: false})
  })
})
