import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  ListenerNotFoundException,
  ModifyRuleCommand,
  PriorityInUseException,
  type Rule,
  RuleNotFoundException,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {ListenerRuleDesired, ListenerRulesDesired} from '../../../src/resources/elbv2/desired.js'
import {diffListenerRules, isEmptyPlan, listenerRules, type ListenerRuleObserved, type ListenerRulesObserved, planRules} from '../../../src/resources/elbv2/listener-rules.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData} from '../../helpers/ec2-mock.js'
import {elbError, elbv2Mock, listenerArn, ruleArn, tgArn} from './elbv2-mock.js'

const {elbv2, inputs, sent, mutations} = elbv2Mock()

const listener = listenerArn()
const api = tgArn('teststack-api-0a1b2c3d')
const web = tgArn('teststack-web-0a1b2c3d', '1111111111111111')
const meta = {logicalId: 'listener-rules/https', token: '0123456789abcdef0123456789abcdef', tags: []}

const want = (priority: number, hosts: string[], paths: string[], targetGroupArn = api): ListenerRuleDesired => ({priority, hosts, paths, targetGroupArn})
const live = (id: string, priority: number, hosts: string[], paths: string[], targetGroupArn = api): ListenerRuleObserved => ({
  arn: ruleArn(id),
  priority,
  hosts,
  paths,
  action: {type: 'forward', targetGroupArn},
})
const rulesOf = (...rules: ListenerRuleObserved[]): ListenerRulesObserved => ({id: listener, rules})
const desiredOf = (...rules: ListenerRuleDesired[]): ListenerRulesDesired => ({listenerArn: listener, rules})

/** A rule as DescribeRules answers it. */
function awsRule(rule: ListenerRuleObserved): Rule {
  const conditions = []
  if (rule.hosts.length > 0) conditions.push({Field: 'host-header', Values: rule.hosts, HostHeaderConfig: {Values: rule.hosts}})
  if (rule.paths.length > 0) conditions.push({Field: 'path-pattern', Values: rule.paths, PathPatternConfig: {Values: rule.paths}})
  const target = rule.action.type === 'forward' ? rule.action.targetGroupArn : ''
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    IsDefault: false,
    Conditions: conditions,
    Actions: [{Type: 'forward', TargetGroupArn: target, ForwardConfig: {TargetGroups: [{TargetGroupArn: target, Weight: 1}]}}],
  }
}
const defaultRule: Rule = {RuleArn: ruleArn('default0default0'), Priority: 'default', IsDefault: true, Conditions: [], Actions: [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '404'}}]}

const a = live('aaaaaaaaaaaaaaaa', 1, ['a.example.com'], [])
const b = live('bbbbbbbbbbbbbbbb', 2, ['b.example.com'], [], web)

beforeEach(() => {
  elbv2.reset()
})

