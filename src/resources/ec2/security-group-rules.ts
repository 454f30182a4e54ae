import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  ModifySecurityGroupRulesCommand,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type Filter,
  type IpPermission,
  type SecurityGroupRule,
  type SecurityGroupRuleUpdate,
} from '@aws-sdk/client-ec2'
import {hasCode} from '../../aws/errors.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {collectPages, deleteIgnoringNotFound, readByIdFilter} from './describe.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'
import type {SecurityGroupRulesDesired} from './desired.js'

export type Direction = 'ingress' | 'egress'
const DIRECTIONS: Direction[] = ['ingress', 'egress']

/**
 * A rule in the form AWS reports it. `protocol` is normalised (`all` for
 * IpProtocol `-1`); AWS may hold kinds of peer we never create (prefix list).
 */
export interface NormalRule {
  protocol: string
  fromPort: number
  toPort: number
  cidr?: string
  sourceGroupId?: string
  prefixListId?: string
  /** '' when the rule has none. */
  description: string
}

/** One live rule. */
export interface SecurityGroupRuleObserved extends NormalRule {
  ruleId: string
}

/** All rules of one group; `id` is the group id (rules carry no tags, so there is no `logicalId`). */
export interface SecurityGroupRulesObserved extends Observed {
  ingress: SecurityGroupRuleObserved[]
  egress: SecurityGroupRuleObserved[]
}

/**
 * IpProtocol as AWS reports it: names for tcp/udp/icmp even when numbers were
 * sent, `-1` for all traffic, with ports -1 (AWS ignores ports for `-1`).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 */
const PROTOCOL_NUMBERS: Record<string, string> = {'-1': 'all', '1': 'icmp', '6': 'tcp', '17': 'udp'}

function normalProtocol(protocol: string): string {
  const lower = protocol.toLowerCase()
  return PROTOCOL_NUMBERS[lower] ?? lower
}

function normalise(rule: {protocol: string; fromPort?: number; toPort?: number; cidr?: string; sourceGroupId?: string; prefixListId?: string; description?: string}): NormalRule {
  const protocol = normalProtocol(rule.protocol)
  const all = protocol === 'all'
  const out: NormalRule = {protocol, fromPort: all ? -1 : (rule.fromPort ?? -1), toPort: all ? -1 : (rule.toPort ?? -1), description: rule.description ?? ''}
  // IPv6 CIDRs are case-insensitive; AWS reports them lower-case.
  if (rule.cidr) out.cidr = rule.cidr.trim().toLowerCase()
  if (rule.sourceGroupId) out.sourceGroupId = rule.sourceGroupId
  if (rule.prefixListId) out.prefixListId = rule.prefixListId
  return out
}

function peer(rule: NormalRule): string {
  if (rule.cidr) return rule.cidr
  if (rule.sourceGroupId) return rule.sourceGroupId
  return rule.prefixListId ?? '?'
}

/** What identifies a rule in AWS: protocol, ports, peer. The description is an attribute. */
export function ruleKey(rule: NormalRule): string {
  return `${rule.protocol}|${rule.fromPort}|${rule.toPort}|${peer(rule)}`
}

/** `tcp 443 from 0.0.0.0/0`, `all to sg-1`: how a plan shows a rule. */
export function ruleLabel(direction: Direction, rule: NormalRule): string {
  const ports = rule.protocol === 'all' ? '' : rule.fromPort === rule.toPort ? ` ${rule.fromPort}` : ` ${rule.fromPort}-${rule.toPort}`
  return `${rule.protocol}${ports} ${direction === 'ingress' ? 'from' : 'to'} ${peer(rule)}`
}

export interface RulesPlan {
  revoke: Record<Direction, SecurityGroupRuleObserved[]>
  authorize: Record<Direction, NormalRule[]>
  /** Same rule, other description: ModifySecurityGroupRules. */
  describe: {direction: Direction; ruleId: string; rule: NormalRule; before: string}[]
}

