import {
  CreateRuleCommand,
  DeleteRuleCommand,
  ListenerNotFoundException,
  ModifyRuleCommand,
  paginateDescribeRules,
  SetRulePrioritiesCommand,
  type ElasticLoadBalancingV2Client,
  type ModifyRuleInput,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {collectPages} from '../ec2/describe.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {actionLabel, fromAwsActions, toAwsActions, type ObservedAction} from './actions.js'
import {elbv2Client, PAGE_SIZE} from './describe.js'
import type {ListenerRuleDesired, ListenerRulesDesired} from './desired.js'
import {classifyElbv2Error, hasElbv2Code, isElbv2Gone, PRIORITY_IN_USE} from './errors.js'

/**
 * A rule as compared: host and path values sorted, hosts in lower case (the
 * host-header condition is case-insensitive), forwarding to one group.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 */
export interface NormalRule {
  priority: number
  hosts: string[]
  paths: string[]
  targetGroupArn: string
}

/** One live rule other than the default one. */
export interface ListenerRuleObserved {
  arn: string
  priority: number
  hosts: string[]
  paths: string[]
  action: ObservedAction
  /** Conditions of kinds the tool never makes (http-header, source-ip…), as AWS reports them: such a rule matches no desired one by its conditions. */
  otherConditions?: string
}

/** The rules of one listener; `id` is the listener's ARN. Rules carry no tags (see `listenerRules`). */
export interface ListenerRulesObserved extends Observed {
  rules: ListenerRuleObserved[]
}

/** "Priority: … Valid Range: Minimum value of 1. Maximum value of 50000." (API_CreateRule) */
const PRIORITY_MIN = 1
const PRIORITY_MAX = 50_000

const sortedUnique = (values: readonly string[]) => [...new Set(values)].sort()

export function normaliseRule(rule: ListenerRuleDesired): NormalRule {
  return {priority: rule.priority, hosts: sortedUnique(rule.hosts.map((host) => host.toLowerCase())), paths: sortedUnique(rule.paths), targetGroupArn: rule.targetGroupArn}
}

/** What a rule matches: its conditions. Two rules with equal conditions are one rule in another place, or with another target. */
function conditionsKey(rule: {hosts: string[]; paths: string[]; otherConditions?: string}): string {
  return JSON.stringify([rule.hosts, rule.paths, rule.otherConditions ?? null])
}

function forwardsTo(rule: ListenerRuleObserved, targetGroupArn: string): boolean {
  return rule.action.type === 'forward' && rule.action.targetGroupArn === targetGroupArn
}

function conditionsLabel(rule: {hosts: string[]; paths: string[]; otherConditions?: string}): string {
  const parts: string[] = []
  if (rule.hosts.length > 0) parts.push(`host ${rule.hosts.join(', ')}`)
  if (rule.paths.length > 0) parts.push(`path ${rule.paths.join(', ')}`)
  if (rule.otherConditions) parts.push(`other conditions ${rule.otherConditions}`)
  return parts.join(' ') || 'no condition'
}

/** `2: host api.example.com path /v1/* → forward to api-1a2b3c4d`: how a plan shows a rule. */
export function ruleLabel(rule: NormalRule | ListenerRuleObserved): string {
  const action: ObservedAction = 'action' in rule ? rule.action : {type: 'forward', targetGroupArn: rule.targetGroupArn}
  return `${rule.priority}: ${conditionsLabel(rule)} → ${actionLabel(action)}`
}

/** What turns the observed rules into the desired ones. */
export interface RulesPlan {
  /** Rules no desired rule matches: DeleteRule. */
  remove: ListenerRuleObserved[]
  /** Rules kept with other conditions or another target: ModifyRule. */
  modify: {rule: ListenerRuleObserved; to: NormalRule}[]
  /** Rules kept at another priority: one SetRulePriorities for all of them. */
  move: {rule: ListenerRuleObserved; to: number}[]
  /** Desired rules no live rule matches: CreateRule. */
  add: NormalRule[]
}

export function isEmptyPlan(plan: RulesPlan): boolean {
  return plan.remove.length === 0 && plan.modify.length === 0 && plan.move.length === 0 && plan.add.length === 0
}

/**
 * Pure: pairs each desired rule with a live one, best match first — same
 * conditions and target, then same conditions (another target: modified),
 * then same priority (other conditions: modified) — preferring, among equal
 * candidates, the one already at the desired priority. Unpaired live rules
 * are removed, unpaired desired ones added, paired ones at another priority
 * moved. The default rule is never among the live rules.
 */
export function planRules(desired: ListenerRulesDesired, observed: ListenerRulesObserved): RulesPlan {
  const wanted = desired.rules.map(normaliseRule).sort((a, b) => a.priority - b.priority)
  const pool = [...observed.rules].sort((a, b) => a.priority - b.priority)
  const pairs: {rule: ListenerRuleObserved; to: NormalRule}[] = []
  const pair = (same: (want: NormalRule, live: ListenerRuleObserved) => boolean) => {
    for (const want of [...wanted]) {
      const candidates = pool.filter((live) => same(want, live))
      const live = candidates.find((candidate) => candidate.priority === want.priority) ?? candidates[0]
      if (!live) continue
      pairs.push({rule: live, to: want})
      pool.splice(pool.indexOf(live), 1)
      wanted.splice(wanted.indexOf(want), 1)
    }
  }
  pair((want, live) => conditionsKey(want) === conditionsKey(live) && forwardsTo(live, want.targetGroupArn))
  pair((want, live) => conditionsKey(want) === conditionsKey(live))
  pair((want, live) => want.priority === live.priority)
  return {
    remove: pool,
    modify: pairs.filter(({rule, to}) => conditionsKey(rule) !== conditionsKey(to) || !forwardsTo(rule, to.targetGroupArn)),
    move: pairs.filter(({rule, to}) => rule.priority !== to.priority).map(({rule, to}) => ({rule, to: to.priority})),
    add: wanted,
  }
}

/**
 * Pure. A changed rule shows as the rule it was (`-`) and the rule it
 * becomes (`+`), as do removed and added ones; a rule that only moves shows
 * its priority change.
 */
export function diffListenerRules(desired: ListenerRulesDesired, observed: ListenerRulesObserved): Change[] {
  // Another listener (its listener was replaced) means other rules entirely: made on the new listener, gone with the old.
  if (desired.listenerArn !== observed.id) return [{field: 'listenerArn', before: observed.id, after: desired.listenerArn, replace: true}]
  const plan = planRules(desired, observed)
  const changes: Change[] = []
  for (const rule of plan.remove) changes.push({field: 'rules', before: ruleLabel(rule), after: undefined, replace: false})
  for (const {rule, to} of plan.modify) {
    changes.push({field: 'rules', before: ruleLabel(rule), after: undefined, replace: false}, {field: 'rules', before: undefined, after: ruleLabel(to), replace: false})
  }
  const modified = new Set(plan.modify.map(({rule}) => rule))
  for (const {rule, to} of plan.move) {
    if (!modified.has(rule)) changes.push({field: `priority of ${conditionsLabel(rule)}`, before: rule.priority, after: to, replace: false})
  }
  for (const rule of plan.add) changes.push({field: 'rules', before: undefined, after: ruleLabel(rule), replace: false})
  return changes
}

/**
 * What a rule matches, as AWS reports it: host-header and path-pattern in
 * their config or, in older answers, `Values`; any other condition kept as
 * text so the rule matches no desired one.
 */
function toObservedRule(rule: Rule): ListenerRuleObserved {
  let hosts: string[] = []
  let paths: string[] = []
  const other: RuleCondition[] = []
  for (const condition of rule.Conditions ?? []) {
    if (condition.Field === 'host-header' && hosts.length === 0) hosts = (condition.HostHeaderConfig?.Values ?? condition.Values ?? []).map((host) => host.toLowerCase())
    else if (condition.Field === 'path-pattern' && paths.length === 0) paths = condition.PathPatternConfig?.Values ?? condition.Values ?? []
    else other.push(condition)
  }
  const observed: ListenerRuleObserved = {arn: rule.RuleArn!, priority: Number(rule.Priority), hosts: sortedUnique(hosts), paths: sortedUnique(paths), action: fromAwsActions(rule.Actions)}
  if (other.length > 0) observed.otherConditions = JSON.stringify(other)
  return observed
}

function toConditions(rule: NormalRule): RuleCondition[] {
  const conditions: RuleCondition[] = []
  if (rule.hosts.length > 0) conditions.push({Field: 'host-header', HostHeaderConfig: {Values: rule.hosts}})
  if (rule.paths.length > 0) conditions.push({Field: 'path-pattern', PathPatternConfig: {Values: rule.paths}})
  return conditions
}

/** The listener's rules but its default one; undefined once the listener is gone. */
async function readListenerRules(client: ElasticLoadBalancingV2Client, listenerArn: string): Promise<ListenerRulesObserved | undefined> {
  try {
    const rules = await collectPages(paginateDescribeRules({client}, {ListenerArn: listenerArn, PageSize: PAGE_SIZE}), (page) => page.Rules)
    return {id: listenerArn, rules: rules.filter((rule) => !rule.IsDefault).map(toObservedRule)}
  } catch (error) {
    if (isElbv2Gone(error)) return undefined
    throw error
  }
}

/** DescribeRules reads one listener's rules (or rules by ARN): one paginated call per listener. */
async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, ListenerRulesObserved>> {
  const client = await elbv2Client(ctx)
  const listeners = await Promise.all([...new Set(ids)].map((id) => readListenerRules(client, id)))
  return new Map(listeners.filter((rules) => rules !== undefined).map((rules) => [rules.id, rules]))
}

/** An error the engine treats as AWS's own ListenerNotFound (retried for a listener made moments ago). */
function listenerNotFound(listenerArn: string): Error {
  return new ListenerNotFoundException({$metadata: {}, message: `listener ${listenerArn} does not exist (yet)`})
}

/** Refuses what AWS would refuse halfway through: two rules at one priority, a priority out of range, a rule matching nothing. */
function checkDesired(desired: ListenerRulesDesired): void {
  const seen = new Set<number>()
  for (const rule of desired.rules) {
    if (!Number.isInteger(rule.priority) || rule.priority < PRIORITY_MIN || rule.priority > PRIORITY_MAX) {
      throw new Error(`listener rule priority ${rule.priority} is outside ${PRIORITY_MIN}–${PRIORITY_MAX}`)
    }
    if (seen.has(rule.priority)) throw new Error(`two listener rules have priority ${rule.priority}; each rule of a listener needs its own`)
    seen.add(rule.priority)
    if (rule.hosts.length === 0 && rule.paths.length === 0) throw new Error(`listener rule ${rule.priority} has no host and no path: a rule needs a condition (the default action serves the rest)`)
  }
}

/**
 * Applies a plan in an order AWS accepts at every step:
 * 1. DeleteRule for the extra rules, which frees their priorities;
 * 2. one SetRulePriorities moving every kept rule to its final priority: the
 *    listener then holds only kept rules, whose final priorities are all
 *    different ("You can reorder the rules as long as there are no priority
 *    conflicts in the new order", API_SetRulePriorities), so swaps and shifts
 *    need no temporary priorities;
 * 3. ModifyRule for kept rules with other conditions or another target;
 * 4. CreateRule for the new rules, at priorities that are free now (every
 *    existing rule is at its own final priority, and no two desired rules
 *    share one).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetRulePriorities.html
 */
async function applyPlan(client: ElasticLoadBalancingV2Client, observed: ListenerRulesObserved, plan: RulesPlan): Promise<ListenerRulesObserved> {
  for (const rule of plan.remove) {
    try {
      await client.send(new DeleteRuleCommand({RuleArn: rule.arn}))
    } catch (error) {
      if (!hasElbv2Code(error, 'RuleNotFound')) throw error
    }
  }
  const removed = new Set(plan.remove)
  const next = new Map(observed.rules.filter((rule) => !removed.has(rule)).map((rule) => [rule.arn, rule]))
  if (plan.move.length > 0) {
    await client.send(new SetRulePrioritiesCommand({RulePriorities: plan.move.map(({rule, to}) => ({RuleArn: rule.arn, Priority: to}))}))
    for (const {rule, to} of plan.move) next.set(rule.arn, {...next.get(rule.arn)!, priority: to})
  }
  for (const {rule, to} of plan.modify) {
    const input: ModifyRuleInput = {RuleArn: rule.arn}
    if (conditionsKey(rule) !== conditionsKey(to)) input.Conditions = toConditions(to)
    if (!forwardsTo(rule, to.targetGroupArn)) input.Actions = toAwsActions({type: 'forward', targetGroupArn: to.targetGroupArn})
    await client.send(new ModifyRuleCommand(input))
    const current = next.get(rule.arn)!
    const modified: ListenerRuleObserved = {arn: rule.arn, priority: current.priority, hosts: to.hosts, paths: to.paths, action: {type: 'forward', targetGroupArn: to.targetGroupArn}}
    next.set(rule.arn, modified)
  }
  for (const rule of plan.add) {
    const response = await client.send(
      new CreateRuleCommand({ListenerArn: observed.id, Priority: rule.priority, Conditions: toConditions(rule), Actions: toAwsActions({type: 'forward', targetGroupArn: rule.targetGroupArn})}),
    )
    const arn = response.Rules![0]!.RuleArn!
    next.set(arn, {arn, priority: rule.priority, hosts: rule.hosts, paths: rule.paths, action: {type: 'forward', targetGroupArn: rule.targetGroupArn}})
  }
  return {...observed, rules: [...next.values()].sort((a, b) => a.priority - b.priority)}
}

/**
 * Converges the listener's rules. Our picture of them may be stale (a rule
 * added, moved or deleted by hand since it was read): AWS then answers
 * PriorityInUse or RuleNotFound, and one re-read and re-plan settles it.
 */
async function converge(ctx: ReconcileContext, desired: ListenerRulesDesired, observed: ListenerRulesObserved): Promise<ListenerRulesObserved> {
  checkDesired(desired)
  const plan = planRules(desired, observed)
  if (isEmptyPlan(plan)) return observed
  const client = await elbv2Client(ctx)
  try {
    return await applyPlan(client, observed, plan)
  } catch (error) {
    if (!hasElbv2Code(error, PRIORITY_IN_USE, 'RuleNotFound')) throw error
    const fresh = await readListenerRules(client, observed.id)
    if (!fresh) throw listenerNotFound(observed.id)
    const retry = planRules(desired, fresh)
    return isEmptyPlan(retry) ? fresh : applyPlan(client, fresh, retry)
  }
}

export const listenerRules: Reconciler<ListenerRulesDesired, ListenerRulesObserved> = {
  kind: 'elbv2.listener-rules',
  classifyError: classifyElbv2Error,
  // Rules are keyed by their listener: a replacement only comes from the listener being replaced (diff's
  // `listenerArn`). The new listener's rules are made at once; the old ones go with the old listener.
  replaceStrategy: 'create-before-delete',
  // create reads what the listener has and converges it: a retried create adds nothing twice.
  idempotentCreate: true,
  read,

  /**
   * Rules are read through their listener, whose tags say whose it is, and
   * go with it when it is deleted; they carry no tags of their own (an
   * update, which adds rules too, has no logical id to tag them with). With
   * the state lost, teardown deletes the listener and its rules with it.
   */
  async find() {
    return []
  },

  diff: diffListenerRules,

  async create(ctx, desired) {
    const current = await readListenerRules(await elbv2Client(ctx), desired.listenerArn)
    // A listener made moments ago: the engine retries a not-found create.
    if (!current) throw listenerNotFound(desired.listenerArn)
    return converge(ctx, desired, current)
  },

  async update(ctx, desired, observed) {
    return converge(ctx, desired, observed)
  },

  /**
   * Deletes every rule but the default one, read afresh (a rule added since
   * the state was saved would keep its target group in use), so that the
   * target groups they forward to can go before the listener does. A
   * listener already gone took its rules with it.
   */
  async delete(ctx, observed) {
    const client = await elbv2Client(ctx)
    const current = await readListenerRules(client, observed.id)
    for (const rule of current?.rules ?? []) {
      try {
        await client.send(new DeleteRuleCommand({RuleArn: rule.arn}))
      } catch (error) {
        if (!isElbv2Gone(error)) throw error
      }
    }
  },

  outputs(observed) {
    return {id: observed.id}
  },
}
