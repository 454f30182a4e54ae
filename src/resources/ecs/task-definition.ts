import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionRequest,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {errorMessage} from '../../aws/errors.js'
import {collectPages} from '../ec2/describe.js'
import {ownedBy, ownerOfCreated} from '../tags.js'
import {type Change, type CreateMeta, type FindQuery, MANAGED_BY, type Observed, type ReconcileContext, type Reconciler, TAG_ID, TAG_MANAGED_BY, TAG_STACK} from '../types.js'
import {batches, ecsClient, ensureOurs, ownerOfEcs, toEcsTags} from './common.js'
import type {ContainerDefinition, TaskDefinitionDesired} from './desired.js'
import {classifyEcsError, hasEcsCode} from './errors.js'
import {fullImage, normaliseTaskDefinition, stableJson, taskDefinitionFromAws} from './normalise.js'

/**
 * A task definition family, as its latest ACTIVE revision; `id` is the
 * family (stable across revisions: an update registers a revision and only
 * the `arn` output changes).
 */
export interface TaskDefinitionObserved extends Observed {
  family: string
  /** `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
  arn: string
  revision: number
  status: string
  /** The revision as DescribeTaskDefinition answered it, normalised (see normalise.ts); unknown when only INACTIVE revisions are left. */
  definition?: TaskDefinitionDesired
}

function toObserved(answer: TaskDefinition, tags: Parameters<typeof ownerOfEcs>[0]): TaskDefinitionObserved {
  return {
    id: answer.family!,
    family: answer.family!,
    arn: answer.taskDefinitionArn!,
    revision: answer.revision ?? 0,
    status: answer.status ?? '',
    definition: taskDefinitionFromAws(answer),
    ...ownerOfEcs(tags),
  }
}

/**
 * DescribeTaskDefinition of a family answers its latest ACTIVE revision
 * ("If a revision isn't specified, the latest ACTIVE revision is used");
 * a family with none, or none at all, is `ClientException: Unable to describe
 * task definition.`: gone.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
 */
async function describeLatest(client: ECSClient, family: string): Promise<TaskDefinitionObserved | undefined> {
  try {
    const response = await client.send(new DescribeTaskDefinitionCommand({taskDefinition: family, include: ['TAGS']}))
    if (!response.taskDefinition || response.taskDefinition.status !== 'ACTIVE') return undefined
    return toObserved(response.taskDefinition, response.tags)
  } catch (error) {
    if (isUnknownTaskDefinition(error)) return undefined
    throw error
  }
}

export function isUnknownTaskDefinition(error: unknown): boolean {
  return hasEcsCode(error, 'ClientException') && /unable to describe task definition/i.test(errorMessage(error))
}

const CONTAINER_FIELDS = [
  'image',
  'essential',
  'cpu',
  'memory',
  'memoryReservation',
  'command',
  'entryPoint',
  'portMappings',
  'environment',
  'secrets',
  'logConfiguration',
  'privileged',
  'mountPoints',
  'healthCheck',
] as const
const TOP_FIELDS = ['cpu', 'memory', 'networkMode', 'requiresCompatibilities', 'runtimePlatform', 'executionRoleArn', 'taskRoleArn', 'volumes'] as const

/**
 * What a definition whose images are set outside the spec (`imageSource:
 * deploy`) means against the latest ACTIVE revision: each container keeps
 * the image it has there. A container the revision does not have takes the
 * spec's image. Any other definition is as desired.
 */
export function keepingRunningImages(desired: TaskDefinitionDesired, latest: TaskDefinitionObserved | undefined): TaskDefinitionDesired {
  if (desired.imageSource !== 'deploy' || !latest?.definition) return desired
  const running = new Map(latest.definition.containerDefinitions.map((container) => [container.name, container.image]))
  return {
    ...desired,
    containerDefinitions: desired.containerDefinitions.map(({imageReference, ...container}) => {
      const image = running.get(container.name)
      return image === undefined ? {...container, ...(imageReference === undefined ? {} : {imageReference})} : {...container, image}
    }),
  }
}

/**
 * Desired against the latest ACTIVE revision, both normalised: a change is
 * a new revision (in place: `replace: false`), named per field and per
 * container (`containerDefinitions.api.image`). A new family is a new object.
 */
