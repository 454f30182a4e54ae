import {CreateNatGatewayCommand, DeleteNatGatewayCommand, DescribeAddressesCommand, DescribeNatGatewaysCommand, type NatGateway} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffNatGateway, natGateway, type NatGatewayObserved} from '../../../src/resources/ec2/nat-gateway.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

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
  it('describes many ids in one call with the Filter parameter and treats deleting (deleted by hand)/deleted/failed as absent', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [gateway('nat-1', 'available'), gateway('nat-2', 'pending'), gateway('nat-3', 'deleted'), gateway('nat-4', 'failed'), gateway('nat-5', 'deleting')],
    })

    const found = await natGateway.read(testContext(), ['nat-1', 'nat-2', 'nat-3', 'nat-4', 'nat-5', 'nat-gone'])

    expect(inputs(DescribeNatGatewaysCommand)).toEqual([{Filter: [{Name: 'nat-gateway-id', Values: ['nat-1', 'nat-2', 'nat-3', 'nat-4', 'nat-5', 'nat-gone']}]}])
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
  const free = {Addresses: [{AllocationId: 'eipalloc-1', PublicIp: '203.0.113.10', Domain: 'vpc' as const}]}
  const held = (extra: object = {}) => ({
    Addresses: [{AllocationId: 'eipalloc-1', PublicIp: '203.0.113.10', Domain: 'vpc' as const, AssociationId: 'eipassoc-1', NetworkInterfaceId: 'eni-old', ...extra}],
  })
  const holding = (id: string, state: NatGateway['State'], extra: Partial<NatGateway> = {}) =>
    gateway(id, state, {NatGatewayAddresses: [{AllocationId: 'eipalloc-1', NetworkInterfaceId: 'eni-old', IsPrimary: true}], ...extra})

  it('checks the address is free, passes ClientToken and TagSpecifications and returns the pending gateway with its owner', async () => {
    ec2.on(DescribeAddressesCommand).resolves(free)
    ec2.on(CreateNatGatewayCommand).resolves({ClientToken: meta.token, NatGateway: gateway('nat-new', 'pending', {Tags: undefined})})

    const created = await natGateway.create(testContext(), desired, meta)

    expect(inputs(DescribeAddressesCommand)).toEqual([{Filters: [{Name: 'allocation-id', Values: ['eipalloc-1']}]}])
    expect(inputs(CreateNatGatewayCommand)).toEqual([
      {SubnetId: 'subnet-1', AllocationId: 'eipalloc-1', ConnectivityType: 'public', ClientToken: meta.token, TagSpecifications: [{ResourceType: 'natgateway', Tags: tags}]},
    ])
    expect(sent()).toEqual(['DescribeAddresses', 'CreateNatGateway'])
    expect(created).toEqual({...observed, id: 'nat-new', state: 'pending'})
    expect(natGateway.health!(created)).toEqual({state: 'pending', ready: false, detail: undefined})
  })

  it('waits, with progress, while a NAT gateway deleted by hand still holds the address, then creates', async () => {
    ec2.on(DescribeAddressesCommand).resolvesOnce(held()).resolvesOnce(held()).resolvesOnce(held()).resolves(free)
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: [holding('nat-gone', 'deleted', {NatGatewayAddresses: [{AllocationId: 'eipalloc-1', NetworkInterfaceId: 'eni-older'}]}), holding('nat-old', 'deleting')]})
    ec2.on(CreateNatGatewayCommand).resolves({NatGateway: gateway('nat-new', 'pending')})
    const ctx = testContext()

    await natGateway.create(ctx, desired, meta)

    expect(inputs(DescribeNatGatewaysCommand)).toEqual([{Filter: [{Name: 'state', Values: ['pending', 'available', 'deleting', 'deleted']}]}])
    expect(sent()).toEqual(['DescribeAddresses', 'DescribeNatGateways', 'DescribeAddresses', 'DescribeAddresses', 'DescribeAddresses', 'CreateNatGateway'])
    expect(ctx.messages).toEqual(['waiting for eipalloc-1 to be released by nat-old (deleting): associated, 0s', 'waiting for eipalloc-1 to be released by nat-old (deleting): associated, 5s'])
  })

  it('fails at once, naming it, when a live NAT gateway holds the address', async () => {
    ec2.on(DescribeAddressesCommand).resolves(held())
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: [holding('nat-other', 'available', {Tags: ownershipTags('nat-gateway/b')})]})

    await expect(natGateway.create(testContext(), desired, meta)).rejects.toThrow(
      'Elastic IP eipalloc-1 is associated with NAT gateway nat-other (available, nat-gateway/b of stack teststack); a NAT gateway needs an address nothing else holds',
    )
    expect(sent()).not.toContain('CreateNatGateway')
  })

  it('fails at once when something other than a NAT gateway holds the address', async () => {
    ec2.on(DescribeAddressesCommand).resolves(held({InstanceId: 'i-1'}))
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: []})

    await expect(natGateway.create(testContext(), desired, meta)).rejects.toThrow('Elastic IP eipalloc-1 is associated with instance i-1;')
    expect(sent()).toEqual(['DescribeAddresses', 'DescribeNatGateways'])
  })

  it('replays the create when an earlier run sent it and the gateway holding the address is not visible yet', async () => {
    ec2.on(DescribeAddressesCommand).resolves(held())
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: []})
    ec2.on(CreateNatGatewayCommand).resolves({NatGateway: gateway('nat-new', 'pending')})

    expect((await natGateway.create(testContext(), desired, {...meta, resuming: true})).id).toBe('nat-new')
    expect(inputs(CreateNatGatewayCommand)[0]!.ClientToken).toBe(meta.token)
    // Without that knowledge the same answers mean someone else holds the address.
    ec2.resetHistory()
    await expect(natGateway.create(testContext(), desired, meta)).rejects.toThrow(/Elastic IP eipalloc-1 is associated with/)
    expect(sent()).not.toContain('CreateNatGateway')
  })

  it('a deleted gateway that once had the address is not its holder: the interface that has it now is', async () => {
    ec2.on(DescribeAddressesCommand).resolves(held({NetworkInterfaceId: 'eni-new'}))
    // The old gateway (deleted, still listed for an hour) names the address; the new one is not visible yet.
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: [holding('nat-old', 'deleted')]})
    ec2.on(CreateNatGatewayCommand).resolves({NatGateway: gateway('nat-new', 'pending')})

    expect((await natGateway.create(testContext(), desired, {...meta, resuming: true})).id).toBe('nat-new')
    ec2.resetHistory()
    await expect(natGateway.create(testContext(), desired, meta)).rejects.toThrow('Elastic IP eipalloc-1 is associated with network interface eni-new;')
  })

  it("replays the create when the holder is this create's earlier attempt (same tags and subnet)", async () => {
    ec2.on(DescribeAddressesCommand).resolves(held())
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: [holding('nat-new', 'pending')]})
    ec2.on(CreateNatGatewayCommand).resolves({NatGateway: gateway('nat-new', 'pending')})

    expect((await natGateway.create(testContext(), desired, meta)).id).toBe('nat-new')
    expect(inputs(CreateNatGatewayCommand)[0]!.ClientToken).toBe(meta.token)
  })

  it('creates at once when the address is not visible yet (the create then answers NotFound, which the engine retries)', async () => {
    ec2.on(DescribeAddressesCommand).resolves({Addresses: []})
    ec2.on(CreateNatGatewayCommand).rejects(awsError('InvalidAllocationID.NotFound'))

    const error = await natGateway.create(testContext(), desired, meta).catch((caught: unknown) => caught)

    expect(natGateway.classifyError(error)).toBe('not-found')
    expect(sent()).toEqual(['DescribeAddresses', 'CreateNatGateway'])
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
    expect(ctx.messages).toEqual(['waiting for nat-1 to be available: not visible yet, 0s', 'waiting for nat-1 to be available: pending, 5s', 'waiting for nat-1 to be available: pending, 10s'])
  })

  it('keeps the owner it knew when the describe shows no tags yet', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({NatGateways: [gateway('nat-1', 'available', {Tags: undefined})]})

    const ready = await natGateway.waitReady!(testContext(), {...observed, state: 'pending'})

    expect(ready).toMatchObject({logicalId: 'nat-gateway/a', stack: 'teststack', state: 'available'})
  })

  it("fails with AWS's FailureCode and FailureMessage when the gateway fails", async () => {
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolvesOnce({NatGateways: [gateway('nat-1', 'pending')]})
      .resolves({
        NatGateways: [gateway('nat-1', 'failed', {FailureCode: 'Gateway.NotAttached', FailureMessage: 'Network vpc-1 has no Internet gateway attached'})],
      })

    await expect(natGateway.waitReady!(testContext(), {...observed, state: 'pending'})).rejects.toThrow('nat-1 to be available: Gateway.NotAttached: Network vpc-1 has no Internet gateway attached')
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
