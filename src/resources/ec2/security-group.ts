import {CreateSecurityGroupCommand, DeleteSecurityGroupCommand, paginateDescribeSecurityGroups, type Filter, type SecurityGroup} from '@aws-sdk/client-ec2'
import {createHash} from 'node:crypto'
import {hasCode} from '../../aws/errors.js'
import {ownedBy, ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext} from '../types.js'
import {waitFor} from '../wait.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, nothingChangesInPlace} from './describe.js'
import type {SecurityGroupDesired} from './desired.js'
import {deleteNamingInterfaces, explainDependencyViolation, usingGroup} from './network-interfaces.js'
import {revokeRulesReferencing} from './security-group-rules.js'

/** The group itself; its rules are the `ec2.security-group-rules` kind. */
export interface SecurityGroupObserved extends Observed {
  vpcId: string
  groupName: string
  description: string
}

/**
 * GroupName rules: at most 255 characters of a-z, A-Z, 0-9, spaces and
 * ._-:/()#,@[]+=&;{}!$*, not starting with `sg-`; names are
 * case-insensitive and unique per VPC.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
 */
const GROUP_NAME_MAX = 255
const NOT_IN_GROUP_NAMES = /[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g
/** Hex characters of the generated suffix: 32 bits, so two objects of one prefix practically never meet. */
const SUFFIX_LENGTH = 8

/**
 * The prefix as AWS accepts it: characters outside the alphabet become `_`,
 * a leading `sg-` (any case) becomes `sg_`, and it is cut so that the name
 * with its suffix fits.
 */
export function groupNamePrefix(namePrefix: string): string {
  const valid = namePrefix.replace(NOT_IN_GROUP_NAMES, '_')
  const notAnId = /^sg-/i.test(valid) ? `${valid.slice(0, 2)}_${valid.slice(3)}` : valid
  return notAnId.slice(0, GROUP_NAME_MAX - SUFFIX_LENGTH - 1)
}

/**
 * `<prefix>-<suffix>`, the suffix derived from the create's token: unique
 * per object (a replacement gets a new name while the old group still
 * exists, as Terraform's `name_prefix`), and the same for every attempt at
 * creating one object, so a retried create meets its own group.
 */
export function generatedGroupName(namePrefix: string, token: string): string {
  const suffix = createHash('sha256').update(token).digest('hex').slice(0, SUFFIX_LENGTH)
  return `${groupNamePrefix(namePrefix)}-${suffix}`
}

/**
 * Whether the group was named from this prefix: a generated name, or the
 * prefix itself (how containrlab named groups before names were generated,
 * so such a group is adopted as it is).
 */
export function isNamedFrom(namePrefix: string, groupName: string): boolean {
  const prefix = groupNamePrefix(namePrefix)
  if (groupName === namePrefix || groupName === prefix) return true
  const suffix = groupName.slice(prefix.length + 1)
  return groupName.startsWith(`${prefix}-`) && new RegExp(`^[0-9a-f]{${SUFFIX_LENGTH}}$`).test(suffix)
}

/**
 * Every field of a group is fixed at creation: EC2 has no call that renames a
 * group, changes its description or moves it to another VPC. The name is
 * compared by its prefix: the suffix is the tool's, not the spec's.
 */
export function diffSecurityGroup(desired: SecurityGroupDesired, observed: SecurityGroupObserved): Change[] {
  const changes = immutableChanges(desired, observed, ['vpcId'])
  if (!isNamedFrom(desired.namePrefix, observed.groupName)) {
    changes.push({field: 'namePrefix', before: observed.groupName, after: desired.namePrefix, replace: true})
  }
  return [...changes, ...immutableChanges(desired, observed, ['description'])]
}

function toObserved(group: SecurityGroup): SecurityGroupObserved {
  return {
    id: group.GroupId!,
    ...ownerOf(group.Tags),
    vpcId: group.VpcId ?? '',
    groupName: group.GroupName ?? '',
    description: group.Description ?? '',
  }
}

async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<SecurityGroupObserved[]> {
  const groups = await collectPages(paginateDescribeSecurityGroups({client: await ctx.aws.ec2()}, {Filters: filters}), (page) => page.SecurityGroups)
  return groups.map(toObserved)
}

/**
 * CreateSecurityGroup has no ClientToken; the name made from the token
 * stands in for one. A group of that name is the one an earlier attempt at
 * this create made (a run that stopped before saving it), unless its tags
 * say otherwise. Describes may not show it yet (eventual consistency).
 */
async function adoptOwnGroup(ctx: ReconcileContext, vpcId: string, groupName: string, meta: CreateMeta): Promise<SecurityGroupObserved> {
  const filters = [
    {Name: 'vpc-id', Values: [vpcId]},
    {Name: 'group-name', Values: [groupName]},
  ]
  const group = (await waitFor(ctx, {
    what: `security group ${groupName}, made by an earlier attempt, to be visible`,
    poll: async () => (await describe(ctx, filters))[0],
    state: (found) => (found ? 'visible' : 'not visible yet'),
    done: (found) => found !== undefined,
  }))!
  const owner = ownerOfCreated(meta)
  if (group.stack !== owner.stack || group.logicalId !== owner.logicalId) {
    const holder = group.stack ? `${group.logicalId ?? 'an object'} of stack ${group.stack}` : 'not tagged by containrlab'
    throw new Error(`security group ${groupName} (${group.id}) already exists in ${vpcId} and is ${holder}, not ${owner.logicalId} of stack ${owner.stack}`)
  }
  return group
}

/**
 * The groups (other than the group itself) with a rule whose peer is
 * `groupId`. DescribeSecurityGroupRules cannot filter on a rule's peer;
 * DescribeSecurityGroups can, one direction per filter.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
 */
async function groupsReferencing(ctx: ReconcileContext, groupId: string): Promise<SecurityGroupObserved[]> {
  const byDirection = await Promise.all(['ip-permission.group-id', 'egress.ip-permission.group-id'].map((name) => describe(ctx, [{Name: name, Values: [groupId]}])))
  const groups = new Map(byDirection.flat().map((group) => [group.id, group]))
  groups.delete(groupId)
  return [...groups.values()]
}

/**
 * Revokes the rules that reference `groupId` from the stack's own groups
 * (ownership checked on their tags); groups outside the stack are never
 * touched, only returned.
 */
async function revokeReferencesFromStack(ctx: ReconcileContext, groupId: string): Promise<{revoked: number; outside: SecurityGroupObserved[]}> {
  const referencing = await groupsReferencing(ctx, groupId)
  const ours = ownedBy(ctx.stack, referencing)
  const revoked =
    ours.length > 0
      ? await revokeRulesReferencing(
          ctx,
          groupId,
          ours.map((group) => group.id),
        )
      : 0
  return {revoked, outside: referencing.filter((group) => !ours.includes(group))}
}

/** AWS's DependencyViolation, naming the groups outside the stack whose rules hold the group. */
function referencedOutsideStack(ctx: ReconcileContext, group: SecurityGroupObserved, outside: SecurityGroupObserved[], cause: unknown): Error {
  const names = outside.map((other) => `${other.id} (${other.groupName}${other.stack ? `, stack ${other.stack}` : ''})`).join(', ')
  const error = new Error(
    `security group ${group.id} (${group.groupName}) is referenced by rules of ${names}, outside stack ${ctx.stack}; ` + `containrlab leaves those alone: remove their rules that name ${group.id}, then run again`,
    {cause},
  )
  error.name = 'DependencyViolation'
  return error
}

export const securityGroup = ec2Kind<SecurityGroupDesired, SecurityGroupObserved>({
  kind: 'ec2.security-group',
  // The replacement gets a name of its own (generatedGroupName), so it is made, its rules authorized and
  // its users moved to it while the old group still serves; the old group goes at the end.
  replaceStrategy: 'create-before-delete',
  // The name derives from the token: a retried create meets its own group (InvalidGroup.Duplicate) and adopts it.
  idempotentCreate: true,
  idFilter: 'group-id',
  describe,
  diff: diffSecurityGroup,
  // Nothing is mutable in place: every change is a replacement.
  update: nothingChangesInPlace,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const groupName = generatedGroupName(desired.namePrefix, meta.token)
    // AWS gives the new group an allow-all egress rule; `ec2.security-group-rules` decides whether it stays.
    try {
      const response = await ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: desired.vpcId,
          GroupName: groupName,
          Description: desired.description,
          TagSpecifications: tagSpecifications('security-group', meta.tags),
        }),
      )
      return {id: response.GroupId!, ...ownerOfCreated(meta), vpcId: desired.vpcId, groupName, description: desired.description}
    } catch (error) {
      if (!hasCode(error, 'InvalidGroup.Duplicate')) throw error
      return adoptOwnGroup(ctx, desired.vpcId, groupName, meta)
    }
  },

  /**
   * A group another group's rule references cannot be deleted, and rules
   * between groups carry no tags: after a crash, or with the state lost,
   * nothing else revokes them. So when AWS says the group is in use, the
   * stack's other groups lose their rules that reference it, and the delete
   * is tried again. Network interfaces that still have the group (a load
   * balancer's, for minutes after it was deleted; a task's, an endpoint's)
   * are named in the error thrown, for the engine to wait out
   * (network-interfaces.ts).
   */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    const deleteGroup = () => deleteIgnoringNotFound(() => ec2.send(new DeleteSecurityGroupCommand({GroupId: observed.id})))
    try {
      await deleteGroup()
      return
    } catch (error) {
      if (!hasCode(error, 'DependencyViolation')) throw error
      const {revoked, outside} = await revokeReferencesFromStack(ctx, observed.id)
      if (outside.length > 0) throw referencedOutsideStack(ctx, observed, outside, error)
      if (revoked === 0) return explainDependencyViolation(ctx, usingGroup(observed.id), error, deleteGroup)
    }
    await deleteNamingInterfaces(ctx, usingGroup(observed.id), deleteGroup)
  },

  outputs(observed) {
    return {id: observed.id, groupName: observed.groupName, vpcId: observed.vpcId}
  },
})