export function diffTaskDefinition(desired: TaskDefinitionDesired, observed: TaskDefinitionObserved): Change[] {
  // Only INACTIVE revisions left (see deregisteredOnly): nothing to compare, a revision to register.
  if (observed.status !== 'ACTIVE' || !observed.definition) return [{field: 'status', before: observed.status, after: 'ACTIVE', replace: false}]
  const want = normaliseTaskDefinition(keepingRunningImages(desired, observed))
  const have = normaliseTaskDefinition(observed.definition)
  const changes: Change[] = []
  if (want.family !== have.family) changes.push({field: 'family', before: have.family, after: want.family, replace: true})
  for (const field of TOP_FIELDS) {
    if (stableJson(want[field]) !== stableJson(have[field])) changes.push({field, before: have[field], after: want[field], replace: false})
  }
  const haveByName = new Map(have.containerDefinitions.map((container) => [container.name, container]))
  const wantNames = want.containerDefinitions.map((container) => container.name)
  if (stableJson(wantNames) !== stableJson(have.containerDefinitions.map((container) => container.name))) {
    changes.push({field: 'containerDefinitions', before: have.containerDefinitions.map((container) => container.name), after: wantNames, replace: false})
  }
  for (const container of want.containerDefinitions) {
    const old: ContainerDefinition | undefined = haveByName.get(container.name)
    if (!old) continue
    for (const field of CONTAINER_FIELDS) {
      if (stableJson(container[field]) !== stableJson(old[field])) changes.push({field: `containerDefinitions.${container.name}.${field}`, before: old[field], after: container[field], replace: false})
    }
  }
  return changes
}

/** The RegisterTaskDefinition input of a desired definition, as the spec says it (AWS fills the defaults in). */
export function registerInput(desired: TaskDefinitionDesired, meta: Pick<CreateMeta, 'tags'>): RegisterTaskDefinitionRequest {
  return {
    family: desired.family,
    ...(desired.cpu !== undefined ? {cpu: String(desired.cpu)} : {}),
    ...(desired.memory !== undefined ? {memory: String(desired.memory)} : {}),
    networkMode: desired.networkMode,
    requiresCompatibilities: desired.requiresCompatibilities,
    ...(desired.runtimePlatform ? {runtimePlatform: desired.runtimePlatform} : {}),
    ...(desired.executionRoleArn ? {executionRoleArn: desired.executionRoleArn} : {}),
    ...(desired.taskRoleArn ? {taskRoleArn: desired.taskRoleArn} : {}),
    containerDefinitions: desired.containerDefinitions.map(({imageReference, ...container}) => ({...container, image: fullImage({image: container.image, imageReference})})),
    ...(desired.volumes?.length ? {volumes: desired.volumes} : {}),
    tags: toEcsTags(meta),
  }
}

async function register(client: ECSClient, desired: TaskDefinitionDesired, meta: Pick<CreateMeta, 'tags' | 'logicalId'>): Promise<TaskDefinitionObserved> {
  const response = await client.send(new RegisterTaskDefinitionCommand(registerInput(desired, meta)))
  return {...toObserved(response.taskDefinition!, response.tags), ...ownerOfCreated({...meta, token: ''})}
}

async function read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, TaskDefinitionObserved>> {
  const client = await ecsClient(ctx)
  const found = await Promise.all([...new Set(ids)].map(async (family) => (await describeLatest(client, family)) ?? deregisteredOnly(client, family)))
  return new Map(found.filter((observed) => observed !== undefined).map((observed) => [observed.id, observed]))
}

/**
 * A family with no ACTIVE revision left but INACTIVE ones: a teardown that
 * stopped between DeregisterTaskDefinition and DeleteTaskDefinitions (or a
 * user who deregistered by hand). DescribeTaskDefinition answers INACTIVE
 * revisions only "while an active task or service references them", so
 * neither their definition nor their tags can be read: the family is
 * reported as what it is (INACTIVE, owner unknown), which only a logical id
 * of the state takes as its own (its family name carries the stack's name);
 * `up` registers a revision again, teardown deletes the INACTIVE ones.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
 */
async function deregisteredOnly(client: ECSClient, family: string): Promise<TaskDefinitionObserved | undefined> {
  const inactive = await revisionsOf(client, family, 'INACTIVE')
  const latest = inactive.at(-1)
  if (!latest) return undefined
  const revision = Number(latest.slice(latest.lastIndexOf(':') + 1))
  return {id: family, family, arn: latest, revision, status: 'INACTIVE'}
}

/**
 * Task definitions cannot be listed by tag: the families of the wanted
 * logical ids are looked up by name (their desired `family`), and ownership
 * read from the latest revision's tags.
 */
async function find(ctx: ReconcileContext, query: FindQuery): Promise<TaskDefinitionObserved[]> {
  const families = query.wanted.map((wanted) => (wanted.desired as Partial<TaskDefinitionDesired> | undefined)?.family).filter((family): family is string => typeof family === 'string' && family !== '')
  if (families.length === 0) return []
  return ownedBy(query.stack, [...(await read(ctx, families)).values()])
}

/**
 * Every revision ARN of exactly this family in a status, oldest first
 * (ListTaskDefinitions' `familyPrefix` is a prefix: `api` lists `api-worker` too).
 */
async function revisionsOf(client: ECSClient, family: string, status: 'ACTIVE' | 'INACTIVE'): Promise<string[]> {
  const arns = await collectPages(paginateListTaskDefinitions({client}, {familyPrefix: family, status, sort: 'ASC'}), (page) => page.taskDefinitionArns)
  return arns.filter((arn) => arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf(':')) === family)
}

