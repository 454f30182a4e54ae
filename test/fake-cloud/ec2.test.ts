import {CreateSubnetCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client, EC2ServiceException} from '@aws-sdk/client-ec2'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {VirtualClock} from '../../src/util/clock.js'
import {Faults, type FakeEnv} from './core.js'
import {FakeEc2} from './ec2.js'
import {IdGenerator} from './ids.js'

const REGION = 'us-east-1'
const tagSpec = (resourceType: string, name: string) => [
  {
    ResourceType: resourceType,
    Tags: [
      {Key: 'containrlab:stack', Value: 'demo'},
      {Key: 'Name', Value: name},
    ],
  },
]

let clock: VirtualClock
let env: FakeEnv
let ec2: FakeEc2
let call: (operation: string, input?: unknown) => any

function build(timings = {}): void {
  clock = new VirtualClock()
  env = {clock, faults: new Faults(), region: REGION, accountId: '123456789012'}
  ec2 = new FakeEc2(env, timings)
  const handlers = new Map(ec2.handlers().map((handler) => [handler.operation, handler]))
  call = (operation, input = {}) => {
    const handler = handlers.get(operation)
    if (!handler) throw new Error(`no handler for ${operation}`)
    return handler.handle(input)
  }
}

/** The EC2 error code a call fails with. */
function codeOf(operation: string, input: unknown): string {
  try {
    call(operation, input)
  } catch (error) {
    expect(error).toBeInstanceOf(EC2ServiceException)
    return (error as EC2ServiceException).name
  }
  throw new Error(`${operation} succeeded, expected an error`)
}

function vpc(cidr = '10.0.0.0/16', name = 'main'): string {
  return call('CreateVpc', {CidrBlock: cidr, TagSpecifications: tagSpec('vpc', name)}).Vpc.VpcId
}

function subnet(vpcId: string, cidr: string, az = 'us-east-1a'): string {
  return call('CreateSubnet', {VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az, TagSpecifications: tagSpec('subnet', cidr)}).Subnet.SubnetId
}

function attachedIgw(vpcId: string): string {
  const id = call('CreateInternetGateway', {TagSpecifications: tagSpec('internet-gateway', 'igw')}).InternetGateway.InternetGatewayId
  call('AttachInternetGateway', {InternetGatewayId: id, VpcId: vpcId})
  return id
}

function eip(): string {
  return call('AllocateAddress', {Domain: 'vpc', TagSpecifications: tagSpec('elastic-ip', 'eip')}).AllocationId
}

function natState(id: string): string {
  return call('DescribeNatGateways', {NatGatewayIds: [id]}).NatGateways[0].State
}

beforeEach(() => build())

describe('handler table', () => {
  it('has one entry per operation with the SDK command class and a mutating flag', () => {
    const handlers = ec2.handlers()
    expect(new Set(handlers.map((h) => h.operation)).size).toBe(handlers.length)
    expect(handlers.find((h) => h.operation === 'CreateVpc')).toMatchObject({command: CreateVpcCommand, mutating: true})
    expect(handlers.find((h) => h.operation === 'DescribeVpcs')).toMatchObject({command: DescribeVpcsCommand, mutating: false})
    expect(handlers.length).toBe(55) // 44 networking + 11 capacity (instances, launch templates)
  })

  it('returns copies: changing an output does not change the cloud', () => {
    const id = vpc()
    const out = call('DescribeVpcs', {VpcIds: [id]})
    out.Vpcs[0].Tags.push({Key: 'x', Value: 'y'})
    expect(call('DescribeVpcs', {VpcIds: [id]}).Vpcs[0].Tags).toHaveLength(2)
  })
})

describe('through the SDK', () => {
  it('works behind aws-sdk-client-mock: outputs and error codes reach the caller unchanged', async () => {
    const mock = mockClient(EC2Client)
    try {
      for (const handler of ec2.handlers()) mock.on(handler.command as any).callsFake(async (input: unknown) => handler.handle(input))
      const client = new EC2Client({region: REGION})
      const {Vpc} = await client.send(new CreateVpcCommand({CidrBlock: '10.0.0.0/16'}))
      expect((await client.send(new DescribeVpcsCommand({VpcIds: [Vpc!.VpcId!]}))).Vpcs![0]!.CidrBlock).toBe('10.0.0.0/16')
      await expect(client.send(new CreateSubnetCommand({VpcId: Vpc!.VpcId!, CidrBlock: '10.1.0.0/24'}))).rejects.toMatchObject({name: 'InvalidSubnet.Range'})
    } finally {
      mock.restore()
    }
  })
})

describe('ids', () => {
  it('look like AWS ids, are unique, and repeat across generators with the same seed', () => {
    const a = new IdGenerator(7)
    const b = new IdGenerator(7)
    const fromA = Array.from({length: 500}, () => a.next('subnet'))
    expect(fromA.every((id) => /^subnet-[0-9a-f]{17}$/.test(id))).toBe(true)
    expect(new Set(fromA).size).toBe(500)
    expect(Array.from({length: 500}, () => b.next('subnet'))).toEqual(fromA)
    expect(new IdGenerator(8).next('subnet')).not.toBe(fromA[0])
  })
})

