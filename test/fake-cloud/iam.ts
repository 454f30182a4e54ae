import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  type AttachedPolicy,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMServiceException,
  type InstanceProfile,
  InvalidInputException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  type Role,
  type Tag,
  TagInstanceProfileCommand,
  TagRoleCommand,
  UntagInstanceProfileCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam'
import {type FakeEnv, type FakeHandler, type FakeService, handlersOf, type OperationHandler} from './core.js'

/**
 * An in-memory IAM, roles and instance profiles: their policies (inline and
 * attached managed ones), tags, AWS's ids (`AROA…`, `AIPA…`: 21 characters),
 * ARNs, quotas and error codes, raised as the SDK's modeled exceptions with
 * the wire code in `Code`, as the SDK's deserializer makes them. Names are
 * unique regardless of case, as IAM's are. Policy documents come back
 * URL-encoded, as IAM returns them.
 * Eventual consistency: a role or profile is refused by other fake services
 * for `propagationMs` after it was made (`env.iamUsable`), and with
 * `faults.consistencyDelayMs` GetRole / GetInstanceProfile do not see it (nor
 * does AddRoleToInstanceProfile see the role) for that long.
 * API reference: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 * Quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */

export interface IamTimings {
  /**
   * How long other services (ECS, EC2, Auto Scaling) refuse a role or profile
   * after it was made: IAM's changes reach their data planes within seconds.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
   */
  propagationMs: number
}

export const DEFAULT_IAM_TIMINGS: IamTimings = {propagationMs: 8_000}

/** Managed policies per role (default quota 10, up to 20 on request). */
const MANAGED_POLICIES_PER_ROLE = 10
/** Inline policies of a role: 10,240 characters in all (whitespace aside). */
const INLINE_POLICY_CHARACTERS = 10_240
const TAGS_PER_ENTITY = 50
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/
const PROFILE_NAME = /^[\w+=,.@-]{1,128}$/
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/
const POLICY_ARN = /^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/
const ID_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

interface RoleRecord {
  name: string
  path: string
  id: string
  arn: string
  createdAt: number
  trustPolicy: string
  description?: string
  maxSessionDuration: number
  tags: Tag[]
  /** Inline policy name → document as submitted. */
  inline: Map<string, string>
  /** Attached managed policy ARNs, in the order attached. */
  attached: string[]
}

interface ProfileRecord {
  name: string
  path: string
  id: string
  arn: string
  createdAt: number
  tags: Tag[]
  /** Lower-cased name of the role it holds. */
  role?: string
  roleAddedAt?: number
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode: number}; message: string}) => E

/** A modeled IAM error as the SDK deserializes it from the wire: the wire code in `Code`. */
function iamError<E extends IAMServiceException>(Exception: Modeled<E>, message: string, status = 400): E {
  const error = new Exception({$metadata: {httpStatusCode: status}, message})
  return Object.assign(error, {Code: error.name.replace(/Exception$/, ''), Type: 'Sender'})
}

const noSuchEntity = (message: string) => iamError(NoSuchEntityException, message, 404)
const deleteConflict = (message: string) => iamError(DeleteConflictException, message, 409)
const invalidInput = (message: string) => iamError(InvalidInputException, message)

/** "The policy document returned in this structure is URL-encoded compliant with RFC 3986." */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
}

