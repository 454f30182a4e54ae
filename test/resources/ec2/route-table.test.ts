import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {RouteTableDesired} from '../../../src/resources/ec2/desired.js'
import {diffRouteTable, routeTable, type RouteTableObserved} from '../../../src/resources/ec2/route-table.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

const tags = ownershipTags('route-table/private-a')
const meta = {logicalId: 'route-table/private-a', token: 'token-1', tags}

/** A table as DescribeRouteTables returns it, with everything AWS adds that is not ours. */
const described: RouteTable = {
  RouteTableId: 'rtb-1',
  VpcId: 'vpc-1',
  Tags: tags,
  Routes: [
    {DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active'},
    {DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', Origin: 'CreateRoute', State: 'active'},
    // Added by an S3 gateway endpoint.
    {DestinationPrefixListId: 'pl-63a5400a', GatewayId: 'vpce-1', Origin: 'CreateRoute', State: 'active'},
  ],
  Associations: [
    {Main: false, RouteTableAssociationId: 'rtbassoc-a', RouteTableId: 'rtb-1', SubnetId: 'subnet-a', AssociationState: {State: 'associated'}},
    {Main: false, RouteTableAssociationId: 'rtbassoc-old', RouteTableId: 'rtb-1', SubnetId: 'subnet-old', AssociationState: {State: 'disassociating'}},
  ],
}
const observed: RouteTableObserved = {
  id: 'rtb-1',
  logicalId: 'route-table/private-a',
  stack: 'teststack',
  vpcId: 'vpc-1',
  routes: [{destinationCidr: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'active'}],
  associations: [{associationId: 'rtbassoc-a', subnetId: 'subnet-a'}],
}
const desired: RouteTableDesired = {vpcId: 'vpc-1', routes: [{destinationCidr: '0.0.0.0/0', natGatewayId: 'nat-1'}], subnetIds: ['subnet-a']}

beforeEach(() => {
  ec2.reset()
})

describe('routeTable.read', () => {
  it('describes many ids in one filtered call, keeps only our routes and explicit associations, omits gone ids', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [described, {RouteTableId: 'rtb-main', VpcId: 'vpc-1', Associations: [{Main: true, RouteTableAssociationId: 'rtbassoc-main', RouteTableId: 'rtb-main'}]}],
    })

    const found = await routeTable.read(testContext(), ['rtb-1', 'rtb-main', 'rtb-gone'])

    expect(inputs(DescribeRouteTablesCommand)).toEqual([{Filters: [{Name: 'route-table-id', Values: ['rtb-1', 'rtb-main', 'rtb-gone']}]}])
    expect(found.get('rtb-1')).toEqual(observed)
    expect(found.get('rtb-main')).toEqual({id: 'rtb-main', logicalId: undefined, vpcId: 'vpc-1', routes: [], associations: []})
    expect(found.has('rtb-gone')).toBe(false)
  })

  it('reports a blackhole route with its state', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({RouteTables: [{...described, Routes: [{DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', Origin: 'CreateRoute', State: 'blackhole'}]}]})

    const found = await routeTable.read(testContext(), ['rtb-1'])

    expect(found.get('rtb-1')?.routes).toEqual([{destinationCidr: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'blackhole'}])
  })
})

describe('routeTable.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({RouteTables: [described]})

    const found = await routeTable.find(testContext(), findQuery)

    expect(inputs(DescribeRouteTablesCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['route-table/private-a', observed]])
  })
})

describe('diffRouteTable', () => {
  const twoSubnets = {...observed, associations: [...observed.associations, {associationId: 'rtbassoc-b', subnetId: 'subnet-b'}]}
  it.each<[string, RouteTableDesired, RouteTableObserved, unknown[]]>([
    ['no change', desired, observed, []],
    ['no change, subnets in another order', {...desired, subnetIds: ['subnet-b', 'subnet-a']}, twoSubnets, []],
    ['other vpc', {...desired, vpcId: 'vpc-2'}, observed, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}]],
    ['other target', {...desired, routes: [{destinationCidr: '0.0.0.0/0', gatewayId: 'igw-1'}]}, observed, [{field: 'route 0.0.0.0/0', before: 'nat-1', after: 'igw-1', replace: false}]],
    [
      'blackhole route to the desired NAT',
      desired,
      {...observed, routes: [{destinationCidr: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'blackhole'}]},
      [{field: 'route 0.0.0.0/0', before: 'nat-1 (blackhole)', after: 'nat-1', replace: false}],
    ],
    ['missing route', {...desired, routes: [...desired.routes, {destinationCidr: '192.168.0.0/16', gatewayId: 'igw-1'}]}, observed, [{field: 'route 192.168.0.0/16', before: undefined, after: 'igw-1', replace: false}]],
    ['extra route', {...desired, routes: []}, observed, [{field: 'route 0.0.0.0/0', before: 'nat-1', after: undefined, replace: false}]],
    ['other subnets', {...desired, subnetIds: ['subnet-b']}, observed, [{field: 'subnetIds', before: ['subnet-a'], after: ['subnet-b'], replace: false}]],
  ])('%s', (_name, wanted, current, expected) => {
    expect(diffRouteTable(wanted, current)).toEqual(expected)
  })
})

