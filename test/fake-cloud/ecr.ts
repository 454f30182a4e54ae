import {
  CreateRepositoryCommand,
  type CreateRepositoryRequest,
  DeleteLifecyclePolicyCommand,
  type DeleteLifecyclePolicyRequest,
  DeleteRepositoryCommand,
  type DeleteRepositoryRequest,
  DescribeImagesCommand,
  type DescribeImagesRequest,
  DescribeRepositoriesCommand,
  type DescribeRepositoriesRequest,
  GetLifecyclePolicyCommand,
  type GetLifecyclePolicyRequest,
  type ImageDetail,
  type ImageIdentifier,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  InvalidTagParameterException,
  LifecyclePolicyNotFoundException,
  ListImagesCommand,
  type ListImagesRequest,
  ListTagsForResourceCommand,
  type ListTagsForResourceRequest,
  PutImageScanningConfigurationCommand,
  type PutImageScanningConfigurationRequest,
  PutImageTagMutabilityCommand,
  type PutImageTagMutabilityRequest,
  PutLifecyclePolicyCommand,
  type PutLifecyclePolicyRequest,
  type Repository,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  type Tag,
  TagResourceCommand,
  type TagResourceRequest,
  TooManyTagsException,
  UntagResourceCommand,
  type UntagResourceRequest,
} from '@aws-sdk/client-ecr'
import {createHash} from 'node:crypto'
import {type FakeEnv, type FakeHandler, type FakeService, handlersOf, type OperationHandler} from './core.js'
import {stableJson} from './ec2-support.js'

/**
 * An in-memory Amazon ECR (private registry): repositories with their
 * scanning, tag mutability, lifecycle policy, tags and images (pushed by
 * tests with `pushImage`: the fake has no registry API for layers), with
 * AWS's ARNs, URIs, name rules, pagination and error classes. Lifecycle
 * policies are stored and validated, never run (AWS applies them within a
 * day). API reference: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Operations.html
 */

/** "Up to 100 repositories" per DescribeRepositories `repositoryNames`. */
const NAMES_LIMIT = 100
/** Page sizes: DescribeRepositories 1–1000, DescribeImages and ListImages 1–1000 (default 100). */
const PAGE_MAX = 1000
const PAGE_DEFAULT = 100
/** Tags per resource. https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-using-tags.html */
const TAG_LIMIT = 50
/** API_CreateRepository: repositoryName, 2–256 characters. */
const NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/

interface ImageRecord {
  digest: string
  tags: string[]
  pushedAt: Date
  sizeInBytes: number
}

interface RepositoryRecord {
  name: string
  arn: string
  createdAt: Date
  scanOnPush: boolean
  tagMutability: string
  tags: Tag[]
  /** As ECR gives it back: equivalent to the text put, not the same bytes (normalisedPolicy). */
  lifecyclePolicy?: string
  images: Map<string, ImageRecord>
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E

function fail<E>(Exception: Modeled<E>, message: string): E {
  return new Exception({$metadata: {httpStatusCode: 400}, message})
}

function invalid(message: string): InvalidParameterException {
  return fail(InvalidParameterException, message)
}

/** What GetLifecyclePolicy answers for a policy put: the same document with its keys in ECR's order, no white space. */
function normalisedPolicy(document: unknown): string {
  return stableJson(document)
}

/**
 * The checks ECR makes on a lifecycle policy (a subset): rules with unique
 * priorities, a selection ECR knows and the `expire` action.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
 */
function validatedPolicy(text: string): unknown {
  const refuse = (why: string) => invalid(`Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${why}'`)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw refuse('could not parse the policy as JSON')
  }
  const rules = (document as {rules?: unknown}).rules
  if (!Array.isArray(rules) || rules.length === 0) throw refuse('object has missing required properties (["rules"])')
  const priorities = new Set<number>()
  for (const rule of rules as {rulePriority?: unknown; selection?: Record<string, unknown>; action?: {type?: unknown}}[]) {
    if (!Number.isInteger(rule.rulePriority) || (rule.rulePriority as number) < 1) throw refuse('rulePriority must be a positive integer')
    if (priorities.has(rule.rulePriority as number)) throw refuse(`duplicate rulePriority ${String(rule.rulePriority)}`)
    priorities.add(rule.rulePriority as number)
    const selection = rule.selection ?? {}
    if (!['tagged', 'untagged', 'any'].includes(selection.tagStatus as string)) throw refuse(`instance value (${JSON.stringify(selection.tagStatus)}) not found in enum (possible values: ["tagged","untagged","any"])`)
    if (!['imageCountMoreThan', 'sinceImagePushed'].includes(selection.countType as string)) throw refuse(`instance value (${JSON.stringify(selection.countType)}) not found in enum`)
    if (!Number.isInteger(selection.countNumber) || (selection.countNumber as number) < 1) throw refuse('countNumber must be an integer of at least 1')
    if (selection.tagStatus === 'tagged' && !selection.tagPrefixList && !selection.tagPatternList) throw refuse('tagPrefixList or tagPatternList is required when tagStatus is tagged')
    if (rule.action?.type !== 'expire') throw refuse('action type must be expire')
  }
  return document
}