describe('VPC', () => {
  it('comes with a main route table (local route) and a default security group with its default rules', () => {
    const vpcId = vpc()
    const tables = call('DescribeRouteTables', {Filters: [{Name: 'vpc-id', Values: [vpcId]}]}).RouteTables
    expect(tables).toHaveLength(1)
    expect(tables[0].Associations).toEqual([expect.objectContaining({Main: true})])
    expect(tables[0].Routes).toEqual([{DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active'}])
    const groups = call('DescribeSecurityGroups', {Filters: [{Name: 'vpc-id', Values: [vpcId]}]}).SecurityGroups
    expect(groups).toHaveLength(1)
    expect(groups[0].GroupName).toBe('default')
    expect(groups[0].IpPermissions).toEqual([expect.objectContaining({IpProtocol: '-1', UserIdGroupPairs: [expect.objectContaining({GroupId: groups[0].GroupId})]})])
    expect(groups[0].IpPermissionsEgress).toEqual([expect.objectContaining({IpProtocol: '-1', IpRanges: [{CidrIp: '0.0.0.0/0'}]})])
    // The main table and default group go with the VPC: one resource.
    expect(ec2.resourceCount()).toBe(1)
  })

  it('describes by id (NotFound when unknown) and by filters (empty when nothing matches)', () => {
    const a = vpc('10.0.0.0/16', 'a')
    vpc('10.1.0.0/16', 'b')
    expect(call('DescribeVpcs', {VpcIds: [a]}).Vpcs[0]).toMatchObject({VpcId: a, CidrBlock: '10.0.0.0/16', State: 'available', Tags: tagSpec('vpc', 'a')[0]!.Tags})
    expect(codeOf('DescribeVpcs', {VpcIds: [a, 'vpc-00000000000000000']})).toBe('InvalidVpcID.NotFound')
    expect(call('DescribeVpcs', {Filters: [{Name: 'tag:Name', Values: ['b']}]}).Vpcs.map((v: any) => v.CidrBlock)).toEqual(['10.1.0.0/16'])
    expect(call('DescribeVpcs', {Filters: [{Name: 'tag-key', Values: ['containrlab:stack']}]}).Vpcs).toHaveLength(2)
    expect(call('DescribeVpcs', {Filters: [{Name: 'cidr', Values: ['10.1.*']}]}).Vpcs).toHaveLength(1)
    expect(call('DescribeVpcs', {Filters: [{Name: 'tag:Name', Values: ['nope']}]}).Vpcs).toEqual([])
    expect(codeOf('DescribeVpcs', {Filters: [{Name: 'no-such-filter', Values: ['x']}]})).toBe('InvalidParameterValue')
    expect(codeOf('CreateVpc', {CidrBlock: '10.0.0.0/8'})).toBe('InvalidVpc.Range')
  })

  it('has DNS support on and hostnames off by default; one attribute per modify; hostnames need support', () => {
    const id = vpc()
    const attribute = (name: string) => call('DescribeVpcAttribute', {VpcId: id, Attribute: name})
    expect(attribute('enableDnsSupport').EnableDnsSupport).toEqual({Value: true})
    expect(attribute('enableDnsHostnames').EnableDnsHostnames).toEqual({Value: false})
    expect(codeOf('ModifyVpcAttribute', {VpcId: id, EnableDnsSupport: {Value: true}, EnableDnsHostnames: {Value: true}})).toBe('InvalidParameterCombination')
    call('ModifyVpcAttribute', {VpcId: id, EnableDnsHostnames: {Value: true}})
    expect(attribute('enableDnsHostnames').EnableDnsHostnames).toEqual({Value: true})
    call('ModifyVpcAttribute', {VpcId: id, EnableDnsHostnames: {Value: false}})
    call('ModifyVpcAttribute', {VpcId: id, EnableDnsSupport: {Value: false}})
    expect(codeOf('ModifyVpcAttribute', {VpcId: id, EnableDnsHostnames: {Value: true}})).toBe('InvalidParameterValue')
  })

  it('cannot be deleted while it has subnets; deleting it takes the main route table and default group along', () => {
    const vpcId = vpc()
    const subnetId = subnet(vpcId, '10.0.1.0/24')
    expect(codeOf('DeleteVpc', {VpcId: vpcId})).toBe('DependencyViolation')
    call('DeleteSubnet', {SubnetId: subnetId})
    call('DeleteVpc', {VpcId: vpcId})
    expect(call('DescribeRouteTables', {}).RouteTables).toEqual([])
    expect(call('DescribeSecurityGroups', {}).SecurityGroups).toEqual([])
    expect(call('DescribeSecurityGroupRules', {}).SecurityGroupRules).toEqual([])
    expect(codeOf('DescribeVpcs', {VpcIds: [vpcId]})).toBe('InvalidVpcID.NotFound')
    expect(ec2.resourceCount()).toBe(0)
  })

  it('cannot be deleted while an internet gateway, a non-default group or a non-main route table remains', () => {
    const vpcId = vpc()
    const igw = attachedIgw(vpcId)
    expect(codeOf('DeleteVpc', {VpcId: vpcId})).toBe('DependencyViolation')
    call('DetachInternetGateway', {InternetGatewayId: igw, VpcId: vpcId})
    const group = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'app', Description: 'app'}).GroupId
    expect(codeOf('DeleteVpc', {VpcId: vpcId})).toBe('DependencyViolation')
    call('DeleteSecurityGroup', {GroupId: group})
    const table = call('CreateRouteTable', {VpcId: vpcId}).RouteTable.RouteTableId
    expect(codeOf('DeleteVpc', {VpcId: vpcId})).toBe('DependencyViolation')
    call('DeleteRouteTable', {RouteTableId: table})
    call('DeleteVpc', {VpcId: vpcId})
  })
})

describe('subnet', () => {
  it('is created inside the VPC CIDR, without overlaps, in an AZ of the region', () => {
    const vpcId = vpc()
    const id = subnet(vpcId, '10.0.1.0/24', 'us-east-1b')
    expect(call('DescribeSubnets', {SubnetIds: [id]}).Subnets[0]).toMatchObject({
      SubnetId: id,
      VpcId: vpcId,
      CidrBlock: '10.0.1.0/24',
      AvailabilityZone: 'us-east-1b',
      AvailableIpAddressCount: 251,
      MapPublicIpOnLaunch: false,
    })
    expect(codeOf('CreateSubnet', {VpcId: vpcId, CidrBlock: '10.1.0.0/24', AvailabilityZone: 'us-east-1a'})).toBe('InvalidSubnet.Range')
    expect(codeOf('CreateSubnet', {VpcId: vpcId, CidrBlock: '10.0.1.128/25', AvailabilityZone: 'us-east-1a'})).toBe('InvalidSubnet.Conflict')
    expect(codeOf('CreateSubnet', {VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'eu-west-1a'})).toBe('InvalidParameterValue')
    expect(codeOf('CreateSubnet', {VpcId: 'vpc-00000000000000000', CidrBlock: '10.0.2.0/24'})).toBe('InvalidVpcID.NotFound')
    expect(codeOf('DescribeSubnets', {SubnetIds: ['subnet-00000000000000000']})).toBe('InvalidSubnetID.NotFound')
    expect(call('DescribeSubnets', {Filters: [{Name: 'vpc-id', Values: ['vpc-00000000000000000']}]}).Subnets).toEqual([])
  })

  it('changes MapPublicIpOnLaunch', () => {
    const id = subnet(vpc(), '10.0.1.0/24')
    call('ModifySubnetAttribute', {SubnetId: id, MapPublicIpOnLaunch: {Value: true}})
    expect(call('DescribeSubnets', {Filters: [{Name: 'subnet-id', Values: [id]}]}).Subnets[0].MapPublicIpOnLaunch).toBe(true)
  })

  it('rejects tags for another resource type', () => {
    expect(codeOf('CreateSubnet', {VpcId: vpc(), CidrBlock: '10.0.1.0/24', TagSpecifications: tagSpec('vpc', 'x')})).toBe('InvalidParameterValue')
  })
})

describe('internet gateway', () => {
  it('attaches once, detaches only from its VPC, and is deleted only when detached', () => {
    const vpcId = vpc()
    const other = vpc('10.1.0.0/16', 'other')
    const igw = attachedIgw(vpcId)
    expect(call('DescribeInternetGateways', {Filters: [{Name: 'attachment.vpc-id', Values: [vpcId]}]}).InternetGateways).toEqual([
      expect.objectContaining({InternetGatewayId: igw, Attachments: [{VpcId: vpcId, State: 'available'}]}),
    ])
    expect(codeOf('AttachInternetGateway', {InternetGatewayId: igw, VpcId: other})).toBe('Resource.AlreadyAssociated')
    expect(codeOf('DetachInternetGateway', {InternetGatewayId: igw, VpcId: other})).toBe('Gateway.NotAttached')
    expect(codeOf('DeleteInternetGateway', {InternetGatewayId: igw})).toBe('DependencyViolation')
    call('DetachInternetGateway', {InternetGatewayId: igw, VpcId: vpcId})
    call('DeleteInternetGateway', {InternetGatewayId: igw})
    expect(codeOf('DescribeInternetGateways', {InternetGatewayIds: [igw]})).toBe('InvalidInternetGatewayID.NotFound')
  })
})

describe('NAT gateway and Elastic IP', () => {
  let vpcId: string
  let subnetId: string
  let allocationId: string

  beforeEach(() => {
    vpcId = vpc()
    attachedIgw(vpcId)
    subnetId = subnet(vpcId, '10.0.0.0/24')
    allocationId = eip()
  })

  const createNat = (extra: object = {}) => call('CreateNatGateway', {SubnetId: subnetId, AllocationId: allocationId, TagSpecifications: tagSpec('natgateway', 'nat'), ...extra}).NatGateway

  it('allocates addresses from documentation ranges; unknown allocation ids are NotFound', () => {
    const out = call('DescribeAddresses', {AllocationIds: [allocationId]}).Addresses[0]
    expect(out).toMatchObject({AllocationId: allocationId, Domain: 'vpc'})
    expect(allocationId).toMatch(/^eipalloc-[0-9a-f]{17}$/)
    expect(out.PublicIp).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/)
    expect(out.AssociationId).toBeUndefined()
    expect(codeOf('DescribeAddresses', {AllocationIds: ['eipalloc-00000000000000000']})).toBe('InvalidAllocationID.NotFound')
    expect(codeOf('ReleaseAddress', {AllocationId: 'eipalloc-00000000000000000'})).toBe('InvalidAllocationID.NotFound')
  })

  it('goes pending → available → deleting → deleted; the EIP and the subnet stay held until deleted', () => {
    const nat = createNat()
    expect(nat).toMatchObject({State: 'pending', SubnetId: subnetId, VpcId: vpcId})
    expect(nat.NatGatewayId).toMatch(/^nat-[0-9a-f]{17}$/)
    expect(call('DescribeAddresses', {AllocationIds: [allocationId]}).Addresses[0].AssociationId).toMatch(/^eipassoc-/)
    clock.advance(59_999)
    expect(natState(nat.NatGatewayId)).toBe('pending')
    clock.advance(1)
    expect(natState(nat.NatGatewayId)).toBe('available')

    call('DeleteNatGateway', {NatGatewayId: nat.NatGatewayId})
    expect(natState(nat.NatGatewayId)).toBe('deleting')
    expect(codeOf('ReleaseAddress', {AllocationId: allocationId})).toBe('InvalidIPAddress.InUse')
    expect(codeOf('DeleteSubnet', {SubnetId: subnetId})).toBe('DependencyViolation')
    expect(codeOf('DetachInternetGateway', {InternetGatewayId: call('DescribeInternetGateways', {}).InternetGateways[0].InternetGatewayId, VpcId: vpcId})).toBe('DependencyViolation')
    expect(ec2.resourceCount()).toBe(5) // vpc, igw, subnet, eip, nat

    clock.advance(60_000)
    expect(natState(nat.NatGatewayId)).toBe('deleted')
    // Deleted NAT gateways keep showing, by id and by filter, and no longer count.
    expect(call('DescribeNatGateways', {Filter: [{Name: 'state', Values: ['deleted']}]}).NatGateways).toHaveLength(1)
    expect(ec2.resourceCount()).toBe(4)
    call('ReleaseAddress', {AllocationId: allocationId})
    call('DeleteSubnet', {SubnetId: subnetId})

    clock.advance(60 * 60_000)
    expect(codeOf('DescribeNatGateways', {NatGatewayIds: [nat.NatGatewayId]})).toBe('NatGatewayNotFound')
  })

  it('filters with the singular `Filter` list and answers NatGatewayNotFound for unknown ids', () => {
    const nat = createNat()
    expect(
      call('DescribeNatGateways', {
        Filter: [
          {Name: 'subnet-id', Values: [subnetId]},
          {Name: 'tag:Name', Values: ['nat']},
        ],
      }).NatGateways.map((n: any) => n.NatGatewayId),
    ).toEqual([nat.NatGatewayId])
    expect(call('DescribeNatGateways', {Filter: [{Name: 'vpc-id', Values: ['vpc-00000000000000000']}]}).NatGateways).toEqual([])
    expect(codeOf('DescribeNatGateways', {NatGatewayIds: ['nat-00000000000000000']})).toBe('NatGatewayNotFound')
    expect(codeOf('DeleteNatGateway', {NatGatewayId: 'nat-00000000000000000'})).toBe('NatGatewayNotFound')
  })

  it('is idempotent on ClientToken: same request → same gateway whatever its state; other request → mismatch', () => {
    const first = createNat({ClientToken: 'token-1'})
    clock.advance(60_000)
    const again = createNat({ClientToken: 'token-1'})
    expect(again.NatGatewayId).toBe(first.NatGatewayId)
    expect(again.State).toBe('available')
    call('DeleteNatGateway', {NatGatewayId: first.NatGatewayId})
    expect(createNat({ClientToken: 'token-1'})).toMatchObject({NatGatewayId: first.NatGatewayId, State: 'deleting'})
    expect(codeOf('CreateNatGateway', {SubnetId: subnetId, AllocationId: eip(), ClientToken: 'token-1', TagSpecifications: tagSpec('natgateway', 'nat')})).toBe('IdempotentParameterMismatch')
    expect(call('DescribeNatGateways', {}).NatGateways).toHaveLength(1)
  })

  it('fails (Resource.AlreadyAssociated) on an address another NAT gateway holds, until that one is deleted; unknown subnets or addresses are NotFound', () => {
    const first = createNat()
    clock.advance(60_000)
    call('DeleteNatGateway', {NatGatewayId: first.NatGatewayId})
    // CreateNatGateway accepts it; the gateway fails while provisioning, and never holds the address.
    const second = createNat()
    expect(second.State).toBe('pending')
    clock.advance(30_000)
    expect(call('DescribeAddresses', {AllocationIds: [allocationId]}).Addresses[0]).toMatchObject({NetworkInterfaceId: first.NatGatewayAddresses[0].NetworkInterfaceId})
    clock.advance(30_000)
    expect(call('DescribeNatGateways', {NatGatewayIds: [second.NatGatewayId]}).NatGateways[0]).toMatchObject({
      State: 'failed',
      FailureCode: 'Resource.AlreadyAssociated',
      FailureMessage: `Elastic IP address ${allocationId} is already associated`,
    })
    // The first is `deleted` now: the address is free, and a new gateway takes it.
    expect(natState(first.NatGatewayId)).toBe('deleted')
    expect(call('DescribeAddresses', {AllocationIds: [allocationId]}).Addresses[0].AssociationId).toBeUndefined()
    const third = createNat()
    clock.advance(60_000)
    expect(natState(third.NatGatewayId)).toBe('available')
    expect(codeOf('CreateNatGateway', {SubnetId: subnetId, AllocationId: 'eipalloc-00000000000000000'})).toBe('InvalidAllocationID.NotFound')
    expect(codeOf('CreateNatGateway', {SubnetId: 'subnet-00000000000000000', AllocationId: eip()})).toBe('InvalidSubnetID.NotFound')
  })

  it('deleteOutOfBand deletes a NAT gateway as the console does: deleting, holding its address, then deleted', () => {
    const nat = createNat()
    clock.advance(60_000)
    ec2.deleteOutOfBand(nat.NatGatewayId)
    expect(natState(nat.NatGatewayId)).toBe('deleting')
    expect(call('DescribeAddresses', {AllocationIds: [allocationId]}).Addresses[0].AssociationId).toMatch(/^eipassoc-/)
    clock.advance(60_000)
    expect(natState(nat.NatGatewayId)).toBe('deleted')
    expect(call('DescribeAddresses', {AllocationIds: [allocationId]}).Addresses[0].AssociationId).toBeUndefined()
  })

  it('fails (Gateway.NotAttached) in a VPC without an internet gateway, releasing nothing it never held', () => {
    const bare = vpc('10.9.0.0/16', 'bare')
    const bareSubnet = subnet(bare, '10.9.0.0/24')
    const address = eip()
    const nat = call('CreateNatGateway', {SubnetId: bareSubnet, AllocationId: address}).NatGateway
    clock.advance(60_000)
    expect(call('DescribeNatGateways', {NatGatewayIds: [nat.NatGatewayId]}).NatGateways[0]).toMatchObject({State: 'failed', FailureCode: 'Gateway.NotAttached'})
    call('ReleaseAddress', {AllocationId: address})
    call('DeleteSubnet', {SubnetId: bareSubnet})
  })
})

