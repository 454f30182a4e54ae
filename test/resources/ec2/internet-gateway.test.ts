import {AttachInternetGatewayCommand, CreateInternetGatewayCommand, DeleteInternetGatewayCommand, DescribeInternetGatewaysCommand, DetachInternetGatewayCommand} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffInternetGateway, internetGateway, type InternetGatewayObserved} from '../../../src/resources/ec2/internet-gateway.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

const tags = ownershipTags('internet-gateway')
const meta = {logicalId: 'internet-gateway', token: 'token-1', tags}
/** What AWS answers for an attached gateway; the SDK's AttachmentStatus type lacks the value. */
const AVAILABLE = 'available' as any

const observed: InternetGatewayObserved = {id: 'igw-1', logicalId: 'internet-gateway', stack: 'teststack', vpcId: 'vpc-1'}

beforeEach(() => {
  ec2.reset()
})

describe('internetGateway.read', () => {
  it('describes many ids in one filtered call, reads the attachment, omits gone ids', async () => {
    ec2.on(DescribeInternetGatewaysCommand).resolves({
      InternetGateways: [
        {InternetGatewayId: 'igw-1', Attachments: [{VpcId: 'vpc-1', State: AVAILABLE}], Tags: tags},
        {InternetGatewayId: 'igw-2', Attachments: []},
        {InternetGatewayId: 'igw-3', Attachments: [{VpcId: 'vpc-3', State: 'detaching'}]},
      ],
    })

    const found = await internetGateway.read(testContext(), ['igw-1', 'igw-2', 'igw-3', 'igw-gone'])

    expect(inputs(DescribeInternetGatewaysCommand)).toEqual([{Filters: [{Name: 'internet-gateway-id', Values: ['igw-1', 'igw-2', 'igw-3', 'igw-gone']}]}])
    expect([...found.values()]).toEqual([observed, {id: 'igw-2', logicalId: undefined, vpcId: undefined}, {id: 'igw-3', logicalId: undefined, vpcId: undefined}])
  })
})

describe('internetGateway.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag', async () => {
    ec2.on(DescribeInternetGatewaysCommand).resolves({InternetGateways: [{InternetGatewayId: 'igw-1', Attachments: [{VpcId: 'vpc-1', State: AVAILABLE}], Tags: tags}]})

    const found = await internetGateway.find(testContext(), findQuery)

    expect(inputs(DescribeInternetGatewaysCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['internet-gateway', observed]])
  })
})

describe('diffInternetGateway', () => {
  it.each([
    ['same vpc', {vpcId: 'vpc-1'}, observed, []],
    ['other vpc', {vpcId: 'vpc-2'}, observed, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: false}]],
    ['detached', {vpcId: 'vpc-1'}, {id: 'igw-1'}, [{field: 'vpcId', before: undefined, after: 'vpc-1', replace: false}]],
  ])('%s', (_name, desired, current, expected) => {
    expect(diffInternetGateway(desired, current)).toEqual(expected)
  })
})

describe('internetGateway.create', () => {
  it('creates with tags, then attaches to the VPC', async () => {
    ec2.on(CreateInternetGatewayCommand).resolves({InternetGateway: {InternetGatewayId: 'igw-new', Attachments: []}})
    ec2.on(AttachInternetGatewayCommand).resolves({})

    const created = await internetGateway.create(testContext(), {vpcId: 'vpc-1'}, meta)

    expect(inputs(CreateInternetGatewayCommand)).toEqual([{TagSpecifications: [{ResourceType: 'internet-gateway', Tags: tags}]}])
    expect(inputs(AttachInternetGatewayCommand)).toEqual([{InternetGatewayId: 'igw-new', VpcId: 'vpc-1'}])
    expect(created).toEqual({id: 'igw-new', logicalId: 'internet-gateway', stack: 'teststack', vpcId: 'vpc-1'})
  })

  it('retries the attach, not the create, while the new id answers NotFound', async () => {
    ec2.on(CreateInternetGatewayCommand).resolves({InternetGateway: {InternetGatewayId: 'igw-new'}})
    ec2.on(AttachInternetGatewayCommand).rejectsOnce(awsError('InvalidInternetGatewayID.NotFound')).resolves({})
    const ctx = testContext()

    await internetGateway.create(ctx, {vpcId: 'vpc-1'}, meta)

    expect(sent()).toEqual(['CreateInternetGateway', 'AttachInternetGateway', 'AttachInternetGateway'])
    expect(ctx.messages).toEqual(['waiting for igw-new to attach to vpc-1: not visible yet, 0s'])
  })
})

