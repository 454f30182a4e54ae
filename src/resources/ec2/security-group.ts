import {CreateSecurityGroupCommand, DeleteSecurityGroupCommand, paginateDescribeSecurityGroups, type Filter, type SecurityGroup} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext} from '../types.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, nothingChangesInPlace} from './describe.js'
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
  return immutableChanges(desired, observed, ['vpcId', 'groupName', 'description'])
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

export const securityGroup = ec2Kind<SecurityGroupDesired, SecurityGroupObserved>({
  kind: 'ec2.security-group',
  // GroupName is unique per VPC, so the replacement can only be made once the old group is gone.
  replaceStrategy: 'delete-before-create',
  idFilter: 'group-id',
  describe,
  diff: diffSecurityGroup,
  // Nothing is mutable in place: every change is a replacement.
  update: nothingChangesInPlace,

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
    return {id: response.GroupId!, ...ownerOfCreated(meta), vpcId: desired.vpcId, groupName: desired.groupName, description: desired.description}
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    // DependencyViolation (an ENI, or another group's rule, still references it) is thrown: the engine retries it.
    await deleteIgnoringNotFound(() => ec2.send(new DeleteSecurityGroupCommand({GroupId: observed.id})))
  },

  outputs(observed) {
    return {id: observed.id, groupName: observed.groupName, vpcId: observed.vpcId}
  },
})