describe('route tables', () => {
  let vpcId: string
  let table: string

  beforeEach(() => {
    vpcId = vpc()
    table = call('CreateRouteTable', {VpcId: vpcId, TagSpecifications: tagSpec('route-table', 'public')}).RouteTable.RouteTableId
  })

  it('holds routes to an attached internet gateway; duplicates, unknown and unattached targets fail', () => {
    const loose = call('CreateInternetGateway', {}).InternetGateway.InternetGatewayId
    expect(codeOf('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: loose})).toBe('InvalidParameterValue')
    expect(codeOf('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-00000000000000000'})).toBe('InvalidGatewayID.NotFound')
    expect(codeOf('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-00000000000000000'})).toBe('InvalidNatGatewayID.NotFound')
    const igw = attachedIgw(vpcId)
    expect(call('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw})).toEqual({Return: true})
    expect(codeOf('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw})).toBe('RouteAlreadyExists')
    const routes = call('DescribeRouteTables', {RouteTableIds: [table]}).RouteTables[0].Routes
    expect(routes).toContainEqual({DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw, Origin: 'CreateRoute', State: 'active'})
    // Detaching the gateway leaves the route as a blackhole.
    call('DetachInternetGateway', {InternetGatewayId: igw, VpcId: vpcId})
    expect(call('DescribeRouteTables', {RouteTableIds: [table]}).RouteTables[0].Routes[1].State).toBe('blackhole')
    expect(codeOf('DeleteRoute', {RouteTableId: table, DestinationCidrBlock: '10.9.0.0/16'})).toBe('InvalidRoute.NotFound')
    call('DeleteRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0'})
    expect(call('DescribeRouteTables', {RouteTableIds: [table]}).RouteTables[0].Routes).toHaveLength(1)
  })

  it('replaces a route target, and a route to a deleted NAT gateway turns blackhole', () => {
    const igw = attachedIgw(vpcId)
    const subnetId = subnet(vpcId, '10.0.0.0/24')
    const nat = call('CreateNatGateway', {SubnetId: subnetId, AllocationId: eip()}).NatGateway.NatGatewayId
    call('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw})
    call('ReplaceRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat})
    const route = () => call('DescribeRouteTables', {RouteTableIds: [table]}).RouteTables[0].Routes[1]
    expect(route()).toEqual({DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat, Origin: 'CreateRoute', State: 'active'})
    call('DeleteNatGateway', {NatGatewayId: nat})
    clock.advance(60_000)
    expect(route().State).toBe('blackhole')
  })

  it('associates a subnet once; a table with associations or the main table cannot be deleted', () => {
    const subnetId = subnet(vpcId, '10.0.0.0/24')
    const {AssociationId} = call('AssociateRouteTable', {RouteTableId: table, SubnetId: subnetId})
    expect(AssociationId).toMatch(/^rtbassoc-[0-9a-f]{17}$/)
    const other = call('CreateRouteTable', {VpcId: vpcId}).RouteTable.RouteTableId
    expect(codeOf('AssociateRouteTable', {RouteTableId: other, SubnetId: subnetId})).toBe('Resource.AlreadyAssociated')
    expect(call('DescribeRouteTables', {Filters: [{Name: 'association.subnet-id', Values: [subnetId]}]}).RouteTables.map((t: any) => t.RouteTableId)).toEqual([table])
    expect(codeOf('DeleteRouteTable', {RouteTableId: table})).toBe('DependencyViolation')
    call('DisassociateRouteTable', {AssociationId})
    expect(codeOf('DisassociateRouteTable', {AssociationId})).toBe('InvalidAssociationID.NotFound')
    call('DeleteRouteTable', {RouteTableId: table})
    const main = call('DescribeRouteTables', {
      Filters: [
        {Name: 'association.main', Values: ['true']},
        {Name: 'vpc-id', Values: [vpcId]},
      ],
    }).RouteTables
    expect(main).toHaveLength(1)
    expect(codeOf('DeleteRouteTable', {RouteTableId: main[0].RouteTableId})).toBe('DependencyViolation')
    expect(codeOf('DescribeRouteTables', {RouteTableIds: [table]})).toBe('InvalidRouteTableID.NotFound')
  })

  it('moves a subnet association to another table with a new association id', () => {
    const subnetId = subnet(vpcId, '10.0.0.0/24')
    const {AssociationId} = call('AssociateRouteTable', {RouteTableId: table, SubnetId: subnetId})
    const other = call('CreateRouteTable', {VpcId: vpcId}).RouteTable.RouteTableId
    const {NewAssociationId} = call('ReplaceRouteTableAssociation', {AssociationId, RouteTableId: other})
    expect(NewAssociationId).toMatch(/^rtbassoc-/)
    expect(NewAssociationId).not.toBe(AssociationId)
    const tables = call('DescribeRouteTables', {Filters: [{Name: 'association.subnet-id', Values: [subnetId]}]}).RouteTables
    expect(tables.map((t: any) => [t.RouteTableId, t.Associations[0].RouteTableAssociationId])).toEqual([[other, NewAssociationId]])
    expect(codeOf('ReplaceRouteTableAssociation', {AssociationId, RouteTableId: table})).toBe('InvalidAssociationID.NotFound')
  })

  it('is idempotent on ClientToken', () => {
    const first = call('CreateRouteTable', {VpcId: vpcId, ClientToken: 'rt-1'})
    expect(call('CreateRouteTable', {VpcId: vpcId, ClientToken: 'rt-1'}).RouteTable.RouteTableId).toBe(first.RouteTable.RouteTableId)
    expect(first.ClientToken).toBe('rt-1')
    expect(codeOf('CreateRouteTable', {VpcId: vpc('10.5.0.0/16'), ClientToken: 'rt-1'})).toBe('IdempotentParameterMismatch')
  })
})

describe('security groups and rules', () => {
  let vpcId: string
  let web: string
  let db: string

  beforeEach(() => {
    vpcId = vpc()
    web = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'web', Description: 'web tier', TagSpecifications: tagSpec('security-group', 'web')}).GroupId
    db = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'db', Description: 'db tier'}).GroupId
  })

  const rules = (groupIds: string[]) => call('DescribeSecurityGroupRules', {Filters: [{Name: 'group-id', Values: groupIds}]}).SecurityGroupRules

  it('creates a group with the default egress rule; names are unique per VPC', () => {
    expect(web).toMatch(/^sg-[0-9a-f]{17}$/)
    expect(rules([web])).toEqual([expect.objectContaining({GroupId: web, IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0'})])
    expect(codeOf('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'web', Description: 'again'})).toBe('InvalidGroup.Duplicate')
    expect(call('CreateSecurityGroup', {VpcId: vpc('10.1.0.0/16'), GroupName: 'web', Description: 'other vpc'}).GroupId).toMatch(/^sg-/)
    expect(codeOf('DescribeSecurityGroups', {GroupIds: ['sg-00000000000000000']})).toBe('InvalidGroup.NotFound')
    expect(
      call('DescribeSecurityGroups', {
        Filters: [
          {Name: 'group-name', Values: ['web']},
          {Name: 'vpc-id', Values: [vpcId]},
        ],
      }).SecurityGroups,
    ).toEqual([expect.objectContaining({GroupId: web, Description: 'web tier', Tags: tagSpec('security-group', 'web')[0]!.Tags})])
  })

  it('refuses group names AWS refuses: sg-* in any case, over 255 characters, characters outside its alphabet; names are case-insensitive', () => {
    for (const name of ['sg-prod-web', 'SG-prod', 'x'.repeat(256), 'web|tier']) {
      expect(codeOf('CreateSecurityGroup', {VpcId: vpcId, GroupName: name, Description: 'd'})).toBe('InvalidParameterValue')
    }
    expect(codeOf('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'WEB', Description: 'd'})).toBe('InvalidGroup.Duplicate')
    expect(call('CreateSecurityGroup', {VpcId: vpcId, GroupName: `sg_prod-web ._-:/()#,@[]+=&;{}!$*${'x'.repeat(200)}`, Description: 'd'}).GroupId).toMatch(/^sg-/)
  })

  it('splits IpPermissions into one rule per range or group pair, and shows them grouped in DescribeSecurityGroups', () => {
    const out = call('AuthorizeSecurityGroupIngress', {
      GroupId: db,
      IpPermissions: [
        {IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{GroupId: web, Description: 'from web'}], IpRanges: [{CidrIp: '10.0.0.0/24'}]},
        {IpProtocol: 'TCP', FromPort: 22, ToPort: 22, IpRanges: [{CidrIp: '10.0.9.7/32', Description: 'bastion'}]},
      ],
    })
    expect(out.Return).toBe(true)
    expect(out.SecurityGroupRules).toHaveLength(3)
    expect(out.SecurityGroupRules.every((r: any) => /^sgr-[0-9a-f]{17}$/.test(r.SecurityGroupRuleId))).toBe(true)
    expect(out.SecurityGroupRules[0]).toMatchObject({GroupId: db, IsEgress: false, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '10.0.0.0/24'})
    expect(out.SecurityGroupRules[1]).toMatchObject({ReferencedGroupInfo: {GroupId: web}, Description: 'from web'})
    expect(out.SecurityGroupRules[2]).toMatchObject({IpProtocol: 'tcp', CidrIpv4: '10.0.9.7/32', Description: 'bastion'})
    const group = call('DescribeSecurityGroups', {GroupIds: [db]}).SecurityGroups[0]
    expect(group.IpPermissions).toEqual([
      expect.objectContaining({IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{CidrIp: '10.0.0.0/24'}], UserIdGroupPairs: [expect.objectContaining({GroupId: web, Description: 'from web'})]}),
      expect.objectContaining({IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{CidrIp: '10.0.9.7/32', Description: 'bastion'}]}),
    ])
    // group-id takes many values.
    expect(rules([web, db])).toHaveLength(5)
  })

  it('fails the whole authorize with InvalidPermission.Duplicate when any rule exists', () => {
    call('AuthorizeSecurityGroupIngress', {GroupId: web, IpPermissions: [{IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{CidrIp: '0.0.0.0/0'}]}]})
    expect(
      codeOf('AuthorizeSecurityGroupIngress', {
        GroupId: web,
        IpPermissions: [
          {IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{CidrIp: '0.0.0.0/0'}]},
          {IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{CidrIp: '0.0.0.0/0', Description: 'different description, same rule'}]},
        ],
      }),
    ).toBe('InvalidPermission.Duplicate')
    expect(
      rules([web])
        .filter((r: any) => !r.IsEgress)
        .map((r: any) => r.FromPort),
    ).toEqual([443])
    // The same rule as egress is not a duplicate of the ingress one; the default egress is `-1` with ports -1.
    expect(codeOf('AuthorizeSecurityGroupEgress', {GroupId: web, IpPermissions: [{IpProtocol: '-1', FromPort: 0, ToPort: 65535, IpRanges: [{CidrIp: '0.0.0.0/0'}]}]})).toBe('InvalidPermission.Duplicate')
    call('AuthorizeSecurityGroupEgress', {GroupId: web, IpPermissions: [{IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{CidrIp: '0.0.0.0/0'}]}]})
  })

  it('revokes by rule ids or by exact properties; unknown rules revoke nothing', () => {
    const added = call('AuthorizeSecurityGroupIngress', {
      GroupId: web,
      IpPermissions: [{IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{CidrIp: '0.0.0.0/0'}, {CidrIp: '10.0.0.0/8'}]}],
    }).SecurityGroupRules
    expect(codeOf('RevokeSecurityGroupIngress', {GroupId: web, SecurityGroupRuleIds: [added[0].SecurityGroupRuleId, 'sgr-00000000000000000']})).toBe('InvalidSecurityGroupRuleId.NotFound')
    expect(
      codeOf('RevokeSecurityGroupIngress', {
        GroupId: web,
        IpPermissions: [{IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{CidrIp: '0.0.0.0/0'}, {CidrIp: '192.168.0.0/16'}]}],
      }),
    ).toBe('InvalidPermission.NotFound')
    expect(rules([web])).toHaveLength(3)
    const revoked = call('RevokeSecurityGroupIngress', {GroupId: web, SecurityGroupRuleIds: [added[0].SecurityGroupRuleId]})
    expect(revoked.RevokedSecurityGroupRules).toEqual([expect.objectContaining({SecurityGroupRuleId: added[0].SecurityGroupRuleId, CidrIpv4: '0.0.0.0/0'})])
    call('RevokeSecurityGroupIngress', {GroupId: web, IpPermissions: [{IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{CidrIp: '10.0.0.0/8'}]}]})
    call('RevokeSecurityGroupEgress', {GroupId: web, IpPermissions: [{IpProtocol: '-1', IpRanges: [{CidrIp: '0.0.0.0/0'}]}]})
    expect(rules([web])).toEqual([])
  })

  it('modifies a rule description in place', () => {
    const [rule] = call('AuthorizeSecurityGroupIngress', {GroupId: web, IpPermissions: [{IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{CidrIp: '0.0.0.0/0'}]}]}).SecurityGroupRules
    call('ModifySecurityGroupRules', {
      GroupId: web,
      SecurityGroupRules: [{SecurityGroupRuleId: rule.SecurityGroupRuleId, SecurityGroupRule: {IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIpv4: '0.0.0.0/0', Description: 'http'}}],
    })
    expect(call('DescribeSecurityGroupRules', {SecurityGroupRuleIds: [rule.SecurityGroupRuleId]}).SecurityGroupRules[0]).toMatchObject({Description: 'http', FromPort: 80})
    expect(codeOf('DescribeSecurityGroupRules', {SecurityGroupRuleIds: ['sgr-00000000000000000']})).toBe('InvalidSecurityGroupRuleId.NotFound')
  })

  it('filters groups by the peer their inbound (ip-permission.group-id) or outbound (egress.ip-permission.group-id) rules name', () => {
    call('AuthorizeSecurityGroupIngress', {GroupId: db, IpPermissions: [{IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{GroupId: web}]}]})
    call('AuthorizeSecurityGroupEgress', {GroupId: web, IpPermissions: [{IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{GroupId: db}]}]})
    const ids = (name: string, peer: string) => call('DescribeSecurityGroups', {Filters: [{Name: name, Values: [peer]}]}).SecurityGroups.map((g: {GroupId: string}) => g.GroupId)
    expect(ids('ip-permission.group-id', web)).toEqual([db])
    expect(ids('egress.ip-permission.group-id', web)).toEqual([])
    expect(ids('egress.ip-permission.group-id', db)).toEqual([web])
    expect(ids('ip-permission.group-id', db)).toEqual([])
  })

  it('cannot delete a group another group references, nor the default group', () => {
    call('AuthorizeSecurityGroupIngress', {GroupId: db, IpPermissions: [{IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{GroupId: web}]}]})
    expect(codeOf('DeleteSecurityGroup', {GroupId: web})).toBe('DependencyViolation')
    // A group that references itself (or is referenced only by itself) can go; so can the referencing group.
    call('AuthorizeSecurityGroupIngress', {GroupId: db, IpPermissions: [{IpProtocol: '-1', UserIdGroupPairs: [{GroupId: db}]}]})
    call('DeleteSecurityGroup', {GroupId: db})
    call('DeleteSecurityGroup', {GroupId: web})
    const defaultGroup = call('DescribeSecurityGroups', {Filters: [{Name: 'group-name', Values: ['default']}]}).SecurityGroups[0].GroupId
    expect(codeOf('DeleteSecurityGroup', {GroupId: defaultGroup})).toBe('CannotDelete')
    expect(codeOf('DeleteSecurityGroup', {GroupId: web})).toBe('InvalidGroup.NotFound')
  })
})

