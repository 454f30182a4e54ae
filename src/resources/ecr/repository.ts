import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  ListTagsForResourceCommand,
  paginateDescribeImages,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  type ECRClient,
  type Repository,
} from '@aws-sdk/client-ecr'
import {ensureCreatedHere, holderOf, ownerOf, ownerOfCreated} from '../tags.js'
import type {Change, CreateMeta, ReconcileContext, Reconciler, Observed} from '../types.js'
import type {RepositoryDesired} from './desired.js'
import {classifyEcrError, hasEcrCode, LIFECYCLE_POLICY_NOT_FOUND, REPOSITORY_ALREADY_EXISTS, REPOSITORY_NOT_FOUND} from './errors.js'

/** One repository; `id` is its name (what every ECR call takes). */
export interface RepositoryObserved extends Observed {
  name: string
  arn: string
  /** The account of the registry. */
  registryId: string
  /** `<registryId>.dkr.ecr.<region>.amazonaws.com/<name>` */
  uri: string
  scanOnPush: boolean
  /** `MUTABLE`, `IMMUTABLE` (or a `…_WITH_EXCLUSION` variant set outside the tool). */
  tagMutability: string
  /** The lifecycle policy's text, normalised (normaliseLifecyclePolicy); absent: none. */
  lifecyclePolicy?: string
  /** Images (distinct digests) the repository holds: what deleting it loses. */
  imageCount: number
}

function ecrClient(ctx: ReconcileContext): Promise<ECRClient> {
  return ctx.aws.client('ecr')
}

/**
 * "You can specify up to 100 repositories" per DescribeRepositories
 * (repositoryNames); one name that does not exist fails the whole call.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html
 */
const NAMES_PER_DESCRIBE = 100
/** DescribeImages' largest page. */
const IMAGES_PAGE = 1000

/**
 * The policy `keepLastImages: n` stands for: one rule expiring every image
 * (tagged or not) beyond the n most recent.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html
 */
