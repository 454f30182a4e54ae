import {
  CreateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DeleteTagsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
  type AutoScalingClient,
  type AutoScalingGroup,
  type Filter,
  type InstanceRefresh,
  type RefreshPreferences,
  type Tag as AsgTag,
  type TagDescription,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling'
import {errorCode} from '../../aws/errors.js'
import {TAG_ID, TAG_MANAGED_BY, TAG_STACK, type Change, type CreateMeta, type Health, type Observed, type ReconcileContext, type Reconciler} from '../types.js'
import {ownedBy} from '../tags.js'
import {chunks, waitFor} from '../wait.js'
import type {AutoScalingGroupDesired, AutoScalingTagDesired} from './desired.js'
import {classifyAutoScalingError, isGroupNotFound} from './errors.js'

export interface AutoScalingGroupObserved extends Observed {
  /** The group's name (its id: Auto Scaling groups are named, not numbered). */
  name: string
  arn: string
  launchTemplate: {id: string; version: string}
  minSize: number
  maxSize: number
  desiredCapacity: number
  subnetIds: string[]
  newInstancesProtectedFromScaleIn: boolean
  /** The user's tags: the ownership tags are left out. */
  tags: AutoScalingTagDesired[]
  /** Instances `InService` and `Healthy`. */
  inService: number
  instances: number
}

/** Tags the reconciler owns; never the user's to diff. `Name` is set from the group's name. */
const OWN_TAG_KEYS = new Set([TAG_STACK, TAG_ID, TAG_MANAGED_BY, 'Name'])

/** DescribeAutoScalingGroups takes at most 100 names… per page; 50 per request keeps URLs short. */
const NAMES_PER_CALL = 50

/**
 * How a new launch template version rolls the instances without leaving the
 * group (and the ECS cluster it feeds) short: MinHealthyPercentage 100 with
 * MaxHealthyPercentage 200 makes Auto Scaling launch each replacement and
 * wait for it to be healthy before terminating the instance it replaces;
 * SkipMatching leaves instances already on the version alone (a rerun after
 * a crash); ScaleInProtectedInstances `Refresh` replaces instances
 * protected from scale-in too (ECS managed termination protection protects
 * every instance that runs tasks; `Wait`, the default, would wait forever).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-maintenance-policy.html
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html
 */
export const REFRESH_PREFERENCES: RefreshPreferences = {
  MinHealthyPercentage: 100,
  MaxHealthyPercentage: 200,
  SkipMatching: true,
  ScaleInProtectedInstances: 'Refresh',
  StandbyInstances: 'Terminate',
}

/** Terminal states of an instance refresh other than `Successful`. */
const REFRESH_FAILED = new Set(['Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed'])
const REFRESH_ACTIVE = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking'])

async function autoscaling(ctx: ReconcileContext): Promise<AutoScalingClient> {
  return ctx.aws.client('autoscaling')
}

function tagValue(tags: TagDescription[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value
}

function userTags(tags: TagDescription[] | undefined): AutoScalingTagDesired[] {
  return (tags ?? []).filter((tag) => !OWN_TAG_KEYS.has(tag.Key ?? '')).map((tag) => ({key: tag.Key!, value: tag.Value ?? '', propagateAtLaunch: tag.PropagateAtLaunch ?? false}))
}

function toObserved(group: AutoScalingGroup): AutoScalingGroupObserved {
  const owner: {logicalId?: string; stack?: string} = {}
  const logicalId = tagValue(group.Tags, TAG_ID)
  const stack = tagValue(group.Tags, TAG_STACK)
  if (logicalId !== undefined) owner.logicalId = logicalId
  if (stack !== undefined) owner.stack = stack
  const instances = group.Instances ?? []
  return {
    id: group.AutoScalingGroupName!,
    ...owner,
    name: group.AutoScalingGroupName!,
    arn: group.AutoScalingGroupARN ?? '',
    launchTemplate: {id: group.LaunchTemplate?.LaunchTemplateId ?? '', version: group.LaunchTemplate?.Version ?? ''},
    minSize: group.MinSize ?? 0,
    maxSize: group.MaxSize ?? 0,
    desiredCapacity: group.DesiredCapacity ?? 0,
    subnetIds: (group.VPCZoneIdentifier ?? '').split(',').filter(Boolean),
    newInstancesProtectedFromScaleIn: group.NewInstancesProtectedFromScaleIn ?? false,
    tags: userTags(group.Tags),
    inService: instances.filter((instance) => instance.LifecycleState === 'InService' && instance.HealthStatus === 'Healthy').length,
    instances: instances.length,
  }
}

/**
 * A group being deleted (`Status: Delete in progress`) is on its way out:
 * absent for our purposes (its name is free again once it is gone).
 */
function isDeleting(group: AutoScalingGroup): boolean {
  return group.Status !== undefined && group.Status !== ''
}

async function describeGroups(ctx: ReconcileContext, input: {AutoScalingGroupNames?: string[]; Filters?: Filter[]}): Promise<AutoScalingGroup[]> {
  const client = await autoscaling(ctx)
  const groups: AutoScalingGroup[] = []
  for await (const page of paginateDescribeAutoScalingGroups({client}, input)) groups.push(...(page.AutoScalingGroups ?? []))
  return groups
}

async function describeOne(ctx: ReconcileContext, name: string): Promise<AutoScalingGroup | undefined> {
  return (await describeGroups(ctx, {AutoScalingGroupNames: [name]})).find((group) => group.AutoScalingGroupName === name)
}

/** The ownership tags plus `Name`, on the group only: instances get the user's propagated tags, never our `containrlab:id` (an instance carrying it would look like an `ec2.instance` of the stack to find). */
function groupTags(name: string, meta: CreateMeta, tags: AutoScalingTagDesired[]): AsgTag[] {
  const own = meta.tags.filter((tag) => tag.Key !== 'Name').map((tag) => asgTag(name, {key: tag.Key, value: tag.Value, propagateAtLaunch: false}))
  return [...own, asgTag(name, {key: 'Name', value: name, propagateAtLaunch: true}), ...tags.map((tag) => asgTag(name, tag))]
}

function asgTag(name: string, tag: AutoScalingTagDesired): AsgTag {
  return {ResourceId: name, ResourceType: 'auto-scaling-group', Key: tag.key, Value: tag.value, PropagateAtLaunch: tag.propagateAtLaunch}
}

function sortedTags(tags: AutoScalingTagDesired[]): AutoScalingTagDesired[] {
  return [...tags].sort((a, b) => a.key.localeCompare(b.key))
}

export function diffAutoScalingGroup(desired: AutoScalingGroupDesired, observed: AutoScalingGroupObserved): Change[] {
  const changes: Change[] = []
  const change = (field: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before) !== JSON.stringify(after)) changes.push({field, before, after, replace: false})
  }
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  change('launchTemplate', observed.launchTemplate, desired.launchTemplate)
  change('minSize', observed.minSize, desired.minSize)
  change('maxSize', observed.maxSize, desired.maxSize)
  // Absent: another party (an ECS capacity provider) scales the group.
  if (desired.desiredCapacity !== undefined) change('desiredCapacity', observed.desiredCapacity, desired.desiredCapacity)
  change('subnetIds', [...observed.subnetIds].sort(), [...desired.subnetIds].sort())
  change('newInstancesProtectedFromScaleIn', observed.newInstancesProtectedFromScaleIn, desired.newInstancesProtectedFromScaleIn)
  change('tags', sortedTags(observed.tags), sortedTags(desired.tags))
  return changes
}

