import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  type Repository,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import type {RepositoryDesired} from '../../../src/resources/ecr/desired.js'
import {diffRepository, keepLastImagesOf, keepLastImagesPolicy, normaliseLifecyclePolicy, repository, type RepositoryObserved} from '../../../src/resources/ecr/repository.js'
import {testContext} from '../../helpers/context.js'
import {ownershipTags} from '../../helpers/ec2-mock.js'

const ecr = mockClient(ECRClient)

function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
  return ecr.commandCalls(command as any).map((call) => call.args[0].input as Input)
}

function sent(): string[] {
  return ecr.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E
const ecrError = <E>(Exception: Modeled<E>, message = 'test'): E => new Exception({$metadata: {httpStatusCode: 400}, message})

const name = 'containrlab-api'
const arn = `arn:aws:ecr:us-east-1:123456789012:repository/${name}`
const uri = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}`
const tags = ownershipTags('repository/api')
const meta = {logicalId: 'repository/api', token: '0123456789abcdef0123456789abcdef', tags}
const desired: RepositoryDesired = {name, scanOnPush: true, tagMutability: 'IMMUTABLE', keepLastImages: 10}
const awsRepository = (overrides: Partial<Repository> = {}): Repository => ({
  repositoryArn: arn,
  registryId: '123456789012',
  repositoryName: name,
  repositoryUri: uri,
  imageTagMutability: 'IMMUTABLE',
  imageScanningConfiguration: {scanOnPush: true},
  ...overrides,
})
const observed: RepositoryObserved = {
  id: name,
  logicalId: 'repository/api',
  stack: 'teststack',
  name,
  arn,
  registryId: '123456789012',
  uri,
  scanOnPush: true,
  tagMutability: 'IMMUTABLE',
  lifecyclePolicy: normaliseLifecyclePolicy(keepLastImagesPolicy(10)),
  imageCount: 0,
}

/** Answers the per-repository reads: our tags, the policy of 10 images (pretty-printed, as a person would put it; null: none), `images` digests. */
function details(images = 0, policy: string | null = JSON.stringify(JSON.parse(keepLastImagesPolicy(10)), null, 2)) {
  ecr.on(ListTagsForResourceCommand).resolves({tags})
  if (policy === null) ecr.on(GetLifecyclePolicyCommand).rejects(ecrError(LifecyclePolicyNotFoundException))
  else ecr.on(GetLifecyclePolicyCommand).resolves({lifecyclePolicyText: policy})
  ecr.on(DescribeImagesCommand).resolves({imageDetails: Array.from({length: images}, (_, i) => ({imageDigest: `sha256:${i}`}))})
}

beforeEach(() => {
  ecr.reset()
})

describe('lifecycle policies', () => {
  it('keepLastImages: one rule expiring any image beyond the last N', () => {
    expect(JSON.parse(keepLastImagesPolicy(5))).toEqual({
      rules: [{rulePriority: 1, description: 'Keep the last 5 images', selection: {tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5}, action: {type: 'expire'}}],
    })
  })

  it('are compared by meaning: white space and key order aside', () => {
    const reordered =
      '{ "rules": [ { "action": {"type": "expire"}, "selection": {"countNumber": 5, "countType": "imageCountMoreThan", "tagStatus": "any"}, "description": "Keep the last 5 images", "rulePriority": 1 } ] }'
    expect(normaliseLifecyclePolicy(reordered)).toBe(normaliseLifecyclePolicy(keepLastImagesPolicy(5)))
    expect(keepLastImagesOf(reordered)).toBe(5)
  })

  it('of another shape have no keepLastImages', () => {
    const untaggedOnly = keepLastImagesPolicy(5).replace('"any"', '"untagged"')
    expect(keepLastImagesOf(untaggedOnly)).toBeUndefined()
    expect(keepLastImagesOf(undefined)).toBeUndefined()
    expect(normaliseLifecyclePolicy('not json')).toBe('not json')
  })
})

describe('repository.read', () => {
  it('describes the names in one call, with each repository’s tags, lifecycle policy and image count', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({repositories: [awsRepository()]})
    details(3)

    const found = await repository.read(testContext(), [name])

    expect(inputs(DescribeRepositoriesCommand)).toEqual([{repositoryNames: [name]}])
    expect(inputs(ListTagsForResourceCommand)).toEqual([{resourceArn: arn}])
    expect(inputs(DescribeImagesCommand)).toEqual([{repositoryName: name, maxResults: 1000}])
    expect(found.get(name)).toEqual({...observed, imageCount: 3})
  })

  it('counts images across pages', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({repositories: [awsRepository()]})
    details()
    ecr
      .on(DescribeImagesCommand)
      .resolvesOnce({imageDetails: [{imageDigest: 'sha256:a'}, {imageDigest: 'sha256:b'}], nextToken: 'page-2'})
      .resolves({imageDetails: [{imageDigest: 'sha256:c'}]})

    expect((await repository.read(testContext(), [name])).get(name)?.imageCount).toBe(3)
    expect(inputs(DescribeImagesCommand).at(-1)).toEqual({repositoryName: name, maxResults: 1000, nextToken: 'page-2'})
  })

  it('describes name by name when one of the batch is gone (RepositoryNotFoundException fails the whole call), and omits it', async () => {
    ecr.on(DescribeRepositoriesCommand, {repositoryNames: [name, 'gone']}).rejects(ecrError(RepositoryNotFoundException))
    ecr.on(DescribeRepositoriesCommand, {repositoryNames: [name]}).resolves({repositories: [awsRepository()]})
    ecr.on(DescribeRepositoriesCommand, {repositoryNames: ['gone']}).rejects(ecrError(RepositoryNotFoundException))
    details()

    expect([...(await repository.read(testContext(), [name, 'gone'])).keys()]).toEqual([name])
  })

  it('shows no policy when there is none, and omits a repository deleted between its describe and its details', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({repositories: [awsRepository()]})
    details(0, null)
    expect((await repository.read(testContext(), [name])).get(name)?.lifecyclePolicy).toBeUndefined()

    ecr.on(ListTagsForResourceCommand).rejects(ecrError(RepositoryNotFoundException))
    expect((await repository.read(testContext(), [name])).size).toBe(0)
  })
})

describe('repository.find', () => {
  it('describes the wanted names; owner from the tags, else the wanted logical id without a stack', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({repositories: [awsRepository(), awsRepository({repositoryName: 'containrlab-web', repositoryArn: `${arn}-web`})]})
    details()
    ecr.on(ListTagsForResourceCommand, {resourceArn: `${arn}-web`}).resolves({tags: []})

    const found = await repository.find(testContext(), {
      stack: 'teststack',
      wanted: [{logicalId: 'repository/api', desired: {name}}, {logicalId: 'repository/web', desired: {name: 'containrlab-web'}}, {logicalId: 'repository/unknown'}],
    })

    expect(inputs(DescribeRepositoriesCommand)).toEqual([{repositoryNames: [name, 'containrlab-web']}])
    expect(found.map((repo) => [repo.name, repo.logicalId, repo.stack])).toEqual([
      [name, 'repository/api', 'teststack'],
      ['containrlab-web', 'repository/web', undefined],
    ])
  })

  it('makes no call without a wanted name', async () => {
    expect(await repository.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'repository/api'}]})).toEqual([])
    expect(sent()).toEqual([])
  })
})

describe('diffRepository', () => {
  const otherPolicy = normaliseLifecyclePolicy(keepLastImagesPolicy(5).replace('"any"', '"untagged"'))
  it.each([
    ['no change', desired, observed, []],
    ['another name', {...desired, name: 'containrlab-api2'}, observed, [{field: 'name', before: name, after: 'containrlab-api2', replace: true}]],
    ['scan on push', {...desired, scanOnPush: false}, observed, [{field: 'scanOnPush', before: true, after: false, replace: false}]],
    ['tag mutability', {...desired, tagMutability: 'MUTABLE' as const}, observed, [{field: 'tagMutability', before: 'IMMUTABLE', after: 'MUTABLE', replace: false}]],
    ['another count', {...desired, keepLastImages: 20}, observed, [{field: 'keepLastImages', before: 10, after: 20, replace: false}]],
    ['no policy wanted', {...desired, keepLastImages: undefined}, observed, [{field: 'keepLastImages', before: 10, after: undefined, replace: false}]],
    ['a policy wanted where there is none', desired, {...observed, lifecyclePolicy: undefined}, [{field: 'keepLastImages', before: undefined, after: 10, replace: false}]],
    ['a policy of another shape, shown as its text', desired, {...observed, lifecyclePolicy: otherPolicy}, [{field: 'keepLastImages', before: otherPolicy, after: 10, replace: false}]],
  ])('%s', (_name, wanted, live, expected) => {
    const {lifecyclePolicy, ...rest} = live
    const current: RepositoryObserved = lifecyclePolicy === undefined ? rest : {...rest, lifecyclePolicy}
    const {keepLastImages, ...base} = wanted
    const target: RepositoryDesired = keepLastImages === undefined ? base : {...base, keepLastImages}
    expect(diffRepository(target, current)).toEqual(expected)
  })
})

describe('repository.create', () => {
  it('creates it with its settings and tags, then puts the lifecycle policy', async () => {
    ecr.on(CreateRepositoryCommand).resolves({repository: awsRepository()})
    ecr.on(PutLifecyclePolicyCommand).resolves({})

    const created = await repository.create(testContext(), desired, meta)

    expect(inputs(CreateRepositoryCommand)).toEqual([{repositoryName: name, imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: {scanOnPush: true}, tags}])
    expect(inputs(PutLifecyclePolicyCommand)).toEqual([{repositoryName: name, lifecyclePolicyText: keepLastImagesPolicy(10)}])
    expect(created).toEqual(observed)
    expect(diffRepository(desired, created)).toEqual([])
  })

  it('puts no policy when none is wanted', async () => {
    ecr.on(CreateRepositoryCommand).resolves({repository: awsRepository()})
    const {keepLastImages: _, ...noPolicy} = desired

    const created = await repository.create(testContext(), noPolicy, meta)

    expect(sent()).toEqual(['CreateRepository'])
    expect(diffRepository(noPolicy, created)).toEqual([])
  })

  it('adopts the repository an earlier attempt made (RepositoryAlreadyExistsException, our tags) and brings it to the settings', async () => {
    ecr.on(CreateRepositoryCommand).rejects(ecrError(RepositoryAlreadyExistsException))
    ecr.on(DescribeRepositoriesCommand).resolves({repositories: [awsRepository({imageScanningConfiguration: {scanOnPush: false}})]})
    details(0, null)
    ecr.on(PutImageScanningConfigurationCommand).resolves({})
    ecr.on(PutLifecyclePolicyCommand).resolves({})

    const adopted = await repository.create(testContext(), desired, meta)

    expect(inputs(PutImageScanningConfigurationCommand)).toEqual([{repositoryName: name, imageScanningConfiguration: {scanOnPush: true}}])
    expect(adopted).toEqual(observed)
  })

  it('refuses a repository of the name that another stack holds, or that is not tagged', async () => {
    ecr.on(CreateRepositoryCommand).rejects(ecrError(RepositoryAlreadyExistsException))
    ecr.on(DescribeRepositoriesCommand).resolves({repositories: [awsRepository()]})
    details()
    ecr.on(ListTagsForResourceCommand).resolves({tags: ownershipTags('repository/api', 'otherstack')})

    await expect(repository.create(testContext(), desired, meta)).rejects.toThrow(`ECR repository ${name} already exists and is repository/api of stack otherstack, not repository/api of stack teststack`)
    ecr.on(ListTagsForResourceCommand).resolves({tags: []})
    await expect(repository.create(testContext(), desired, meta)).rejects.toThrow('already exists and is not tagged by containrlab')
  })
})

describe('repository.update', () => {
  it('makes no call when nothing differs', async () => {
    expect(await repository.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('one call per setting that differs', async () => {
    ecr.on(PutImageScanningConfigurationCommand).resolves({})
    ecr.on(PutImageTagMutabilityCommand).resolves({})
    ecr.on(PutLifecyclePolicyCommand).resolves({})
    const wanted: RepositoryDesired = {name, scanOnPush: false, tagMutability: 'MUTABLE', keepLastImages: 3}

    const updated = await repository.update(testContext(), wanted, observed, diffRepository(wanted, observed))

    expect(sent()).toEqual(['PutImageScanningConfiguration', 'PutImageTagMutability', 'PutLifecyclePolicy'])
    expect(inputs(PutImageTagMutabilityCommand)).toEqual([{repositoryName: name, imageTagMutability: 'MUTABLE'}])
    expect(diffRepository(wanted, updated)).toEqual([])
  })

  it('deletes the policy when none is wanted, a policy already gone included', async () => {
    ecr.on(DeleteLifecyclePolicyCommand).rejects(ecrError(LifecyclePolicyNotFoundException))
    const {keepLastImages: _, ...noPolicy} = desired

    const updated = await repository.update(testContext(), noPolicy, observed, diffRepository(noPolicy, observed))

    expect(inputs(DeleteLifecyclePolicyCommand)).toEqual([{repositoryName: name}])
    expect(diffRepository(noPolicy, updated)).toEqual([])
  })
})

describe('repository.delete', () => {
  it('deletes without force, so that images pushed since the plan are never lost by an ordinary teardown', async () => {
    ecr.on(DeleteRepositoryCommand).resolves({})

    await repository.delete(testContext(), observed, {purge: false})

    expect(inputs(DeleteRepositoryCommand)).toEqual([{repositoryName: name, force: false}])
  })

  it('forces under --purge', async () => {
    ecr.on(DeleteRepositoryCommand).resolves({})

    await repository.delete(testContext(), {...observed, imageCount: 4}, {purge: true})

    expect(inputs(DeleteRepositoryCommand)).toEqual([{repositoryName: name, force: true}])
  })

  it('counts a repository already gone as deleted; RepositoryNotEmptyException is thrown as it is and not retried', async () => {
    ecr.on(DeleteRepositoryCommand).rejects(ecrError(RepositoryNotFoundException))
    await expect(repository.delete(testContext(), observed, {purge: false})).resolves.toBeUndefined()

    ecr.on(DeleteRepositoryCommand).rejects(ecrError(RepositoryNotEmptyException))
    const error = await repository.delete(testContext(), observed, {purge: false}).catch((caught: unknown) => caught)
    expect(error).toMatchObject({name: 'RepositoryNotEmptyException'})
    expect(repository.classifyError(error)).toBeUndefined()
  })
})

describe('repository data, conflicts and outputs', () => {
  it.each([
    [0, undefined],
    [1, {what: 'holds 1 image', unlessPurge: 'keep'}],
    [12, {what: 'holds 12 images', unlessPurge: 'keep'}],
  ])('a repository of %i images loses %j', (imageCount, expected) => {
    expect(repository.dataLoss!({...observed, imageCount})).toEqual(expected)
  })

  it('names a repository the plan creates that someone else holds; ours or none is no conflict', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(ecrError(RepositoryNotFoundException))
    ecr.on(DescribeRepositoriesCommand, {repositoryNames: [name]}).resolves({repositories: [awsRepository()]})
    details()
    ecr.on(ListTagsForResourceCommand).resolves({tags: ownershipTags('repository/api', 'otherstack')})

    const conflicts = await repository.conflicts!(testContext(), [
      {logicalId: 'repository/api', desired},
      {logicalId: 'repository/web', desired: {...desired, name: 'containrlab-web'}},
    ])

    expect(conflicts).toEqual([`repository/api: ECR repository ${name} already exists and is repository/api of stack otherstack; choose another name, or delete that repository`])
    ecr.on(ListTagsForResourceCommand).resolves({tags})
    expect(await repository.conflicts!(testContext(), [{logicalId: 'repository/api', desired}])).toEqual([])
  })

  it('outputs the name as id, the ARN and the URI', () => {
    expect(repository.outputs(observed)).toEqual({id: name, arn, name, uri})
  })
})