/** "You can specify up to 10 task definitions as a comma separated list." (API_DeleteTaskDefinitions) */
const DELETE_LIMIT = 10

export const taskDefinition: Reconciler<TaskDefinitionDesired, TaskDefinitionObserved> = {
  kind: 'ecs.task-definition',
  typicalMs: {create: 1_000, delete: 2_000},
  // A new family is registered beside the old one; services move to it before the old family is deregistered.
  replaceStrategy: 'create-before-delete',
  // An update is a new revision: its ARN (what a service runs) is new.
  renewedOnUpdate: ['arn', 'revision'],
  // RegisterTaskDefinition has no token, but `create` registers nothing when the family's latest ACTIVE
  // revision, made by this logical id, already says what is desired: a retried create adds no revision.
  idempotentCreate: true,
  classifyError: classifyEcsError,
  read,
  find,
  diff: diffTaskDefinition,

  async create(ctx, desired, meta) {
    const client = await ecsClient(ctx)
    const latest = await describeLatest(client, desired.family)
    if (latest) {
      ensureOurs(latest, meta, ctx.stack, `ECS task definition family ${desired.family}`)
      if (diffTaskDefinition(desired, latest).length === 0) return latest
    }
    return register(client, keepingRunningImages(desired, latest), meta)
  },

  /**
   * A new revision: the family's earlier revisions stay ACTIVE (a rollback
   * deploys the previous one) until teardown. With `imageSource: deploy`, it
   * has the images of the latest revision (what the last deploy set).
   */
  async update(ctx, desired, observed) {
    const client = await ecsClient(ctx)
    return register(client, keepingRunningImages(desired, observed), {logicalId: observed.logicalId ?? '', tags: ownerTags(ctx, observed)})
  },

  /**
   * Deregisters every ACTIVE revision of the family that this stack
   * registered (tagged so), then deletes them and the family's INACTIVE
   * revisions: "You must deregister a task definition revision before you
   * delete it"; deleted revisions go DELETE_IN_PROGRESS and "Existing tasks
   * and services that reference a DELETE_IN_PROGRESS task definition
   * revision continue to run without disruption", so nothing is stranded;
   * without the delete every revision stays INACTIVE for ever. Revisions
   * tagged for another stack are left. INACTIVE revisions' tags cannot be
   * read (see deregisteredOnly): the family is the stack's (its name carries
   * the stack's, and its ACTIVE revisions were ours or it came from the
   * state), so they are its own, left by a teardown that stopped between
   * the two calls or deregistered by hand.
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteTaskDefinitions.html
   */
  async delete(ctx, observed) {
    const client = await ecsClient(ctx)
    const deregistered = await revisionsOf(client, observed.family, 'INACTIVE')
    for (const arn of await revisionsOf(client, observed.family, 'ACTIVE')) {
      let tags
      try {
        tags = (await client.send(new DescribeTaskDefinitionCommand({taskDefinition: arn, include: ['TAGS']}))).tags
      } catch (error) {
        if (isUnknownTaskDefinition(error)) continue
        throw error
      }
      if (ownerOfEcs(tags).stack !== (observed.stack ?? ctx.stack)) continue
      await client.send(new DeregisterTaskDefinitionCommand({taskDefinition: arn}))
      deregistered.push(arn)
    }
    // Revisions that cannot be deleted yet come back in `failures` and stay INACTIVE: harmless, and nothing to retry.
    for (const batch of batches(deregistered, DELETE_LIMIT)) await client.send(new DeleteTaskDefinitionsCommand({taskDefinitions: batch}))
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, family: observed.family, revision: String(observed.revision)}
  },

  health(observed) {
    return {state: observed.status.toLowerCase(), ready: observed.status === 'ACTIVE', detail: `revision ${observed.revision}`}
  },
}

/** The ownership tags a new revision carries: those of the family, from what was observed. */
function ownerTags(ctx: ReconcileContext, observed: TaskDefinitionObserved): CreateMeta['tags'] {
  return [
    {Key: TAG_STACK, Value: observed.stack ?? ctx.stack},
    {Key: TAG_ID, Value: observed.logicalId ?? observed.family},
    {Key: TAG_MANAGED_BY, Value: MANAGED_BY},
  ]
}

/**
 * Takes back a revision no service should move to (`containrlab deploy`
 * whose deployment the circuit breaker rolled back): deregistered, the
 * family's latest ACTIVE revision is the one the service runs again, so
 * that the next `up` does not roll the service forward onto it. "Existing
 * tasks and services that reference an INACTIVE task definition revision
 * continue to run without disruption."
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html
 */
export async function withdrawRevision(ctx: ReconcileContext, arn: string): Promise<void> {
  const client = await ecsClient(ctx)
  try {
    await client.send(new DeregisterTaskDefinitionCommand({taskDefinition: arn}))
  } catch (error) {
    if (!isUnknownTaskDefinition(error)) throw error
  }
}
