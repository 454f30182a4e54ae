import {createHash} from 'node:crypto'
import {
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {diffSecurityGroup, generatedGroupName, groupNamePrefix, isNamedFrom, securityGroup, type SecurityGroupObserved} from '../../../src/resources/ec2/security-group.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, ownershipTags, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

const tags = ownershipTags('security-group/alb-sg')
const token = '0123456789abcdef0123456789abcdef'
const meta = {logicalId: 'security-group/alb-sg', token, tags}
/** The suffix a group created with `token` gets: 8 hex characters derived from the token. */
const suffix = createHash('sha256').update(token).digest('hex').slice(0, 8)
const desired = {vpcId: 'vpc-1', namePrefix: 'teststack-alb', description: 'ALB'}
const observed: SecurityGroupObserved = {id: 'sg-1', logicalId: 'security-group/alb-sg', stack: 'teststack', vpcId: 'vpc-1', groupName: `teststack-alb-${suffix}`, description: 'ALB'}
const awsGroup = {GroupId: 'sg-1', VpcId: 'vpc-1', GroupName: `teststack-alb-${suffix}`, Description: 'ALB', Tags: tags}

beforeEach(() => {
  ec2.reset()
})

describe('securityGroup.read', () => {
  it('describes many ids in one filtered call and omits gone ids', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [awsGroup, {GroupId: 'sg-2', VpcId: 'vpc-1', GroupName: 'other', Description: 'other'}],
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
        awsGroup,
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
    ['other prefix', {...desired, namePrefix: 'teststack-web'}, [{field: 'namePrefix', before: `teststack-alb-${suffix}`, after: 'teststack-web', replace: true}]],
    ['other description', {...desired, description: 'new'}, [{field: 'description', before: 'ALB', after: 'new', replace: true}]],
    ['other vpc', {...desired, vpcId: 'vpc-2'}, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}]],
  ])('%s', (_name, wanted, expected) => {
    expect(diffSecurityGroup(wanted, observed)).toEqual(expected)
  })

  it('adopts a group named exactly <stack>-<name> by the released version as it is', () => {
    expect(diffSecurityGroup(desired, {...observed, groupName: 'teststack-alb'})).toEqual([])
  })
})

describe('group names', () => {
  it('are the prefix and 8 hex characters derived from the token: the same for one token, different for another', () => {
    expect(generatedGroupName('teststack-alb', token)).toBe(`teststack-alb-${suffix}`)
    expect(generatedGroupName('teststack-alb', token)).toBe(generatedGroupName('teststack-alb', token))
    expect(generatedGroupName('teststack-alb', 'fedcba9876543210fedcba9876543210')).not.toBe(generatedGroupName('teststack-alb', token))
  })

  it.each([
    ['a stack named sg-…', 'sg-prod-web', 'sg_prod-web'],
    ['in any case', 'SG-Prod-web', 'SG_Prod-web'],
    ['characters outside the alphabet', 'stack-web|tier', 'stack-web_tier'],
    ['an ordinary prefix, unchanged', 'teststack-alb', 'teststack-alb'],
  ])('are always valid: %s', (_name, prefix, expected) => {
    expect(groupNamePrefix(prefix)).toBe(expected)
    const name = generatedGroupName(prefix, token)
    expect(name).toMatch(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/)
    expect(name).not.toMatch(/^sg-/i)
    expect(isNamedFrom(prefix, name)).toBe(true)
  })

  it('fit 255 characters whatever the prefix', () => {
    const name = generatedGroupName('x'.repeat(300), token)
    expect(name).toHaveLength(255)
    expect(isNamedFrom('x'.repeat(300), name)).toBe(true)
  })

  it('match their prefix only with a generated suffix', () => {
    expect(isNamedFrom('teststack-alb', 'teststack-alb-0a1b2c3d')).toBe(true)
    expect(isNamedFrom('teststack-alb', 'teststack-alb')).toBe(true)
    // Another group of the stack whose name starts alike.
    expect(isNamedFrom('teststack-alb', 'teststack-alb-internal')).toBe(false)
    expect(isNamedFrom('teststack-alb', 'teststack-alb-0a1b2c3d-x')).toBe(false)
    expect(isNamedFrom('teststack-alb', 'teststack-al')).toBe(false)
  })
})

