import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  type IAMClient,
  type InstanceProfile,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam'
import {ownerOf, ownerOfCreated} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {ensureCreatedBy, iamClient, wantedNames} from './client.js'
import type {InstanceProfileDesired} from './desired.js'
import {classifyIamError, ENTITY_ALREADY_EXISTS, hasIamCode, isIamGone} from './errors.js'

/** One instance profile; `id` is its name. */
export interface InstanceProfileObserved extends Observed {
  name: string
  arn: string
  /** `AIPA…`. */
  profileId: string
  /** The role it holds; undefined when it holds none. */
  roleName?: string
}

/** The name is the profile (replacement); its role changes in place (remove, then add). */
export function diffInstanceProfile(desired: InstanceProfileDesired, observed: InstanceProfileObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  if (desired.roleName !== observed.roleName) changes.push({field: 'roleName', ...(observed.roleName !== undefined ? {before: observed.roleName} : {}), after: desired.roleName, replace: false})
  return changes
}

function toObserved(profile: InstanceProfile): InstanceProfileObserved {
  const roleName = profile.Roles?.[0]?.RoleName
  return {
    id: profile.InstanceProfileName!,
    name: profile.InstanceProfileName!,
    arn: profile.Arn ?? '',
    profileId: profile.InstanceProfileId ?? '',
    ...(roleName !== undefined ? {roleName} : {}),
    ...ownerOf(profile.Tags),
  }
}

/** The profile by name (GetInstanceProfile carries its tags and role); undefined once it is gone. */
async function readProfile(client: IAMClient, name: string): Promise<InstanceProfileObserved | undefined> {
  try {
    return toObserved((await client.send(new GetInstanceProfileCommand({InstanceProfileName: name}))).InstanceProfile!)
  } catch (error) {
    if (isIamGone(error)) return undefined
    throw error
  }
}

async function readAll(client: IAMClient, names: string[]): Promise<InstanceProfileObserved[]> {
  return (await Promise.all([...new Set(names)].map((name) => readProfile(client, name)))).filter((profile) => profile !== undefined)
}

/**
 * Creates the profile with its tags, then puts the role in. A profile of that
 * name already there is an earlier attempt at this very create when its tags
 * say so (adopted), anyone else's otherwise (refused). The role may be moments
 * old: AddRoleToInstanceProfile then answers NoSuchEntity, which the engine
 * retries (`not-found`).
 */
async function create(ctx: ReconcileContext, desired: InstanceProfileDesired, meta: CreateMeta): Promise<InstanceProfileObserved> {
  const client = await iamClient(ctx)
  let observed: InstanceProfileObserved
  try {
    const profile = (await client.send(new CreateInstanceProfileCommand({InstanceProfileName: desired.name, Tags: meta.tags}))).InstanceProfile!
    observed = {...toObserved(profile), ...ownerOfCreated(meta)}
  } catch (error) {
    if (!hasIamCode(error, ENTITY_ALREADY_EXISTS)) throw error
    const existing = (await client.send(new GetInstanceProfileCommand({InstanceProfileName: desired.name}))).InstanceProfile!
    ensureCreatedBy(existing.Tags, meta, `IAM instance profile ${desired.name}`)
    observed = {...toObserved(existing), ...ownerOfCreated(meta)}
  }
  return update(ctx, desired, observed)
}

/**
 * "An instance profile can contain only one IAM role" (a second is
 * LimitExceeded): another role is removed before the desired one goes in.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html
 */
async function update(ctx: ReconcileContext, desired: InstanceProfileDesired, observed: InstanceProfileObserved): Promise<InstanceProfileObserved> {
  if (observed.roleName === desired.roleName) return observed
  const client = await iamClient(ctx)
  if (observed.roleName !== undefined) await removeRole(client, observed.name, observed.roleName)
  await client.send(new AddRoleToInstanceProfileCommand({InstanceProfileName: observed.name, RoleName: desired.roleName}))
  return {...observed, roleName: desired.roleName}
}

/** Takes the role out; one no longer in it (NoSuchEntity) is done. */
async function removeRole(client: IAMClient, profileName: string, roleName: string): Promise<void> {
  try {
    await client.send(new RemoveRoleFromInstanceProfileCommand({InstanceProfileName: profileName, RoleName: roleName}))
  } catch (error) {
    if (!isIamGone(error)) throw error
  }
}

export const instanceProfile: Reconciler<InstanceProfileDesired, InstanceProfileObserved> = {
  kind: 'iam.instance-profile',
  // The name is the profile, unique per account.
  replaceStrategy: 'delete-before-create',
  // A deterministic name: a retried create meets EntityAlreadyExists and adopts its own profile by its tags.
  idempotentCreate: true,
  typicalMs: {create: 2_000, delete: 2_000},
  classifyError: classifyIamError,

  async read(ctx, ids) {
    const profiles = await readAll(await iamClient(ctx), ids)
    return new Map(profiles.map((found) => [found.id, found]))
  },

  /** By the names the wanted logical ids give, owner from GetInstanceProfile's tags (IAM filters by no tag). */
  async find(ctx, query) {
    return readAll(await iamClient(ctx), wantedNames(query.wanted))
  },

  diff: diffInstanceProfile,
  create,
  update: (ctx, desired, observed) => update(ctx, desired, observed),

  /**
   * DeleteInstanceProfile refuses a profile that holds a role (DeleteConflict):
   * the role is taken out first, as the live profile has it. Gone counts as deleted.
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteInstanceProfile.html
   */
  async delete(ctx, observed) {
    const client = await iamClient(ctx)
    const live = await readProfile(client, observed.name)
    if (!live) return
    if (live.roleName !== undefined) await removeRole(client, live.name, live.roleName)
    try {
      await client.send(new DeleteInstanceProfileCommand({InstanceProfileName: live.name}))
    } catch (error) {
      if (!isIamGone(error)) throw error
    }
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name}
  },
}