describe('routeTable.create', () => {
  it('creates the table with token and tags, then its routes, then its associations', async () => {
    ec2.on(CreateRouteTableCommand).resolves({RouteTable: {RouteTableId: 'rtb-new', VpcId: 'vpc-1', Routes: [{DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active'}]}})
    ec2.on(CreateRouteCommand).resolves({Return: true})
    ec2.on(AssociateRouteTableCommand).resolves({AssociationId: 'rtbassoc-new'})

    const created = await routeTable.create(testContext(), desired, meta)

    expect(sent()).toEqual(['CreateRouteTable', 'CreateRoute', 'AssociateRouteTable'])
    expect(inputs(CreateRouteTableCommand)).toEqual([{VpcId: 'vpc-1', ClientToken: 'token-1', TagSpecifications: [{ResourceType: 'route-table', Tags: tags}]}])
    expect(inputs(CreateRouteCommand)).toEqual([{RouteTableId: 'rtb-new', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1'}])
    expect(inputs(AssociateRouteTableCommand)).toEqual([{RouteTableId: 'rtb-new', SubnetId: 'subnet-a'}])
    expect(created).toEqual({...observed, id: 'rtb-new', associations: [{associationId: 'rtbassoc-new', subnetId: 'subnet-a'}]})
  })

  it('retries the route, not the table, while the new table answers NotFound', async () => {
    ec2.on(CreateRouteTableCommand).resolves({RouteTable: {RouteTableId: 'rtb-new', VpcId: 'vpc-1'}})
    ec2.on(CreateRouteCommand).rejectsOnce(awsError('InvalidRouteTableID.NotFound')).resolves({Return: true})
    ec2.on(AssociateRouteTableCommand).resolves({AssociationId: 'rtbassoc-new'})
    const ctx = testContext()

    await routeTable.create(ctx, desired, meta)

    expect(sent()).toEqual(['CreateRouteTable', 'CreateRoute', 'CreateRoute', 'AssociateRouteTable'])
    expect(ctx.messages).toEqual(['waiting for route 0.0.0.0/0 in rtb-new: not visible yet, 0s'])
  })

  it('points an existing route (from an interrupted earlier create) at the desired target', async () => {
    ec2.on(CreateRouteTableCommand).resolves({RouteTable: {RouteTableId: 'rtb-new', VpcId: 'vpc-1'}})
    ec2.on(CreateRouteCommand).rejects(awsError('RouteAlreadyExists'))
    ec2.on(ReplaceRouteCommand).resolves({})
    ec2.on(AssociateRouteTableCommand).resolves({AssociationId: 'rtbassoc-new'})

    await routeTable.create(testContext(), desired, meta)

    expect(sent()).toEqual(['CreateRouteTable', 'CreateRoute', 'ReplaceRoute', 'AssociateRouteTable'])
    expect(inputs(ReplaceRouteCommand)).toEqual([{RouteTableId: 'rtb-new', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1'}])
  })

  it('moves a subnet explicitly associated with another table with ReplaceRouteTableAssociation', async () => {
    ec2.on(CreateRouteTableCommand).resolves({RouteTable: {RouteTableId: 'rtb-new', VpcId: 'vpc-1'}})
    ec2.on(CreateRouteCommand).resolves({Return: true})
    ec2.on(AssociateRouteTableCommand).rejects(awsError('Resource.AlreadyAssociated'))
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [{RouteTableId: 'rtb-old', Associations: [{Main: false, RouteTableAssociationId: 'rtbassoc-held', RouteTableId: 'rtb-old', SubnetId: 'subnet-a'}]}],
    })
    ec2.on(ReplaceRouteTableAssociationCommand).resolves({NewAssociationId: 'rtbassoc-moved'})

    const created = await routeTable.create(testContext(), desired, meta)

    expect(inputs(DescribeRouteTablesCommand)).toEqual([{Filters: [{Name: 'association.subnet-id', Values: ['subnet-a']}]}])
    expect(inputs(ReplaceRouteTableAssociationCommand)).toEqual([{AssociationId: 'rtbassoc-held', RouteTableId: 'rtb-new'}])
    expect(created.associations).toEqual([{associationId: 'rtbassoc-moved', subnetId: 'subnet-a'}])
  })
})

describe('routeTable.update', () => {
  it('makes exactly the needed calls: replace, create, delete routes; associate, disassociate subnets', async () => {
    ec2.on(ReplaceRouteCommand).resolves({})
    ec2.on(CreateRouteCommand).resolves({Return: true})
    ec2.on(DeleteRouteCommand).resolves({})
    ec2.on(AssociateRouteTableCommand).resolves({AssociationId: 'rtbassoc-b'})
    ec2.on(DisassociateRouteTableCommand).resolves({})
    const current: RouteTableObserved = {
      ...observed,
      routes: [
        {destinationCidr: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'blackhole'},
        {destinationCidr: '172.16.0.0/12', gatewayId: 'igw-1', state: 'active'},
        {destinationCidr: '10.9.0.0/16', gatewayId: 'igw-1', state: 'active'},
      ],
    }
    const wanted: RouteTableDesired = {
      vpcId: 'vpc-1',
      routes: [
        {destinationCidr: '10.9.0.0/16', gatewayId: 'igw-1'},
        {destinationCidr: '0.0.0.0/0', natGatewayId: 'nat-1'},
        {destinationCidr: '192.168.0.0/16', natGatewayId: 'nat-2'},
      ],
      subnetIds: ['subnet-b'],
    }

    const updated = await routeTable.update(testContext(), wanted, current, diffRouteTable(wanted, current))

    expect(sent()).toEqual(['CreateRoute', 'ReplaceRoute', 'DeleteRoute', 'AssociateRouteTable', 'DisassociateRouteTable'])
    expect(inputs(CreateRouteCommand)).toEqual([{RouteTableId: 'rtb-1', DestinationCidrBlock: '192.168.0.0/16', NatGatewayId: 'nat-2'}])
    expect(inputs(ReplaceRouteCommand)).toEqual([{RouteTableId: 'rtb-1', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1'}])
    expect(inputs(DeleteRouteCommand)).toEqual([{RouteTableId: 'rtb-1', DestinationCidrBlock: '172.16.0.0/12'}])
    expect(inputs(AssociateRouteTableCommand)).toEqual([{RouteTableId: 'rtb-1', SubnetId: 'subnet-b'}])
    expect(inputs(DisassociateRouteTableCommand)).toEqual([{AssociationId: 'rtbassoc-a'}])
    expect(diffRouteTable(wanted, updated)).toEqual([])
  })

  it('makes no call when equal', async () => {
    expect(await routeTable.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })
})

describe('routeTable.delete', () => {
  it('disassociates explicit associations, then deletes the table', async () => {
    ec2.on(DisassociateRouteTableCommand).resolves({})
    ec2.on(DeleteRouteTableCommand).resolves({})

    await routeTable.delete(testContext(), observed, keepData)

    expect(sent()).toEqual(['DisassociateRouteTable', 'DeleteRouteTable'])
    expect(inputs(DeleteRouteTableCommand)).toEqual([{RouteTableId: 'rtb-1'}])
  })

  it('treats NotFound as already done', async () => {
    ec2.on(DisassociateRouteTableCommand).rejects(awsError('InvalidAssociationID.NotFound'))
    ec2.on(DeleteRouteTableCommand).rejects(awsError('InvalidRouteTableID.NotFound'))

    await expect(routeTable.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })

  it('on DependencyViolation, disassociates associations made since the read, once', async () => {
    ec2.on(DisassociateRouteTableCommand).resolves({})
    ec2.on(DeleteRouteTableCommand).rejectsOnce(awsError('DependencyViolation')).resolves({})
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [{RouteTableId: 'rtb-1', VpcId: 'vpc-1', Associations: [{RouteTableAssociationId: 'rtbassoc-late', RouteTableId: 'rtb-1', SubnetId: 'subnet-late'}]}],
    })

    await routeTable.delete(testContext(), {...observed, associations: []}, keepData)

    expect(sent()).toEqual(['DeleteRouteTable', 'DescribeRouteTables', 'DisassociateRouteTable', 'DeleteRouteTable'])
    expect(inputs(DisassociateRouteTableCommand)).toEqual([{AssociationId: 'rtbassoc-late'}])
  })

  it('surfaces DependencyViolation it cannot resolve, for the engine to retry', async () => {
    ec2.on(DeleteRouteTableCommand).rejects(awsError('DependencyViolation'))
    ec2.on(DescribeRouteTablesCommand).resolves({RouteTables: [{RouteTableId: 'rtb-1', VpcId: 'vpc-1', Associations: []}]})

    await expect(routeTable.delete(testContext(), {...observed, associations: []}, keepData)).rejects.toMatchObject({name: 'DependencyViolation'})
  })
})

describe('routeTable.outputs', () => {
  it('exposes id and VPC', () => {
    expect(routeTable.outputs(observed)).toEqual({id: 'rtb-1', vpcId: 'vpc-1'})
  })
})
