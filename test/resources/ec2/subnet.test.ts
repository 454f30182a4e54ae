import {CreateSubnetCommand, DeleteSubnetCommand, DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, ModifySubnetAttributeCommand} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffSubnet, subnet, type SubnetObserved} from '../../../src/resources/ec2/subnet.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs} = ec2Mock()

const tags = ownershipTags('subnet/public-a')
const meta = {logicalId: 'subnet/public-a', token: 'token-1', tags}
const awsSubnet = {SubnetId: 'subnet-1', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a', MapPublicIpOnLaunch: true, State: 'available' as const, Tags: tags}
const observed: SubnetObserved = {id: 'subnet-1', logicalId: 'subnet/public-a', stack: 'teststack', vpcId: 'vpc-1', cidr: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: true, state: 'available'}
const desired = {vpcId: 'vpc-1', cidr: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: true}

beforeEach(() => {
  ec2.reset()
})

describe('subnet.read', () => {
  it('describes many ids in one filtered call and omits the ones AWS no longer returns', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({Subnets: [awsSubnet, {...awsSubnet, SubnetId: 'subnet-2', CidrBlock: '10.0.2.0/24', MapPublicIpOnLaunch: false, Tags: []}]})

    const found = await subnet.read(testContext(), ['subnet-1', 'subnet-2', 'subnet-gone'])

    expect(inputs(DescribeSubnetsCommand)).toEqual([{Filters: [{Name: 'subnet-id', Values: ['subnet-1', 'subnet-2', 'subnet-gone']}]}])
    expect([...found.keys()]).toEqual(['subnet-1', 'subnet-2'])
    expect(found.get('subnet-1')).toEqual(observed)
    expect(found.get('subnet-2')).toMatchObject({cidr: '10.0.2.0/24', mapPublicIpOnLaunch: false})
    // Untagged: no owner.
    expect(found.get('subnet-2')?.logicalId).toBeUndefined()
    expect(found.get('subnet-2')?.stack).toBeUndefined()
  })

  it('follows NextToken pages', async () => {
    ec2
      .on(DescribeSubnetsCommand)
      .resolvesOnce({Subnets: [awsSubnet], NextToken: 'page-2'})
      .resolves({Subnets: [{...awsSubnet, SubnetId: 'subnet-2'}]})

    const found = await subnet.read(testContext(), ['subnet-1', 'subnet-2'])

    expect([...found.keys()]).toEqual(['subnet-1', 'subnet-2'])
    // The paginator reuses one input object, so the recorded inputs can't tell the pages apart; the count can.
    expect(inputs(DescribeSubnetsCommand)).toHaveLength(2)
  })
})

describe('subnet.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag, skipping untagged ones', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({Subnets: [awsSubnet, {...awsSubnet, SubnetId: 'subnet-x', Tags: [tags[0]!]}]})

    const found = await subnet.find(testContext(), findQuery)

    expect(inputs(DescribeSubnetsCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['subnet/public-a', observed]])
  })
})

describe('diffSubnet', () => {
  it.each([
    ['nothing', {}, []],
    ['vpcId', {vpcId: 'vpc-2'}, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}]],
    ['cidr', {cidr: '10.0.9.0/24'}, [{field: 'cidr', before: '10.0.1.0/24', after: '10.0.9.0/24', replace: true}]],
    ['availabilityZone', {availabilityZone: 'us-east-1b'}, [{field: 'availabilityZone', before: 'us-east-1a', after: 'us-east-1b', replace: true}]],
    ['mapPublicIpOnLaunch', {mapPublicIpOnLaunch: false}, [{field: 'mapPublicIpOnLaunch', before: true, after: false, replace: false}]],
  ])('%s changed', (_name, change, expected) => {
    expect(diffSubnet({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('subnet.create', () => {
  it('tags at creation and makes no follow-up call for a private subnet', async () => {
    ec2.on(CreateSubnetCommand).resolves({Subnet: {...awsSubnet, MapPublicIpOnLaunch: false, State: 'pending'}})

    const created = await subnet.create(testContext(), {...desired, mapPublicIpOnLaunch: false}, meta)

    expect(inputs(CreateSubnetCommand)).toEqual([{VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a', TagSpecifications: [{ResourceType: 'subnet', Tags: tags}]}])
    expect(inputs(ModifySubnetAttributeCommand)).toEqual([])
    expect(created).toEqual({...observed, mapPublicIpOnLaunch: false, state: 'pending'})
  })

  it('turns on MapPublicIpOnLaunch for a public subnet, retrying it while the new id answers NotFound', async () => {
    ec2.on(CreateSubnetCommand).resolves({Subnet: {...awsSubnet, MapPublicIpOnLaunch: false, State: 'pending'}})
    ec2.on(ModifySubnetAttributeCommand).rejectsOnce(awsError('InvalidSubnetID.NotFound')).resolves({})

    const created = await subnet.create(testContext(), desired, meta)

    expect(inputs(CreateSubnetCommand)).toHaveLength(1)
    expect(inputs(ModifySubnetAttributeCommand)).toEqual([
      {SubnetId: 'subnet-1', MapPublicIpOnLaunch: {Value: true}},
      {SubnetId: 'subnet-1', MapPublicIpOnLaunch: {Value: true}},
    ])
    expect(created.mapPublicIpOnLaunch).toBe(true)
  })
})

describe('subnet.update', () => {
  it('changes MapPublicIpOnLaunch with one call', async () => {
    ec2.on(ModifySubnetAttributeCommand).resolves({})
    const wanted = {...desired, mapPublicIpOnLaunch: false}

    const updated = await subnet.update(testContext(), wanted, observed, diffSubnet(wanted, observed))

    expect(inputs(ModifySubnetAttributeCommand)).toEqual([{SubnetId: 'subnet-1', MapPublicIpOnLaunch: {Value: false}}])
    expect(updated).toEqual({...observed, mapPublicIpOnLaunch: false})
  })

  it('makes no call when nothing in-place changed', async () => {
    const updated = await subnet.update(testContext(), desired, observed, [])
    expect(ec2.calls()).toHaveLength(0)
    expect(updated).toEqual(observed)
  })
})

describe('subnet.delete', () => {
  it('deletes by id and treats NotFound as deleted', async () => {
    ec2.on(DeleteSubnetCommand).resolvesOnce({}).rejects(awsError('InvalidSubnetID.NotFound'))
    await subnet.delete(testContext(), observed, keepData)
    await expect(subnet.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
    expect(inputs(DeleteSubnetCommand)).toEqual([{SubnetId: 'subnet-1'}, {SubnetId: 'subnet-1'}])
  })

  it("surfaces AWS's DependencyViolation as it is, for the engine to retry, when no network interface is in the subnet", async () => {
    // (network-interfaces.test.ts: when some are, the error names them.)
    const refused = awsError('DependencyViolation')
    ec2.on(DeleteSubnetCommand).rejects(refused)
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: []})
    await expect(subnet.delete(testContext(), observed, keepData)).rejects.toBe(refused)
    expect(inputs(DeleteSubnetCommand)).toHaveLength(1)
  })
})

describe('subnet.outputs', () => {
  it('exposes id, zone, cidr and vpc', () => {
    expect(subnet.outputs(observed)).toEqual({id: 'subnet-1', availabilityZone: 'us-east-1a', cidr: '10.0.1.0/24', vpcId: 'vpc-1'})
  })
})
