import {AllocateAddressCommand, DescribeAddressesCommand, ReleaseAddressCommand} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffElasticIp, elasticIp, type ElasticIpObserved} from '../../../src/resources/ec2/elastic-ip.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs} = ec2Mock()

const tags = ownershipTags('elastic-ip/nat-a')
const meta = {logicalId: 'elastic-ip/nat-a', stack: 'teststack', token: 'token-1', tags}
const observed: ElasticIpObserved = {id: 'eipalloc-1', logicalId: 'elastic-ip/nat-a', stack: 'teststack', publicIp: '203.0.113.10', domain: 'vpc', associationId: 'eipassoc-1'}

beforeEach(() => {
  ec2.reset()
})

describe('elasticIp.read', () => {
  it('describes many ids in one filtered call and omits released ones', async () => {
    ec2.on(DescribeAddressesCommand).resolves({
      Addresses: [
        {AllocationId: 'eipalloc-1', PublicIp: '203.0.113.10', Domain: 'vpc', AssociationId: 'eipassoc-1', Tags: tags},
        {AllocationId: 'eipalloc-2', PublicIp: '203.0.113.11', Domain: 'vpc'},
      ],
    })

    const found = await elasticIp.read(testContext(), ['eipalloc-1', 'eipalloc-2', 'eipalloc-gone'])

    expect(inputs(DescribeAddressesCommand)).toEqual([{Filters: [{Name: 'allocation-id', Values: ['eipalloc-1', 'eipalloc-2', 'eipalloc-gone']}]}])
    expect([...found.values()]).toEqual([observed, {id: 'eipalloc-2', logicalId: undefined, publicIp: '203.0.113.11', domain: 'vpc', associationId: undefined}])
  })
})

describe('elasticIp.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag', async () => {
    ec2.on(DescribeAddressesCommand).resolves({Addresses: [{AllocationId: 'eipalloc-1', PublicIp: '203.0.113.10', Domain: 'vpc', AssociationId: 'eipassoc-1', Tags: tags}]})

    const found = await elasticIp.find(testContext(), findQuery)

    expect(inputs(DescribeAddressesCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['elastic-ip/nat-a', observed]])
  })
})

describe('diffElasticIp', () => {
  it.each([
    ['vpc address', 'vpc', []],
    ['EC2-Classic address', 'standard', [{field: 'domain', before: 'standard', after: 'vpc', replace: true}]],
  ])('%s', (_name, domain, expected) => {
    expect(diffElasticIp({domain: 'vpc'}, {...observed, domain})).toEqual(expected)
  })
})

describe('elasticIp.create', () => {
  it('allocates a VPC address tagged at creation', async () => {
    ec2.on(AllocateAddressCommand).resolves({AllocationId: 'eipalloc-new', PublicIp: '198.51.100.7', Domain: 'vpc'})

    const created = await elasticIp.create(testContext(), {domain: 'vpc'}, meta)

    expect(inputs(AllocateAddressCommand)).toEqual([{Domain: 'vpc', TagSpecifications: [{ResourceType: 'elastic-ip', Tags: tags}]}])
    expect(ec2.calls()).toHaveLength(1)
    expect(created).toEqual({id: 'eipalloc-new', logicalId: 'elastic-ip/nat-a', stack: 'teststack', publicIp: '198.51.100.7', domain: 'vpc'})
  })
})

describe('elasticIp.update', () => {
  it('makes no call', async () => {
    expect(await elasticIp.update(testContext(), {domain: 'vpc'}, observed, [])).toEqual(observed)
    expect(ec2.calls()).toHaveLength(0)
  })
})

describe('elasticIp.delete', () => {
  it('releases by allocation id and treats NotFound as released', async () => {
    ec2.on(ReleaseAddressCommand).resolvesOnce({}).rejects(awsError('InvalidAllocationID.NotFound'))

    await elasticIp.delete(testContext(), observed, keepData)
    await expect(elasticIp.delete(testContext(), observed, keepData)).resolves.toBeUndefined()

    expect(inputs(ReleaseAddressCommand)).toEqual([{AllocationId: 'eipalloc-1'}, {AllocationId: 'eipalloc-1'}])
  })

  it.each(['AuthFailure.AddressInUse', 'InvalidIPAddress.InUse', 'DependencyViolation'])('surfaces %s for the engine to retry', async (code) => {
    ec2.on(ReleaseAddressCommand).rejects(awsError(code))
    await expect(elasticIp.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: code})
    expect(inputs(ReleaseAddressCommand)).toHaveLength(1)
  })
})

describe('elasticIp.outputs', () => {
  it('exposes id and public IP', () => {
    expect(elasticIp.outputs(observed)).toEqual({id: 'eipalloc-1', publicIp: '203.0.113.10'})
  })
})
