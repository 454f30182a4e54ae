import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  paginateDescribeLaunchTemplates,
  type EC2Client,
  type Filter,
  type LaunchTemplate,
  type RequestLaunchTemplateData,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2'
import {findByStack} from './describe.js'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {chunks} from '../wait.js'
import {collectPages, deleteIgnoringNotFound} from './describe.js'
import type {LaunchTemplateDesired, MachineSettings, MetadataOptionsDesired} from './desired.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'

/** The default version's settings (what an Auto Scaling group on `$Default` launches); user data decoded from base64. */
export interface LaunchTemplateObserved extends Observed, MachineSettings {
  name: string
  defaultVersion: number
  latestVersion: number
}

/** What the settings of a version are, compared as a set where order means nothing. */
const SETTINGS = ['imageId', 'instanceType', 'instanceProfileArn', 'securityGroupIds', 'userData', 'metadataOptions'] as const

export function encodeUserData(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}

export function decodeUserData(base64: string | undefined): string {
  return base64 ? Buffer.from(base64, 'base64').toString('utf8') : ''
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function normalised(field: (typeof SETTINGS)[number], value: unknown): unknown {
  return field === 'securityGroupIds' ? [...(value as string[])].sort() : value
}

/**
 * The name is the template's identity (a change replaces it); every setting
 * changes in place as a new version made the default.
 */
export function diffLaunchTemplate(desired: LaunchTemplateDesired, observed: LaunchTemplateObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  for (const field of SETTINGS) {
    const before = normalised(field, observed[field])
    const after = normalised(field, desired[field])
    if (!sameValue(before, after)) changes.push({field, before, after, replace: false})
  }
  return changes
}

/**
 * The template data: IMDSv2 (`HttpTokens: required`) as the desired options
 * say, tags on the instances and volumes it launches are the Auto Scaling
 * group's business (PropagateAtLaunch).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html
 */
export function launchTemplateData(desired: LaunchTemplateDesired): RequestLaunchTemplateData {
  return {
    ImageId: desired.imageId,
    InstanceType: desired.instanceType as RequestLaunchTemplateData['InstanceType'],
    IamInstanceProfile: {Arn: desired.instanceProfileArn},
    SecurityGroupIds: [...desired.securityGroupIds],
    UserData: encodeUserData(desired.userData),
    MetadataOptions: {HttpEndpoint: 'enabled', HttpTokens: desired.metadataOptions.httpTokens, HttpPutResponseHopLimit: desired.metadataOptions.httpPutResponseHopLimit},
  }
}

function settingsOf(data: ResponseLaunchTemplateData | undefined): Pick<LaunchTemplateObserved, (typeof SETTINGS)[number]> {
  return {
    imageId: data?.ImageId ?? '',
    instanceType: data?.InstanceType ?? '',
    instanceProfileArn: data?.IamInstanceProfile?.Arn ?? '',
    securityGroupIds: data?.SecurityGroupIds ?? [],
    userData: decodeUserData(data?.UserData),
    metadataOptions: {
      // AWS's defaults when the version names none: tokens optional, hop limit 1.
      httpTokens: (data?.MetadataOptions?.HttpTokens ?? 'optional') as MetadataOptionsDesired['httpTokens'],
      httpPutResponseHopLimit: data?.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
    },
  }
}

/** The default version's data of one template; undefined when the template went away in between. */
async function withDefaultVersion(ec2: EC2Client, template: LaunchTemplate): Promise<LaunchTemplateObserved | undefined> {
  try {
    const versions = await ec2.send(new DescribeLaunchTemplateVersionsCommand({LaunchTemplateId: template.LaunchTemplateId, Versions: ['$Default']}))
    const version = versions.LaunchTemplateVersions?.[0]
    return {
      id: template.LaunchTemplateId!,
      ...ownerOf(template.Tags),
      name: template.LaunchTemplateName ?? '',
      ...settingsOf(version?.LaunchTemplateData),
      defaultVersion: template.DefaultVersionNumber ?? version?.VersionNumber ?? 1,
      latestVersion: template.LatestVersionNumber ?? version?.VersionNumber ?? 1,
    }
  } catch (error) {
    if (isEc2NotFound(error)) return undefined
    throw error
  }
}

async function describe(ctx: ReconcileContext, input: {LaunchTemplateIds?: string[]; Filters?: Filter[]}): Promise<LaunchTemplateObserved[]> {
  const ec2 = await ctx.aws.ec2()
  const templates = await collectPages(paginateDescribeLaunchTemplates({client: ec2}, input), (page) => page.LaunchTemplates)
  const observed = await Promise.all(templates.map((template) => withDefaultVersion(ec2, template)))
  return observed.filter((template): template is LaunchTemplateObserved => template !== undefined)
}

/**
 * DescribeLaunchTemplates has no id filter, and its LaunchTemplateIds fail
 * the whole call when one is gone (InvalidLaunchTemplateId.NotFound): a batch
 * that fails is asked again one id at a time.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html
 */
async function readTemplates(ctx: ReconcileContext, ids: string[]): Promise<Map<string, LaunchTemplateObserved>> {
  const found = new Map<string, LaunchTemplateObserved>()
  const keep = (templates: LaunchTemplateObserved[]) => templates.forEach((template) => found.set(template.id, template))
  for (const batch of chunks(ids)) {
    try {
      keep(await describe(ctx, {LaunchTemplateIds: batch}))
    } catch (error) {
      if (!isEc2NotFound(error) || batch.length === 1) {
        if (isEc2NotFound(error)) continue
        throw error
      }
      for (const id of batch) {
        try {
          keep(await describe(ctx, {LaunchTemplateIds: [id]}))
        } catch (single) {
          if (!isEc2NotFound(single)) throw single
        }
      }
    }
  }
  return found
}

async function create(ctx: ReconcileContext, desired: LaunchTemplateDesired, meta: CreateMeta): Promise<LaunchTemplateObserved> {
  const ec2 = await ctx.aws.ec2()
  const response = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: desired.name,
      LaunchTemplateData: launchTemplateData(desired),
      // A retried create returns the template the first attempt made.
      ClientToken: meta.token,
      TagSpecifications: tagSpecifications('launch-template', meta.tags),
    }),
  )
  const template = response.LaunchTemplate!
  return {
    id: template.LaunchTemplateId!,
    ...ownerOfCreated(meta),
    name: template.LaunchTemplateName ?? desired.name,
    imageId: desired.imageId,
    instanceType: desired.instanceType,
    instanceProfileArn: desired.instanceProfileArn,
    securityGroupIds: [...desired.securityGroupIds],
    userData: desired.userData,
    metadataOptions: {...desired.metadataOptions},
    defaultVersion: template.DefaultVersionNumber ?? 1,
    latestVersion: template.LatestVersionNumber ?? 1,
  }
}

