import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {SecurityGroupRuleDesired, SecurityGroupRulesDesired} from '../../../src/resources/ec2/desired.js'
import {diffSecurityGroupRules, securityGroupRules, type SecurityGroupRulesObserved} from '../../../src/resources/ec2/security-group-rules.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, findQuery, keepData} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

/** AWS's own rule for a new group: all traffic out to anywhere. */
const defaultEgress: SecurityGroupRule = {SecurityGroupRuleId: 'sgr-egress', GroupId: 'sg-1', IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0'}
const https: SecurityGroupRule = {SecurityGroupRuleId: 'sgr-https', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0', Description: 'public'}
const fromTasks: SecurityGroupRule = {SecurityGroupRuleId: 'sgr-tasks', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 8000, ToPort: 8000, ReferencedGroupInfo: {GroupId: 'sg-2'}}

const allOut: SecurityGroupRuleDesired = {protocol: 'all', fromPort: 0, toPort: 0, cidr: '0.0.0.0/0'}
const httpsIn: SecurityGroupRuleDesired = {protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'public'}
const tasksIn: SecurityGroupRuleDesired = {protocol: 'tcp', fromPort: 8000, toPort: 8000, sourceGroupId: 'sg-2'}

const observed: SecurityGroupRulesObserved = {
  id: 'sg-1',
  ingress: [
    {ruleId: 'sgr-https', protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'public'},
    {ruleId: 'sgr-tasks', protocol: 'tcp', fromPort: 8000, toPort: 8000, sourceGroupId: 'sg-2', description: ''},
  ],
  egress: [{ruleId: 'sgr-egress', protocol: 'all', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0', description: ''}],
}
const desired: SecurityGroupRulesDesired = {groupId: 'sg-1', ingress: [httpsIn, tasksIn], egress: [allOut]}

beforeEach(() => {
  ec2.reset()
})

describe('securityGroupRules.read', () => {
  it('reads the rules of many groups in one filtered call; existence of rule-less groups in one more', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [https, defaultEgress, fromTasks, {...defaultEgress, SecurityGroupRuleId: 'sgr-x', GroupId: 'sg-3'}]})
    ec2.on(DescribeSecurityGroupsCommand).resolves({SecurityGroups: [{GroupId: 'sg-empty'}]})

    const found = await securityGroupRules.read(testContext(), ['sg-1', 'sg-3', 'sg-empty', 'sg-gone'])

    expect(inputs(DescribeSecurityGroupRulesCommand)).toEqual([{Filters: [{Name: 'group-id', Values: ['sg-1', 'sg-3', 'sg-empty', 'sg-gone']}]}])
    // Only groups that showed no rule are checked for existence.
    expect(inputs(DescribeSecurityGroupsCommand)).toEqual([{Filters: [{Name: 'group-id', Values: ['sg-empty', 'sg-gone']}]}])
    expect(found.get('sg-1')).toEqual(observed)
    expect(found.get('sg-3')?.egress.map((rule) => rule.ruleId)).toEqual(['sgr-x'])
    expect(found.get('sg-empty')).toEqual({id: 'sg-empty', ingress: [], egress: []})
    expect(found.has('sg-gone')).toBe(false)
  })

  it('makes a single call when every group has rules', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [https, defaultEgress, fromTasks]})

    await securityGroupRules.read(testContext(), ['sg-1'])

    expect(sent()).toEqual(['DescribeSecurityGroupRules'])
  })
})

describe('securityGroupRules.find', () => {
  it('returns nothing: rules carry no tags and are read through their group', async () => {
    expect((await securityGroupRules.find(testContext(), findQuery)).length).toBe(0)
    expect(sent()).toEqual([])
  })
})