/**
 * CreateAutoScalingGroup has no idempotency token: a retry after an answer
 * lost on the way finds AlreadyExists. A group of that name with this
 * create's tags is the first attempt's and is taken; any other is an error.
 */
async function create(ctx: ReconcileContext, desired: AutoScalingGroupDesired, meta: CreateMeta): Promise<AutoScalingGroupObserved> {
  const client = await autoscaling(ctx)
  try {
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: desired.name,
        LaunchTemplate: {LaunchTemplateId: desired.launchTemplate.id, Version: desired.launchTemplate.version},
        MinSize: desired.minSize,
        MaxSize: desired.maxSize,
        ...(desired.desiredCapacity !== undefined ? {DesiredCapacity: desired.desiredCapacity} : {}),
        VPCZoneIdentifier: desired.subnetIds.join(','),
        NewInstancesProtectedFromScaleIn: desired.newInstancesProtectedFromScaleIn,
        Tags: groupTags(desired.name, meta, desired.tags),
      }),
    )
  } catch (error) {
    if (errorCode(error) !== 'AlreadyExists' && errorCode(error) !== 'AlreadyExistsFault') throw error
    const existing = await describeOne(ctx, desired.name)
    const stack = meta.tags.find((tag) => tag.Key === TAG_STACK)?.Value
    if (!existing || tagValue(existing.Tags, TAG_STACK) !== stack || tagValue(existing.Tags, TAG_ID) !== meta.logicalId) {
      throw new Error(`an Auto Scaling group named ${desired.name} exists already and is not this stack's ${meta.logicalId}: delete or rename it`, {cause: error})
    }
    return toObserved(existing)
  }
  // CreateAutoScalingGroup answers nothing but success; the group is read back (retried while not yet listed).
  const created = await waitFor(ctx, {
    what: `${desired.name} to be listed`,
    poll: () => describeOne(ctx, desired.name),
    state: (group) => (group ? 'listed' : 'not visible yet'),
    done: (group) => group !== undefined,
  })
  return toObserved(created!)
}

