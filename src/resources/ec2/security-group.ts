import {CreateSecurityGroupCommand, DeleteSecurityGroupCommand, paginateDescribeSecurityGroups, type Filter, type SecurityGroup} from '@aws-sdk/client-ec2'
import {ownerOf, tagSpecifications} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {findByStack, readByIdFilter} from './describe.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'
import type {SecurityGroupDesired} from './desired.js'

/** The group itself; its rules are the `ec2.security-group-rules` kind. */
export interface SecurityGroupObserved extends Observed {
  vpcId: string
  groupName: string
  description: string
}

/**
 * Every field of a group is fixed at creation: EC2 has no call that renames a
 * group, changes its description or moves it to another VPC.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
 */
export function diffSecurityGroup(desired: SecurityGroupDesired, observed: SecurityGroupObserved): Change[] {
  const changes: Change[] = []
  for (const field of ['vpcId', 'groupName', 'description'] as const) {
    if (desired[field] !== observed[field]) changes.push({field, before: observed[field], after: desired[field], replace: true})
  }
  return changes
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
  const ec2 = await ctx.aws.ec2()
  const out: SecurityGroupObserved[] = []
  for await (const page of paginateDescribeSecurityGroups({client: ec2}, {Filters: filters})) out.push(...(page.SecurityGroups ?? []).map(toObserved))
  return out
}

export const securityGroup: Reconciler<SecurityGroupDesired, SecurityGroupObserved> = {
  kind: 'ec2.security-group',
  classifyError: classifyEc2Error,
  // GroupName is unique per VPC, so the replacement can only be made once the old group is gone.
  replaceStrategy: 'delete-before-create',

  read(ctx, ids) {
    return readByIdFilter(ids, 'group-id', (filters) => describe(ctx, filters))
  },

  find(ctx, query) {
    return findByStack(query.stack, (filters) => describe(ctx, filters))
  },

  diff: diffSecurityGroup,

  async create(ctx, desired, meta: CreateMeta) {
    const ec2 = await ctx.aws.ec2()
    // CreateSecurityGroup has no ClientToken; a second create after a crash is prevented by find() adopting the tagged group.
    // AWS gives the new group an allow-all egress rule; `ec2.security-group-rules` decides whether it stays.
    const response = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: desired.vpcId,
        GroupName: desired.groupName,
        Description: desired.description,
        TagSpecifications: tagSpecifications('security-group', meta.tags),
      }),
    )
    return {id: response.GroupId!, logicalId: meta.logicalId, vpcId: desired.vpcId, groupName: desired.groupName, description: desired.description}
  },

  async update(_ctx, _desired, observed) {
    // Nothing is mutable in place: every change is a replacement, which the engine does by delete + create.
    return observed
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    try {
      await ec2.send(new DeleteSecurityGroupCommand({GroupId: observed.id}))
    } catch (error) {
      // DependencyViolation (an ENI, or another group's rule, still references it) is thrown: the engine retries it.
      if (!isEc2NotFound(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, groupName: observed.groupName, vpcId: observed.vpcId}
  },
}