describe('planRules', () => {
  it('nothing to do when the rules are as desired (hosts compared in lower case, values in any order)', () => {
    const plan = planRules(desiredOf(want(1, ['A.example.com'], []), want(2, ['b.example.com'], [], web)), rulesOf(a, b))
    expect(isEmptyPlan(plan)).toBe(true)
  })

  it('reordering two rules is one move each, no create, no delete', () => {
    const plan = planRules(desiredOf(want(1, ['b.example.com'], [], web), want(2, ['a.example.com'], [])), rulesOf(a, b))
    expect(plan).toEqual({
      remove: [],
      modify: [],
      move: [
        {rule: b, to: 1},
        {rule: a, to: 2},
      ],
      add: [],
    })
  })

  it('inserting a rule at the top moves the others down and adds it', () => {
    const plan = planRules(desiredOf(want(1, [], ['/new/*']), want(2, ['a.example.com'], []), want(3, ['b.example.com'], [], web)), rulesOf(a, b))
    expect(plan).toEqual({
      remove: [],
      modify: [],
      move: [
        {rule: a, to: 2},
        {rule: b, to: 3},
      ],
      add: [{priority: 1, hosts: [], paths: ['/new/*'], targetGroupArn: api}],
    })
  })

  it('a rule that now forwards elsewhere is modified, not replaced', () => {
    const plan = planRules(desiredOf(want(1, ['a.example.com'], [], web)), rulesOf(a))
    expect(plan).toEqual({remove: [], modify: [{rule: a, to: {priority: 1, hosts: ['a.example.com'], paths: [], targetGroupArn: web}}], move: [], add: []})
  })

  it('a rule with other conditions at the same priority is modified in place', () => {
    const plan = planRules(desiredOf(want(1, ['c.example.com'], ['/api/*'])), rulesOf(a))
    expect(plan.modify).toEqual([{rule: a, to: {priority: 1, hosts: ['c.example.com'], paths: ['/api/*'], targetGroupArn: api}}])
    expect(plan.remove).toEqual([])
    expect(plan.add).toEqual([])
  })

  it('removes the rules nothing desires, whatever their conditions', () => {
    const foreign: ListenerRuleObserved = {...live('cccccccccccccccc', 7, [], []), otherConditions: '[{"Field":"source-ip"}]'}
    const plan = planRules(desiredOf(want(1, ['a.example.com'], [])), rulesOf(a, foreign))
    expect(plan).toEqual({remove: [foreign], modify: [], move: [], add: []})
  })

  it('prefers, among rules with the same conditions, the one already at the desired priority', () => {
    const twin = live('dddddddddddddddd', 5, ['a.example.com'], [])
    const plan = planRules(desiredOf(want(5, ['a.example.com'], [])), rulesOf(a, twin))
    expect(plan).toEqual({remove: [a], modify: [], move: [], add: []})
  })
})

describe('diffListenerRules', () => {
  it('no change', () => {
    expect(diffListenerRules(desiredOf(want(1, ['a.example.com'], []), want(2, ['b.example.com'], [], web)), rulesOf(a, b))).toEqual([])
  })

  it('shows added and removed rules as items, a changed one as the rule it was and the rule it becomes, a move as its priority', () => {
    const changes = diffListenerRules(desiredOf(want(1, [], ['/new/*']), want(2, ['a.example.com'], [], web), want(3, ['b.example.com'], [], web)), rulesOf(a, b, live('eeeeeeeeeeeeeeee', 9, ['old.example.com'], [])))
    expect(changes).toEqual([
      {field: 'rules', before: '9: host old.example.com → forward to teststack-api-0a1b2c3d', after: undefined, replace: false},
      {field: 'rules', before: '1: host a.example.com → forward to teststack-api-0a1b2c3d', after: undefined, replace: false},
      {field: 'rules', before: undefined, after: '2: host a.example.com → forward to teststack-web-0a1b2c3d', replace: false},
      {field: 'priority of host b.example.com', before: 2, after: 3, replace: false},
      {field: 'rules', before: undefined, after: '1: path /new/* → forward to teststack-api-0a1b2c3d', replace: false},
    ])
  })

  it('another listener replaces the rules', () => {
    expect(diffListenerRules({listenerArn: listenerArn('9999999999999999'), rules: []}, rulesOf(a))).toEqual([{field: 'listenerArn', before: listener, after: listenerArn('9999999999999999'), replace: true}])
  })
})

describe('listenerRules.read', () => {
  it('reads each listener’s rules, page by page, leaving its default rule out', async () => {
    elbv2
      .on(DescribeRulesCommand)
      .resolvesOnce({Rules: [awsRule(a)], NextMarker: 'page-2'})
      .resolves({Rules: [awsRule(b), defaultRule]})

    const found = await listenerRules.read(testContext(), [listener])

    expect(found.get(listener)).toEqual(rulesOf(a, b))
    expect(inputs(DescribeRulesCommand).at(-1)).toEqual({ListenerArn: listener, PageSize: 400, Marker: 'page-2'})
  })

  it('keeps conditions it does not make, so that the rule matches no desired one', async () => {
    elbv2.on(DescribeRulesCommand).resolves({Rules: [{...awsRule(a), Conditions: [{Field: 'source-ip', SourceIpConfig: {Values: ['10.0.0.0/8']}}]}]})

    const rule = (await listenerRules.read(testContext(), [listener])).get(listener)!.rules[0]!

    expect(rule).toEqual({...a, hosts: [], otherConditions: '[{"Field":"source-ip","SourceIpConfig":{"Values":["10.0.0.0/8"]}}]'})
  })

  it('omits a listener that is gone', async () => {
    elbv2.on(DescribeRulesCommand).rejects(elbError(ListenerNotFoundException))

    expect((await listenerRules.read(testContext(), [listener])).size).toBe(0)
  })

  it('find returns nothing: rules are read through their listener', async () => {
    expect(await listenerRules.find(testContext(), findQuery)).toEqual([])
    expect(sent()).toEqual([])
  })
})