/** Pure: which calls turn the observed rules into the desired ones. Rules are sets; order never matters. */
export function planRules(desired: SecurityGroupRulesDesired, observed: SecurityGroupRulesObserved): RulesPlan {
  const plan: RulesPlan = {revoke: {ingress: [], egress: []}, authorize: {ingress: [], egress: []}, describe: []}
  for (const direction of DIRECTIONS) {
    const wanted = new Map<string, NormalRule>()
    for (const rule of desired[direction]) {
      const normal = normalise(rule)
      // A rule listed twice is one rule in AWS (a second authorize fails with InvalidPermission.Duplicate).
      if (!wanted.has(ruleKey(normal))) wanted.set(ruleKey(normal), normal)
    }
    const live = new Map<string, SecurityGroupRuleObserved>()
    for (const rule of observed[direction]) {
      const key = ruleKey(rule)
      if (live.has(key)) plan.revoke[direction].push(rule)
      else live.set(key, rule)
    }
    for (const [key, rule] of live) {
      const target = wanted.get(key)
      if (!target) plan.revoke[direction].push(rule)
      else if (target.description !== rule.description) plan.describe.push({direction, ruleId: rule.ruleId, rule: target, before: rule.description})
    }
    for (const [key, rule] of wanted) if (!live.has(key)) plan.authorize[direction].push(rule)
  }
  return plan
}

export function isEmptyPlan(plan: RulesPlan): boolean {
  return DIRECTIONS.every((d) => plan.revoke[d].length === 0 && plan.authorize[d].length === 0) && plan.describe.length === 0
}

export function diffSecurityGroupRules(desired: SecurityGroupRulesDesired, observed: SecurityGroupRulesObserved): Change[] {
  // Another group (its group was replaced) means other rules entirely: authorized on the new group, gone with the old one.
  if (desired.groupId !== observed.id) return [{field: 'groupId', before: observed.id, after: desired.groupId, replace: true}]
  const plan = planRules(desired, observed)
  const changes: Change[] = []
  for (const direction of DIRECTIONS) {
    for (const rule of plan.revoke[direction]) changes.push({field: direction, before: ruleLabel(direction, rule), after: undefined, replace: false})
    for (const rule of plan.authorize[direction]) changes.push({field: direction, before: undefined, after: ruleLabel(direction, rule), replace: false})
  }
  for (const {direction, rule, before} of plan.describe) {
    changes.push({field: `${direction} ${ruleLabel(direction, rule)} description`, before, after: rule.description, replace: false})
  }
  return changes
}

function toObservedRule(rule: SecurityGroupRule): SecurityGroupRuleObserved {
  const normal = normalise({
    protocol: rule.IpProtocol ?? '-1',
    fromPort: rule.FromPort,
    toPort: rule.ToPort,
    cidr: rule.CidrIpv4 ?? rule.CidrIpv6,
    sourceGroupId: rule.ReferencedGroupInfo?.GroupId,
    prefixListId: rule.PrefixListId,
    description: rule.Description,
  })
  return {ruleId: rule.SecurityGroupRuleId!, ...normal}
}

/**
 * The rules of one batch of groups: DescribeSecurityGroupRules filtered by
 * group id, then DescribeSecurityGroups (also filtered) only for groups that
 * showed no rule, to tell an empty group from a deleted one.
 */
async function describeRules(ec2: EC2Client, filters: Filter[], groupIds: string[]): Promise<SecurityGroupRulesObserved[]> {
  const found = new Map<string, SecurityGroupRulesObserved>()
  for await (const page of paginateDescribeSecurityGroupRules({client: ec2}, {Filters: filters})) {
    for (const rule of page.SecurityGroupRules ?? []) {
      const groupId = rule.GroupId!
      let entry = found.get(groupId)
      if (!entry) found.set(groupId, (entry = {id: groupId, ingress: [], egress: []}))
      entry[rule.IsEgress ? 'egress' : 'ingress'].push(toObservedRule(rule))
    }
  }
  const unseen = groupIds.filter((id) => !found.has(id))
  if (unseen.length > 0) {
    const groups = await collectPages(paginateDescribeSecurityGroups({client: ec2}, {Filters: [{Name: 'group-id', Values: unseen}]}), (page) => page.SecurityGroups)
    for (const group of groups) found.set(group.GroupId!, {id: group.GroupId!, ingress: [], egress: []})
  }
  return [...found.values()]
}

/** The rules of many groups, keyed by group id; groups that are gone are absent. */
async function readRules(ctx: ReconcileContext, groupIds: string[]): Promise<Map<string, SecurityGroupRulesObserved>> {
  const ec2 = await ctx.aws.ec2()
  return readByIdFilter([...new Set(groupIds)], 'group-id', (filters, batch) => describeRules(ec2, filters, batch))
}

