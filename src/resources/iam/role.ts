import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListInstanceProfilesForRole,
  paginateListRolePolicies,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  type Role,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam'
import {collectPages} from '../ec2/describe.js'
import {ownerOf, ownerOfCreated} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext, Reconciler} from '../types.js'
import {ensureCreatedBy, iamClient, wantedNames} from './client.js'
import type {PolicyDocument, RoleDesired} from './desired.js'
import {classifyIamError, ENTITY_ALREADY_EXISTS, hasIamCode, isIamGone} from './errors.js'
import {decodePolicyDocument, normalisePolicy, samePolicy, trustPolicy} from './policies.js'

/** One IAM role with its policies; `id` is its name (what every IAM call takes). */
export interface RoleObserved extends Observed {
  name: string
  arn: string
  /** `AROA…`: unique per role ever made (a role made again under the name gets another). */
  roleId: string
  /** '' when it has none. */
  description: string
  /** The trust policy, decoded (IAM returns it URL-encoded); text when it is not JSON. */
  trustPolicy: PolicyDocument | string | undefined
  managedPolicyArns: string[]
  /** Inline policies by name, decoded. */
  inlinePolicies: Record<string, PolicyDocument | string | undefined>
}

/** What a policy document looks like in a plan: normalised, so that a change shows what differs and nothing else. */
const shown = (document: PolicyDocument | string | undefined) => normalisePolicy(document)

/** The inline policies to put (new or changed) and to delete (no longer wanted). */
export function inlinePolicyPlan(desired: Record<string, PolicyDocument>, observed: RoleObserved['inlinePolicies']): {put: string[]; remove: string[]} {
  const put = Object.keys(desired)
    .filter((name) => !Object.hasOwn(observed, name) || !samePolicy(desired[name], observed[name]))
    .sort()
  const remove = Object.keys(observed)
    .filter((name) => !Object.hasOwn(desired, name))
    .sort()
  return {put, remove}
}

/** The managed policies to attach and to detach. */
export function managedPolicyPlan(desired: readonly string[], observed: readonly string[]): {attach: string[]; detach: string[]} {
  const wanted = new Set(desired)
  const live = new Set(observed)
  return {attach: [...wanted].filter((arn) => !live.has(arn)).sort(), detach: [...live].filter((arn) => !wanted.has(arn)).sort()}
}

/**
 * The name is the role (replacement); everything else changes in place:
 * description (UpdateRole), trust policy (UpdateAssumeRolePolicy), managed
 * policies (Attach/DetachRolePolicy), inline policies (Put/DeleteRolePolicy).
 * Documents are compared normalised (policies.ts): IAM returns them
 * URL-encoded and as it stored them, and a re-run must change nothing.
 */
export function diffRole(desired: RoleDesired, observed: RoleObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  if ((desired.description ?? '') !== observed.description) changes.push({field: 'description', before: observed.description, after: desired.description ?? '', replace: false})
  const trust = trustPolicy(desired.assumeRoleServices)
  if (!samePolicy(trust, observed.trustPolicy)) changes.push({field: 'assumeRoleServices', before: shown(observed.trustPolicy), after: shown(trust), replace: false})
  const managed = managedPolicyPlan(desired.managedPolicyArns, observed.managedPolicyArns)
  if (managed.attach.length + managed.detach.length > 0) {
    changes.push({field: 'managedPolicyArns', before: [...observed.managedPolicyArns].sort(), after: [...new Set(desired.managedPolicyArns)].sort(), replace: false})
  }
  const inline = inlinePolicyPlan(desired.inlinePolicies, observed.inlinePolicies)
  for (const name of [...inline.put, ...inline.remove].sort()) {
    const before = observed.inlinePolicies[name]
    const after = desired.inlinePolicies[name]
    changes.push({field: `inlinePolicies.${name}`, ...(before !== undefined ? {before: shown(before)} : {}), ...(after !== undefined ? {after: shown(after)} : {}), replace: false})
  }
  return changes
}

function toObserved(role: Role, managedPolicyArns: string[], inlinePolicies: RoleObserved['inlinePolicies']): RoleObserved {
  return {
    id: role.RoleName!,
    name: role.RoleName!,
    arn: role.Arn ?? '',
    roleId: role.RoleId ?? '',
    description: role.Description ?? '',
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument),
    managedPolicyArns: managedPolicyArns.sort(),
    inlinePolicies,
    ...ownerOf(role.Tags),
  }
}