describe('listenerRules.update', () => {
  it('makes no call when the rules are as desired', async () => {
    const observed = rulesOf(a, b)
    expect(await listenerRules.update(testContext(), desiredOf(want(1, ['a.example.com'], []), want(2, ['b.example.com'], [], web)), observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('reorders two rules with one SetRulePriorities', async () => {
    elbv2.on(SetRulePrioritiesCommand).resolves({})

    const updated = await listenerRules.update(testContext(), desiredOf(want(1, ['b.example.com'], [], web), want(2, ['a.example.com'], [])), rulesOf(a, b), [])

    expect(mutations()).toEqual(['SetRulePriorities'])
    expect(inputs(SetRulePrioritiesCommand)).toEqual([
      {
        RulePriorities: [
          {RuleArn: b.arn, Priority: 1},
          {RuleArn: a.arn, Priority: 2},
        ],
      },
    ])
    expect(updated.rules.map((rule) => [rule.arn, rule.priority])).toEqual([
      [b.arn, 1],
      [a.arn, 2],
    ])
  })

  it('inserts a rule at the top: moves the others out of its way first, then creates it at its priority', async () => {
    elbv2.on(SetRulePrioritiesCommand).resolves({})
    elbv2.on(CreateRuleCommand).resolves({Rules: [{RuleArn: ruleArn('ffffffffffffffff')}]})

    const updated = await listenerRules.update(testContext(), desiredOf(want(1, [], ['/new/*']), want(2, ['a.example.com'], []), want(3, ['b.example.com'], [], web)), rulesOf(a, b), [])

    expect(mutations()).toEqual(['SetRulePriorities', 'CreateRule'])
    expect(inputs(CreateRuleCommand)).toEqual([{ListenerArn: listener, Priority: 1, Conditions: [{Field: 'path-pattern', PathPatternConfig: {Values: ['/new/*']}}], Actions: [{Type: 'forward', TargetGroupArn: api}]}])
    expect(diffListenerRules(desiredOf(want(1, [], ['/new/*']), want(2, ['a.example.com'], []), want(3, ['b.example.com'], [], web)), updated)).toEqual([])
  })

  it('deletes a removed rule before moving the next one into its priority', async () => {
    elbv2.on(DeleteRuleCommand).resolves({})
    elbv2.on(SetRulePrioritiesCommand).resolves({})

    await listenerRules.update(testContext(), desiredOf(want(1, ['b.example.com'], [], web)), rulesOf(a, b), [])

    expect(mutations()).toEqual(['DeleteRule', 'SetRulePriorities'])
    expect(inputs(DeleteRuleCommand)).toEqual([{RuleArn: a.arn}])
  })

  it('modifies only the actions of a rule that forwards elsewhere', async () => {
    elbv2.on(ModifyRuleCommand).resolves({})

    await listenerRules.update(testContext(), desiredOf(want(1, ['a.example.com'], [], web)), rulesOf(a), [])

    expect(inputs(ModifyRuleCommand)).toEqual([{RuleArn: a.arn, Actions: [{Type: 'forward', TargetGroupArn: web}]}])
  })

  it('modifies only the conditions of a rule that matches other requests', async () => {
    elbv2.on(ModifyRuleCommand).resolves({})

    await listenerRules.update(testContext(), desiredOf(want(1, ['a.example.com'], ['/v2/*'])), rulesOf(a), [])

    expect(inputs(ModifyRuleCommand)).toEqual([
      {
        RuleArn: a.arn,
        Conditions: [
          {Field: 'host-header', HostHeaderConfig: {Values: ['a.example.com']}},
          {Field: 'path-pattern', PathPatternConfig: {Values: ['/v2/*']}},
        ],
      },
    ])
  })

  it('re-reads and plans again once when its picture was stale (PriorityInUse)', async () => {
    const intruder = live('9999999999999999', 1, ['x.example.com'], [])
    elbv2
      .on(CreateRuleCommand)
      .rejectsOnce(elbError(PriorityInUseException))
      .resolves({Rules: [{RuleArn: ruleArn('ffffffffffffffff')}]})
    elbv2.on(DescribeRulesCommand).resolves({Rules: [awsRule(intruder), defaultRule]})
    elbv2.on(ModifyRuleCommand).resolves({})

    await listenerRules.update(testContext(), desiredOf(want(1, ['a.example.com'], [])), rulesOf(), [])

    // The rule added by hand at priority 1 is made the desired one.
    expect(mutations()).toEqual(['CreateRule', 'ModifyRule'])
    expect(inputs(ModifyRuleCommand)).toEqual([{RuleArn: intruder.arn, Conditions: [{Field: 'host-header', HostHeaderConfig: {Values: ['a.example.com']}}]}])
  })

  it('counts a rule deleted by hand meanwhile as deleted', async () => {
    elbv2.on(DeleteRuleCommand).rejects(elbError(RuleNotFoundException))

    await listenerRules.update(testContext(), desiredOf(), rulesOf(a), [])

    expect(mutations()).toEqual(['DeleteRule'])
  })

  it.each([
    ['two rules at one priority', desiredOf(want(1, ['a.example.com'], []), want(1, ['b.example.com'], [])), 'two listener rules have priority 1'],
    ['a priority out of range', desiredOf(want(50_001, ['a.example.com'], [])), 'listener rule priority 50001 is outside 1–50000'],
    ['a rule without condition', desiredOf(want(1, [], [])), 'listener rule 1 has no host and no path'],
  ])('refuses %s before any call', async (_name, wanted, message) => {
    await expect(listenerRules.update(testContext(), wanted, rulesOf(a), [])).rejects.toThrow(message)
    expect(sent()).toEqual([])
  })
})

describe('listenerRules.create', () => {
  it('reads what the listener has and converges it', async () => {
    elbv2.on(DescribeRulesCommand).resolves({Rules: [awsRule(a), defaultRule]})

    const created = await listenerRules.create(testContext(), desiredOf(want(1, ['a.example.com'], [])), meta)

    expect(created).toEqual(rulesOf(a))
    expect(mutations()).toEqual([])
  })

  it('throws ListenerNotFound (retried by the engine) for a listener not visible yet', async () => {
    elbv2.on(DescribeRulesCommand).rejects(elbError(ListenerNotFoundException))

    const error = await listenerRules.create(testContext(), desiredOf(), meta).catch((caught: unknown) => caught)

    expect(listenerRules.classifyError(error)).toBe('not-found')
  })
})

describe('listenerRules.delete', () => {
  it('deletes every rule it reads afresh, never the default one', async () => {
    elbv2.on(DescribeRulesCommand).resolves({Rules: [awsRule(a), awsRule(b), defaultRule]})
    elbv2.on(DeleteRuleCommand).resolves({})

    await listenerRules.delete(testContext(), rulesOf(a), keepData)

    expect(inputs(DeleteRuleCommand)).toEqual([{RuleArn: a.arn}, {RuleArn: b.arn}])
  })

  it('is done when the listener is gone (its rules with it)', async () => {
    elbv2.on(DescribeRulesCommand).rejects(elbError(ListenerNotFoundException))

    await listenerRules.delete(testContext(), rulesOf(a), keepData)

    expect(mutations()).toEqual([])
  })
})