/** The refresh running on the group now, if any. */
async function activeRefresh(client: AutoScalingClient, name: string): Promise<InstanceRefresh | undefined> {
  const refreshes = await client.send(new DescribeInstanceRefreshesCommand({AutoScalingGroupName: name}))
  return refreshes.InstanceRefreshes?.find((refresh) => REFRESH_ACTIVE.has(refresh.Status ?? ''))
}

async function waitForRefresh(ctx: ReconcileContext, client: AutoScalingClient, name: string, refreshId: string): Promise<void> {
  await waitFor(ctx, {
    what: `instance refresh ${refreshId} of ${name}`,
    poll: async () => (await client.send(new DescribeInstanceRefreshesCommand({AutoScalingGroupName: name, InstanceRefreshIds: [refreshId]}))).InstanceRefreshes?.[0],
    state: (refresh) => (refresh ? `${refresh.Status ?? 'unknown'} ${refresh.PercentageComplete ?? 0}%, ${refresh.InstancesToUpdate ?? 0} to replace` : 'not visible yet'),
    done: (refresh) => refresh?.Status === 'Successful',
    failed: (refresh) => (refresh && REFRESH_FAILED.has(refresh.Status ?? '') ? `${refresh.Status}: ${refresh.StatusReason ?? 'no reason given'}` : undefined),
  })
}

/**
 * Rolls the instances onto the group's (new) launch template version. A
 * refresh already running (an earlier run's, cut short) is waited for
 * first: StartInstanceRefresh refuses while one is active
 * (InstanceRefreshInProgress), and with SkipMatching the new one replaces
 * only what the old one did not.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StartInstanceRefresh.html
 */
async function rollInstances(ctx: ReconcileContext, name: string): Promise<void> {
  const client = await autoscaling(ctx)
  const running = await activeRefresh(client, name)
  if (running) await waitForRefresh(ctx, client, name, running.InstanceRefreshId!)
  const started = await client.send(new StartInstanceRefreshCommand({AutoScalingGroupName: name, Strategy: 'Rolling', Preferences: REFRESH_PREFERENCES}))
  await waitForRefresh(ctx, client, name, started.InstanceRefreshId!)
}

async function updateTags(client: AutoScalingClient, name: string, desired: AutoScalingTagDesired[], observed: AutoScalingTagDesired[]): Promise<void> {
  const wanted = new Map(desired.map((tag) => [tag.key, tag]))
  const stale = observed.filter((tag) => !wanted.has(tag.key))
  const changed = desired.filter((tag) => {
    const before = observed.find((other) => other.key === tag.key)
    return !before || before.value !== tag.value || before.propagateAtLaunch !== tag.propagateAtLaunch
  })
  if (changed.length > 0) await client.send(new CreateOrUpdateTagsCommand({Tags: changed.map((tag) => asgTag(name, tag))}))
  if (stale.length > 0) await client.send(new DeleteTagsCommand({Tags: stale.map((tag) => asgTag(name, tag))}))
}