describe('securityGroup.create', () => {
  it('creates the group under a generated name with its tags and returns it with its owner', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({GroupId: 'sg-new'})

    const created = await securityGroup.create(testContext(), desired, meta)

    expect(inputs(CreateSecurityGroupCommand)).toEqual([{VpcId: 'vpc-1', GroupName: `teststack-alb-${suffix}`, Description: 'ALB', TagSpecifications: [{ResourceType: 'security-group', Tags: tags}]}])
    expect(created).toEqual({...observed, id: 'sg-new'})
    expect(diffSecurityGroup(desired, created)).toEqual([])
  })

  it('never sends a name starting with sg- (a stack named sg-…)', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({GroupId: 'sg-new'})

    await securityGroup.create(testContext(), {...desired, namePrefix: 'sg-prod-alb'}, meta)

    expect(inputs(CreateSecurityGroupCommand)[0]!.GroupName).toBe(`sg_prod-alb-${suffix}`)
  })

  it('adopts the group an earlier attempt with the same token made (InvalidGroup.Duplicate), waiting until describes show it', async () => {
    ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'))
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({SecurityGroups: []})
      .resolves({SecurityGroups: [awsGroup]})
    const ctx = testContext()

    const adopted = await securityGroup.create(ctx, desired, meta)

    expect(adopted).toEqual(observed)
    expect(inputs(DescribeSecurityGroupsCommand)[0]).toEqual({
      Filters: [
        {Name: 'vpc-id', Values: ['vpc-1']},
        {Name: 'group-name', Values: [`teststack-alb-${suffix}`]},
      ],
    })
    expect(ctx.messages).toEqual([`waiting for security group teststack-alb-${suffix}, made by an earlier attempt, to be visible: not visible yet, 0s`])
  })

  it('refuses a group of that name that another stack owns', async () => {
    ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'))
    ec2.on(DescribeSecurityGroupsCommand).resolves({SecurityGroups: [{...awsGroup, Tags: ownershipTags('security-group/alb-sg', 'otherstack')}]})

    await expect(securityGroup.create(testContext(), desired, meta)).rejects.toThrow(
      `security group teststack-alb-${suffix} (sg-1) already exists in vpc-1 and is security-group/alb-sg of stack otherstack, not security-group/alb-sg of stack teststack`,
    )
  })

  it('surfaces other errors', async () => {
    ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidVpcID.NotFound'))
    await expect(securityGroup.create(testContext(), desired, meta)).rejects.toMatchObject({name: 'InvalidVpcID.NotFound'})
    expect(sent()).toEqual(['CreateSecurityGroup'])
  })
})

describe('securityGroup replacement', () => {
  it('is create-before-delete, and create is idempotent by its generated name', () => {
    expect(securityGroup.replaceStrategy).toBe('create-before-delete')
    expect(securityGroup.idempotentCreate).toBe(true)
  })
})