/** The role by name with its policies (GetRole carries its tags); undefined once it is gone. */
async function readRole(client: IAMClient, name: string): Promise<RoleObserved | undefined> {
  try {
    const role = (await client.send(new GetRoleCommand({RoleName: name}))).Role!
    const [attached, inlineNames] = await Promise.all([
      collectPages(paginateListAttachedRolePolicies({client}, {RoleName: name}), (page) => page.AttachedPolicies),
      collectPages(paginateListRolePolicies({client}, {RoleName: name}), (page) => page.PolicyNames),
    ])
    const inline: RoleObserved['inlinePolicies'] = {}
    for (const policyName of inlineNames.sort()) {
      try {
        inline[policyName] = decodePolicyDocument((await client.send(new GetRolePolicyCommand({RoleName: name, PolicyName: policyName}))).PolicyDocument)
      } catch (error) {
        // Deleted between the list and the get: not there.
        if (!isIamGone(error)) throw error
        await ensureRoleExists(client, name)
      }
    }
    return toObserved(
      role,
      attached.map((policy) => policy.PolicyArn!),
      inline,
    )
  } catch (error) {
    if (isIamGone(error)) return undefined
    throw error
  }
}

/** Rethrows NoSuchEntity when the role itself is gone (its policy's NoSuchEntity alone does not say). */
async function ensureRoleExists(client: IAMClient, name: string): Promise<void> {
  await client.send(new GetRoleCommand({RoleName: name}))
}

async function readAll(client: IAMClient, names: string[]): Promise<RoleObserved[]> {
  return (await Promise.all([...new Set(names)].map((name) => readRole(client, name)))).filter((role) => role !== undefined)
}

/**
 * Creates the role with its trust policy and tags, then its policies. A role
 * of that name already there (EntityAlreadyExists) is an earlier attempt at
 * this very create when its tags say so (adopted and brought to `desired`),
 * anyone else's otherwise (refused, naming its owner). A GetRole that does
 * not see it yet (IAM's eventual consistency) fails with NoSuchEntity, which
 * the engine retries.
 */
async function create(ctx: ReconcileContext, desired: RoleDesired, meta: CreateMeta): Promise<RoleObserved> {
  const client = await iamClient(ctx)
  const trust = trustPolicy(desired.assumeRoleServices)
  let role: Role
  try {
    role = (
      await client.send(
        new CreateRoleCommand({
          RoleName: desired.name,
          AssumeRolePolicyDocument: JSON.stringify(trust),
          ...(desired.description ? {Description: desired.description} : {}),
          Tags: meta.tags,
        }),
      )
    ).Role!
  } catch (error) {
    if (!hasIamCode(error, ENTITY_ALREADY_EXISTS)) throw error
    const existing = (await client.send(new GetRoleCommand({RoleName: desired.name}))).Role!
    ensureCreatedBy(existing.Tags, meta, `IAM role ${desired.name}`)
    const observed = await readRole(client, desired.name)
    if (!observed) throw error
    return update(ctx, desired, {...observed, ...ownerOfCreated(meta)})
  }
  const created: RoleObserved = {...toObserved(role, [], {}), ...ownerOfCreated(meta)}
  // The answer carries the trust policy as made; should it not, it is the one just sent (no second call for it).
  created.trustPolicy ??= trust
  return update(ctx, desired, created)
}

/**
 * Brings the role to `desired`: trust policy and description first, then what
 * it may do: new and changed policies before the removal of old ones, so that
 * it never has less than either the old or the new permissions in between.
 */