describe('diffSecurityGroupRules', () => {
  it.each<[string, SecurityGroupRulesDesired, unknown[]]>([
    ['no change', desired, []],
    ['no change, other order, ports of `all` ignored', {groupId: 'sg-1', ingress: [tasksIn, httpsIn], egress: [{...allOut, fromPort: 5, toPort: 9}]}, []],
    ['a rule listed twice is one rule', {...desired, ingress: [httpsIn, tasksIn, httpsIn]}, []],
    ['added ingress', {...desired, ingress: [httpsIn, tasksIn, {protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '0.0.0.0/0'}]}, [{field: 'ingress', before: undefined, after: 'tcp 80 from 0.0.0.0/0', replace: false}]],
    ['removed ingress', {...desired, ingress: [httpsIn]}, [{field: 'ingress', before: 'tcp 8000 from sg-2', after: undefined, replace: false}]],
    ['default egress not wanted', {...desired, egress: []}, [{field: 'egress', before: 'all to 0.0.0.0/0', after: undefined, replace: false}]],
    [
      'other port is another rule',
      {...desired, ingress: [{...httpsIn, fromPort: 8443, toPort: 8443}, tasksIn]},
      [
        {field: 'ingress', before: 'tcp 443 from 0.0.0.0/0', after: undefined, replace: false},
        {field: 'ingress', before: undefined, after: 'tcp 8443 from 0.0.0.0/0', replace: false},
      ],
    ],
    ['description only: in place', {...desired, ingress: [{...httpsIn, description: 'internet'}, tasksIn]}, [{field: 'ingress tcp 443 from 0.0.0.0/0 description', before: 'public', after: 'internet', replace: false}]],
    ['another group', {...desired, groupId: 'sg-9'}, [{field: 'groupId', before: 'sg-1', after: 'sg-9', replace: true}]],
  ])('%s', (_name, wanted, expected) => {
    expect(diffSecurityGroupRules(wanted, observed)).toEqual(expected)
  })
})

describe('securityGroupRules when their group is replaced', () => {
  it('are replaced create-before-delete: the new group gets its rules before anything moves to it; the old rules go with the old group', async () => {
    expect(diffSecurityGroupRules({...desired, groupId: 'sg-new'}, observed)).toEqual([{field: 'groupId', before: 'sg-1', after: 'sg-new', replace: true}])
    expect(securityGroupRules.replaceStrategy).toBe('create-before-delete')
    // At the end of the run the old rules' delete finds the old group gone: done, nothing else called.
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidGroup.NotFound'))
    await securityGroupRules.delete(testContext(), observed, keepData)
    expect(sent()).toEqual(['RevokeSecurityGroupIngress'])
  })
})

describe('securityGroupRules.create', () => {
  it('removes AWS default egress rule when the desired egress does not include it', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [defaultEgress]})
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({Return: true})
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({Return: true, SecurityGroupRules: [https, fromTasks]})

    const created = await securityGroupRules.create(testContext(), {groupId: 'sg-1', ingress: [httpsIn, tasksIn], egress: []}, {logicalId: 'rules/alb', token: 't', tags: []})

    expect(sent()).toEqual(['DescribeSecurityGroupRules', 'RevokeSecurityGroupEgress', 'AuthorizeSecurityGroupIngress'])
    expect(inputs(RevokeSecurityGroupEgressCommand)).toEqual([{GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-egress']}])
    // Both new rules in one call.
    expect(inputs(AuthorizeSecurityGroupIngressCommand)).toEqual([
      {
        GroupId: 'sg-1',
        IpPermissions: [
          {IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{CidrIp: '0.0.0.0/0', Description: 'public'}]},
          {IpProtocol: 'tcp', FromPort: 8000, ToPort: 8000, UserIdGroupPairs: [{GroupId: 'sg-2', Description: undefined}]},
        ],
      },
    ])
    expect(created).toEqual({...observed, egress: []})
  })

  it('keeps the default egress rule when it is desired', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [defaultEgress]})
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({Return: true, SecurityGroupRules: [https, fromTasks]})

    const created = await securityGroupRules.create(testContext(), desired, {logicalId: 'rules/alb', token: 't', tags: []})

    expect(sent()).toEqual(['DescribeSecurityGroupRules', 'AuthorizeSecurityGroupIngress'])
    expect(created).toEqual(observed)
  })

  it('converges from a partly applied earlier create without repeating what is there', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [https, defaultEgress]})
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({Return: true, SecurityGroupRules: [fromTasks]})

    await securityGroupRules.create(testContext(), desired, {logicalId: 'rules/alb', token: 't', tags: []})

    expect(inputs(AuthorizeSecurityGroupIngressCommand)).toEqual([{GroupId: 'sg-1', IpPermissions: [{IpProtocol: 'tcp', FromPort: 8000, ToPort: 8000, UserIdGroupPairs: [{GroupId: 'sg-2', Description: undefined}]}]}])
  })

  it('answers NotFound (which the engine retries) while the group is not visible yet', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: []})
    ec2.on(DescribeSecurityGroupsCommand).resolves({SecurityGroups: []})

    await expect(securityGroupRules.create(testContext(), desired, {logicalId: 'rules/alb', token: 't', tags: []})).rejects.toMatchObject({name: 'InvalidGroup.NotFound'})
    expect(sent()).toEqual(['DescribeSecurityGroupRules', 'DescribeSecurityGroups'])
  })
})

