import {CreateNatGatewayCommand, DeleteNatGatewayCommand, DescribeNatGatewaysCommand, type NatGateway} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffNatGateway, natGateway, type NatGatewayObserved} from '../../../src/resources/ec2/nat-gateway.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs} = ec2Mock()

const tags = ownershipTags('nat-gateway/a')
const meta = {logicalId: 'nat-gateway/a', token: 'teststack-nat-gateway-a-0123abcd', tags}
const desired = {subnetId: 'subnet-1', allocationId: 'eipalloc-1'}

function gateway(id: string, state: NatGateway['State'], extra: Partial<NatGateway> = {}): NatGateway {
  return {
    NatGatewayId: id,
    State: state,
    SubnetId: 'subnet-1',
    VpcId: 'vpc-1',
    NatGatewayAddresses: [{AllocationId: 'eipalloc-1', PublicIp: '203.0.113.10', IsPrimary: true}],
    Tags: tags,
    ...extra,
  }
}

const observed: NatGatewayObserved = {
  id: 'nat-1',
  logicalId: 'nat-gateway/a',
  stack: 'teststack',
  subnetId: 'subnet-1',
  allocationId: 'eipalloc-1',
  vpcId: 'vpc-1',
  state: 'available',
  publicIp: '203.0.113.10',
  failureCode: undefined,
  failureMessage: undefined,
}

beforeEach(() => {
  ec2.reset()
})

describe('natGateway.read', () => {
  it('describes many ids in one call with the Filter parameter and treats deleted/failed as absent', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [gateway('nat-1', 'available'), gateway('nat-2', 'pending'), gateway('nat-3', 'deleted'), gateway('nat-4', 'failed')],
    })

    const found = await natGateway.read(testContext(), ['nat-1', 'nat-2', 'nat-3', 'nat-4', 'nat-gone'])

    expect(inputs(DescribeNatGatewaysCommand)).toEqual([{Filter: [{Name: 'nat-gateway-id', Values: ['nat-1', 'nat-2', 'nat-3', 'nat-4', 'nat-gone']}]}])
    expect([...found.keys()]).toEqual(['nat-1', 'nat-2'])
    expect(found.get('nat-1')).toEqual(observed)
    expect(found.get('nat-2')?.state).toBe('pending')
  })
})

describe('natGateway.find', () => {
  it('filters by the stack tag, keys by the containrlab:id tag and skips deleted gateways', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: [gateway('nat-old', 'deleted'), gateway('nat-1', 'available')]})

    const found = await natGateway.find(testContext(), findQuery)

    expect(inputs(DescribeNatGatewaysCommand)).toEqual([{Filter: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['nat-gateway/a', observed]])
  })
})