async function update(ctx: ReconcileContext, desired: RoleDesired, observed: RoleObserved): Promise<RoleObserved> {
  const client = await iamClient(ctx)
  const next: RoleObserved = {...observed, managedPolicyArns: [...observed.managedPolicyArns], inlinePolicies: {...observed.inlinePolicies}}
  const name = observed.name
  const trust = trustPolicy(desired.assumeRoleServices)
  if (!samePolicy(trust, observed.trustPolicy)) {
    await client.send(new UpdateAssumeRolePolicyCommand({RoleName: name, PolicyDocument: JSON.stringify(trust)}))
    next.trustPolicy = trust
  }
  const description = desired.description ?? ''
  if (description !== observed.description) {
    await client.send(new UpdateRoleCommand({RoleName: name, Description: description}))
    next.description = description
  }
  const inline = inlinePolicyPlan(desired.inlinePolicies, observed.inlinePolicies)
  for (const policyName of inline.put) {
    await client.send(new PutRolePolicyCommand({RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(desired.inlinePolicies[policyName])}))
    next.inlinePolicies[policyName] = desired.inlinePolicies[policyName]
  }
  const managed = managedPolicyPlan(desired.managedPolicyArns, observed.managedPolicyArns)
  for (const arn of managed.attach) {
    await client.send(new AttachRolePolicyCommand({RoleName: name, PolicyArn: arn}))
    next.managedPolicyArns.push(arn)
  }
  for (const arn of managed.detach) {
    await detach(client, name, arn)
    next.managedPolicyArns = next.managedPolicyArns.filter((attached) => attached !== arn)
  }
  for (const policyName of inline.remove) {
    await deleteInline(client, name, policyName)
    delete next.inlinePolicies[policyName]
  }
  next.managedPolicyArns.sort()
  return next
}

/** Detaches a managed policy; one no longer attached (NoSuchEntity) is done. */
async function detach(client: IAMClient, roleName: string, policyArn: string): Promise<void> {
  try {
    await client.send(new DetachRolePolicyCommand({RoleName: roleName, PolicyArn: policyArn}))
  } catch (error) {
    if (!isIamGone(error)) throw error
  }
}

async function deleteInline(client: IAMClient, roleName: string, policyName: string): Promise<void> {
  try {
    await client.send(new DeleteRolePolicyCommand({RoleName: roleName, PolicyName: policyName}))
  } catch (error) {
    if (!isIamGone(error)) throw error
  }
}

/**
 * "You must first remove those items": DeleteRole refuses (DeleteConflict) a
 * role with managed or inline policies or in an instance profile, so those go
 * first, as the live role has them (not as last read). NoSuchEntity anywhere
 * means that part, or the role, is gone already.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html
 */
async function deleteRole(ctx: ReconcileContext, observed: RoleObserved): Promise<void> {
  const client = await iamClient(ctx)
  const name = observed.name
  try {
    const [attached, inlineNames, profiles] = await Promise.all([
      collectPages(paginateListAttachedRolePolicies({client}, {RoleName: name}), (page) => page.AttachedPolicies),
      collectPages(paginateListRolePolicies({client}, {RoleName: name}), (page) => page.PolicyNames),
      collectPages(paginateListInstanceProfilesForRole({client}, {RoleName: name}), (page) => page.InstanceProfiles),
    ])
    for (const profile of profiles) {
      try {
        await client.send(new RemoveRoleFromInstanceProfileCommand({InstanceProfileName: profile.InstanceProfileName!, RoleName: name}))
      } catch (error) {
        if (!isIamGone(error)) throw error
      }
    }
    for (const policy of attached) await detach(client, name, policy.PolicyArn!)
    for (const policyName of inlineNames) await deleteInline(client, name, policyName)
    await client.send(new DeleteRoleCommand({RoleName: name}))
  } catch (error) {
    if (!isIamGone(error)) throw error
  }
}

export const role: Reconciler<RoleDesired, RoleObserved> = {
  kind: 'iam.role',
  // The name is the role, unique per account: the old one must go before a new one takes the name.
  replaceStrategy: 'delete-before-create',
  // No token, but a deterministic name: a retried create meets EntityAlreadyExists and adopts its own role by its tags.
  idempotentCreate: true,
  typicalMs: {create: 3_000, delete: 3_000},
  classifyError: classifyIamError,

  async read(ctx, ids) {
    const roles = await readAll(await iamClient(ctx), ids)
    return new Map(roles.map((found) => [found.id, found]))
  },

  /**
   * IAM lists roles without their tags (ListRoles) and filters by no tag: the
   * roles are looked up by the names the wanted logical ids give, and their
   * owner read from GetRole's tags (the engine drops other stacks').
   */
  async find(ctx, query) {
    return readAll(await iamClient(ctx), wantedNames(query.wanted))
  },

  diff: diffRole,
  create,
  update: (ctx, desired, observed) => update(ctx, desired, observed),
  delete: deleteRole,

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name}
  },
}