describe('securityGroup.update', () => {
  it('makes no call: nothing is mutable in place', async () => {
    expect(await securityGroup.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })
})

describe('securityGroup.delete', () => {
  /** DescribeSecurityGroups answers by the filter's name: the groups whose rules name sg-1 inbound / outbound. */
  function referencing(ingress: SecurityGroup[], egress: SecurityGroup[] = []) {
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => {
      const name = input.Filters?.[0]?.Name
      return {SecurityGroups: name === 'ip-permission.group-id' ? ingress : name === 'egress.ip-permission.group-id' ? egress : []}
    })
  }
  const web: SecurityGroup = {GroupId: 'sg-web', GroupName: 'teststack-web-0a1b2c3d', VpcId: 'vpc-1', Tags: ownershipTags('security-group/web')}
  const rule = (id: string, groupId: string, peer: string, egress = false): SecurityGroupRule => ({
    SecurityGroupRuleId: id,
    GroupId: groupId,
    IsEgress: egress,
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    ReferencedGroupInfo: {GroupId: peer},
  })

  it('deletes the group, and nothing else when AWS agrees', async () => {
    ec2.on(DeleteSecurityGroupCommand).resolves({})
    await securityGroup.delete(testContext(), observed, keepData)
    expect(inputs(DeleteSecurityGroupCommand)).toEqual([{GroupId: 'sg-1'}])
    expect(sent()).toEqual(['DeleteSecurityGroup'])
  })

  it('treats NotFound as already deleted', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('InvalidGroup.NotFound'))
    await expect(securityGroup.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })

  it("revokes the stack's other groups' rules that reference it (found through the groups), then deletes it", async () => {
    ec2.on(DeleteSecurityGroupCommand).rejectsOnce(awsError('DependencyViolation')).resolves({})
    // sg-web names sg-1 inbound and outbound; sg-1 names itself (goes with it).
    referencing([web, awsGroup], [web])
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [rule('sgr-in', 'sg-web', 'sg-1'), rule('sgr-out', 'sg-web', 'sg-1', true), rule('sgr-keep', 'sg-web', 'sg-db')],
    })
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({Return: true})
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({Return: true})

    await securityGroup.delete(testContext(), observed, keepData)

    expect(inputs(DescribeSecurityGroupsCommand).map((input) => input.Filters)).toEqual([[{Name: 'ip-permission.group-id', Values: ['sg-1']}], [{Name: 'egress.ip-permission.group-id', Values: ['sg-1']}]])
    expect(inputs(DescribeSecurityGroupRulesCommand)).toEqual([{Filters: [{Name: 'group-id', Values: ['sg-web']}]}])
    expect(inputs(RevokeSecurityGroupIngressCommand)).toEqual([{GroupId: 'sg-web', SecurityGroupRuleIds: ['sgr-in']}])
    expect(inputs(RevokeSecurityGroupEgressCommand)).toEqual([{GroupId: 'sg-web', SecurityGroupRuleIds: ['sgr-out']}])
    expect(sent().at(-1)).toBe('DeleteSecurityGroup')
    expect(inputs(DeleteSecurityGroupCommand)).toHaveLength(2)
  })

  it("never touches another stack's or an unmanaged group's rules, and names them in the DependencyViolation", async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'))
    const foreign: SecurityGroup = {GroupId: 'sg-other', GroupName: 'other-web', VpcId: 'vpc-1', Tags: ownershipTags('security-group/web', 'otherstack')}
    const unmanaged: SecurityGroup = {GroupId: 'sg-hand', GroupName: 'bastion', VpcId: 'vpc-1'}
    referencing([foreign], [unmanaged])

    const error = await securityGroup.delete(testContext(), observed, keepData).catch((caught: unknown) => caught)

    expect(error).toMatchObject({name: 'DependencyViolation'})
    expect(securityGroup.classifyError(error)).toBe('in-use')
    expect((error as Error).message).toBe(
      `security group sg-1 (teststack-alb-${suffix}) is referenced by rules of sg-other (other-web, stack otherstack), sg-hand (bastion), outside stack teststack; ` +
        'containrlab leaves those alone: remove their rules that name sg-1, then run again',
    )
    expect(sent()).toEqual(['DeleteSecurityGroup', 'DescribeSecurityGroups', 'DescribeSecurityGroups'])
  })

  it("surfaces AWS's DependencyViolation as it is when neither another group's rule nor a network interface holds it", async () => {
    // (network-interfaces.test.ts: when network interfaces hold it, the error names them.)
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'))
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: []})
    referencing([])
    await expect(securityGroup.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: 'DependencyViolation', message: 'DependencyViolation (test)'})
    expect(inputs(DeleteSecurityGroupCommand)).toHaveLength(1)
    expect(inputs(DescribeNetworkInterfacesCommand)).toEqual([{Filters: [{Name: 'group-id', Values: ['sg-1']}], IncludeManagedResources: true}])
  })

  it('surfaces other errors at once', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('UnauthorizedOperation'))
    await expect(securityGroup.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: 'UnauthorizedOperation'})
    expect(sent()).toEqual(['DeleteSecurityGroup'])
  })
})

describe('securityGroup.outputs', () => {
  it('exposes id and group name', () => {
    expect(securityGroup.outputs(observed)).toEqual({id: 'sg-1', groupName: `teststack-alb-${suffix}`, vpcId: 'vpc-1'})
  })
})
