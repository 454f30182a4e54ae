import {
  AlreadyExistsFault,
  AutoScalingServiceException,
  CreateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribeTagsCommand,
  InstanceRefreshInProgressFault,
  ResourceInUseFault,
  ScalingActivityInProgressFault,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
  type CreateAutoScalingGroupType,
  type CreateOrUpdateTagsType,
  type DeleteAutoScalingGroupType,
  type DeleteTagsType,
  type AutoScalingGroupNamesType,
  type DescribeInstanceRefreshesType,
  type DescribeTagsType,
  type Filter,
  type InstanceRefresh,
  type InstanceRefreshStatus,
  type RefreshPreferences,
  type StartInstanceRefreshType,
  type Tag,
  type TagDescription,
  type UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling'
import {randomUUID} from 'node:crypto'
import {type FakeEc2Instances, type FakeEnv, type FakeHandler, type FakeService, handlersOf, type OperationHandler} from './core.js'

/**
 * In-memory Amazon EC2 Auto Scaling: groups on launch templates whose
 * instances the fake EC2 launches and terminates (env.ec2Instances), kept
 * at the desired capacity, and instance refreshes that replace them while
 * keeping MinHealthyPercentage of the desired capacity in service.
 * Everything moves when a call arrives (each call first brings every group
 * up to the fake clock's now), as AWS's own activities move between polls.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Operations.html
 */

export interface AutoScalingTimings {
  /** An instance refresh is `Pending` this long before it starts replacing. */
  refreshPendingMs: number
}

export const DEFAULT_AUTOSCALING_TIMINGS: AutoScalingTimings = {
  refreshPendingMs: 10_000,
}

interface GroupInstance {
  id: string
  subnetId: string
  launchTemplateVersion: number
  protectedFromScaleIn: boolean
}

interface RefreshRecord {
  id: string
  startedAt: number
  status: InstanceRefreshStatus
  preferences: RefreshPreferences
  /** Instances on another version when it started (SkipMatching) or every one. */
  toReplace: Set<string>
  replaced: number
  total: number
  endedAt?: number
  reason?: string
}

interface GroupRecord {
  name: string
  arn: string
  createdAt: number
  launchTemplate: {id: string; version: string}
  minSize: number
  maxSize: number
  desiredCapacity: number
  subnetIds: string[]
  newInstancesProtectedFromScaleIn: boolean
  tags: TagDescription[]
  instances: GroupInstance[]
  refreshes: RefreshRecord[]
  deleting: boolean
  /** Round robin over the subnets. */
  nextSubnet: number
}

const meta = {$metadata: {httpStatusCode: 400}}

/** An error of a modeled class, with the wire code in `Code` as the query protocol's deserializer sets it. */
function fault<E extends AutoScalingServiceException>(Fault: new (options: {$metadata: object; message: string}) => E, message: string): E {
  const error = new Fault({...meta, message})
  return Object.assign(error, {Code: error.name.replace(/Fault$/, ''), Type: 'Sender'})
}

/** Errors without a modeled class (ValidationError): the service exception with the code as name. */
function validation(message: string): AutoScalingServiceException {
  const error = new AutoScalingServiceException({name: 'ValidationError', $fault: 'client', ...meta, message})
  return Object.assign(error, {Code: 'ValidationError', Type: 'Sender'})
}

function notFound(name: string | undefined): AutoScalingServiceException {
  return validation(`AutoScalingGroup name not found - AutoScalingGroup ${name ?? ''} not found`)
}

export class FakeAutoScaling implements FakeService {
  readonly service = 'autoscaling'
  private readonly timings: AutoScalingTimings
  private readonly groups = new Map<string, GroupRecord>()

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<AutoScalingTimings> = {},
  ) {
    this.timings = {...DEFAULT_AUTOSCALING_TIMINGS, ...timings}
  }

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateAutoScalingGroupCommand, (i) => this.createGroup(i)],
      [DescribeAutoScalingGroupsCommand, (i) => this.describeGroups(i)],
      [UpdateAutoScalingGroupCommand, (i) => this.updateGroup(i)],
      [DeleteAutoScalingGroupCommand, (i) => this.deleteGroup(i)],
      [StartInstanceRefreshCommand, (i) => this.startInstanceRefresh(i)],
      [DescribeInstanceRefreshesCommand, (i) => this.describeInstanceRefreshes(i)],
      [CreateOrUpdateTagsCommand, (i) => this.createOrUpdateTags(i)],
      [DeleteTagsCommand, (i) => this.deleteTags(i)],
      [DescribeTagsCommand, (i) => this.describeTags(i)],
    ]
    return handlersOf(table, (_operation, input) => {
      this.advance()
      return input
    })
  }

  /** Auto Scaling's query API throttles with `Throttling` (400). */
  throttlingError(): Error {
    const error = new AutoScalingServiceException({name: 'Throttling', $fault: 'client', ...meta, message: 'Rate exceeded'})
    return Object.assign(error, {Code: 'Throttling', Type: 'Sender'})
  }

  /** Groups not yet gone (one being deleted counts until its instances are terminated). */
  resourceCount(): number {
    this.advance()
    return this.groups.size
  }

  /** A group's instances and their EC2 states, for assertions. */
  instancesOf(name: string): {id: string; version: number; state: string | undefined}[] {
    this.advance()
    const group = this.groups.get(name)
    if (!group) return []
    return group.instances.map((instance) => ({id: instance.id, version: instance.launchTemplateVersion, state: this.ec2().state(instance.id)}))
  }

  private ec2(): FakeEc2Instances {
    if (!this.env.ec2Instances) throw new Error('FakeAutoScaling needs the fake EC2 (env.ec2Instances)')
    return this.env.ec2Instances
  }

  private now(): number {
    return this.env.clock.now()
  }

  private lifecycle(instance: GroupInstance): 'Pending' | 'InService' | 'Terminating' | 'Terminated' {
    switch (this.ec2().state(instance.id)) {
      case 'pending':
        return 'Pending'
      case 'running':
        return 'InService'
      case 'shutting-down':
        return 'Terminating'
      default:
        return 'Terminated'
    }
  }

  // ---------------------------------------------------------------- what happens between calls

  /** Brings every group to now: capacity kept, refreshes moved on, deleted groups gone once their instances are. */
  private advance(): void {
    for (const group of [...this.groups.values()]) {
      // Instances terminated are no longer the group's.
      group.instances = group.instances.filter((instance) => this.lifecycle(instance) !== 'Terminated')
      if (group.deleting) {
        for (const instance of group.instances) this.ec2().terminate(instance.id)
        if (group.instances.length === 0) this.groups.delete(group.name)
        continue
      }
      this.moveRefresh(group)
      this.keepCapacity(group)
    }
  }

  private live(group: GroupRecord): GroupInstance[] {
    return group.instances.filter((instance) => {
      const state = this.lifecycle(instance)
      return state === 'Pending' || state === 'InService'
    })
  }

  private launch(group: GroupRecord): void {
    const subnetId = group.subnetIds[group.nextSubnet++ % group.subnetIds.length]!
    const tags = group.tags.filter((tag) => tag.PropagateAtLaunch).map((tag) => ({Key: tag.Key!, Value: tag.Value ?? ''}))
    tags.push({Key: 'aws:autoscaling:groupName', Value: group.name})
    const launched = this.ec2().launchFromTemplate({launchTemplateId: group.launchTemplate.id, version: group.launchTemplate.version, subnetId, tags})
    group.instances.push({id: launched.id, subnetId, launchTemplateVersion: launched.launchTemplateVersion, protectedFromScaleIn: group.newInstancesProtectedFromScaleIn})
  }

  /**
   * Launches while fewer than desired are live; scales in (oldest first,
   * never a protected instance) while more are, except while a refresh has
   * replacements up.
   */
  private keepCapacity(group: GroupRecord): void {
    const refreshing = group.refreshes.some((refresh) => refresh.status === 'InProgress')
    let live = this.live(group)
    while (live.length < group.desiredCapacity) {
      this.launch(group)
      live = this.live(group)
    }
    if (refreshing) return
    for (const instance of live) {
      if (this.live(group).length <= group.desiredCapacity) break
      if (!instance.protectedFromScaleIn) this.ec2().terminate(instance.id)
    }
  }

  /**
   * One step of the active refresh: launch replacements while the group is
   * under MaxHealthyPercentage of desired, terminate outdated instances
   * while more than MinHealthyPercentage stay in service. With 100 / 200
   * every replacement is in service before the instance it replaces goes.
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-maintenance-policy.html
   */
  private moveRefresh(group: GroupRecord): void {
    const refresh = group.refreshes.find((candidate) => candidate.status === 'Pending' || candidate.status === 'InProgress')
    if (!refresh) return
    if (refresh.status === 'Pending') {
      if (this.now() < refresh.startedAt + this.timings.refreshPendingMs) return
      refresh.status = 'InProgress'
    }
    const minHealthy = Math.ceil((group.desiredCapacity * (refresh.preferences.MinHealthyPercentage ?? 90)) / 100)
    const maxTotal = Math.max(group.desiredCapacity, Math.floor((group.desiredCapacity * (refresh.preferences.MaxHealthyPercentage ?? 100)) / 100))
    const current = this.ec2().resolveVersion(group.launchTemplate.id, group.launchTemplate.version)
    const outdated = () => this.live(group).filter((instance) => refresh.toReplace.has(instance.id))
    const upToDate = () => this.live(group).filter((instance) => !refresh.toReplace.has(instance.id) && instance.launchTemplateVersion === current)
    // Replacements first, up to the maximum.
    while (this.live(group).length < maxTotal && upToDate().length < group.desiredCapacity && outdated().length > 0) this.launch(group)
    // Then the outdated ones, as long as enough stay in service. With no room to launch first
    // (MaxHealthyPercentage 100), one at a time whatever the minimum: "setting the minimum healthy
    // percentage to 100 percent limits the rate of replacement to one instance at a time"
    // (the user guide before MaxHealthyPercentage existed), so capacity drops by one meanwhile.
    for (const instance of outdated()) {
      const live = this.live(group)
      const inService = live.filter((candidate) => this.lifecycle(candidate) === 'InService').length
      const oneAtATime = live.length <= group.desiredCapacity && inService === live.length && inService === group.desiredCapacity
      if (this.lifecycle(instance) === 'InService' && inService - 1 < minHealthy && !oneAtATime) break
      if (instance.protectedFromScaleIn && refresh.preferences.ScaleInProtectedInstances !== 'Refresh') continue
      this.ec2().terminate(instance.id)
      refresh.toReplace.delete(instance.id)
      refresh.replaced++
    }
    const done = outdated().length === 0 && upToDate().filter((instance) => this.lifecycle(instance) === 'InService').length >= group.desiredCapacity
    if (done) {
      refresh.status = 'Successful'
      refresh.endedAt = this.now()
    }
  }

  // ---------------------------------------------------------------- groups

  private group(name: string | undefined): GroupRecord {
    const group = name === undefined ? undefined : this.groups.get(name)
    if (!group || group.deleting) throw notFound(name)
    return group
  }

  private checkSizes(min: number, max: number, desired: number): void {
    if (min > max) throw validation(`The minimum size (${min}) cannot be greater than the maximum size (${max}).`)
    if (desired < min || desired > max) throw validation(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`)
  }

  private createGroup(input: CreateAutoScalingGroupType): object {
    const name = input.AutoScalingGroupName ?? ''
    if (name.length < 1 || name.length > 255) throw validation(`AutoScalingGroupName ${name} is not valid`)
    if (this.groups.has(name)) throw fault(AlreadyExistsFault, `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`)
    if (!input.LaunchTemplate?.LaunchTemplateId) throw new Error('FakeAutoScaling: groups are modelled on launch templates by id')
    const subnetIds = (input.VPCZoneIdentifier ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean)
    if (subnetIds.length === 0) throw validation('No default subnet found in the default VPC for your account. Please specify VPCZoneIdentifier.')
    const min = input.MinSize ?? 0
    const max = input.MaxSize ?? 0
    const desired = input.DesiredCapacity ?? min
    this.checkSizes(min, max, desired)
    try {
      this.ec2().resolveVersion(input.LaunchTemplate.LaunchTemplateId, input.LaunchTemplate.Version ?? '$Default')
    } catch {
      throw validation(`You must use a valid fully-formed launch template. The specified launch template, with template ID ${input.LaunchTemplate.LaunchTemplateId}, does not exist.`)
    }
    const group: GroupRecord = {
      name,
      arn: `arn:aws:autoscaling:${this.env.region}:${this.env.accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
      createdAt: this.now(),
      launchTemplate: {id: input.LaunchTemplate.LaunchTemplateId, version: input.LaunchTemplate.Version ?? '$Default'},
      minSize: min,
      maxSize: max,
      desiredCapacity: desired,
      subnetIds,
      newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? false,
      tags: (input.Tags ?? []).map((tag) => this.tagOut(name, tag)),
      instances: [],
      refreshes: [],
      deleting: false,
      nextSubnet: 0,
    }
    this.groups.set(name, group)
    this.keepCapacity(group)
    return {}
  }

  private tagOut(name: string, tag: Tag): TagDescription {
    return {ResourceId: name, ResourceType: 'auto-scaling-group', Key: tag.Key, Value: tag.Value ?? '', PropagateAtLaunch: tag.PropagateAtLaunch ?? false}
  }

  private groupOut(group: GroupRecord): AutoScalingGroup {
    return {
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      LaunchTemplate: {LaunchTemplateId: group.launchTemplate.id, Version: group.launchTemplate.version},
      MinSize: group.minSize,
      MaxSize: group.maxSize,
      DesiredCapacity: group.desiredCapacity,
      DefaultCooldown: 300,
      AvailabilityZones: [],
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 300,
      CreatedTime: new Date(group.createdAt),
      VPCZoneIdentifier: group.subnetIds.join(','),
      NewInstancesProtectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
      Instances: group.instances.map((instance) => ({
        InstanceId: instance.id,
        AvailabilityZone: `${this.env.region}a`,
        LifecycleState: this.lifecycle(instance),
        HealthStatus: 'Healthy',
        LaunchTemplate: {LaunchTemplateId: group.launchTemplate.id, Version: String(instance.launchTemplateVersion)},
        ProtectedFromScaleIn: instance.protectedFromScaleIn,
      })),
      Tags: group.tags,
      ...(group.deleting ? {Status: 'Delete in progress'} : {}),
    }
  }

  /** Unknown names are left out (no error); filters: `tag:<key>`, `tag-key`, `tag-value`. */
  private describeGroups(input: AutoScalingGroupNamesType): {AutoScalingGroups: AutoScalingGroup[]} {
    let groups = [...this.groups.values()]
    if (input.AutoScalingGroupNames?.length) groups = groups.filter((group) => input.AutoScalingGroupNames!.includes(group.name))
    for (const filter of input.Filters ?? []) groups = groups.filter((group) => matches(group.tags, filter))
    return {AutoScalingGroups: groups.map((group) => this.groupOut(group))}
  }

  private updateGroup(input: UpdateAutoScalingGroupType): object {
    const group = this.group(input.AutoScalingGroupName)
    const min = input.MinSize ?? group.minSize
    const max = input.MaxSize ?? group.maxSize
    // A new minimum above the desired capacity raises it (and a maximum below lowers it), as AWS does.
    const desired = input.DesiredCapacity ?? Math.min(Math.max(group.desiredCapacity, min), max)
    this.checkSizes(min, max, desired)
    if (input.LaunchTemplate?.LaunchTemplateId) {
      const version = input.LaunchTemplate.Version ?? '$Default'
      this.ec2().resolveVersion(input.LaunchTemplate.LaunchTemplateId, version)
      group.launchTemplate = {id: input.LaunchTemplate.LaunchTemplateId, version}
    }
    if (input.VPCZoneIdentifier !== undefined)
      group.subnetIds = input.VPCZoneIdentifier.split(',')
        .map((id) => id.trim())
        .filter(Boolean)
    if (input.NewInstancesProtectedFromScaleIn !== undefined) group.newInstancesProtectedFromScaleIn = input.NewInstancesProtectedFromScaleIn
    group.minSize = min
    group.maxSize = max
    group.desiredCapacity = desired
    this.keepCapacity(group)
    return {}
  }

  /**
   * Without ForceDelete: ResourceInUse while it has instances,
   * ScalingActivityInProgress while some are launching. With it: `Delete in
   * progress` until its instances are terminated, then gone.
   * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html
   */
  private deleteGroup(input: DeleteAutoScalingGroupType): object {
    const existing = input.AutoScalingGroupName === undefined ? undefined : this.groups.get(input.AutoScalingGroupName)
    if (existing?.deleting) throw fault(ScalingActivityInProgressFault, 'An AutoScalingGroup is being deleted.')
    const group = this.group(input.AutoScalingGroupName)
    if (!input.ForceDelete && group.instances.length > 0) {
      if (group.instances.some((instance) => this.lifecycle(instance) === 'Pending'))
        throw fault(ScalingActivityInProgressFault, 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.')
      throw fault(ResourceInUseFault, 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.')
    }
    group.deleting = true
    for (const refresh of group.refreshes) if (refresh.status === 'Pending' || refresh.status === 'InProgress') refresh.status = 'Cancelled'
    for (const instance of group.instances) this.ec2().terminate(instance.id)
    if (group.instances.length === 0) this.groups.delete(group.name)
    return {}
  }

  // ---------------------------------------------------------------- instance refresh

  private startInstanceRefresh(input: StartInstanceRefreshType): {InstanceRefreshId: string} {
    const group = this.group(input.AutoScalingGroupName)
    if (group.refreshes.some((refresh) => ['Pending', 'InProgress', 'Cancelling'].includes(refresh.status))) {
      throw fault(InstanceRefreshInProgressFault, `An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.`)
    }
    const preferences = {...input.Preferences}
    const min = preferences.MinHealthyPercentage ?? 90
    const max = preferences.MaxHealthyPercentage ?? 100
    // "The difference between the maximum and minimum healthy percentage can't be greater than 100."
    if (max < 100 || max > 200 || min < 0 || min > 100 || max - min > 100) throw validation(`Invalid MinHealthyPercentage ${min} / MaxHealthyPercentage ${max}.`)
    const current = this.ec2().resolveVersion(group.launchTemplate.id, group.launchTemplate.version)
    const live = this.live(group)
    const toReplace = new Set(live.filter((instance) => !preferences.SkipMatching || instance.launchTemplateVersion !== current).map((instance) => instance.id))
    const refresh: RefreshRecord = {id: randomUUID(), startedAt: this.now(), status: 'Pending', preferences, toReplace, replaced: 0, total: toReplace.size}
    group.refreshes.unshift(refresh)
    return {InstanceRefreshId: refresh.id}
  }

  private refreshOut(group: GroupRecord, refresh: RefreshRecord): InstanceRefresh {
    return {
      InstanceRefreshId: refresh.id,
      AutoScalingGroupName: group.name,
      Status: refresh.status,
      StartTime: new Date(refresh.startedAt),
      ...(refresh.endedAt !== undefined ? {EndTime: new Date(refresh.endedAt)} : {}),
      PercentageComplete: refresh.total === 0 ? (refresh.status === 'Successful' ? 100 : 0) : Math.floor((refresh.replaced * 100) / refresh.total),
      InstancesToUpdate: refresh.toReplace.size,
      Preferences: refresh.preferences,
      ...(refresh.reason ? {StatusReason: refresh.reason} : {}),
    }
  }

  /** Newest first, as AWS lists them. */
  private describeInstanceRefreshes(input: DescribeInstanceRefreshesType): {InstanceRefreshes: InstanceRefresh[]} {
    const group = this.group(input.AutoScalingGroupName)
    const refreshes = input.InstanceRefreshIds?.length ? group.refreshes.filter((refresh) => input.InstanceRefreshIds!.includes(refresh.id)) : group.refreshes
    return {InstanceRefreshes: refreshes.map((refresh) => this.refreshOut(group, refresh))}
  }

  // ---------------------------------------------------------------- tags

  private createOrUpdateTags(input: CreateOrUpdateTagsType): object {
    for (const tag of input.Tags ?? []) {
      const group = this.group(tag.ResourceId)
      group.tags = [...group.tags.filter((other) => other.Key !== tag.Key), this.tagOut(group.name, tag)]
    }
    return {}
  }

  private deleteTags(input: DeleteTagsType): object {
    for (const tag of input.Tags ?? []) {
      const group = this.group(tag.ResourceId)
      group.tags = group.tags.filter((other) => other.Key !== tag.Key)
    }
    return {}
  }

  /** Filters: `auto-scaling-group`, `key`, `value`, `propagate-at-launch`. */
  private describeTags(input: DescribeTagsType): {Tags: TagDescription[]} {
    let tags = [...this.groups.values()].flatMap((group) => group.tags)
    for (const filter of input.Filters ?? []) {
      const field = {'auto-scaling-group': 'ResourceId', 'key': 'Key', 'value': 'Value', 'propagate-at-launch': 'PropagateAtLaunch'}[filter.Name ?? ''] as keyof TagDescription | undefined
      if (!field) throw validation(`Filter ${filter.Name} is not valid`)
      tags = tags.filter((tag) => (filter.Values ?? []).includes(String(tag[field])))
    }
    return {Tags: tags}
  }
}

/** DescribeAutoScalingGroups' filters: `tag:<key>`, `tag-key`, `tag-value`. https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html */
function matches(tags: TagDescription[], filter: Filter): boolean {
  const name = filter.Name ?? ''
  const values = filter.Values ?? []
  if (name.startsWith('tag:')) return tags.some((tag) => tag.Key === name.slice(4) && values.includes(tag.Value ?? ''))
  if (name === 'tag-key') return tags.some((tag) => values.includes(tag.Key ?? ''))
  if (name === 'tag-value') return tags.some((tag) => values.includes(tag.Value ?? ''))
  throw validation(`Filter ${name} is not valid`)
}