function page<T>(items: T[], nextToken: string | undefined, maxResults: number | undefined, fallback: number): {items: T[]; nextToken?: string} {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > PAGE_MAX)) throw invalid(`maxResults must be between 1 and ${PAGE_MAX}`)
  const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64').toString())
  if (!Number.isInteger(start) || start < 0) throw invalid('Invalid parameter at nextToken')
  const size = maxResults ?? fallback
  const end = start + size
  return end < items.length ? {items: items.slice(start, end), nextToken: Buffer.from(String(end)).toString('base64')} : {items: items.slice(start)}
}

export class FakeEcr implements FakeService {
  readonly service = 'ecr'
  private readonly repositories = new Map<string, RepositoryRecord>()
  private pushes = 0

  constructor(private readonly env: FakeEnv) {}

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateRepositoryCommand, (i) => this.createRepository(i)],
      [DescribeRepositoriesCommand, (i) => this.describeRepositories(i)],
      [DeleteRepositoryCommand, (i) => this.deleteRepository(i)],
      [PutImageScanningConfigurationCommand, (i) => this.putImageScanningConfiguration(i)],
      [PutImageTagMutabilityCommand, (i) => this.putImageTagMutability(i)],
      [PutLifecyclePolicyCommand, (i) => this.putLifecyclePolicy(i)],
      [GetLifecyclePolicyCommand, (i) => this.getLifecyclePolicy(i)],
      [DeleteLifecyclePolicyCommand, (i) => this.deleteLifecyclePolicy(i)],
      [TagResourceCommand, (i) => this.tagResource(i)],
      [UntagResourceCommand, (i) => this.untagResource(i)],
      [ListTagsForResourceCommand, (i) => this.listTagsForResource(i)],
      [DescribeImagesCommand, (i) => this.describeImages(i)],
      [ListImagesCommand, (i) => this.listImages(i)],
    ]
    return handlersOf(table)
  }

  /** Repositories: what a stack leaves behind in ECR. */
  resourceCount(): number {
    return this.repositories.size
  }

  // ------------------------------------------------------------------ test helpers

  /**
   * What `docker push <uri>:<tag>` does: the image (a new digest unless one
   * is given) gets the tag, which leaves any other image of the repository
   * (that image then untagged). A tag an immutable repository already has on
   * another image is refused (ImageTagAlreadyExistsException). Returns the digest.
   */
  pushImage(repository: string, tag: string | undefined, digest?: string): string {
    const record = this.repository(repository)
    this.pushes++
    const imageDigest = digest ?? `sha256:${createHash('sha256').update(`${repository}/${this.pushes}`).digest('hex')}`
    if (tag !== undefined) {
      const holder = [...record.images.values()].find((image) => image.tags.includes(tag))
      if (holder && holder.digest !== imageDigest) {
        if (record.tagMutability.startsWith('IMMUTABLE')) {
          throw fail(ImageTagAlreadyExistsException, `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`)
        }
        holder.tags = holder.tags.filter((held) => held !== tag)
      }
    }
    const image = record.images.get(imageDigest) ?? {digest: imageDigest, tags: [], pushedAt: new Date(this.env.clock.now()), sizeInBytes: 10_000_000 + this.pushes}
    if (tag !== undefined && !image.tags.includes(tag)) image.tags.push(tag)
    record.images.set(imageDigest, image)
    return imageDigest
  }

  /** Deleted outside the tool (the console, another tool): images and all. */
  deleteOutOfBand(name: string): void {
    this.repositories.delete(name)
  }

  /** A repository as stored, for assertions; undefined when there is none. */
  get(name: string): {scanOnPush: boolean; tagMutability: string; lifecyclePolicy?: string; tags: Tag[]; images: number} | undefined {
    const record = this.repositories.get(name)
    if (!record) return undefined
    const shown: {scanOnPush: boolean; tagMutability: string; lifecyclePolicy?: string; tags: Tag[]; images: number} = {
      scanOnPush: record.scanOnPush,
      tagMutability: record.tagMutability,
      tags: record.tags.map((tag) => ({...tag})),
      images: record.images.size,
    }
    if (record.lifecyclePolicy !== undefined) shown.lifecyclePolicy = record.lifecyclePolicy
    return shown
  }

  // ------------------------------------------------------------------ repositories

  private uri(name: string): string {
    return `${this.env.accountId}.dkr.ecr.${this.env.region}.amazonaws.com/${name}`
  }

  private notFound(name: string): RepositoryNotFoundException {
    return fail(RepositoryNotFoundException, `The repository with name '${name}' does not exist in the registry with id '${this.env.accountId}'`)
  }

  private repository(name: string | undefined): RepositoryRecord {
    if (typeof name !== 'string' || name === '') throw invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'")
    const record = this.repositories.get(name)
    if (!record) throw this.notFound(name)
    return record
  }

  private shown(record: RepositoryRecord): Repository {
    return {
      repositoryArn: record.arn,
      registryId: this.env.accountId,
      repositoryName: record.name,
      repositoryUri: this.uri(record.name),
      createdAt: record.createdAt,
      imageTagMutability: record.tagMutability as Repository['imageTagMutability'],
      imageScanningConfiguration: {scanOnPush: record.scanOnPush},
      encryptionConfiguration: {encryptionType: 'AES256'},
    }
  }

  private checkTags(tags: Tag[]): void {
    for (const tag of tags) {
      if (!tag.Key || tag.Key.length > 128 || (tag.Value ?? '').length > 256) throw fail(InvalidTagParameterException, `Invalid tag ${JSON.stringify(tag)}`)
      if (tag.Key.toLowerCase().startsWith('aws:')) throw fail(InvalidTagParameterException, 'Tag keys beginning with aws: are reserved')
    }
  }

  private createRepository(input: CreateRepositoryRequest) {
    const name = input.repositoryName ?? ''
    if (name.length < 2 || name.length > 256 || !NAME_PATTERN.test(name)) {
      throw invalid(`Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`)
    }
    if (this.repositories.has(name)) throw fail(RepositoryAlreadyExistsException, `The repository with name '${name}' already exists in the registry with id '${this.env.accountId}'`)
    const tags = input.tags ?? []
    this.checkTags(tags)
    if (tags.length > TAG_LIMIT) throw fail(TooManyTagsException, `A repository can have at most ${TAG_LIMIT} tags`)
    const mutability = input.imageTagMutability ?? 'MUTABLE'
    if (!['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'].includes(mutability)) throw invalid(`Invalid imageTagMutability ${mutability}`)
    const record: RepositoryRecord = {
      name,
      arn: `arn:aws:ecr:${this.env.region}:${this.env.accountId}:repository/${name}`,
      createdAt: new Date(this.env.clock.now()),
      scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
      tagMutability: mutability,
      tags: tags.map((tag) => ({Key: tag.Key!, Value: tag.Value ?? ''})),
      images: new Map(),
    }
    this.repositories.set(name, record)
    return {repository: this.shown(record)}
  }

  /** By names (every one must exist: one missing fails the call), else every repository, paginated. */
  private describeRepositories(input: DescribeRepositoriesRequest) {
    if (input.repositoryNames !== undefined) {
      if (input.repositoryNames.length === 0 || input.repositoryNames.length > NAMES_LIMIT) throw invalid(`repositoryNames must hold 1 to ${NAMES_LIMIT} names`)
      // "This parameter is not used when repositoryNames is specified" would hide a bug: AWS refuses it.
      if (input.maxResults !== undefined || input.nextToken !== undefined) throw invalid('maxResults and nextToken cannot be used with repositoryNames')
      return {repositories: input.repositoryNames.map((name) => this.shown(this.repository(name)))}
    }
    const listed = page([...this.repositories.values()], input.nextToken, input.maxResults, PAGE_DEFAULT)
    return {repositories: listed.items.map((record) => this.shown(record)), nextToken: listed.nextToken}
  }

  private deleteRepository(input: DeleteRepositoryRequest) {
    const record = this.repository(input.repositoryName)
    if (record.images.size > 0 && !input.force) {
      throw fail(RepositoryNotEmptyException, `The repository with name '${record.name}' in registry with id '${this.env.accountId}' cannot be deleted because it still contains images`)
    }
    this.repositories.delete(record.name)
    return {repository: this.shown(record)}
  }

  private putImageScanningConfiguration(input: PutImageScanningConfigurationRequest) {
    const record = this.repository(input.repositoryName)
    record.scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false
    return {registryId: this.env.accountId, repositoryName: record.name, imageScanningConfiguration: {scanOnPush: record.scanOnPush}}
  }

  private putImageTagMutability(input: PutImageTagMutabilityRequest) {
    const record = this.repository(input.repositoryName)
    if (!['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'].includes(input.imageTagMutability ?? '')) throw invalid(`Invalid imageTagMutability ${input.imageTagMutability}`)
    record.tagMutability = input.imageTagMutability!
    return {registryId: this.env.accountId, repositoryName: record.name, imageTagMutability: record.tagMutability}
  }

  // ------------------------------------------------------------------ lifecycle policies

  private putLifecyclePolicy(input: PutLifecyclePolicyRequest) {
    const record = this.repository(input.repositoryName)
    const text = input.lifecyclePolicyText ?? ''
    if (text.length < 100 || text.length > 30720) throw invalid("Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length between 100 and 30720'")
    record.lifecyclePolicy = normalisedPolicy(validatedPolicy(text))
    return {registryId: this.env.accountId, repositoryName: record.name, lifecyclePolicyText: text}
  }

  private policyOf(record: RepositoryRecord): string {
    if (record.lifecyclePolicy === undefined) {
      throw fail(LifecyclePolicyNotFoundException, `Lifecycle policy does not exist for the repository with name '${record.name}' in the registry with id '${this.env.accountId}'`)
    }
    return record.lifecyclePolicy
  }

  private getLifecyclePolicy(input: GetLifecyclePolicyRequest) {
    const record = this.repository(input.repositoryName)
    return {registryId: this.env.accountId, repositoryName: record.name, lifecyclePolicyText: this.policyOf(record), lastEvaluatedAt: new Date(0)}
  }

  private deleteLifecyclePolicy(input: DeleteLifecyclePolicyRequest) {
    const record = this.repository(input.repositoryName)
    const text = this.policyOf(record)
    delete record.lifecyclePolicy
    return {registryId: this.env.accountId, repositoryName: record.name, lifecyclePolicyText: text, lastEvaluatedAt: new Date(0)}
  }

  // ------------------------------------------------------------------ tags

  private byArn(arn: string | undefined): RepositoryRecord {
    const match = /^arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(arn ?? '')
    if (!match) throw invalid(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN ${arn}'`)
    if (match[1] !== this.env.region || match[2] !== this.env.accountId) throw this.notFound(match[3]!)
    return this.repository(match[3])
  }

  private tagResource(input: TagResourceRequest) {
    const record = this.byArn(input.resourceArn)
    const tags = input.tags ?? []
    this.checkTags(tags)
    const merged = new Map(record.tags.map((tag) => [tag.Key!, tag.Value ?? '']))
    for (const tag of tags) merged.set(tag.Key!, tag.Value ?? '')
    if (merged.size > TAG_LIMIT) throw fail(TooManyTagsException, `A repository can have at most ${TAG_LIMIT} tags`)
    record.tags = [...merged].map(([Key, Value]) => ({Key, Value}))
    return {}
  }

  private untagResource(input: UntagResourceRequest) {
    const record = this.byArn(input.resourceArn)
    const keys = new Set(input.tagKeys ?? [])
    record.tags = record.tags.filter((tag) => !keys.has(tag.Key!))
    return {}
  }

  private listTagsForResource(input: ListTagsForResourceRequest) {
    return {tags: this.byArn(input.resourceArn).tags.map((tag) => ({...tag}))}
  }

  // ------------------------------------------------------------------ images

  private selected(record: RepositoryRecord, tagStatus: string | undefined): ImageRecord[] {
    const images = [...record.images.values()]
    if (tagStatus === 'TAGGED') return images.filter((image) => image.tags.length > 0)
    if (tagStatus === 'UNTAGGED') return images.filter((image) => image.tags.length === 0)
    return images
  }

  private imageMatching(record: RepositoryRecord, id: ImageIdentifier): ImageRecord {
    const image = [...record.images.values()].find((candidate) => (id.imageDigest === undefined || candidate.digest === id.imageDigest) && (id.imageTag === undefined || candidate.tags.includes(id.imageTag)))
    if (!image || (id.imageDigest === undefined && id.imageTag === undefined)) {
      throw fail(
        ImageNotFoundException,
        `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${record.name}' in the registry with id '${this.env.accountId}'`,
      )
    }
    return image
  }

  private detail(record: RepositoryRecord, image: ImageRecord): ImageDetail {
    const detail: ImageDetail = {
      registryId: this.env.accountId,
      repositoryName: record.name,
      imageDigest: image.digest,
      imageSizeInBytes: image.sizeInBytes,
      imagePushedAt: image.pushedAt,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    }
    if (image.tags.length > 0) detail.imageTags = [...image.tags]
    return detail
  }

  private describeImages(input: DescribeImagesRequest) {
    const record = this.repository(input.repositoryName)
    if (input.imageIds !== undefined) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) throw invalid('maxResults and nextToken cannot be used with imageIds')
      return {imageDetails: input.imageIds.map((id) => this.detail(record, this.imageMatching(record, id)))}
    }
    const listed = page(this.selected(record, input.filter?.tagStatus), input.nextToken, input.maxResults, PAGE_DEFAULT)
    return {imageDetails: listed.items.map((image) => this.detail(record, image)), nextToken: listed.nextToken}
  }

  /** One id per tag, and one (digest only) per untagged image. */
  private listImages(input: ListImagesRequest) {
    const record = this.repository(input.repositoryName)
    const ids: ImageIdentifier[] = []
    for (const image of this.selected(record, input.filter?.tagStatus)) {
      if (image.tags.length === 0) ids.push({imageDigest: image.digest})
      for (const tag of image.tags) ids.push({imageDigest: image.digest, imageTag: tag})
    }
    const listed = page(ids, input.nextToken, input.maxResults, PAGE_DEFAULT)
    return {imageIds: listed.items, nextToken: listed.nextToken}
  }
}