describe('VPC endpoints', () => {
  let vpcId: string
  let table: string

  beforeEach(() => {
    vpcId = vpc()
    table = call('CreateRouteTable', {VpcId: vpcId}).RouteTable.RouteTableId
  })

  const gatewayEndpoint = (extra: object = {}) => call('CreateVpcEndpoint', {VpcId: vpcId, VpcEndpointType: 'Gateway', ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [table], ...extra}).VpcEndpoint

  const routesOf = (id: string) => call('DescribeRouteTables', {RouteTableIds: [id]}).RouteTables[0].Routes

  it('a gateway endpoint is available at once and adds a prefix-list route to its route tables', () => {
    const endpoint = gatewayEndpoint({TagSpecifications: tagSpec('vpc-endpoint', 's3')})
    expect(endpoint).toMatchObject({VpcEndpointType: 'Gateway', State: 'available', RouteTableIds: [table]})
    expect(endpoint.VpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/)
    const route = routesOf(table).find((r: any) => r.DestinationPrefixListId)
    expect(route).toEqual({DestinationPrefixListId: expect.stringMatching(/^pl-[0-9a-f]{8}$/), GatewayId: endpoint.VpcEndpointId, Origin: 'CreateRoute', State: 'active'})
    expect(codeOf('DescribeVpcEndpoints', {VpcEndpointIds: ['vpce-00000000000000000']})).toBe('InvalidVpcEndpointId.NotFound')
    expect(
      call('DescribeVpcEndpoints', {
        Filters: [
          {Name: 'service-name', Values: ['com.amazonaws.us-east-1.s3']},
          {Name: 'tag:Name', Values: ['s3']},
        ],
      }).VpcEndpoints,
    ).toHaveLength(1)

    // Moving it to another table moves the route.
    const other = call('CreateRouteTable', {VpcId: vpcId}).RouteTable.RouteTableId
    call('ModifyVpcEndpoint', {VpcEndpointId: endpoint.VpcEndpointId, AddRouteTableIds: [other], RemoveRouteTableIds: [table]})
    expect(routesOf(table)).toHaveLength(1)
    expect(routesOf(other).some((r: any) => r.GatewayId === endpoint.VpcEndpointId)).toBe(true)
    expect(call('DescribeVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId]}).VpcEndpoints[0].RouteTableIds).toEqual([other])
  })

  it('deletes: unknown ids come back in Unsuccessful; routes go at once, the endpoint after the deleting time', () => {
    const endpoint = gatewayEndpoint()
    const out = call('DeleteVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId, 'vpce-00000000000000000']})
    expect(out.Unsuccessful).toEqual([{ResourceId: 'vpce-00000000000000000', Error: {Code: 'InvalidVpcEndpoint.NotFound', Message: expect.any(String)}}])
    expect(routesOf(table)).toHaveLength(1)
    expect(call('DescribeVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId]}).VpcEndpoints[0].State).toBe('deleting')
    call('DeleteRouteTable', {RouteTableId: table})
    expect(codeOf('DeleteVpc', {VpcId: vpcId})).toBe('DependencyViolation')
    clock.advance(20_000)
    expect(codeOf('DescribeVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId]})).toBe('InvalidVpcEndpointId.NotFound')
    call('DeleteVpc', {VpcId: vpcId})
  })

  it('stores the policy as given, reports AWS’s default when none was given, and resets to it', () => {
    const defaultGateway = gatewayEndpoint()
    expect(defaultGateway.PolicyDocument).toBe('{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
    const policy = '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}'
    const id = defaultGateway.VpcEndpointId
    call('ModifyVpcEndpoint', {VpcEndpointId: id, PolicyDocument: policy})
    expect(call('DescribeVpcEndpoints', {VpcEndpointIds: [id]}).VpcEndpoints[0].PolicyDocument).toBe(policy)
    expect(codeOf('ModifyVpcEndpoint', {VpcEndpointId: id, PolicyDocument: policy, ResetPolicy: true})).toBe('InvalidParameterCombination')
    expect(codeOf('ModifyVpcEndpoint', {VpcEndpointId: id, PolicyDocument: 'not json'})).toBe('InvalidParameter')
    call('ModifyVpcEndpoint', {VpcEndpointId: id, ResetPolicy: true})
    expect(call('DescribeVpcEndpoints', {VpcEndpointIds: [id]}).VpcEndpoints[0].PolicyDocument).toBe(defaultGateway.PolicyDocument)
    expect(gatewayEndpoint({ServiceName: 'com.amazonaws.us-east-1.dynamodb', PolicyDocument: policy}).PolicyDocument).toBe(policy)
  })

  it('an interface endpoint reports the default pretty-printed without a Version; a service without endpoint policies reports none and refuses one', () => {
    call('ModifyVpcAttribute', {VpcId: vpcId, EnableDnsHostnames: {Value: true}})
    const a = subnet(vpcId, '10.0.1.0/24', 'us-east-1a')
    const request = {VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.ecr.api', SubnetIds: [a]}
    const endpoint = call('CreateVpcEndpoint', request).VpcEndpoint
    expect(JSON.parse(endpoint.PolicyDocument)).toEqual({Statement: [{Action: '*', Effect: 'Allow', Principal: '*', Resource: '*'}]})
    expect(endpoint.PolicyDocument).toContain('\n')

    ec2.servicesWithoutPolicies.add('com.amazonaws.us-east-1.logs')
    const b = subnet(vpcId, '10.0.2.0/24', 'us-east-1a')
    const logs = call('CreateVpcEndpoint', {...request, ServiceName: 'com.amazonaws.us-east-1.logs', SubnetIds: [b]}).VpcEndpoint
    expect(logs).not.toHaveProperty('PolicyDocument')
    expect(codeOf('ModifyVpcEndpoint', {VpcEndpointId: logs.VpcEndpointId, PolicyDocument: '{"Statement": []}'})).toBe('InvalidParameter')
  })

  it('is idempotent on ClientToken', () => {
    const first = gatewayEndpoint({ClientToken: 'ep-1'})
    expect(gatewayEndpoint({ClientToken: 'ep-1'}).VpcEndpointId).toBe(first.VpcEndpointId)
    expect(codeOf('CreateVpcEndpoint', {VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.dynamodb', RouteTableIds: [table], ClientToken: 'ep-1'})).toBe('IdempotentParameterMismatch')
  })

  it('an interface endpoint goes pending → available, needs VPC DNS for private DNS, one subnet per AZ, and holds its subnet and group', () => {
    const a = subnet(vpcId, '10.0.1.0/24', 'us-east-1a')
    const a2 = subnet(vpcId, '10.0.2.0/24', 'us-east-1a')
    const b = subnet(vpcId, '10.0.3.0/24', 'us-east-1b')
    const group = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'endpoints', Description: 'endpoints'}).GroupId
    const request = {VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.ecr.api', SubnetIds: [a], SecurityGroupIds: [group]}
    // Private DNS defaults to on for interface endpoints and needs both VPC DNS attributes.
    expect(codeOf('CreateVpcEndpoint', request)).toBe('InvalidParameter')
    call('ModifyVpcAttribute', {VpcId: vpcId, EnableDnsHostnames: {Value: true}})
    expect(codeOf('CreateVpcEndpoint', {...request, SubnetIds: [a, a2]})).toBe('DuplicateSubnetsInSameZone')
    const endpoint = call('CreateVpcEndpoint', request).VpcEndpoint
    expect(endpoint).toMatchObject({State: 'pending', PrivateDnsEnabled: true, SubnetIds: [a], Groups: [{GroupId: group, GroupName: 'endpoints'}]})
    expect(endpoint.NetworkInterfaceIds).toEqual([expect.stringMatching(/^eni-[0-9a-f]{17}$/)])
    clock.advance(30_000)
    expect(call('DescribeVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId]}).VpcEndpoints[0].State).toBe('available')

    call('ModifyVpcEndpoint', {VpcEndpointId: endpoint.VpcEndpointId, AddSubnetIds: [b]})
    expect(codeOf('ModifyVpcEndpoint', {VpcEndpointId: endpoint.VpcEndpointId, AddSubnetIds: [a2]})).toBe('DuplicateSubnetsInSameZone')
    expect(codeOf('DeleteSubnet', {SubnetId: b})).toBe('DependencyViolation')
    expect(codeOf('DeleteSecurityGroup', {GroupId: group})).toBe('DependencyViolation')
    call('DeleteVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId]})
    expect(codeOf('DeleteSubnet', {SubnetId: b})).toBe('DependencyViolation')
    clock.advance(20_000)
    call('DeleteSubnet', {SubnetId: b})
    call('DeleteSecurityGroup', {GroupId: group})
  })
})

describe('eventual consistency (faults.consistencyDelayMs)', () => {
  it('hides a new resource from describe-by-id, filters and referencing calls until the delay has passed', () => {
    env.faults.consistencyDelayMs = 2_000
    const vpcId = vpc()
    expect(codeOf('DescribeVpcs', {VpcIds: [vpcId]})).toBe('InvalidVpcID.NotFound')
    expect(call('DescribeVpcs', {Filters: [{Name: 'vpc-id', Values: [vpcId]}]}).Vpcs).toEqual([])
    expect(codeOf('CreateSubnet', {VpcId: vpcId, CidrBlock: '10.0.1.0/24'})).toBe('InvalidVpcID.NotFound')
    expect(codeOf('AttachInternetGateway', {InternetGatewayId: call('CreateInternetGateway', {}).InternetGateway.InternetGatewayId, VpcId: vpcId})).toBe('InvalidInternetGatewayID.NotFound')
    clock.advance(2_000)
    expect(call('DescribeVpcs', {VpcIds: [vpcId]}).Vpcs).toHaveLength(1)
    const subnetId = subnet(vpcId, '10.0.1.0/24')
    expect(codeOf('CreateNatGateway', {SubnetId: subnetId, AllocationId: eip()})).toBe('InvalidSubnetID.NotFound')
    // resourceCount sees everything, visible or not.
    expect(ec2.resourceCount()).toBe(4)
  })
})

describe('faults.ignoreTagFilters', () => {
  /** The field is read structurally until it is declared in Faults. */
  const ignore = (...operations: string[]) => (env.faults.ignoreTagFilters = new Set(operations))

  it('drops tag filters (tag:<key>, tag-key, tag-value) of the listed operations only, keeping the others', () => {
    const mine = vpc('10.0.0.0/16', 'mine')
    const theirs = call('CreateVpc', {CidrBlock: '10.1.0.0/16', TagSpecifications: [{ResourceType: 'vpc', Tags: [{Key: 'containrlab:stack', Value: 'other'}]}]}).Vpc.VpcId
    const byStack = {Filters: [{Name: 'tag:containrlab:stack', Values: ['demo']}]}
    const ids = (operation: string, input: object) => call(operation, input).Vpcs.map((v: {VpcId: string}) => v.VpcId)
    expect(ids('DescribeVpcs', byStack)).toEqual([mine])

    ignore('DescribeVpcs')
    expect(ids('DescribeVpcs', byStack)).toEqual([mine, theirs])
    expect(
      ids('DescribeVpcs', {
        Filters: [
          {Name: 'tag-key', Values: ['nothing']},
          {Name: 'tag-value', Values: ['nothing']},
        ],
      }),
    ).toEqual([mine, theirs])
    expect(ids('DescribeVpcs', {Filters: [...byStack.Filters, {Name: 'cidr', Values: ['10.1.0.0/16']}]})).toEqual([theirs])
    // Other operations still honour them.
    expect(call('DescribeSubnets', {Filters: [{Name: 'tag:containrlab:stack', Values: ['nobody']}]}).Subnets).toEqual([])
  })

  it('covers DescribeNatGateways, whose list is named Filter', () => {
    const vpcId = vpc()
    attachedIgw(vpcId)
    const subnetId = subnet(vpcId, '10.0.0.0/24')
    const nat = call('CreateNatGateway', {SubnetId: subnetId, AllocationId: eip()}).NatGateway.NatGatewayId
    const byStack = {Filter: [{Name: 'tag:containrlab:stack', Values: ['nobody']}]}
    expect(call('DescribeNatGateways', byStack).NatGateways).toEqual([])
    ignore('DescribeNatGateways')
    expect(call('DescribeNatGateways', byStack).NatGateways.map((n: {NatGatewayId: string}) => n.NatGatewayId)).toEqual([nat])
  })
})

describe('pagination', () => {
  it('returns everything without MaxResults, and pages with MaxResults/NextToken', () => {
    for (let i = 0; i < 5; i++) vpc(`10.${i}.0.0/16`, `v${i}`)
    expect(call('DescribeVpcs', {}).Vpcs).toHaveLength(5)
    expect(call('DescribeVpcs', {}).NextToken).toBeUndefined()
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = call('DescribeVpcs', {MaxResults: 2, NextToken: token})
      seen.push(...page.Vpcs.map((v: any) => v.CidrBlock))
      token = page.NextToken
      pages++
    } while (token)
    expect(pages).toBe(3)
    expect(seen).toEqual(['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16'])
  })
})

describe('helpers for whole-stack tests', () => {
  it('deleteOutOfBand removes a resource at once and leaves dependents as AWS does', () => {
    const vpcId = vpc()
    const igw = attachedIgw(vpcId)
    const table = call('CreateRouteTable', {VpcId: vpcId}).RouteTable.RouteTableId
    call('CreateRoute', {RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw})
    const subnetId = subnet(vpcId, '10.0.1.0/24')
    call('AssociateRouteTable', {RouteTableId: table, SubnetId: subnetId})
    expect(ec2.resourceCount()).toBe(4)

    ec2.deleteOutOfBand(igw)
    expect(call('DescribeRouteTables', {RouteTableIds: [table]}).RouteTables[0].Routes[1].State).toBe('blackhole')
    ec2.deleteOutOfBand(subnetId)
    expect(call('DescribeRouteTables', {RouteTableIds: [table]}).RouteTables[0].Associations).toEqual([])
    expect(ec2.resourceCount()).toBe(2)
    expect(() => ec2.deleteOutOfBand('subnet-00000000000000000')).toThrow(/no resource/)
  })

  it('snapshot is plain data of everything', () => {
    const vpcId = vpc()
    const snapshot = ec2.snapshot() as any
    expect(snapshot.vpcs.map((v: any) => v.id)).toEqual([vpcId])
    expect(snapshot.routeTables).toHaveLength(1)
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
  })
})

describe('network interfaces', () => {
  let vpcId: string
  let a: string
  let b: string
  let albGroup: string

  beforeEach(() => {
    vpcId = vpc()
    a = subnet(vpcId, '10.0.1.0/24', 'us-east-1a')
    b = subnet(vpcId, '10.0.2.0/24', 'us-east-1b')
    albGroup = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'alb', Description: 'alb'}).GroupId
  })

  /** What an Application Load Balancer has in one of its subnets (as DescribeNetworkInterfaces shows a live one). */
  const albInterface = (subnetId: string, extra: object = {}) =>
    env.networkInterfaces!.add({
      subnetId,
      groupIds: [albGroup],
      description: 'ELB app/containrlab-alb/50dc6c495c0c9188',
      interfaceType: 'interface',
      requesterId: 'amazon-elb',
      requesterManaged: true,
      attachment: {instanceOwnerId: 'amazon-elb'},
      ...extra,
    }).id

  const describeIds = (input: object) => call('DescribeNetworkInterfaces', input).NetworkInterfaces.map((eni: {NetworkInterfaceId: string}) => eni.NetworkInterfaceId)

  it('env.networkInterfaces is set by the fake EC2; a registered interface shows with the fields AWS returns', () => {
    const added = env.networkInterfaces!.add({
      subnetId: a,
      groupIds: [albGroup],
      description: 'ELB app/containrlab-alb/50dc6c495c0c9188',
      requesterId: 'amazon-elb',
      requesterManaged: true,
      attachment: {instanceOwnerId: 'amazon-elb'},
    })
    expect(added).toEqual({id: expect.stringMatching(/^eni-[0-9a-f]{17}$/), vpcId, availabilityZone: 'us-east-1a', privateIpAddress: expect.stringMatching(/^10\.0\.1\.\d+$/)})
    expect(env.networkInterfaces!.has(added.id)).toBe(true)
    const [eni] = call('DescribeNetworkInterfaces', {NetworkInterfaceIds: [added.id]}).NetworkInterfaces
    expect(eni).toEqual({
      NetworkInterfaceId: added.id,
      SubnetId: a,
      VpcId: vpcId,
      AvailabilityZone: 'us-east-1a',
      Description: 'ELB app/containrlab-alb/50dc6c495c0c9188',
      OwnerId: '123456789012',
      RequesterId: 'amazon-elb',
      RequesterManaged: true,
      Status: 'in-use',
      InterfaceType: 'interface',
      MacAddress: expect.stringMatching(/^02(:[0-9a-f]{2}){5}$/),
      PrivateIpAddress: added.privateIpAddress,
      PrivateDnsName: `ip-${added.privateIpAddress.replaceAll('.', '-')}.ec2.internal`,
      PrivateIpAddresses: [{Primary: true, PrivateIpAddress: added.privateIpAddress, PrivateDnsName: `ip-${added.privateIpAddress.replaceAll('.', '-')}.ec2.internal`}],
      Ipv6Addresses: [],
      SourceDestCheck: true,
      Groups: [{GroupId: albGroup, GroupName: 'alb'}],
      Attachment: {
        AttachmentId: `eni-attach-${added.id.slice(4)}`,
        AttachTime: new Date(clock.now()),
        DeleteOnTermination: false,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
        InstanceOwnerId: 'amazon-elb',
        Status: 'attached',
      },
      Operator: {Managed: false},
      TagSet: [],
    })
  })

  it("a NAT gateway's and an interface endpoint's show with AWS's descriptions and types while their owner lives", () => {
    attachedIgw(vpcId)
    const nat = call('CreateNatGateway', {SubnetId: a, AllocationId: eip()}).NatGateway
    call('ModifyVpcAttribute', {VpcId: vpcId, EnableDnsHostnames: {Value: true}})
    const endpoint = call('CreateVpcEndpoint', {VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.ecr.api', SubnetIds: [a, b], SecurityGroupIds: [albGroup]}).VpcEndpoint

    const inA = call('DescribeNetworkInterfaces', {Filters: [{Name: 'subnet-id', Values: [a]}]}).NetworkInterfaces
    expect(inA).toEqual([
      expect.objectContaining({
        NetworkInterfaceId: nat.NatGatewayAddresses[0].NetworkInterfaceId,
        Description: `Interface for NAT Gateway ${nat.NatGatewayId}`,
        InterfaceType: 'nat_gateway',
        RequesterManaged: true,
        Status: 'in-use',
        SourceDestCheck: false,
        Groups: [],
        PrivateIpAddress: nat.NatGatewayAddresses[0].PrivateIp,
        Attachment: expect.objectContaining({InstanceOwnerId: 'amazon-aws', Status: 'attached', AttachmentId: expect.stringMatching(/^ela-attach-[0-9a-f]{8}$/)}),
      }),
      expect.objectContaining({
        NetworkInterfaceId: endpoint.NetworkInterfaceIds[0],
        Description: `VPC Endpoint Interface ${endpoint.VpcEndpointId}`,
        InterfaceType: 'vpc_endpoint',
        RequesterManaged: true,
        Status: 'in-use',
        Groups: [{GroupId: albGroup, GroupName: 'alb'}],
      }),
    ])
    expect(describeIds({Filters: [{Name: 'group-id', Values: [albGroup]}]})).toEqual(endpoint.NetworkInterfaceIds)

    call('DeleteNatGateway', {NatGatewayId: nat.NatGatewayId})
    call('DeleteVpcEndpoints', {VpcEndpointIds: [endpoint.VpcEndpointId]})
    // `deleting` NAT gateway and endpoint: still there.
    expect(describeIds({Filters: [{Name: 'vpc-id', Values: [vpcId]}]})).toHaveLength(3)
    clock.advance(20_000)
    expect(describeIds({Filters: [{Name: 'vpc-id', Values: [vpcId]}]})).toEqual([nat.NatGatewayAddresses[0].NetworkInterfaceId])
    clock.advance(40_000)
    expect(describeIds({})).toEqual([])
  })

  it('filters by subnet-id, group-id, vpc-id, network-interface-id, description (wildcards), requester-id, requester-managed, interface-type and status', () => {
    const alb = albInterface(a)
    const task = env.networkInterfaces!.add({
      subnetId: b,
      description: 'arn:aws:ecs:us-east-1:123456789012:attachment/f6d9fc22-dbaf-4bff-b501-a41b41f27826',
      requesterId: '578734482556',
      requesterManaged: true,
    }).id
    const filtered = (name: string, ...values: string[]) => describeIds({Filters: [{Name: name, Values: values}]})
    expect(filtered('subnet-id', a)).toEqual([alb])
    expect(filtered('subnet-id', a, b)).toEqual([alb, task])
    expect(filtered('group-id', albGroup)).toEqual([alb])
    expect(filtered('vpc-id', vpcId)).toEqual([alb, task])
    expect(filtered('vpc-id', 'vpc-00000000000000000')).toEqual([])
    expect(filtered('network-interface-id', task)).toEqual([task])
    expect(filtered('description', 'ELB app/containrlab-alb/*')).toEqual([alb])
    expect(filtered('description', 'arn:aws:ecs:*')).toEqual([task])
    expect(filtered('requester-id', 'amazon-elb')).toEqual([alb])
    expect(filtered('requester-managed', 'true')).toEqual([alb, task])
    expect(filtered('interface-type', 'interface')).toEqual([alb, task])
    expect(filtered('interface-type', 'nat_gateway')).toEqual([])
    expect(filtered('status', 'in-use')).toEqual([alb])
    expect(filtered('status', 'available')).toEqual([task])
    expect(filtered('attachment.instance-owner-id', 'amazon-elb')).toEqual([alb])
    expect(codeOf('DescribeNetworkInterfaces', {Filters: [{Name: 'no-such-filter', Values: ['x']}]})).toBe('InvalidParameterValue')
    expect(codeOf('DescribeNetworkInterfaces', {NetworkInterfaceIds: [alb, 'eni-00000000000000000']})).toBe('InvalidNetworkInterfaceID.NotFound')
  })

  it('pages with MaxResults (5 to 1000) and NextToken; MaxResults cannot go with NetworkInterfaceIds', () => {
    const ids = Array.from({length: 7}, (_, i) => albInterface(i % 2 ? a : b))
    const first = call('DescribeNetworkInterfaces', {MaxResults: 5})
    expect(first.NetworkInterfaces).toHaveLength(5)
    const second = call('DescribeNetworkInterfaces', {MaxResults: 5, NextToken: first.NextToken})
    expect(second.NextToken).toBeUndefined()
    expect([...first.NetworkInterfaces, ...second.NetworkInterfaces].map((eni: {NetworkInterfaceId: string}) => eni.NetworkInterfaceId)).toEqual(ids)
    expect(codeOf('DescribeNetworkInterfaces', {MaxResults: 5, NetworkInterfaceIds: [ids[0]]})).toBe('InvalidParameterCombination')
    expect(codeOf('DescribeNetworkInterfaces', {MaxResults: 4})).toBe('InvalidParameterValue')
  })

  it('leaves out managed interfaces the account hides, unless IncludeManagedResources', () => {
    const hidden = albInterface(a, {operator: {principal: 'eks.amazonaws.com', hiddenByDefault: true}})
    const shown = albInterface(a, {operator: {principal: 'ecs.amazonaws.com'}})
    expect(describeIds({Filters: [{Name: 'subnet-id', Values: [a]}]})).toEqual([shown])
    expect(describeIds({Filters: [{Name: 'subnet-id', Values: [a]}], IncludeManagedResources: true})).toEqual([hidden, shown])
    expect(call('DescribeNetworkInterfaces', {NetworkInterfaceIds: [shown]}).NetworkInterfaces[0].Operator).toEqual({Managed: true, Principal: 'ecs.amazonaws.com', HiddenByDefault: false})
  })

  it("add checks the subnet and the groups, with EC2's codes", () => {
    const other = call('CreateSecurityGroup', {VpcId: vpc('10.1.0.0/16', 'other'), GroupName: 'x', Description: 'x'}).GroupId
    const code = (spec: object) => {
      try {
        env.networkInterfaces!.add({subnetId: a, description: 'x', ...spec})
      } catch (error) {
        return (error as EC2ServiceException).name
      }
      return 'added'
    }
    expect(code({subnetId: 'subnet-00000000000000000'})).toBe('InvalidSubnetID.NotFound')
    expect(code({groupIds: ['sg-00000000000000000']})).toBe('InvalidGroup.NotFound')
    expect(code({groupIds: [other]})).toBe('InvalidParameter')
    expect(code({})).toBe('added')
  })

  it("DeleteSubnet, DeleteSecurityGroup and DeleteVpc answer DependencyViolation, in AWS's words, while an interface is in the subnet, has the group, is in the VPC", () => {
    const eni = albInterface(a)
    const failure = (operation: string, input: object) => {
      try {
        call(operation, input)
      } catch (error) {
        return `${(error as EC2ServiceException).name}: ${(error as Error).message}`
      }
      return 'deleted'
    }
    expect(failure('DeleteSubnet', {SubnetId: a})).toBe(`DependencyViolation: The subnet '${a}' has dependencies and cannot be deleted.`)
    expect(failure('DeleteSecurityGroup', {GroupId: albGroup})).toBe(`DependencyViolation: resource ${albGroup} has a dependent object`)
    call('DeleteSubnet', {SubnetId: b})
    env.networkInterfaces!.remove(eni)
    // Only the interface held them.
    expect(failure('DeleteSecurityGroup', {GroupId: albGroup})).toBe('deleted')
    const kept = env.networkInterfaces!.add({subnetId: a, description: 'ELB app/containrlab-alb/50dc6c495c0c9188'}).id
    expect(failure('DeleteVpc', {VpcId: vpcId})).toBe(`DependencyViolation: The vpc '${vpcId}' has dependencies and cannot be deleted.`)
    ec2.deleteOutOfBand(a) // the subnet goes, the interface (as if stranded) still holds the VPC
    expect(failure('DeleteVpc', {VpcId: vpcId})).toBe(`DependencyViolation: The vpc '${vpcId}' has dependencies and cannot be deleted.`)
    ec2.deleteOutOfBand(kept)
    expect(failure('DeleteVpc', {VpcId: vpcId})).toBe('deleted')
  })

  it('release: attached for releasedInterfaceAttachedMs (3 minutes), then gone; other timings per call; again changes nothing', () => {
    const first = albInterface(a)
    const second = albInterface(b)
    env.networkInterfaces!.release(first)
    env.networkInterfaces!.release(second, {attachedMs: 60_000, detachedMs: 60_000})
    clock.advance(60_000)
    env.networkInterfaces!.release(first, {attachedMs: 0})
    const status = (id: string) => call('DescribeNetworkInterfaces', {Filters: [{Name: 'network-interface-id', Values: [id]}]}).NetworkInterfaces[0]
    expect(status(first)).toMatchObject({Status: 'in-use', Attachment: {Status: 'attached'}})
    expect(status(second)).toMatchObject({Status: 'available'})
    expect(status(second).Attachment).toBeUndefined()
    expect(codeOf('DeleteSubnet', {SubnetId: b})).toBe('DependencyViolation')
    clock.advance(60_000)
    expect(status(second)).toBeUndefined()
    expect(env.networkInterfaces!.has(second)).toBe(false)
    call('DeleteSubnet', {SubnetId: b})
    expect(codeOf('DeleteSubnet', {SubnetId: a})).toBe('DependencyViolation')
    clock.advance(59_999)
    expect(status(first)).toMatchObject({Status: 'in-use'})
    clock.advance(1)
    expect(status(first)).toBeUndefined()
    call('DeleteSubnet', {SubnetId: a})
    call('DeleteSecurityGroup', {GroupId: albGroup})
  })

  it("setGroups replaces an interface's groups at once (SetSecurityGroups): the old group is free to go", () => {
    const eni = albInterface(a)
    const next = call('CreateSecurityGroup', {VpcId: vpcId, GroupName: 'alb-2', Description: 'alb'}).GroupId
    expect(codeOf('DeleteSecurityGroup', {GroupId: albGroup})).toBe('DependencyViolation')
    env.networkInterfaces!.setGroups(eni, [next])
    expect(call('DescribeNetworkInterfaces', {NetworkInterfaceIds: [eni]}).NetworkInterfaces[0].Groups).toEqual([{GroupId: next, GroupName: 'alb-2'}])
    call('DeleteSecurityGroup', {GroupId: albGroup})
    expect(codeOf('DeleteSecurityGroup', {GroupId: next})).toBe('DependencyViolation')
    expect(() => env.networkInterfaces!.setGroups(eni, ['sg-00000000000000000'])).toThrow(/does not exist/)
    expect(() => env.networkInterfaces!.setGroups('eni-00000000000000000', [next])).toThrow(/does not exist/)
  })

  it("the release timings are the fake's Ec2Timings", () => {
    build({releasedInterfaceAttachedMs: 1_000, releasedInterfaceDetachedMs: 2_000})
    const subnetId = subnet(vpc(), '10.0.1.0/24')
    const id = env.networkInterfaces!.add({subnetId, description: 'ELB app/x/0123456789abcdef', attachment: {instanceOwnerId: 'amazon-elb'}}).id
    env.networkInterfaces!.release(id)
    clock.advance(1_000)
    expect(call('DescribeNetworkInterfaces', {NetworkInterfaceIds: [id]}).NetworkInterfaces[0].Status).toBe('available')
    clock.advance(2_000)
    expect(env.networkInterfaces!.has(id)).toBe(false)
    expect(() => env.networkInterfaces!.release(id)).toThrow(/does not exist/)
  })

  it("DeleteNetworkInterface: an attached one (a NAT gateway's always) is InvalidNetworkInterface.InUse; a detached one goes; an unknown one is NotFound", () => {
    attachedIgw(vpcId)
    const natInterface = call('CreateNatGateway', {SubnetId: a, AllocationId: eip()}).NatGateway.NatGatewayAddresses[0].NetworkInterfaceId
    const attached = albInterface(a)
    const detached = env.networkInterfaces!.add({subnetId: b, description: 'left behind'}).id
    expect(codeOf('DeleteNetworkInterface', {NetworkInterfaceId: natInterface})).toBe('InvalidNetworkInterface.InUse')
    expect(codeOf('DeleteNetworkInterface', {NetworkInterfaceId: attached})).toBe('InvalidNetworkInterface.InUse')
    call('DeleteNetworkInterface', {NetworkInterfaceId: detached})
    expect(codeOf('DeleteNetworkInterface', {NetworkInterfaceId: detached})).toBe('InvalidNetworkInterfaceID.NotFound')
    call('DeleteSubnet', {SubnetId: b})
  })

  it('are not counted by resourceCount, are in the snapshot, and deleteOutOfBand removes a registered one', () => {
    const eni = albInterface(a)
    expect(ec2.resourceCount()).toBe(4) // vpc, two subnets, group
    expect((ec2.snapshot() as {networkInterfaces: {id: string}[]}).networkInterfaces.map((i) => i.id)).toEqual([eni])
    ec2.deleteOutOfBand(eni)
    expect(env.networkInterfaces!.has(eni)).toBe(false)
  })
})