export function keepLastImagesPolicy(count: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${count} images`,
        selection: {tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count},
        action: {type: 'expire'},
      },
    ],
  })
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  )
}

/**
 * A policy text compared by meaning, not bytes: ECR gives back an
 * equivalent document, not necessarily the one put (white space, key
 * order; terraform-provider-aws compares them as JSON for this reason,
 * hashicorp/terraform-provider-aws#22142). Text that is not JSON is kept as it is.
 */
export function normaliseLifecyclePolicy(text: string): string {
  try {
    return JSON.stringify(sortedKeys(JSON.parse(text)))
  } catch {
    return text
  }
}

/** The N of a policy that is exactly `keepLastImagesPolicy(N)`; undefined for any other policy. */
export function keepLastImagesOf(policy: string | undefined): number | undefined {
  if (policy === undefined) return undefined
  const match = /"countNumber":(\d+)/.exec(normaliseLifecyclePolicy(policy))
  if (!match) return undefined
  const count = Number(match[1])
  return normaliseLifecyclePolicy(keepLastImagesPolicy(count)) === normaliseLifecyclePolicy(policy) ? count : undefined
}

function wantedPolicy(desired: RepositoryDesired): string | undefined {
  return desired.keepLastImages === undefined ? undefined : normaliseLifecyclePolicy(keepLastImagesPolicy(desired.keepLastImages))
}

/**
 * The name is fixed at creation (a new name is a new repository, and the
 * old one's images stay in the old); scanning, tag mutability and the
 * lifecycle policy change in place.
 */
export function diffRepository(desired: RepositoryDesired, observed: RepositoryObserved): Change[] {
  const changes: Change[] = []
  if (desired.name !== observed.name) changes.push({field: 'name', before: observed.name, after: desired.name, replace: true})
  if (desired.scanOnPush !== observed.scanOnPush) changes.push({field: 'scanOnPush', before: observed.scanOnPush, after: desired.scanOnPush, replace: false})
  if (desired.tagMutability !== observed.tagMutability) changes.push({field: 'tagMutability', before: observed.tagMutability, after: desired.tagMutability, replace: false})
  if (wantedPolicy(desired) !== observed.lifecyclePolicy) {
    // A policy of another shape (set by hand) is shown as its text.
    const before = keepLastImagesOf(observed.lifecyclePolicy) ?? observed.lifecyclePolicy
    changes.push({field: 'keepLastImages', before, after: desired.keepLastImages, replace: false})
  }
  return changes
}

async function lifecyclePolicyOf(client: ECRClient, name: string): Promise<string | undefined> {
  try {
    const text = (await client.send(new GetLifecyclePolicyCommand({repositoryName: name}))).lifecyclePolicyText
    return text === undefined ? undefined : normaliseLifecyclePolicy(text)
  } catch (error) {
    if (hasEcrCode(error, LIFECYCLE_POLICY_NOT_FOUND)) return undefined
    throw error
  }
}

async function imageCountOf(client: ECRClient, name: string): Promise<number> {
  const digests = new Set<string>()
  for await (const page of paginateDescribeImages({client}, {repositoryName: name, maxResults: IMAGES_PAGE})) {
    for (const image of page.imageDetails ?? []) if (image.imageDigest) digests.add(image.imageDigest)
  }
  return digests.size
}

/** The repository with its tags, policy and image count; undefined once it is gone. */
async function complete(client: ECRClient, repository: Repository): Promise<RepositoryObserved | undefined> {
  const name = repository.repositoryName!
  try {
    const [tags, lifecyclePolicy, imageCount] = await Promise.all([client.send(new ListTagsForResourceCommand({resourceArn: repository.repositoryArn!})), lifecyclePolicyOf(client, name), imageCountOf(client, name)])
    const observed: RepositoryObserved = {
      id: name,
      ...ownerOf(tags.tags),
      name,
      arn: repository.repositoryArn!,
      registryId: repository.registryId ?? '',
      uri: repository.repositoryUri ?? '',
      scanOnPush: repository.imageScanningConfiguration?.scanOnPush ?? false,
      tagMutability: repository.imageTagMutability ?? 'MUTABLE',
      imageCount,
    }
    if (lifecyclePolicy !== undefined) observed.lifecyclePolicy = lifecyclePolicy
    return observed
  } catch (error) {
    if (hasEcrCode(error, REPOSITORY_NOT_FOUND)) return undefined
    throw error
  }
}

/** The repositories of these names that exist (one describe per 100 names; a batch with a missing name is described name by name). */
async function describeNamed(client: ECRClient, names: string[]): Promise<Repository[]> {
  const describe = async (batch: string[]) => (await client.send(new DescribeRepositoriesCommand({repositoryNames: batch}))).repositories ?? []
  const found: Repository[] = []
  const unique = [...new Set(names)]
  for (let i = 0; i < unique.length; i += NAMES_PER_DESCRIBE) {
    const batch = unique.slice(i, i + NAMES_PER_DESCRIBE)
    try {
      found.push(...(await describe(batch)))
    } catch (error) {
      if (!hasEcrCode(error, REPOSITORY_NOT_FOUND)) throw error
      if (batch.length === 1) continue
      for (const name of batch) {
        try {
          found.push(...(await describe([name])))
        } catch (single) {
          if (!hasEcrCode(single, REPOSITORY_NOT_FOUND)) throw single
        }
      }
    }
  }
  return found
}

async function readNamed(client: ECRClient, names: string[]): Promise<RepositoryObserved[]> {
  const repositories = await describeNamed(client, names)
  return (await Promise.all(repositories.map((repository) => complete(client, repository)))).filter((repository) => repository !== undefined)
}

function isOwnedBy(observed: RepositoryObserved, stack: string, logicalId: string): boolean {
  return observed.stack === stack && observed.logicalId === logicalId
}

async function update(ctx: ReconcileContext, desired: RepositoryDesired, observed: RepositoryObserved): Promise<RepositoryObserved> {
  const client = await ecrClient(ctx)
  const next = {...observed}
  if (desired.scanOnPush !== observed.scanOnPush) {
    await client.send(new PutImageScanningConfigurationCommand({repositoryName: observed.name, imageScanningConfiguration: {scanOnPush: desired.scanOnPush}}))
    next.scanOnPush = desired.scanOnPush
  }
  if (desired.tagMutability !== observed.tagMutability) {
    await client.send(new PutImageTagMutabilityCommand({repositoryName: observed.name, imageTagMutability: desired.tagMutability}))
    next.tagMutability = desired.tagMutability
  }
  const policy = wantedPolicy(desired)
  if (policy !== observed.lifecyclePolicy) {
    if (desired.keepLastImages !== undefined) {
      await client.send(new PutLifecyclePolicyCommand({repositoryName: observed.name, lifecyclePolicyText: keepLastImagesPolicy(desired.keepLastImages)}))
      next.lifecyclePolicy = policy!
    } else {
      try {
        await client.send(new DeleteLifecyclePolicyCommand({repositoryName: observed.name}))
      } catch (error) {
        if (!hasEcrCode(error, LIFECYCLE_POLICY_NOT_FOUND)) throw error
      }
      delete next.lifecyclePolicy
    }
  }
  return next
}

/**
 * A repository of this name exists already: made by an earlier attempt at
 * this very create (a crash before the state was saved) if its tags say so,
 * then adopted and brought to the desired settings; anyone else's is refused.
 */
async function adoptOwn(ctx: ReconcileContext, client: ECRClient, desired: RepositoryDesired, meta: CreateMeta, cause: unknown): Promise<RepositoryObserved> {
  const [existing] = await readNamed(client, [desired.name])
  if (!existing) throw cause
  const owner = ownerOfCreated(meta)
  ensureCreatedHere(existing, {logicalId: owner.logicalId, stack: owner.stack ?? ctx.stack}, `ECR repository ${desired.name}`)
  return update(ctx, desired, existing)
}

export const repository: Reconciler<RepositoryDesired, RepositoryObserved> = {
  kind: 'ecr.repository',
  // One name, one repository: the old must go before a new one of that name.
  replaceStrategy: 'delete-before-create',
  // CreateRepository takes no token, but the name is the spec's: a retried create finds the repository an
  // earlier attempt made (RepositoryAlreadyExistsException) and adopts it by its tags.
  idempotentCreate: true,
  typicalMs: {create: 1_000, delete: 1_000},
  classifyError: classifyEcrError,
  diff: diffRepository,
  update,

  async read(ctx, ids) {
    const client = await ecrClient(ctx)
    return new Map((await readNamed(client, ids)).map((observed) => [observed.id, observed]))
  },

  /**
   * ECR cannot list repositories by tag: the wanted logical ids' names are
   * described, and each repository's `stack` and logical id come from its
   * tags (an untagged one has no stack, and the engine leaves it alone).
   */
  async find(ctx, query) {
    const names = new Map<string, string>()
    for (const {logicalId, desired} of query.wanted) {
      const name = (desired as Partial<RepositoryDesired> | undefined)?.name
      if (typeof name === 'string') names.set(name, logicalId)
    }
    if (names.size === 0) return []
    const client = await ecrClient(ctx)
    return (await readNamed(client, [...names.keys()])).map((observed) => ({...observed, logicalId: observed.logicalId ?? names.get(observed.name)!}))
  },

  async create(ctx, desired, meta) {
    const client = await ecrClient(ctx)
    let created: Repository
    try {
      const response = await client.send(
        new CreateRepositoryCommand({
          repositoryName: desired.name,
          imageTagMutability: desired.tagMutability,
          imageScanningConfiguration: {scanOnPush: desired.scanOnPush},
          tags: meta.tags,
        }),
      )
      created = response.repository!
    } catch (error) {
      if (!hasEcrCode(error, REPOSITORY_ALREADY_EXISTS)) throw error
      return adoptOwn(ctx, client, desired, meta, error)
    }
    const observed: RepositoryObserved = {
      id: desired.name,
      ...ownerOfCreated(meta),
      name: desired.name,
      arn: created.repositoryArn!,
      registryId: created.registryId ?? '',
      uri: created.repositoryUri ?? '',
      scanOnPush: created.imageScanningConfiguration?.scanOnPush ?? desired.scanOnPush,
      tagMutability: created.imageTagMutability ?? desired.tagMutability,
      imageCount: 0,
    }
    return desired.keepLastImages === undefined ? observed : update(ctx, desired, observed)
  },

  /**
   * `force` (delete the images with the repository) only under --purge:
   * without it ECR refuses a repository that holds images
   * (RepositoryNotEmptyException), so images pushed since the plan are
   * never lost by an ordinary teardown. One already gone counts as deleted.
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html
   */
  async delete(ctx, observed, options) {
    const client = await ecrClient(ctx)
    try {
      await client.send(new DeleteRepositoryCommand({repositoryName: observed.name, force: options.purge}))
    } catch (error) {
      if (!hasEcrCode(error, REPOSITORY_NOT_FOUND)) throw error
    }
  },

  /** Images are the data: a repository that holds some is kept by teardown unless --purge. */
  dataLoss(observed) {
    if (observed.imageCount === 0) return undefined
    return {what: `holds ${observed.imageCount} ${observed.imageCount === 1 ? 'image' : 'images'}`, unlessPurge: 'keep'}
  },

  /** A repository of a name the plan creates that exists already is someone else's (ours would have been found): refused before any change. */
  async conflicts(ctx, creating) {
    const wanted = creating.filter(({desired}) => typeof desired.name === 'string')
    if (wanted.length === 0) return []
    const client = await ecrClient(ctx)
    const existing = new Map(
      (
        await readNamed(
          client,
          wanted.map(({desired}) => desired.name),
        )
      ).map((observed) => [observed.name, observed]),
    )
    const messages: string[] = []
    for (const {logicalId, desired} of wanted) {
      const found = existing.get(desired.name)
      if (found && !isOwnedBy(found, ctx.stack, logicalId)) {
        messages.push(`${logicalId}: ECR repository ${desired.name} already exists and is ${holderOf(found)}; choose another name, or delete that repository`)
      }
    }
    return messages
  },

  outputs(observed) {
    return {id: observed.id, arn: observed.arn, name: observed.name, uri: observed.uri}
  },
}
