import {CreateSecurityGroupCommand, DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffSecurityGroup, securityGroup, type SecurityGroupObserved} from '../../../src/resources/ec2/security-group.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

const tags = ownershipTags('security-group/alb-sg')
const meta = {logicalId: 'security-group/alb-sg', token: 'token-1', tags}
const desired = {vpcId: 'vpc-1', groupName: 'teststack-alb', description: 'ALB'}
const observed: SecurityGroupObserved = {id: 'sg-1', logicalId: 'security-group/alb-sg', stack: 'teststack', ...desired}

beforeEach(() => {
  ec2.reset()
})

describe('securityGroup.read', () => {
  it('describes many ids in one filtered call and omits gone ids', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {GroupId: 'sg-1', VpcId: 'vpc-1', GroupName: 'teststack-alb', Description: 'ALB', Tags: tags},
        {GroupId: 'sg-2', VpcId: 'vpc-1', GroupName: 'other', Description: 'other'},
      ],
    })

    const found = await securityGroup.read(testContext(), ['sg-1', 'sg-2', 'sg-gone'])

    expect(inputs(DescribeSecurityGroupsCommand)).toEqual([{Filters: [{Name: 'group-id', Values: ['sg-1', 'sg-2', 'sg-gone']}]}])
    expect(found.get('sg-1')).toEqual(observed)
    expect(found.get('sg-2')).toEqual({id: 'sg-2', logicalId: undefined, vpcId: 'vpc-1', groupName: 'other', description: 'other'})
    expect(found.has('sg-gone')).toBe(false)
  })

  it('chunks more than 200 ids into several filtered calls', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({SecurityGroups: []})
    const ids = Array.from({length: 201}, (_, i) => `sg-${i}`)

    await securityGroup.read(testContext(), ids)

    expect(inputs(DescribeSecurityGroupsCommand).map((input) => input.Filters![0]!.Values!.length)).toEqual([200, 1])
  })
})

describe('securityGroup.find', () => {
  it('filters by the stack tag and keys by the containrlab:id tag', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {GroupId: 'sg-1', VpcId: 'vpc-1', GroupName: 'teststack-alb', Description: 'ALB', Tags: tags},
        // Tagged with the stack but not by us with a logical id: not adoptable.
        {GroupId: 'sg-9', VpcId: 'vpc-1', GroupName: 'x', Description: 'x', Tags: [tags[0]!]},
      ],
    })

    const found = await securityGroup.find(testContext(), findQuery)

    expect(inputs(DescribeSecurityGroupsCommand)).toEqual([{Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]}])
    expect(found.map((o) => [o.logicalId, o])).toEqual([['security-group/alb-sg', observed]])
  })
})

describe('diffSecurityGroup', () => {
  it.each([
    ['no change', desired, []],
    ['other name', {...desired, groupName: 'renamed'}, [{field: 'groupName', before: 'teststack-alb', after: 'renamed', replace: true}]],
    ['other description', {...desired, description: 'new'}, [{field: 'description', before: 'ALB', after: 'new', replace: true}]],
    ['other vpc', {...desired, vpcId: 'vpc-2'}, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}]],
  ])('%s', (_name, wanted, expected) => {
    expect(diffSecurityGroup(wanted, observed)).toEqual(expected)
  })
})

describe('securityGroup.create', () => {
  it('creates the group with its tags and returns its id', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({GroupId: 'sg-new'})

    const created = await securityGroup.create(testContext(), desired, meta)

    expect(inputs(CreateSecurityGroupCommand)).toEqual([
      {VpcId: 'vpc-1', GroupName: 'teststack-alb', Description: 'ALB', TagSpecifications: [{ResourceType: 'security-group', Tags: tags}]},
    ])
    expect(created).toEqual({...observed, id: 'sg-new'})
  })
})

describe('securityGroup.update', () => {
  it('makes no call: nothing is mutable in place', async () => {
    expect(await securityGroup.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })
})

describe('securityGroup.delete', () => {
  it('deletes the group', async () => {
    ec2.on(DeleteSecurityGroupCommand).resolves({})
    await securityGroup.delete(testContext(), observed, keepData)
    expect(inputs(DeleteSecurityGroupCommand)).toEqual([{GroupId: 'sg-1'}])
  })

  it('treats NotFound as already deleted', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('InvalidGroup.NotFound'))
    await expect(securityGroup.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })

  it('surfaces DependencyViolation for the engine to retry', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'))
    await expect(securityGroup.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: 'DependencyViolation'})
    expect(sent()).toEqual(['DeleteSecurityGroup'])
  })
})

describe('securityGroup.outputs', () => {
  it('exposes id and group name', () => {
    expect(securityGroup.outputs(observed)).toEqual({id: 'sg-1', groupName: 'teststack-alb', vpcId: 'vpc-1'})
  })
})
