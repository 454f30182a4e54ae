import {
  DescribeInstanceAttributeCommand,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
  type EC2Client,
  type Filter,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2'
import {ownerOf, ownerOfCreated, withOwner} from '../tags.js'
import type {Change, Health, Observed, ReconcileContext} from '../types.js'
import {waitFor} from '../wait.js'
import {collectPages, ec2Kind, immutableChanges} from './describe.js'
import type {InstanceDesired, MachineSettings, MetadataOptionsDesired} from './desired.js'
import {isEc2NotFound} from './errors.js'
import {decodeUserData, encodeUserData} from './launch-template.js'

export interface InstanceObserved extends Observed, MachineSettings {
  /** `pending` | `running` | `stopping` | `stopped` (`shutting-down` and `terminated` count as absent). */
  state: string
  subnetId: string
  privateIp?: string
}

/**
 * An instance `shutting-down` will never run again, and one `terminated`
 * stays visible for about an hour: neither exists for our purposes.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
 */
const GONE_STATES = new Set(['shutting-down', 'terminated'])

/**
 * What a change does: the AMI, type, subnet, profile, user data and IMDS
 * options are the machine itself, replaced (create-before-delete: the new
 * instance joins the ECS cluster before the old one goes). Security groups
 * change in place. (A type or user data change could be made by a stop and
 * start, but a stopped runner is an outage; a replacement is not.)
 */
const REPLACED = ['imageId', 'instanceType', 'subnetId', 'instanceProfileArn', 'userData'] as const

export function diffInstance(desired: InstanceDesired, observed: InstanceObserved): Change[] {
  const changes = immutableChanges(desired, observed, [...REPLACED])
  if (JSON.stringify(desired.metadataOptions) !== JSON.stringify(observed.metadataOptions)) {
    changes.push({field: 'metadataOptions', before: observed.metadataOptions, after: desired.metadataOptions, replace: true})
  }
  const groups = (ids: string[]) => [...ids].sort()
  if (JSON.stringify(groups(desired.securityGroupIds)) !== JSON.stringify(groups(observed.securityGroupIds))) {
    changes.push({field: 'securityGroupIds', before: observed.securityGroupIds, after: desired.securityGroupIds, replace: false})
  }
  return changes
}

function toObserved(instance: Instance, userData: string): InstanceObserved {
  return {
    id: instance.InstanceId!,
    ...ownerOf(instance.Tags),
    state: instance.State?.Name ?? 'unknown',
    imageId: instance.ImageId ?? '',
    instanceType: instance.InstanceType ?? '',
    subnetId: instance.SubnetId ?? '',
    securityGroupIds: (instance.SecurityGroups ?? []).map((group) => group.GroupId!),
    instanceProfileArn: instance.IamInstanceProfile?.Arn ?? '',
    userData,
    metadataOptions: {
      httpTokens: (instance.MetadataOptions?.HttpTokens ?? 'optional') as MetadataOptionsDesired['httpTokens'],
      httpPutResponseHopLimit: instance.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
    },
    privateIp: instance.PrivateIpAddress,
  }
}

/** DescribeInstances does not return user data; DescribeInstanceAttribute does, one instance per call. */
async function userDataOf(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  try {
    const answer = await ec2.send(new DescribeInstanceAttributeCommand({InstanceId: instanceId, Attribute: 'userData'}))
    return decodeUserData(answer.UserData?.Value)
  } catch (error) {
    if (isEc2NotFound(error)) return undefined
    throw error
  }
}

async function describeAll(ctx: ReconcileContext, filters: Filter[]): Promise<Instance[]> {
  const reservations = await collectPages(paginateDescribeInstances({client: await ctx.aws.ec2()}, {Filters: filters}), (page) => page.Reservations)
  return reservations.flatMap((reservation) => reservation.Instances ?? [])
}

async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<InstanceObserved[]> {
  const ec2 = await ctx.aws.ec2()
  const live = (await describeAll(ctx, filters)).filter((instance) => !GONE_STATES.has(instance.State?.Name ?? ''))
  const observed = await Promise.all(
    live.map(async (instance) => {
      const userData = await userDataOf(ec2, instance.InstanceId!)
      return userData === undefined ? undefined : toObserved(instance, userData)
    }),
  )
  return observed.filter((instance): instance is InstanceObserved => instance !== undefined)
}

async function describeOne(ctx: ReconcileContext, id: string): Promise<Instance | undefined> {
  return (await describeAll(ctx, [{Name: 'instance-id', Values: [id]}])).find((instance) => instance.InstanceId === id)
}

export function runInstancesInput(desired: InstanceDesired, token: string, tags: {Key: string; Value: string}[]): RunInstancesCommandInput {
  return {
    ImageId: desired.imageId,
    InstanceType: desired.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    SubnetId: desired.subnetId,
    SecurityGroupIds: [...desired.securityGroupIds],
    IamInstanceProfile: {Arn: desired.instanceProfileArn},
    UserData: encodeUserData(desired.userData),
    MetadataOptions: {HttpEndpoint: 'enabled', HttpTokens: desired.metadataOptions.httpTokens, HttpPutResponseHopLimit: desired.metadataOptions.httpPutResponseHopLimit},
    // A retried RunInstances with the same token returns the instance the first attempt launched.
    // https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html
    ClientToken: token,
    TagSpecifications: [
      {ResourceType: 'instance', Tags: [...tags, {Key: 'Name', Value: desired.name}]},
      {ResourceType: 'volume', Tags: [{Key: 'Name', Value: desired.name}]},
    ],
  }
}

export const instance = ec2Kind<InstanceDesired, InstanceObserved>({
  kind: 'ec2.instance',
  // The new instance registers with the cluster before the old one is terminated.
  replaceStrategy: 'create-before-delete',
  // `pending` → `running` ~30–60 s; `shutting-down` → `terminated` ~30–90 s.
  typicalMs: {create: 45_000, delete: 60_000},
  idempotentCreate: true,
  // Dependents (an ECS service placing tasks on it) need it running.
  readyWhen: 'always',
  idFilter: 'instance-id',
  describe,
  diff: diffInstance,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const tags = meta.tags.filter((tag) => tag.Key !== 'Name')
    const response = await ec2.send(new RunInstancesCommand(runInstancesInput(desired, meta.token, tags)))
    const launched = response.Instances![0]!
    return {...toObserved(launched, desired.userData), ...ownerOfCreated(meta)}
  },

  async update(ctx, desired, observed) {
    const ec2 = await ctx.aws.ec2()
    // ModifyInstanceAttribute `Groups` replaces the groups of the primary network interface.
    await ec2.send(new ModifyInstanceAttributeCommand({InstanceId: observed.id, Groups: [...desired.securityGroupIds]}))
    return {...observed, securityGroupIds: [...desired.securityGroupIds]}
  },

  async waitReady(ctx, observed) {
    const running = await waitFor(ctx, {
      what: `${observed.id} to be running`,
      // A fresh id may be missing from describes for a while (eventual consistency): "not yet", not gone.
      isGone: isEc2NotFound,
      poll: () => describeOne(ctx, observed.id),
      state: (value) => value?.State?.Name ?? 'not visible yet',
      done: (value) => value?.State?.Name === 'running',
      failed: (value) => (value && GONE_STATES.has(value.State?.Name ?? '') ? `it is ${value.State?.Name}: ${value.StateReason?.Message ?? value.StateTransitionReason ?? 'no reason given'}` : undefined),
    })
    return withOwner(toObserved(running!, observed.userData), observed)
  },

  /**
   * Waits for `terminated`: until then the instance's network interface holds
   * its subnet and security groups (their deletes fail with DependencyViolation).
   */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    try {
      await ec2.send(new TerminateInstancesCommand({InstanceIds: [observed.id]}))
    } catch (error) {
      if (isEc2NotFound(error)) return
      throw error
    }
    await waitFor(ctx, {
      what: `${observed.id} to be terminated`,
      isGone: isEc2NotFound,
      poll: () => describeOne(ctx, observed.id),
      state: (value) => value?.State?.Name ?? 'gone',
      done: (value) => value === undefined || value.State?.Name === 'terminated',
    })
  },

  outputs(observed) {
    const outputs: Record<string, string> = {id: observed.id, imageId: observed.imageId}
    if (observed.privateIp) outputs.privateIp = observed.privateIp
    return outputs
  },

  health(observed): Health {
    return {state: observed.state, ready: observed.state === 'running'}
  },
})
