import {CreateVpcCommand, DeleteVpcCommand, DescribeNetworkInterfacesCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, ModifyVpcAttributeCommand} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffVpc, vpc, type VpcObserved} from '../../../src/resources/ec2/vpc.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs} = ec2Mock()

const tags = ownershipTags('vpc')
const meta = {logicalId: 'vpc', token: 'token-1', tags}

/** DescribeVpcAttribute answers per VPC id: [dns support, dns hostnames]. */
function attributes(values: Record<string, [boolean, boolean]>) {
  ec2.on(DescribeVpcAttributeCommand).callsFake((input) => {
    const [support, hostnames] = values[input.VpcId]!
    return input.Attribute === 'enableDnsSupport' ? {VpcId: input.VpcId, EnableDnsSupport: {Value: support}} : {VpcId: input.VpcId, EnableDnsHostnames: {Value: hostnames}}
  })
}

const observed: VpcObserved = {id: 'vpc-1', logicalId: 'vpc', stack: 'teststack', cidr: '10.0.0.0/16', state: 'available', enableDnsSupport: true, enableDnsHostnames: true}

beforeEach(() => {
  ec2.reset()
})

describe('vpc.read', () => {
  it('describes many ids in one filtered call and omits the ones AWS no longer returns', async () => {
    ec2.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        {VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', State: 'available', Tags: tags},
        {VpcId: 'vpc-2', CidrBlock: '10.1.0.0/16', State: 'pending'},
      ],
    })
    attributes({'vpc-1': [true, true], 'vpc-2': [false, false]})

    const found = await vpc.read(testContext(), ['vpc-1', 'vpc-2', 'vpc-gone'])

    expect(inputs(DescribeVpcsCommand)).toEqual([{Filters: [{Name: 'vpc-id', Values: ['vpc-1', 'vpc-2', 'vpc-gone']}]}])
    expect([...found.keys()]).toEqual(['vpc-1', 'vpc-2'])
    expect(found.get('vpc-1')).toEqual(observed)
    expect(found.get('vpc-2')).toEqual({id: 'vpc-2', logicalId: undefined, cidr: '10.1.0.0/16', state: 'pending', enableDnsSupport: false, enableDnsHostnames: false})
    expect(ec2.commandCalls(DescribeVpcAttributeCommand)).toHaveLength(4)
  })

  it('counts a VPC that disappears between describe and attribute read as absent', async () => {
    ec2.on(DescribeVpcsCommand).resolves({Vpcs: [{VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', State: 'available'}]})
    ec2.on(DescribeVpcAttributeCommand).rejects(awsError('InvalidVpcID.NotFound'))

    expect((await vpc.read(testContext(), ['vpc-1'])).size).toBe(0)
  })

  it('chunks more than 200 ids into filters of at most 200 values', async () => {
    ec2.on(DescribeVpcsCommand).resolves({Vpcs: []})
    const ids = Array.from({length: 250}, (_, i) => `vpc-${i}`)

    await vpc.read(testContext(), ids)

    const sizes = inputs(DescribeVpcsCommand).map((input) => input.Filters?.[0]?.Values?.length)
    expect(sizes).toEqual([200, 50])
  })
})

describe('vpc.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag', async () => {
    ec2.on(DescribeVpcsCommand).resolves({Vpcs: [{VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', State: 'available', Tags: tags}]})
    attributes({'vpc-1': [true, true]})

    const found = await vpc.find(testContext(), findQuery)

    expect(inputs(DescribeVpcsCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['vpc', observed]])
  })
})

describe('diffVpc', () => {
  const desired = {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}
  it.each([
    ['nothing', {}, []],
    ['cidr', {cidr: '10.9.0.0/16'}, [{field: 'cidr', before: '10.0.0.0/16', after: '10.9.0.0/16', replace: true}]],
    ['dns support', {enableDnsSupport: false}, [{field: 'enableDnsSupport', before: true, after: false, replace: false}]],
    ['dns hostnames', {enableDnsHostnames: false}, [{field: 'enableDnsHostnames', before: true, after: false, replace: false}]],
  ])('%s changed', (_name, change, expected) => {
    expect(diffVpc({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('vpc.create', () => {
  it('tags at creation and makes no attribute call when desired equals the defaults', async () => {
    ec2.on(CreateVpcCommand).resolves({Vpc: {VpcId: 'vpc-new', CidrBlock: '10.0.0.0/16', State: 'pending'}})

    const created = await vpc.create(testContext(), {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: false}, meta)

    expect(inputs(CreateVpcCommand)).toEqual([{CidrBlock: '10.0.0.0/16', TagSpecifications: [{ResourceType: 'vpc', Tags: tags}]}])
    expect(ec2.commandCalls(ModifyVpcAttributeCommand)).toHaveLength(0)
    expect(created).toEqual({id: 'vpc-new', logicalId: 'vpc', stack: 'teststack', cidr: '10.0.0.0/16', state: 'pending', enableDnsSupport: true, enableDnsHostnames: false})
  })

  it('enables DNS hostnames with one call of one attribute', async () => {
    ec2.on(CreateVpcCommand).resolves({Vpc: {VpcId: 'vpc-new', CidrBlock: '10.0.0.0/16', State: 'pending'}})
    ec2.on(ModifyVpcAttributeCommand).resolves({})

    const created = await vpc.create(testContext(), {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}, meta)

    expect(inputs(ModifyVpcAttributeCommand)).toEqual([{VpcId: 'vpc-new', EnableDnsHostnames: {Value: true}}])
    expect(created.enableDnsHostnames).toBe(true)
  })

  it('retries the attribute call, not the create, while the new id answers NotFound', async () => {
    ec2.on(CreateVpcCommand).resolves({Vpc: {VpcId: 'vpc-new', CidrBlock: '10.0.0.0/16', State: 'pending'}})
    ec2.on(ModifyVpcAttributeCommand).rejectsOnce(awsError('InvalidVpcID.NotFound')).resolves({})
    const ctx = testContext()

    await vpc.create(ctx, {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}, meta)

    expect(ec2.commandCalls(CreateVpcCommand)).toHaveLength(1)
    expect(ec2.commandCalls(ModifyVpcAttributeCommand)).toHaveLength(2)
    expect(ctx.messages).toEqual(['waiting for vpc-new to be visible: not visible yet, 0s'])
  })
})

describe('vpc.update', () => {
  it('makes one call per changed attribute, support before hostnames when turning both on', async () => {
    ec2.on(ModifyVpcAttributeCommand).resolves({})
    const before = {...observed, enableDnsSupport: false, enableDnsHostnames: false}
    const desired = {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}

    const updated = await vpc.update(testContext(), desired, before, diffVpc(desired, before))

    expect(inputs(ModifyVpcAttributeCommand)).toEqual([
      {VpcId: 'vpc-1', EnableDnsSupport: {Value: true}},
      {VpcId: 'vpc-1', EnableDnsHostnames: {Value: true}},
    ])
    expect(updated).toEqual(observed)
  })

  it('turns hostnames off before support', async () => {
    ec2.on(ModifyVpcAttributeCommand).resolves({})
    const desired = {cidr: '10.0.0.0/16', enableDnsSupport: false, enableDnsHostnames: false}

    await vpc.update(testContext(), desired, observed, diffVpc(desired, observed))

    expect(inputs(ModifyVpcAttributeCommand)).toEqual([
      {VpcId: 'vpc-1', EnableDnsHostnames: {Value: false}},
      {VpcId: 'vpc-1', EnableDnsSupport: {Value: false}},
    ])
  })

  it('leaves unchanged attributes alone', async () => {
    ec2.on(ModifyVpcAttributeCommand).resolves({})
    const desired = {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: false}

    await vpc.update(testContext(), desired, observed, diffVpc(desired, observed))

    expect(inputs(ModifyVpcAttributeCommand)).toEqual([{VpcId: 'vpc-1', EnableDnsHostnames: {Value: false}}])
  })
})

describe('vpc.delete', () => {
  it('deletes by id', async () => {
    ec2.on(DeleteVpcCommand).resolves({})
    await vpc.delete(testContext(), observed, keepData)
    expect(inputs(DeleteVpcCommand)).toEqual([{VpcId: 'vpc-1'}])
  })

  it('treats NotFound as deleted', async () => {
    ec2.on(DeleteVpcCommand).rejects(awsError('InvalidVpcID.NotFound'))
    await expect(vpc.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })

  it("surfaces AWS's DependencyViolation as it is, for the engine to retry, when no network interface is in the VPC", async () => {
    // (network-interfaces.test.ts: when some are, the error names them.)
    const refused = awsError('DependencyViolation')
    ec2.on(DeleteVpcCommand).rejects(refused)
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: []})
    await expect(vpc.delete(testContext(), observed, keepData)).rejects.toBe(refused)
    expect(ec2.commandCalls(DeleteVpcCommand)).toHaveLength(1)
  })
})

describe('vpc.outputs', () => {
  it('exposes id and cidr', () => {
    expect(vpc.outputs(observed)).toEqual({id: 'vpc-1', cidr: '10.0.0.0/16'})
  })
})