describe('securityGroupRules.update', () => {
  it('revokes before it authorizes, one call per direction, then changes descriptions', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({Return: true})
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({
      Return: true,
      SecurityGroupRules: [{SecurityGroupRuleId: 'sgr-80', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIpv4: '0.0.0.0/0'}],
    })
    ec2.on(AuthorizeSecurityGroupEgressCommand).resolves({
      Return: true,
      SecurityGroupRules: [{SecurityGroupRuleId: 'sgr-dns', GroupId: 'sg-1', IsEgress: true, IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIpv4: '10.0.0.2/32'}],
    })
    ec2.on(ModifySecurityGroupRulesCommand).resolves({Return: true})
    const wanted: SecurityGroupRulesDesired = {
      groupId: 'sg-1',
      ingress: [
        {...httpsIn, description: 'internet'},
        {protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '0.0.0.0/0'},
      ],
      egress: [allOut, {protocol: 'udp', fromPort: 53, toPort: 53, cidr: '10.0.0.2/32'}],
    }

    const updated = await securityGroupRules.update(testContext(), wanted, observed, diffSecurityGroupRules(wanted, observed))

    expect(sent()).toEqual(['RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'ModifySecurityGroupRules'])
    expect(inputs(RevokeSecurityGroupIngressCommand)).toEqual([{GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-tasks']}])
    expect(inputs(ModifySecurityGroupRulesCommand)).toEqual([
      {
        GroupId: 'sg-1',
        SecurityGroupRules: [{SecurityGroupRuleId: 'sgr-https', SecurityGroupRule: {IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0', Description: 'internet'}}],
      },
    ])
    expect(updated.ingress.map((rule) => [rule.ruleId, rule.description])).toEqual([
      ['sgr-https', 'internet'],
      ['sgr-80', ''],
    ])
    expect(updated.egress.map((rule) => rule.ruleId)).toEqual(['sgr-egress', 'sgr-dns'])
  })

  it('makes no call when equal', async () => {
    expect(await securityGroupRules.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('re-reads and re-plans once when AWS says a rule to add already exists', async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.Duplicate'))
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [https, fromTasks, defaultEgress, {...https, SecurityGroupRuleId: 'sgr-80', FromPort: 80, ToPort: 80, Description: undefined}]})
    const wanted = {...desired, ingress: [httpsIn, tasksIn, {protocol: 'tcp' as const, fromPort: 80, toPort: 80, cidr: '0.0.0.0/0'}]}

    const updated = await securityGroupRules.update(testContext(), wanted, observed, diffSecurityGroupRules(wanted, observed))

    expect(sent()).toEqual(['AuthorizeSecurityGroupIngress', 'DescribeSecurityGroupRules'])
    expect(updated.ingress.map((rule) => rule.ruleId)).toEqual(['sgr-https', 'sgr-tasks', 'sgr-80'])
  })
})

describe('securityGroupRules.delete', () => {
  it('revokes every rule of the group', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({Return: true})
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({Return: true})

    await securityGroupRules.delete(testContext(), observed, keepData)

    expect(inputs(RevokeSecurityGroupIngressCommand)).toEqual([{GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-https', 'sgr-tasks']}])
    expect(inputs(RevokeSecurityGroupEgressCommand)).toEqual([{GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-egress']}])
  })

  it('treats a group that is gone as done', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidGroup.NotFound'))

    await expect(securityGroupRules.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
    expect(sent()).toEqual(['RevokeSecurityGroupIngress'])
  })

  it('re-reads once when a rule id is stale and revokes what is left', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejectsOnce(awsError('InvalidSecurityGroupRuleId.NotFound')).resolves({Return: true})
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({Return: true})
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({SecurityGroupRules: [https, defaultEgress]})

    await securityGroupRules.delete(testContext(), observed, keepData)

    expect(sent()).toEqual(['RevokeSecurityGroupIngress', 'DescribeSecurityGroupRules', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress'])
    expect(inputs(RevokeSecurityGroupIngressCommand)[1]).toEqual({GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-https']})
  })

  it('surfaces other errors', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation'))
    await expect(securityGroupRules.delete(testContext(), observed, keepData)).rejects.toMatchObject({name: 'UnauthorizedOperation'})
  })
})

describe('securityGroupRules.outputs', () => {
  it('exposes the group id', () => {
    expect(securityGroupRules.outputs(observed)).toEqual({id: 'sg-1'})
  })
})