export class FakeIam implements FakeService {
  readonly service = 'iam'
  readonly timings: IamTimings
  /** Lower-cased name → role. */
  private readonly roles = new Map<string, RoleRecord>()
  /** Lower-cased name → instance profile. */
  private readonly profiles = new Map<string, ProfileRecord>()
  private counter = 0

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<IamTimings> = {},
  ) {
    this.timings = {...DEFAULT_IAM_TIMINGS, ...timings}
    env.iamUsable = (arnOrName, kind) => this.usable(arnOrName, kind)
  }

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateRoleCommand, (input) => this.createRole(input)],
      [GetRoleCommand, (input) => this.getRole(input)],
      [DeleteRoleCommand, (input) => this.deleteRole(input)],
      [UpdateRoleCommand, (input) => this.updateRole(input)],
      [UpdateAssumeRolePolicyCommand, (input) => this.updateAssumeRolePolicy(input)],
      [TagRoleCommand, (input) => this.tag(this.role(input.RoleName), input.Tags)],
      [UntagRoleCommand, (input) => this.untag(this.role(input.RoleName), input.TagKeys)],
      [ListRoleTagsCommand, (input) => this.listTags(this.role(input.RoleName), input)],
      [PutRolePolicyCommand, (input) => this.putRolePolicy(input)],
      [GetRolePolicyCommand, (input) => this.getRolePolicy(input)],
      [ListRolePoliciesCommand, (input) => this.listRolePolicies(input)],
      [DeleteRolePolicyCommand, (input) => this.deleteRolePolicy(input)],
      [AttachRolePolicyCommand, (input) => this.attachRolePolicy(input)],
      [ListAttachedRolePoliciesCommand, (input) => this.listAttachedRolePolicies(input)],
      [DetachRolePolicyCommand, (input) => this.detachRolePolicy(input)],
      [CreateInstanceProfileCommand, (input) => this.createInstanceProfile(input)],
      [GetInstanceProfileCommand, (input) => this.getInstanceProfile(input)],
      [DeleteInstanceProfileCommand, (input) => this.deleteInstanceProfile(input)],
      [AddRoleToInstanceProfileCommand, (input) => this.addRoleToInstanceProfile(input)],
      [RemoveRoleFromInstanceProfileCommand, (input) => this.removeRoleFromInstanceProfile(input)],
      [ListInstanceProfilesForRoleCommand, (input) => this.listInstanceProfilesForRole(input)],
      [TagInstanceProfileCommand, (input) => this.tag(this.profile(input.InstanceProfileName), input.Tags)],
      [UntagInstanceProfileCommand, (input) => this.untag(this.profile(input.InstanceProfileName), input.TagKeys)],
      [ListInstanceProfileTagsCommand, (input) => this.listTags(this.profile(input.InstanceProfileName), input)],
    ]
    return handlersOf(table)
  }

  /** IAM's throttling answer (query protocol): code `Throttling`. */
  throttlingError(): Error {
    return Object.assign(new IAMServiceException({name: 'Throttling', $fault: 'client', $metadata: {httpStatusCode: 400}, message: 'Rate exceeded'}), {Code: 'Throttling', Type: 'Sender'})
  }

  // --- test helpers -------------------------------------------------------

  /** Roles and instance profiles in the account. */
  resourceCount(): number {
    return this.roles.size + this.profiles.size
  }

  roleNames(): string[] {
    return [...this.roles.values()].map((role) => role.name)
  }

  profileNames(): string[] {
    return [...this.profiles.values()].map((profile) => profile.name)
  }

  /** What the account holds, as plain data (documents decoded), for assertions. */
  snapshot(): {roles: object[]; profiles: object[]} {
    return structuredClone({
      roles: [...this.roles.values()].map((role) => ({
        name: role.name,
        arn: role.arn,
        trustPolicy: JSON.parse(role.trustPolicy) as unknown,
        inline: Object.fromEntries([...role.inline].map(([name, document]) => [name, JSON.parse(document) as unknown])),
        attached: [...role.attached],
        tags: role.tags,
      })),
      profiles: [...this.profiles.values()].map((profile) => ({name: profile.name, arn: profile.arn, role: profile.role ? this.roles.get(profile.role)?.name : undefined, tags: profile.tags})),
    })
  }

  /**
   * Someone changes a role outside the tool (the console): `change` gets the
   * record itself, its documents as the JSON text IAM stores.
   */
  changeOutOfBand(roleName: string, change: (role: {description?: string; trustPolicy: string; inline: Map<string, string>; attached: string[]}) => void): void {
    change(this.role(roleName))
  }

  /**
   * A role made by someone else long ago (no tool tags unless given), usable
   * by every service: what a create of the same name meets, or what a test of
   * another service's kinds passes.
   */
  seedRole(name: string, tags: Tag[] = []): void {
    this.createRole({RoleName: name, AssumeRolePolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ec2.amazonaws.com'}, Action: 'sts:AssumeRole'}]}), Tags: tags})
    this.role(name).createdAt = this.env.clock.now() - this.timings.propagationMs
  }

  /**
   * An instance profile with its role, made long enough ago that every
   * service can use them (what a test of another service's kinds needs).
   */
  seedInstanceProfile(name: string, roleName = name): string {
    if (!this.roles.has(roleName.toLowerCase())) this.seedRole(roleName)
    const {InstanceProfile} = this.createInstanceProfile({InstanceProfileName: name})
    this.addRoleToInstanceProfile({InstanceProfileName: name, RoleName: roleName})
    const past = this.env.clock.now() - this.timings.propagationMs
    const profile = this.profiles.get(name.toLowerCase())!
    profile.createdAt = past
    profile.roleAddedAt = past
    return InstanceProfile!.Arn!
  }

  // --- roles --------------------------------------------------------------

  createRole(input: {RoleName?: string; Path?: string; AssumeRolePolicyDocument?: string; Description?: string; MaxSessionDuration?: number; Tags?: Tag[]}): {Role: Role} {
    const name = input.RoleName ?? ''
    if (!ROLE_NAME.test(name)) throw invalidInput(`1 validation error detected: Value '${name}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and length 1-64`)
    const path = this.checkPath(input.Path)
    const trustPolicy = this.checkDocument(input.AssumeRolePolicyDocument, true)
    if ((input.Description ?? '').length > 1000) throw invalidInput("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
    const maxSessionDuration = input.MaxSessionDuration ?? 3600
    if (maxSessionDuration < 3600 || maxSessionDuration > 43_200)
      throw invalidInput(`1 validation error detected: Value '${maxSessionDuration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`)
    this.checkTags(input.Tags)
    if (this.roles.has(name.toLowerCase())) throw iamError(EntityAlreadyExistsException, `Role with name ${name} already exists.`, 409)
    const role: RoleRecord = {
      name,
      path,
      id: this.newId('AROA'),
      arn: `arn:aws:iam::${this.env.accountId}:role${path}${name}`,
      createdAt: this.env.clock.now(),
      trustPolicy,
      ...(input.Description ? {description: input.Description} : {}),
      maxSessionDuration,
      tags: [...(input.Tags ?? [])],
      inline: new Map(),
      attached: [],
    }
    this.roles.set(name.toLowerCase(), role)
    // CreateRole's answer carries the document URL-encoded too.
    return {Role: this.render(role)}
  }

  getRole(input: {RoleName?: string}): {Role: Role} {
    return {Role: this.render(this.role(input.RoleName, {lagging: true}))}
  }

  /** DeleteConflict while the role has inline or managed policies or is in an instance profile (API_DeleteRole). */
  deleteRole(input: {RoleName?: string}): object {
    const role = this.role(input.RoleName)
    if (role.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.')
    if (role.inline.size > 0) throw deleteConflict('Cannot delete entity, must delete policies first.')
    if ([...this.profiles.values()].some((profile) => profile.role === role.name.toLowerCase())) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.')
    this.roles.delete(role.name.toLowerCase())
    return {}
  }

  updateRole(input: {RoleName?: string; Description?: string; MaxSessionDuration?: number}): object {
    const role = this.role(input.RoleName)
    if (input.Description !== undefined) {
      if (input.Description.length > 1000) throw invalidInput("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
      if (input.Description === '') delete role.description
      else role.description = input.Description
    }
    if (input.MaxSessionDuration !== undefined) role.maxSessionDuration = input.MaxSessionDuration
    return {}
  }

  updateAssumeRolePolicy(input: {RoleName?: string; PolicyDocument?: string}): object {
    const role = this.role(input.RoleName)
    role.trustPolicy = this.checkDocument(input.PolicyDocument, true)
    return {}
  }

  putRolePolicy(input: {RoleName?: string; PolicyName?: string; PolicyDocument?: string}): object {
    const role = this.role(input.RoleName)
    const name = input.PolicyName ?? ''
    if (!POLICY_NAME.test(name)) throw invalidInput(`1 validation error detected: Value '${name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`)
    const document = this.checkDocument(input.PolicyDocument, false)
    const inline = new Map(role.inline).set(name, document)
    const size = [...inline.values()].reduce((total, text) => total + text.replace(/\s/g, '').length, 0)
    if (size > INLINE_POLICY_CHARACTERS) throw iamError(LimitExceededException, `Maximum policy size of ${INLINE_POLICY_CHARACTERS} bytes exceeded for role ${role.name}`, 409)
    role.inline = inline
    return {}
  }

  getRolePolicy(input: {RoleName?: string; PolicyName?: string}): {RoleName: string; PolicyName: string; PolicyDocument: string} {
    const role = this.role(input.RoleName)
    const document = [...role.inline].find(([name]) => name === input.PolicyName)?.[1]
    if (document === undefined) throw noSuchEntity(`The role policy with name ${input.PolicyName ?? ''} cannot be found.`)
    return {RoleName: role.name, PolicyName: input.PolicyName!, PolicyDocument: rfc3986(document)}
  }

  listRolePolicies(input: {RoleName?: string; Marker?: string; MaxItems?: number}) {
    const role = this.role(input.RoleName)
    const {items, ...rest} = this.page([...role.inline.keys()].sort(), input)
    return {PolicyNames: items, ...rest}
  }

  deleteRolePolicy(input: {RoleName?: string; PolicyName?: string}): object {
    const role = this.role(input.RoleName)
    if (!role.inline.has(input.PolicyName ?? '')) throw noSuchEntity(`The role policy with name ${input.PolicyName ?? ''} cannot be found.`)
    role.inline.delete(input.PolicyName!)
    return {}
  }

  /** Attaching one already attached changes nothing; an ARN that is not a policy's is InvalidInput. */
  attachRolePolicy(input: {RoleName?: string; PolicyArn?: string}): object {
    const role = this.role(input.RoleName)
    const arn = input.PolicyArn ?? ''
    if (!POLICY_ARN.test(arn)) throw invalidInput(`ARN ${arn} is not valid.`)
    if (role.attached.includes(arn)) return {}
    if (role.attached.length >= MANAGED_POLICIES_PER_ROLE) throw iamError(LimitExceededException, `Cannot exceed quota for PoliciesPerRole: ${MANAGED_POLICIES_PER_ROLE}`, 409)
    role.attached.push(arn)
    return {}
  }

  listAttachedRolePolicies(input: {RoleName?: string; Marker?: string; MaxItems?: number}) {
    const role = this.role(input.RoleName)
    const attached = role.attached.map((arn): AttachedPolicy => ({PolicyArn: arn, PolicyName: POLICY_ARN.exec(arn)![2]!}))
    const {items, ...rest} = this.page(attached, input)
    return {AttachedPolicies: items, ...rest}
  }

  detachRolePolicy(input: {RoleName?: string; PolicyArn?: string}): object {
    const role = this.role(input.RoleName)
    if (!role.attached.includes(input.PolicyArn ?? '')) throw noSuchEntity(`Policy ${input.PolicyArn ?? ''} was not found.`)
    role.attached = role.attached.filter((arn) => arn !== input.PolicyArn)
    return {}
  }

  // --- instance profiles ---------------------------------------------------

  createInstanceProfile(input: {InstanceProfileName?: string; Path?: string; Tags?: Tag[]}): {InstanceProfile: InstanceProfile} {
    const name = input.InstanceProfileName ?? ''
    if (!PROFILE_NAME.test(name)) throw invalidInput(`1 validation error detected: Value '${name}' at 'instanceProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`)
    const path = this.checkPath(input.Path)
    this.checkTags(input.Tags)
    if (this.profiles.has(name.toLowerCase())) throw iamError(EntityAlreadyExistsException, `Instance Profile ${name} already exists.`, 409)
    const profile: ProfileRecord = {name, path, id: this.newId('AIPA'), arn: `arn:aws:iam::${this.env.accountId}:instance-profile${path}${name}`, createdAt: this.env.clock.now(), tags: [...(input.Tags ?? [])]}
    this.profiles.set(name.toLowerCase(), profile)
    return {InstanceProfile: this.renderProfile(profile)}
  }

  getInstanceProfile(input: {InstanceProfileName?: string}): {InstanceProfile: InstanceProfile} {
    return {InstanceProfile: this.renderProfile(this.profile(input.InstanceProfileName, {lagging: true}))}
  }

  deleteInstanceProfile(input: {InstanceProfileName?: string}): object {
    const profile = this.profile(input.InstanceProfileName)
    if (profile.role !== undefined) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.')
    this.profiles.delete(profile.name.toLowerCase())
    return {}
  }

  /** "An instance profile can contain only one IAM role": a second is LimitExceeded, the same one again too. */
  addRoleToInstanceProfile(input: {InstanceProfileName?: string; RoleName?: string}): object {
    const profile = this.profile(input.InstanceProfileName)
    const role = this.role(input.RoleName, {lagging: true})
    if (profile.role !== undefined) throw iamError(LimitExceededException, 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1', 409)
    profile.role = role.name.toLowerCase()
    profile.roleAddedAt = this.env.clock.now()
    return {}
  }

  removeRoleFromInstanceProfile(input: {InstanceProfileName?: string; RoleName?: string}): object {
    const profile = this.profile(input.InstanceProfileName)
    const role = this.role(input.RoleName)
    if (profile.role !== role.name.toLowerCase()) throw noSuchEntity(`The role with name ${role.name} cannot be found in instance profile ${profile.name}.`)
    delete profile.role
    delete profile.roleAddedAt
    return {}
  }

  listInstanceProfilesForRole(input: {RoleName?: string; Marker?: string; MaxItems?: number}) {
    const role = this.role(input.RoleName)
    const profiles = [...this.profiles.values()].filter((profile) => profile.role === role.name.toLowerCase()).map((profile) => this.renderProfile(profile))
    const {items, ...rest} = this.page(profiles, input)
    return {InstanceProfiles: items, ...rest}
  }

  // --- shared -------------------------------------------------------------

  private tag(entity: {tags: Tag[]}, tags: Tag[] | undefined): object {
    const keys = new Set((tags ?? []).map((tag) => tag.Key))
    const next = [...entity.tags.filter((tag) => !keys.has(tag.Key)), ...(tags ?? [])]
    this.checkTags(next)
    entity.tags = next
    return {}
  }

  private untag(entity: {tags: Tag[]}, keys: string[] | undefined): object {
    entity.tags = entity.tags.filter((tag) => !(keys ?? []).includes(tag.Key!))
    return {}
  }

  private listTags(entity: {tags: Tag[]}, input: {Marker?: string; MaxItems?: number}) {
    const {items, ...rest} = this.page(entity.tags, input)
    return {Tags: items, ...rest}
  }

  /** IAM's paging: MaxItems (1–1000, default 100), an opaque Marker, IsTruncated. */
  private page<T>(all: T[], input: {Marker?: string; MaxItems?: number}): {items: T[]; IsTruncated: boolean; Marker?: string} {
    const maxItems = input.MaxItems ?? 100
    if (maxItems < 1 || maxItems > 1000) throw invalidInput(`1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`)
    const start = input.Marker ? Number(Buffer.from(input.Marker, 'base64').toString('utf8')) : 0
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalidInput('Invalid Marker.')
    const items = all.slice(start, start + maxItems)
    const next = start + items.length
    return next < all.length ? {items, IsTruncated: true, Marker: Buffer.from(String(next)).toString('base64')} : {items, IsTruncated: false}
  }

  /**
   * The role of a name or ARN. `lagging`: a describe (or a reference) that,
   * with `faults.consistencyDelayMs`, does not see a role made moments ago.
   */
  private role(nameOrArn: string | undefined, options: {lagging?: boolean} = {}): RoleRecord {
    const name = (nameOrArn ?? '').replace(/^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?/, '')
    const role = this.roles.get(name.toLowerCase())
    if (!role || (options.lagging && this.lagging(role.createdAt))) throw noSuchEntity(`The role with name ${name} cannot be found.`)
    return role
  }

  private profile(name: string | undefined, options: {lagging?: boolean} = {}): ProfileRecord {
    const profile = this.profiles.get((name ?? '').toLowerCase())
    if (!profile || (options.lagging && this.lagging(profile.createdAt))) throw noSuchEntity(`Instance Profile ${name ?? ''} cannot be found.`)
    return profile
  }

  private lagging(createdAt: number): boolean {
    return this.env.clock.now() < createdAt + this.env.faults.consistencyDelayMs
  }

  /**
   * `env.iamUsable`: whether another service can use the role or profile now,
   * `propagationMs` after it was made (a profile: after its role went in too;
   * an empty profile is usable, as RunInstances accepts one). An ARN says
   * which it is; a bare name is an instance profile's unless `kind` says
   * otherwise (EC2 and Auto Scaling take profile names, ECS takes role ARNs).
   * Unknown: false, as the services refuse what does not exist the same way.
   */
  private usable(arnOrName: string, kind?: 'role' | 'instance-profile'): boolean {
    const arn = /^arn:aws[\w-]*:iam::(\d{12}):(role|instance-profile)\/(?:.*\/)?([^/]+)$/.exec(arnOrName)
    if (arn && arn[1] !== this.env.accountId) return false
    const which = arn ? (arn[2] as 'role' | 'instance-profile') : (kind ?? 'instance-profile')
    const name = (arn ? arn[3]! : arnOrName).toLowerCase()
    const now = this.env.clock.now()
    if (which === 'role') {
      const role = this.roles.get(name)
      return role !== undefined && now >= role.createdAt + this.timings.propagationMs
    }
    const profile = this.profiles.get(name)
    if (!profile || now < profile.createdAt + this.timings.propagationMs) return false
    return profile.roleAddedAt === undefined || now >= profile.roleAddedAt + this.timings.propagationMs
  }

  private render(role: RoleRecord): Role {
    return {
      Path: role.path,
      RoleName: role.name,
      RoleId: role.id,
      Arn: role.arn,
      CreateDate: new Date(role.createdAt),
      AssumeRolePolicyDocument: rfc3986(role.trustPolicy),
      ...(role.description !== undefined ? {Description: role.description} : {}),
      MaxSessionDuration: role.maxSessionDuration,
      ...(role.tags.length > 0 ? {Tags: role.tags.map((tag) => ({...tag}))} : {}),
      RoleLastUsed: {},
    }
  }

  private renderProfile(profile: ProfileRecord): InstanceProfile {
    const role = profile.role !== undefined ? this.roles.get(profile.role) : undefined
    return {
      Path: profile.path,
      InstanceProfileName: profile.name,
      InstanceProfileId: profile.id,
      Arn: profile.arn,
      CreateDate: new Date(profile.createdAt),
      Roles: role ? [this.render(role)] : [],
      ...(profile.tags.length > 0 ? {Tags: profile.tags.map((tag) => ({...tag}))} : {}),
    }
  }

  /** `AROA` / `AIPA` and 17 characters of IAM's alphabet (21 in all): 13 that look random, 4 that count, so never two alike. */
  private newId(prefix: string): string {
    this.counter++
    let mixed = (BigInt(this.counter) * 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n)
    let suffix = ''
    for (let i = 0; i < 13; i++, mixed >>= 5n) suffix += ID_CHARACTERS[Number(mixed & 31n)]
    for (let i = 3, count = this.counter; i >= 0; i--) suffix += ID_CHARACTERS[Math.floor(count / 32 ** i) % 32]
    return `${prefix}${suffix}`
  }

  private checkPath(path: string | undefined): string {
    const value = path ?? '/'
    if (!/^\/(?:[\x21-\x7e]+\/)?$/.test(value) || value.length > 512)
      throw invalidInput(`The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`)
    return value
  }

  /**
   * A policy document IAM accepts: JSON with a Statement, each with an Effect
   * (a trust policy's with a Principal; an identity policy's without one).
   * Kept as submitted, as IAM keeps it.
   */
  private checkDocument(text: string | undefined, trust: boolean): string {
    let document: {Statement?: unknown}
    try {
      document = JSON.parse(text ?? '') as {Statement?: unknown}
    } catch {
      throw iamError(MalformedPolicyDocumentException, 'Syntax errors in policy.')
    }
    const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement]
    if (statements.length === 0) throw iamError(MalformedPolicyDocumentException, 'Policy document should not be empty.')
    for (const statement of statements as Record<string, unknown>[]) {
      if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw iamError(MalformedPolicyDocumentException, 'Policy statement must contain a valid Effect.')
      if (trust && statement.Principal === undefined) throw iamError(MalformedPolicyDocumentException, 'AssumeRolepolicy contained an invalid principal.')
      if (!trust && statement.Principal !== undefined) throw iamError(MalformedPolicyDocumentException, 'Policy document should not specify a principal.')
      if (statement.Action === undefined && statement.NotAction === undefined) throw iamError(MalformedPolicyDocumentException, 'Policy statement must contain actions.')
      if (!trust && statement.Resource === undefined && statement.NotResource === undefined) throw iamError(MalformedPolicyDocumentException, 'Policy statement must contain resources.')
    }
    return text!
  }

  /** At most 50 tags; keys up to 128 characters, values up to 256. */
  private checkTags(tags: Tag[] | undefined): void {
    if ((tags ?? []).length > TAGS_PER_ENTITY) throw iamError(LimitExceededException, `Cannot exceed quota for TagsPerRole: ${TAGS_PER_ENTITY}`, 409)
    for (const tag of tags ?? []) {
      if (!tag.Key || tag.Key.length > 128 || (tag.Value ?? '').length > 256) throw invalidInput(`The tag ${tag.Key ?? ''} is not valid.`)
    }
  }
}