describe('internetGateway.update', () => {
  it('moves the gateway to another VPC: detach, then attach', async () => {
    ec2.on(DetachInternetGatewayCommand).resolves({})
    ec2.on(AttachInternetGatewayCommand).resolves({})
    const desired = {vpcId: 'vpc-2'}

    const updated = await internetGateway.update(testContext(), desired, observed, diffInternetGateway(desired, observed))

    expect(sent()).toEqual(['DetachInternetGateway', 'AttachInternetGateway'])
    expect(inputs(DetachInternetGatewayCommand)).toEqual([{InternetGatewayId: 'igw-1', VpcId: 'vpc-1'}])
    expect(inputs(AttachInternetGatewayCommand)).toEqual([{InternetGatewayId: 'igw-1', VpcId: 'vpc-2'}])
    expect(updated).toEqual({...observed, vpcId: 'vpc-2'})
  })

  it('only attaches a gateway that is attached nowhere', async () => {
    ec2.on(AttachInternetGatewayCommand).resolves({})
    const detached = {id: 'igw-1', logicalId: 'internet-gateway'}

    await internetGateway.update(testContext(), {vpcId: 'vpc-1'}, detached, diffInternetGateway({vpcId: 'vpc-1'}, detached))

    expect(sent()).toEqual(['AttachInternetGateway'])
  })

  it('makes no call without changes', async () => {
    expect(await internetGateway.update(testContext(), {vpcId: 'vpc-1'}, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })
})

describe('internetGateway.delete', () => {
  it('detaches, then deletes', async () => {
    ec2.on(DetachInternetGatewayCommand).resolves({})
    ec2.on(DeleteInternetGatewayCommand).resolves({})

    await internetGateway.delete(testContext(), observed, keepData)

    expect(sent()).toEqual(['DetachInternetGateway', 'DeleteInternetGateway'])
    expect(inputs(DeleteInternetGatewayCommand)).toEqual([{InternetGatewayId: 'igw-1'}])
  })

  it('skips the detach for a detached gateway', async () => {
    ec2.on(DeleteInternetGatewayCommand).resolves({})
    await internetGateway.delete(testContext(), {id: 'igw-1'}, keepData)
    expect(sent()).toEqual(['DeleteInternetGateway'])
  })

  it('treats Gateway.NotAttached and NotFound as already done', async () => {
    ec2.on(DetachInternetGatewayCommand).rejects(awsError('Gateway.NotAttached'))
    ec2.on(DeleteInternetGatewayCommand).rejects(awsError('InvalidInternetGatewayID.NotFound'))

    await expect(internetGateway.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
    expect(sent()).toEqual(['DetachInternetGateway', 'DeleteInternetGateway'])
  })

  it('surfaces DependencyViolation from the detach for the engine to retry', async () => {
    ec2.on(DetachInternetGatewayCommand).rejects(awsError('DependencyViolation'))

    await expect(internetGateway.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: 'DependencyViolation'})
    expect(sent()).toEqual(['DetachInternetGateway'])
  })
})

describe('internetGateway.outputs', () => {
  it('exposes id and the VPC', () => {
    expect(internetGateway.outputs(observed)).toEqual({id: 'igw-1', vpcId: 'vpc-1'})
  })
})