async function readGroupRules(ctx: ReconcileContext, groupId: string): Promise<SecurityGroupRulesObserved | undefined> {
  return (await readRules(ctx, [groupId])).get(groupId)
}

/** An error the engine treats like AWS's own NotFound (it retries those for a just-created group). */
function groupNotFound(groupId: string): Error {
  const error = new Error(`security group ${groupId} does not exist (yet)`)
  error.name = 'InvalidGroup.NotFound'
  return error
}

function ipPermission(rule: NormalRule): IpPermission {
  const description = rule.description === '' ? undefined : rule.description
  const permission: IpPermission = {IpProtocol: rule.protocol === 'all' ? '-1' : rule.protocol, FromPort: rule.fromPort, ToPort: rule.toPort}
  if (rule.sourceGroupId) permission.UserIdGroupPairs = [{GroupId: rule.sourceGroupId, Description: description}]
  else if (rule.prefixListId) permission.PrefixListIds = [{PrefixListId: rule.prefixListId, Description: description}]
  else if (rule.cidr?.includes(':')) permission.Ipv6Ranges = [{CidrIpv6: rule.cidr, Description: description}]
  else permission.IpRanges = [{CidrIp: rule.cidr, Description: description}]
  return permission
}

/**
 * ModifySecurityGroupRules replaces a rule's whole definition, so the
 * unchanged protocol, ports and peer are sent along with the new description.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
 */
function ruleUpdate(ruleId: string, rule: NormalRule): SecurityGroupRuleUpdate {
  const request: NonNullable<SecurityGroupRuleUpdate['SecurityGroupRule']> = {IpProtocol: rule.protocol === 'all' ? '-1' : rule.protocol, FromPort: rule.fromPort, ToPort: rule.toPort}
  if (rule.sourceGroupId) request.ReferencedGroupId = rule.sourceGroupId
  else if (rule.prefixListId) request.PrefixListId = rule.prefixListId
  else if (rule.cidr?.includes(':')) request.CidrIpv6 = rule.cidr
  else request.CidrIpv4 = rule.cidr
  if (rule.description !== '') request.Description = rule.description
  return {SecurityGroupRuleId: ruleId, SecurityGroupRule: request}
}

async function revoke(ec2: EC2Client, groupId: string, direction: Direction, ruleIds: string[]): Promise<void> {
  if (ruleIds.length === 0) return
  const input = {GroupId: groupId, SecurityGroupRuleIds: ruleIds}
  if (direction === 'ingress') await ec2.send(new RevokeSecurityGroupIngressCommand(input))
  else await ec2.send(new RevokeSecurityGroupEgressCommand(input))
}

/** One authorize call per direction for all its new rules; returns the created rules as AWS reports them. */
async function authorize(ec2: EC2Client, groupId: string, direction: Direction, rules: NormalRule[]): Promise<SecurityGroupRuleObserved[]> {
  if (rules.length === 0) return []
  const input = {GroupId: groupId, IpPermissions: rules.map(ipPermission)}
  const response = direction === 'ingress' ? await ec2.send(new AuthorizeSecurityGroupIngressCommand(input)) : await ec2.send(new AuthorizeSecurityGroupEgressCommand(input))
  return (response.SecurityGroupRules ?? []).map(toObservedRule)
}

/**
 * Revokes the rules of `groupIds` whose peer is `peerGroupId` (by rule id)
 * and says how many there were. A rule already gone counts as revoked.
 */
export async function revokeRulesReferencing(ctx: ReconcileContext, peerGroupId: string, groupIds: string[]): Promise<number> {
  const ec2 = await ctx.aws.ec2()
  let revoked = 0
  for (const rules of (await readRules(ctx, groupIds)).values()) {
    for (const direction of DIRECTIONS) {
      const ruleIds = rules[direction].filter((rule) => rule.sourceGroupId === peerGroupId).map((rule) => rule.ruleId)
      await deleteIgnoringNotFound(() => revoke(ec2, rules.id, direction, ruleIds))
      revoked += ruleIds.length
    }
  }
  return revoked
}

