import {createHash} from 'node:crypto'
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  HierarchyLevelLimitExceededException,
  InvalidNextToken,
  type Parameter,
  ParameterAlreadyExists,
  type ParameterHistory,
  ParameterNotFound,
  type ParameterTier,
  type ParameterType,
  ParameterVersionNotFound,
  PutParameterCommand,
  ValidationException,
} from '@aws-sdk/client-ssm'
import type {FakeEnv, FakeHandler, FakeService} from './core.js'

/**
 * In-memory SSM Parameter Store: the operations containrlab uses for its
 * state document, lock and stack secrets, with Parameter Store's limits and
 * error codes. API reference:
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Operations.html
 */

/** Value limits per tier, in characters. https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html */
export const STANDARD_VALUE_LIMIT = 4096
export const ADVANCED_VALUE_LIMIT = 8192
/** Parameter Store keeps the 100 most recent versions and drops the oldest (unlabelled) one. */
const MAX_VERSIONS = 100
/** GetParameters and DeleteParameters take at most 10 names; GetParametersByPath returns at most 10 per page. */
const BATCH_LIMIT = 10
const HISTORY_PAGE_LIMIT = 50
/** "A parameter name hierarchy can have a maximum of 15 levels." https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html */
const MAX_HIERARCHY_LEVELS = 15

interface StoredVersion {
  Value: string
  Type: ParameterType
  Tier: ParameterTier
  Description?: string
  Version: number
  LastModifiedDate: Date
}

export interface StoredParameter {
  Name: string
  Value: string
  Type: ParameterType
  Tier: ParameterTier
  Version: number
  Description?: string
  LastModifiedDate: Date
}

/** ECS's optimised AMI parameters the fake SSM starts with (x86_64 and arm64), with AMI ids of the fake's own. */
export const ECS_OPTIMIZED_AMIS: Record<string, string> = {
  '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id': 'ami-0a1b2c3d4e5f60001',
  '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id': 'ami-0a1b2c3d4e5f60002',
}

const meta = {$metadata: {httpStatusCode: 400}}

function validation(message: string): ValidationException {
  return new ValidationException({...meta, message, Message: message})
}

function notFound(name: string): ParameterNotFound {
  return new ParameterNotFound({...meta, message: `Parameter ${name} not found.`})
}

export class FakeSsm implements FakeService {
  readonly service = 'ssm'
  private readonly parameters = new Map<string, StoredVersion[]>()
  /**
   * Sizes of the next GetParametersByPath pages, consumed one per call (then
   * MaxResults again): AWS answers "on a best-effort basis", a page holding
   * "between zero and the value of MaxResults" items, with a NextToken while
   * more remain.
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html
   */
  pageSizes: number[] = []

  // ---------------------------------------------------------------- AWS's public parameters (EC2 capacity)

  /**
   * AWS's public parameters (`/aws/service/…`): readable with GetParameter(s)
   * by any account, never the account's own (not in `names()`, not under a
   * path the state uses). Seeded with ECS's optimised Amazon Linux 2023 AMIs;
   * `publishPublicParameter` is AWS publishing a new one.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html
   */
  private readonly publicParameters = new Map<string, StoredVersion[]>()

  /** What AWS does when it releases a new AMI: a new version of the public parameter. */
  publishPublicParameter(name: string, value: string): void {
    const versions = this.publicParameters.get(name) ?? []
    versions.push({Value: value, Type: 'String', Tier: 'Standard', Version: versions.length + 1, LastModifiedDate: new Date(this.env.clock.now())})
    this.publicParameters.set(name, versions)
  }

  constructor(private readonly env: FakeEnv) {
    for (const [name, value] of Object.entries(ECS_OPTIMIZED_AMIS)) this.publishPublicParameter(name, value)
    env.ssmParameterValue = (name) => {
      try {
        return this.lookup(name).Value
      } catch {
        return undefined
      }
    }
  }

  /** Names of every stored parameter, sorted (for assertions). */
  names(): string[] {
    return [...this.parameters.keys()].sort()
  }

  /** The latest version of a parameter, or undefined (for assertions). */
  get(name: string): StoredParameter | undefined {
    const latest = this.parameters.get(name)?.at(-1)
    if (!latest) return undefined
    return {Name: name, ...latest}
  }

  handlers(): FakeHandler[] {
    return [
      {command: PutParameterCommand, operation: 'PutParameter', mutating: true, handle: async (input) => this.putParameter(input)},
      {command: GetParameterCommand, operation: 'GetParameter', mutating: false, handle: async (input) => this.getParameter(input)},
      {command: GetParametersCommand, operation: 'GetParameters', mutating: false, handle: async (input) => this.getParameters(input)},
      {command: GetParametersByPathCommand, operation: 'GetParametersByPath', mutating: false, handle: async (input) => this.getParametersByPath(input)},
      {command: DeleteParameterCommand, operation: 'DeleteParameter', mutating: true, handle: async (input) => this.deleteParameter(input)},
      {command: DeleteParametersCommand, operation: 'DeleteParameters', mutating: true, handle: async (input) => this.deleteParameters(input)},
      {command: GetParameterHistoryCommand, operation: 'GetParameterHistory', mutating: false, handle: async (input) => this.getParameterHistory(input)},
    ]
  }