describe('diffNatGateway', () => {
  it.each([
    ['nothing', {}, []],
    ['subnetId', {subnetId: 'subnet-2'}, [{field: 'subnetId', before: 'subnet-1', after: 'subnet-2', replace: true}]],
    ['allocationId', {allocationId: 'eipalloc-2'}, [{field: 'allocationId', before: 'eipalloc-1', after: 'eipalloc-2', replace: true}]],
  ])('%s changed', (_name, change, expected) => {
    expect(diffNatGateway({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('natGateway.create', () => {
  it('passes ClientToken and TagSpecifications and returns the pending gateway without describing', async () => {
    ec2.on(CreateNatGatewayCommand).resolves({ClientToken: meta.token, NatGateway: gateway('nat-new', 'pending', {Tags: undefined})})

    const created = await natGateway.create(testContext(), desired, meta)

    expect(inputs(CreateNatGatewayCommand)).toEqual([
      {SubnetId: 'subnet-1', AllocationId: 'eipalloc-1', ConnectivityType: 'public', ClientToken: meta.token, TagSpecifications: [{ResourceType: 'natgateway', Tags: tags}]},
    ])
    expect(ec2.calls()).toHaveLength(1)
    expect(created).toEqual({...observed, id: 'nat-new', state: 'pending'})
    expect(natGateway.health!(created)).toEqual({state: 'pending', ready: false, detail: undefined})
  })
})

describe('natGateway.waitReady', () => {
  it('polls on the virtual clock until available, reporting the state and elapsed time', async () => {
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolvesOnce({NatGateways: []}) // not visible yet (eventual consistency)
      .resolvesOnce({NatGateways: [gateway('nat-1', 'pending')]})
      .resolvesOnce({NatGateways: [gateway('nat-1', 'pending')]})
      .resolves({NatGateways: [gateway('nat-1', 'available')]})
    const ctx = testContext()
    const started = ctx.clock.now()

    const ready = await natGateway.waitReady!(ctx, {...observed, state: 'pending'})

    expect(ready).toEqual(observed)
    expect(natGateway.health!(ready)).toEqual({state: 'available', ready: true, detail: undefined})
    expect(inputs(DescribeNatGatewaysCommand)).toHaveLength(4)
    // Three polls 5s apart: the virtual clock advanced, no real time passed.
    expect(ctx.clock.now() - started).toBe(15_000)
    expect(ctx.messages).toEqual([
      'waiting for nat-1 to be available: not visible yet, 0s',
      'waiting for nat-1 to be available: pending, 5s',
      'waiting for nat-1 to be available: pending, 10s',
    ])
  })

  it("fails with AWS's FailureCode and FailureMessage when the gateway fails", async () => {
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolvesOnce({NatGateways: [gateway('nat-1', 'pending')]})
      .resolves({
        NatGateways: [gateway('nat-1', 'failed', {FailureCode: 'Gateway.NotAttached', FailureMessage: 'Network vpc-1 has no Internet gateway attached'})],
      })

    await expect(natGateway.waitReady!(testContext(), {...observed, state: 'pending'})).rejects.toThrow(
      'nat-1 to be available: Gateway.NotAttached: Network vpc-1 has no Internet gateway attached',
    )
  })
})

describe('natGateway.delete', () => {
  it('deletes, then waits until the gateway is deleted', async () => {
    ec2.on(DeleteNatGatewayCommand).resolves({NatGatewayId: 'nat-1'})
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolvesOnce({NatGateways: [gateway('nat-1', 'deleting')]})
      .resolvesOnce({NatGateways: [gateway('nat-1', 'deleting')]})
      .resolves({NatGateways: [gateway('nat-1', 'deleted')]})
    const ctx = testContext()

    await natGateway.delete(ctx, observed, keepData)

    expect(inputs(DeleteNatGatewayCommand)).toEqual([{NatGatewayId: 'nat-1'}])
    expect(inputs(DescribeNatGatewaysCommand)).toHaveLength(3)
    expect(ctx.messages).toEqual(['waiting for nat-1 to be deleted: deleting, 0s', 'waiting for nat-1 to be deleted: deleting, 5s'])
  })

  it('is done when the gateway no longer shows up at all', async () => {
    ec2.on(DeleteNatGatewayCommand).resolves({NatGatewayId: 'nat-1'})
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: []})

    await natGateway.delete(testContext(), observed, keepData)

    expect(inputs(DescribeNatGatewaysCommand)).toHaveLength(1)
  })

  it('treats NatGatewayNotFound as deleted, without waiting', async () => {
    ec2.on(DeleteNatGatewayCommand).rejects(awsError('NatGatewayNotFound'))

    await expect(natGateway.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
    expect(inputs(DescribeNatGatewaysCommand)).toHaveLength(0)
  })

  it('surfaces other errors', async () => {
    ec2.on(DeleteNatGatewayCommand).rejects(awsError('DependencyViolation'))
    await expect(natGateway.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: 'DependencyViolation'})
  })
})

describe('natGateway.update and outputs', () => {
  it('update makes no call', async () => {
    expect(await natGateway.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(ec2.calls()).toHaveLength(0)
  })

  it('outputs expose id, subnet, allocation and public IP', () => {
    expect(natGateway.outputs(observed)).toEqual({id: 'nat-1', subnetId: 'subnet-1', allocationId: 'eipalloc-1', publicIp: '203.0.113.10'})
    expect(natGateway.outputs({...observed, publicIp: undefined})).toEqual({id: 'nat-1', subnetId: 'subnet-1', allocationId: 'eipalloc-1'})
  })
})