/** Applies a plan: revoke before authorize (a group has a rules quota), then descriptions. */
async function applyPlan(ec2: EC2Client, observed: SecurityGroupRulesObserved, plan: RulesPlan): Promise<SecurityGroupRulesObserved> {
  const groupId = observed.id
  const next: SecurityGroupRulesObserved = {id: groupId, ingress: [...observed.ingress], egress: [...observed.egress]}
  for (const direction of DIRECTIONS) {
    const gone = plan.revoke[direction].map((rule) => rule.ruleId)
    await revoke(ec2, groupId, direction, gone)
    next[direction] = next[direction].filter((rule) => !gone.includes(rule.ruleId))
  }
  for (const direction of DIRECTIONS) next[direction].push(...(await authorize(ec2, groupId, direction, plan.authorize[direction])))
  if (plan.describe.length > 0) {
    await ec2.send(new ModifySecurityGroupRulesCommand({GroupId: groupId, SecurityGroupRules: plan.describe.map(({ruleId, rule}) => ruleUpdate(ruleId, rule))}))
    for (const {direction, ruleId, rule} of plan.describe) {
      next[direction] = next[direction].map((live) => (live.ruleId === ruleId ? {...live, description: rule.description} : live))
    }
  }
  return next
}

/**
 * Converges the group's rules. Our picture of them may be stale (a rule added
 * or revoked since it was read, or a fresh group's default egress rule not yet
 * visible): AWS then answers InvalidPermission.Duplicate or
 * InvalidSecurityGroupRuleId.NotFound, and one re-read and re-plan settles it.
 */
async function converge(ctx: ReconcileContext, desired: SecurityGroupRulesDesired, observed: SecurityGroupRulesObserved): Promise<SecurityGroupRulesObserved> {
  const ec2 = await ctx.aws.ec2()
  const plan = planRules(desired, observed)
  if (isEmptyPlan(plan)) return observed
  try {
    return await applyPlan(ec2, observed, plan)
  } catch (error) {
    if (!hasCode(error, 'InvalidPermission.Duplicate', 'InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound')) throw error
    const fresh = await readGroupRules(ctx, observed.id)
    if (!fresh) throw groupNotFound(observed.id)
    const retryPlan = planRules(desired, fresh)
    return isEmptyPlan(retryPlan) ? fresh : applyPlan(ec2, fresh, retryPlan)
  }
}

export const securityGroupRules: Reconciler<SecurityGroupRulesDesired, SecurityGroupRulesObserved> = {
  kind: 'ec2.security-group-rules',
  classifyError: classifyEc2Error,
  // Rules are keyed by their group: a replacement only ever comes from the group being replaced (diff's
  // `groupId`). The new group's rules are authorized at once, so that it is complete before anything
  // moves to it; the old group's rules are left to go with the old group at the end of the run (delete
  // finds the group gone, or revokes them just before it goes: either way nothing references them).
  replaceStrategy: 'create-before-delete',
  // create reads what the group has and converges it: a retried create adds nothing twice, and there is
  // nothing for find to show after a crash (rules carry no tags), so the engine need not wait for one.
  idempotentCreate: true,

  read: readRules,

  async find() {
    // Rules carry no ownership tags; they are read through their group, which find() of `ec2.security-group` adopts.
    return []
  },

  diff: diffSecurityGroupRules,

  async create(ctx, desired) {
    // Idempotent by construction: a crash may have applied part of an earlier create, and the new group
    // holds AWS's default allow-all egress rule, so start from what is there and converge like update.
    const current = await readGroupRules(ctx, desired.groupId)
    // A group created moments ago may not be visible yet; the engine retries NotFound on create.
    if (!current) throw groupNotFound(desired.groupId)
    return converge(ctx, desired, current)
  },

  async update(ctx, desired, observed) {
    return converge(ctx, desired, observed)
  },

  /**
   * Revokes every rule, so that groups whose rules reference each other
   * (alb-sg ⇄ ecs-tasks-sg) can then be deleted. A group already gone counts
   * as done.
   */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    let current: SecurityGroupRulesObserved | undefined = observed
    for (let attempt = 0; current; attempt++) {
      try {
        for (const direction of DIRECTIONS)
          await revoke(
            ec2,
            current.id,
            direction,
            current[direction].map((rule) => rule.ruleId),
          )
        return
      } catch (error) {
        // InvalidGroup.NotFound: the group is gone with its rules. A stale rule id: re-read once and revoke what is left.
        if (hasCode(error, 'InvalidGroup.NotFound')) return
        if (!isEc2NotFound(error) || attempt > 0) throw error
        current = await readGroupRules(ctx, observed.id)
      }
    }
  },

  outputs(observed) {
    return {id: observed.id}
  },
}