  putParameter(input: {Name?: string; Value?: string; Type?: ParameterType; Overwrite?: boolean; Tier?: ParameterTier; Description?: string}): {Version: number; Tier: ParameterTier} {
    const name = checkName(input.Name)
    if (name.split('/').filter(Boolean).length > MAX_HIERARCHY_LEVELS) {
      throw new HierarchyLevelLimitExceededException({
        ...meta,
        message: `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels. For more information, see Requirements and constraints for parameter names in the Amazon Web Services Systems Manager User Guide.`,
      })
    }
    const value = input.Value ?? ''
    if (value.length === 0) throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1")
    const versions = this.parameters.get(name)
    const latest = versions?.at(-1)
    if (latest && input.Overwrite !== true) {
      throw new ParameterAlreadyExists({...meta, message: 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.'})
    }
    const type = input.Type ?? latest?.Type
    if (!type) throw validation('A parameter type is required when you create a parameter.')
    if (!['String', 'StringList', 'SecureString'].includes(type)) throw validation(`Parameter type ${type} is not supported.`)
    const tier = this.tierFor(input.Tier, latest?.Tier)
    // A too-long Standard value is a ValidationException, not a limit error
    // (seen against the real API: hashicorp/terraform-provider-aws#18521).
    if (tier === 'Standard' && value.length > STANDARD_VALUE_LIMIT) {
      throw validation(
        'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
      )
    }
    // The 8 KB Advanced limit is documented; the exact wording of its error is not, only that it is a ValidationException.
    if (value.length > ADVANCED_VALUE_LIMIT) throw validation(`Advanced tier parameters support a maximum parameter value of ${ADVANCED_VALUE_LIMIT} characters.`)

    const version: StoredVersion = {
      Value: value,
      Type: type,
      Tier: tier,
      Description: input.Description ?? latest?.Description,
      Version: (latest?.Version ?? 0) + 1,
      LastModifiedDate: new Date(this.env.clock.now()),
    }
    const history = versions ?? []
    history.push(version)
    if (history.length > MAX_VERSIONS) history.shift()
    this.parameters.set(name, history)
    return {Version: version.Version, Tier: tier}
  }

  getParameter(input: {Name?: string; WithDecryption?: boolean}): {Parameter: Parameter} {
    const {name, version, selector} = parseSelector(input.Name)
    const stored = this.lookup(name, version, selector)
    return {Parameter: this.render(name, stored, input.WithDecryption === true, selector)}
  }

  getParameters(input: {Names?: string[]; WithDecryption?: boolean}): {Parameters: Parameter[]; InvalidParameters: string[]} {
    const names = checkBatch(input.Names, 'names')
    const Parameters: Parameter[] = []
    const InvalidParameters: string[] = []
    for (const requested of names) {
      try {
        const {name, version, selector} = parseSelector(requested)
        Parameters.push(this.render(name, this.lookup(name, version, selector), input.WithDecryption === true, selector))
      } catch (error) {
        if (error instanceof ParameterNotFound || error instanceof ParameterVersionNotFound) InvalidParameters.push(requested)
        else throw error
      }
    }
    return {Parameters, InvalidParameters}
  }

  getParametersByPath(input: {Path?: string; Recursive?: boolean; WithDecryption?: boolean; MaxResults?: number; NextToken?: string}): {
    Parameters: Parameter[]
    NextToken?: string
  } {
    const raw = input.Path ?? ''
    if (!raw.startsWith('/')) throw validation(`The parameter path ${raw} is not valid. A path must begin with a forward slash (/).`)
    const maxResults = input.MaxResults ?? BATCH_LIMIT
    if (maxResults < 1 || maxResults > BATCH_LIMIT) {
      throw validation(`1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`)
    }
    const prefix = raw.endsWith('/') ? raw : `${raw}/`
    const matching = this.names().filter((name) => name.startsWith(prefix) && (input.Recursive === true || !name.slice(prefix.length).includes('/')))
    const start = decodeToken(input.NextToken, matching.length)
    const size = Math.min(maxResults, this.pageSizes.shift() ?? maxResults)
    const page = matching.slice(start, start + size)
    const next = start + page.length
    return {
      Parameters: page.map((name) => this.render(name, this.lookup(name), input.WithDecryption === true)),
      NextToken: next < matching.length ? encodeToken(next) : undefined,
    }
  }

  deleteParameter(input: {Name?: string}): Record<string, never> {
    const name = input.Name ?? ''
    if (!this.parameters.delete(name)) throw notFound(name)
    return {}
  }

  deleteParameters(input: {Names?: string[]}): {DeletedParameters: string[]; InvalidParameters: string[]} {
    const names = checkBatch(input.Names, 'names')
    const DeletedParameters: string[] = []
    const InvalidParameters: string[] = []
    for (const name of names) (this.parameters.delete(name) ? DeletedParameters : InvalidParameters).push(name)
    return {DeletedParameters, InvalidParameters}
  }

  getParameterHistory(input: {Name?: string; WithDecryption?: boolean; MaxResults?: number; NextToken?: string}): {Parameters: ParameterHistory[]; NextToken?: string} {
    const name = input.Name ?? ''
    const versions = this.parameters.get(name)
    if (!versions) throw notFound(name)
    const maxResults = input.MaxResults ?? HISTORY_PAGE_LIMIT
    if (maxResults < 1 || maxResults > HISTORY_PAGE_LIMIT) {
      throw validation(`1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`)
    }
    const start = decodeToken(input.NextToken, versions.length)
    const page = versions.slice(start, start + maxResults)
    const next = start + page.length
    return {
      // Oldest first, as the API returns them.
      Parameters: page.map((v) => ({
        Name: name,
        Type: v.Type,
        Tier: v.Tier,
        Description: v.Description,
        Version: v.Version,
        LastModifiedDate: v.LastModifiedDate,
        LastModifiedUser: `arn:aws:iam::${this.env.accountId}:user/containrlab-test`,
        Value: this.valueOf(v, input.WithDecryption === true),
        DataType: 'text',
        Labels: [],
      })),
      NextToken: next < versions.length ? encodeToken(next) : undefined,
    }
  }

  private tierFor(requested: ParameterTier | undefined, existing: ParameterTier | undefined): ParameterTier {
    if (requested === undefined) return existing ?? 'Standard'
    if (requested !== 'Standard' && requested !== 'Advanced') {
      // Intelligent-Tiering depends on account settings the fake does not model.
      throw validation(`The fake SSM does not model tier ${requested}.`)
    }
    // "You can't revert an advanced parameter to a standard parameter."
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
    if (existing === 'Advanced' && requested === 'Standard') {
      throw validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.")
    }
    return requested
  }

  private lookup(name: string, version?: number, selector?: string): StoredVersion {
    const versions = this.parameters.get(name) ?? this.publicParameters.get(name)
    if (!versions) throw notFound(name)
    if (version === undefined) return versions.at(-1)!
    const found = versions.find((v) => v.Version === version)
    if (!found) throw new ParameterVersionNotFound({...meta, message: `Systems Manager could not find version ${selector?.slice(1)} of ${name}.`})
    return found
  }

  private render(name: string, stored: StoredVersion, decrypt: boolean, selector?: string): Parameter {
    return {
      Name: name,
      Type: stored.Type,
      Value: this.valueOf(stored, decrypt),
      Version: stored.Version,
      Selector: selector,
      LastModifiedDate: stored.LastModifiedDate,
      // A public parameter's ARN names no account.
      ARN: `arn:aws:ssm:${this.env.region}:${this.publicParameters.has(name) && !this.parameters.has(name) ? '' : this.env.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: 'text',
    }
  }

  /**
   * Without WithDecryption a SecureString comes back as its KMS ciphertext,
   * never the plaintext; the fake returns an opaque base64 blob in its place.
   */
  private valueOf(stored: StoredVersion, decrypt: boolean): string {
    if (stored.Type !== 'SecureString' || decrypt) return stored.Value
    return `AQICAH${createHash('sha256').update(stored.Value).digest('base64')}`
  }
}

/** Names: letters, digits and `_.-/`; a hierarchy starts with `/`; no `aws`/`ssm` prefix. https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html */
function checkName(name: string | undefined): string {
  if (!name || name.length > 1011 || !/^[a-zA-Z0-9_.\-/]+$/.test(name)) throw validation(`Parameter name ${name ?? ''} is not valid.`)
  if (name.includes('/') && !name.startsWith('/')) throw validation(`Parameter name ${name} is not valid: a hierarchical name must begin with a forward slash (/).`)
  if (/^\/?(aws|ssm)/i.test(name)) throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).')
  return name
}

function checkBatch(names: string[] | undefined, field: string): string[] {
  if (!names || names.length < 1 || names.length > BATCH_LIMIT) {
    throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${BATCH_LIMIT} and greater than or equal to 1`)
  }
  return names
}

/** `name:3` selects version 3 (labels are not modelled). */
function parseSelector(requested: string | undefined): {name: string; version?: number; selector?: string} {
  const value = requested ?? ''
  const colon = value.lastIndexOf(':')
  if (colon < 0) return {name: value}
  const name = value.slice(0, colon)
  const selector = value.slice(colon)
  const version = Number(selector.slice(1))
  if (!Number.isInteger(version) || version < 1) throw validation(`The fake SSM models version selectors only, not ${selector}.`)
  return {name, version, selector}
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({offset})).toString('base64')
}

function decodeToken(token: string | undefined, length: number): number {
  if (token === undefined) return 0
  try {
    const {offset} = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {offset: unknown}
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 && offset <= length) return offset
  } catch {
    // fall through: any token we did not issue is invalid
  }
  throw new InvalidNextToken({...meta, message: 'The specified token is not valid.'})
}