export const autoScalingGroup: Reconciler<AutoScalingGroupDesired, AutoScalingGroupObserved> = {
  kind: 'autoscaling.group',
  // The name is the group's identity and unique per region.
  replaceStrategy: 'delete-before-create',
  // The group itself is quick; ForceDelete waits for its instances to terminate (~1–2 min).
  typicalMs: {create: 5_000, delete: 120_000},
  // An instance refresh replaces instances one launch and health check at a time.
  waitTimeoutMs: 60 * 60_000,

  async read(ctx, ids) {
    const found = new Map<string, AutoScalingGroupObserved>()
    for (const batch of chunks(ids, NAMES_PER_CALL)) {
      for (const group of await describeGroups(ctx, {AutoScalingGroupNames: batch})) {
        if (!isDeleting(group)) found.set(group.AutoScalingGroupName!, toObserved(group))
      }
    }
    return found
  },

  /** DescribeAutoScalingGroups filters on tags (`tag:<key>`); ownership is checked again on the tags. */
  async find(ctx, query) {
    const groups = await describeGroups(ctx, {Filters: [{Name: `tag:${TAG_STACK}`, Values: [query.stack]}]})
    return ownedBy(query.stack, groups.filter((group) => !isDeleting(group)).map(toObserved))
  },

  diff: diffAutoScalingGroup,
  create,

  async update(ctx, desired, observed, changes) {
    const client = await autoscaling(ctx)
    const changed = new Set(changes.map((change) => change.field))
    const input: UpdateAutoScalingGroupCommandInput = {AutoScalingGroupName: observed.name}
    if (changed.has('launchTemplate')) input.LaunchTemplate = {LaunchTemplateId: desired.launchTemplate.id, Version: desired.launchTemplate.version}
    if (changed.has('minSize')) input.MinSize = desired.minSize
    if (changed.has('maxSize')) input.MaxSize = desired.maxSize
    if (changed.has('desiredCapacity') && desired.desiredCapacity !== undefined) input.DesiredCapacity = desired.desiredCapacity
    if (changed.has('subnetIds')) input.VPCZoneIdentifier = desired.subnetIds.join(',')
    if (changed.has('newInstancesProtectedFromScaleIn')) input.NewInstancesProtectedFromScaleIn = desired.newInstancesProtectedFromScaleIn
    if (Object.keys(input).length > 1) await client.send(new UpdateAutoScalingGroupCommand(input))
    if (changed.has('tags')) await updateTags(client, observed.name, desired.tags, observed.tags)
    // A new version applies to launches only: the running instances are replaced by a refresh.
    if (changed.has('launchTemplate') && observed.instances > 0) await rollInstances(ctx, observed.name)
    const fresh = await describeOne(ctx, observed.name)
    return fresh ? toObserved(fresh) : {...observed, ...desired, desiredCapacity: desired.desiredCapacity ?? observed.desiredCapacity}
  },

  async waitReady(ctx, observed) {
    const group = await waitFor(ctx, {
      what: `${observed.name} to have its instances in service`,
      poll: () => describeOne(ctx, observed.name),
      state: (value) => (value ? `${toObserved(value).inService}/${value.DesiredCapacity ?? 0} in service` : 'not visible yet'),
      done: (value) => value !== undefined && toObserved(value).inService >= (value.DesiredCapacity ?? 0),
    })
    return toObserved(group!)
  },

  /**
   * ForceDelete terminates the instances with the group (without it AWS
   * refuses while any is left: ResourceInUse). The group stays listed, `Delete
   * in progress`, until they are terminated; what follows (the launch
   * template, the subnets and groups the instances held) waits for that.
   * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html
   */
  async delete(ctx, observed) {
    const client = await autoscaling(ctx)
    try {
      await client.send(new DeleteAutoScalingGroupCommand({AutoScalingGroupName: observed.name, ForceDelete: true}))
    } catch (error) {
      if (isGroupNotFound(error)) return
      // A delete already under way (an earlier run's): wait for it below.
      if (errorCode(error) !== 'ScalingActivityInProgress' && errorCode(error) !== 'ScalingActivityInProgressFault') throw error
    }
    await waitFor(ctx, {
      what: `${observed.name} and its instances to be deleted`,
      poll: () => describeOne(ctx, observed.name),
      state: (group) => (group ? `${group.Status ?? 'active'}, ${group.Instances?.length ?? 0} instances` : 'gone'),
      done: (group) => group === undefined,
    })
  },

  outputs(observed) {
    return {id: observed.id, name: observed.name, arn: observed.arn}
  },

  health(observed): Health {
    const ready = observed.inService >= observed.desiredCapacity
    return {state: ready ? 'InService' : 'scaling', ready, detail: `${observed.inService}/${observed.desiredCapacity} instances in service`}
  },

  /** The counts `health` words, as fields for `status --json`; DescribeAutoScalingGroups (read) has them all: no call. */
  async statusDetails(_ctx, groups) {
    const fields = (group: AutoScalingGroupObserved) => ({desired: group.desiredCapacity, inService: group.inService, instances: group.instances, min: group.minSize, max: group.maxSize})
    return new Map(groups.map((group) => [group.id, {fields: fields(group), lines: []}]))
  },

  classifyError: classifyAutoScalingError,
}