export const launchTemplate: Reconciler<LaunchTemplateDesired, LaunchTemplateObserved> = {
  kind: 'ec2.launch-template',
  // Names are unique per region: the old one must go before a new one can have its name.
  replaceStrategy: 'delete-before-create',
  // An update is a new default version: the Auto Scaling group given it rolls its instances.
  renewedOnUpdate: ['defaultVersion', 'latestVersion', 'imageId'],
  // CreateLaunchTemplate takes meta.token as ClientToken.
  idempotentCreate: true,

  read: readTemplates,
  find: (ctx, query) => findByStack(query.stack, (filters) => describe(ctx, {Filters: filters})),
  diff: diffLaunchTemplate,
  create,

  /**
   * A new version with every setting (a version is whole, not a patch), made
   * the default: an Auto Scaling group on `$Default` (or on the
   * `defaultVersion` output) launches it from then on; the group rolls its
   * instances when the version it is given changes.
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-launch-template-versions.html
   */
  async update(ctx, desired, observed) {
    const ec2 = await ctx.aws.ec2()
    const created = await ec2.send(new CreateLaunchTemplateVersionCommand({LaunchTemplateId: observed.id, LaunchTemplateData: launchTemplateData(desired)}))
    const version = created.LaunchTemplateVersion!.VersionNumber!
    await ec2.send(new ModifyLaunchTemplateCommand({LaunchTemplateId: observed.id, DefaultVersion: String(version)}))
    return {
      ...observed,
      imageId: desired.imageId,
      instanceType: desired.instanceType,
      instanceProfileArn: desired.instanceProfileArn,
      securityGroupIds: [...desired.securityGroupIds],
      userData: desired.userData,
      metadataOptions: {...desired.metadataOptions},
      defaultVersion: version,
      latestVersion: version,
    }
  },

  /** Every version goes with it. Instances it launched are the Auto Scaling group's (deleted before it). */
  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    await deleteIgnoringNotFound(() => ec2.send(new DeleteLaunchTemplateCommand({LaunchTemplateId: observed.id})))
  },

  outputs(observed) {
    return {id: observed.id, name: observed.name, defaultVersion: String(observed.defaultVersion), latestVersion: String(observed.latestVersion), imageId: observed.imageId}
  },

  classifyError: classifyEc2Error,
}
