import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetLifecyclePolicyCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {testContext} from '../helpers/context.js'
import {FakeCloud} from './index.js'

let cloud: FakeCloud
let ecr: ECRClient

beforeEach(async () => {
  const ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
  ecr = await ctx.aws.client('ecr')
})

afterEach(() => {
  cloud.restore()
})

async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

const create = (repositoryName: string, extra: Record<string, unknown> = {}) => ecr.send(new CreateRepositoryCommand({repositoryName, ...extra}))
const policy = JSON.stringify({rules: [{rulePriority: 1, description: 'keep 5', selection: {tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5}, action: {type: 'expire'}}]}, null, 2)

describe('FakeEcr repositories', () => {
  it('creates one with AWS’s ARN and URI and defaults (mutable tags, no scan on push); a second of the name is RepositoryAlreadyExistsException', async () => {
    const {repository} = await create('containrlab-api', {tags: [{Key: 'k', Value: 'v'}]})

    expect(repository).toMatchObject({
      repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/containrlab-api',
      registryId: '123456789012',
      repositoryName: 'containrlab-api',
      repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api',
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: {scanOnPush: false},
    })
    expect(await errorName(create('containrlab-api'))).toBe('RepositoryAlreadyExistsException')
    expect((await ecr.send(new ListTagsForResourceCommand({resourceArn: repository!.repositoryArn!}))).tags).toEqual([{Key: 'k', Value: 'v'}])
    expect(cloud.resourceCount()).toBe(1)
  })

  it.each(['A', 'x', 'Upper', 'a//b', '-a', 'a-'])('refuses the name %j (InvalidParameterException)', async (name) => {
    expect(await errorName(create(name))).toBe('InvalidParameterException')
  })

  it('describes by names, failing the whole call when one is missing; lists every repository page by page without names', async () => {
    for (const name of ['r1', 'r2', 'r3']) await create(name)

    expect((await ecr.send(new DescribeRepositoriesCommand({repositoryNames: ['r1', 'r3']}))).repositories!.map((r) => r.repositoryName)).toEqual(['r1', 'r3'])
    expect(await errorName(ecr.send(new DescribeRepositoriesCommand({repositoryNames: ['r1', 'nope']})))).toBe('RepositoryNotFoundException')
    const first = await ecr.send(new DescribeRepositoriesCommand({maxResults: 2}))
    const second = await ecr.send(new DescribeRepositoriesCommand({maxResults: 2, nextToken: first.nextToken!}))
    expect([...first.repositories!, ...second.repositories!].map((r) => r.repositoryName)).toEqual(['r1', 'r2', 'r3'])
    expect(second.nextToken).toBeUndefined()
  })

  it('changes scanning and tag mutability in place', async () => {
    await create('r1')
    await ecr.send(new PutImageScanningConfigurationCommand({repositoryName: 'r1', imageScanningConfiguration: {scanOnPush: true}}))
    await ecr.send(new PutImageTagMutabilityCommand({repositoryName: 'r1', imageTagMutability: 'IMMUTABLE'}))

    expect(cloud.ecr.get('r1')).toMatchObject({scanOnPush: true, tagMutability: 'IMMUTABLE'})
    expect(await errorName(ecr.send(new PutImageTagMutabilityCommand({repositoryName: 'gone', imageTagMutability: 'IMMUTABLE'})))).toBe('RepositoryNotFoundException')
  })

  it('refuses to delete a repository holding images unless forced (RepositoryNotEmptyException); a gone one is RepositoryNotFoundException', async () => {
    await create('r1')
    cloud.ecr.pushImage('r1', 'latest')

    expect(await errorName(ecr.send(new DeleteRepositoryCommand({repositoryName: 'r1'})))).toBe('RepositoryNotEmptyException')
    await ecr.send(new DeleteRepositoryCommand({repositoryName: 'r1', force: true}))
    expect(await errorName(ecr.send(new DeleteRepositoryCommand({repositoryName: 'r1'})))).toBe('RepositoryNotFoundException')
    expect(cloud.resourceCount()).toBe(0)
  })

  it('tags by ARN; an unknown repository’s ARN is RepositoryNotFoundException, a malformed one InvalidParameterException', async () => {
    const {repository} = await create('r1', {tags: [{Key: 'a', Value: '1'}]})
    await ecr.send(
      new TagResourceCommand({
        resourceArn: repository!.repositoryArn!,
        tags: [
          {Key: 'a', Value: '2'},
          {Key: 'b', Value: '3'},
        ],
      }),
    )

    expect(cloud.ecr.get('r1')?.tags).toEqual([
      {Key: 'a', Value: '2'},
      {Key: 'b', Value: '3'},
    ])
    expect(await errorName(ecr.send(new ListTagsForResourceCommand({resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/gone'})))).toBe('RepositoryNotFoundException')
    expect(await errorName(ecr.send(new ListTagsForResourceCommand({resourceArn: 'r1'})))).toBe('InvalidParameterException')
  })
})

describe('FakeEcr lifecycle policies', () => {
  it('gives back an equivalent policy, not the bytes put; LifecyclePolicyNotFoundException when there is none', async () => {
    await create('r1')
    expect(await errorName(ecr.send(new GetLifecyclePolicyCommand({repositoryName: 'r1'})))).toBe('LifecyclePolicyNotFoundException')

    await ecr.send(new PutLifecyclePolicyCommand({repositoryName: 'r1', lifecyclePolicyText: policy}))
    const text = (await ecr.send(new GetLifecyclePolicyCommand({repositoryName: 'r1'}))).lifecyclePolicyText!

    expect(text).not.toBe(policy)
    expect(JSON.parse(text)).toEqual(JSON.parse(policy))
    await ecr.send(new DeleteLifecyclePolicyCommand({repositoryName: 'r1'}))
    expect(await errorName(ecr.send(new DeleteLifecyclePolicyCommand({repositoryName: 'r1'})))).toBe('LifecyclePolicyNotFoundException')
  })

  it.each([
    ['not JSON', `${'x'.repeat(120)}`],
    ['no rules', JSON.stringify({rules: [], padding: 'x'.repeat(100)})],
    ['an unknown tag status', policy.replace('"any"', '"all"')],
    ['a zero count', policy.replace('"countNumber": 5', '"countNumber": 0')],
    ['shorter than 100 characters', '{"rules":[]}'],
  ])('refuses %s (InvalidParameterException)', async (_name, text) => {
    await create('r1')
    expect(await errorName(ecr.send(new PutLifecyclePolicyCommand({repositoryName: 'r1', lifecyclePolicyText: text})))).toBe('InvalidParameterException')
  })
})

describe('FakeEcr images', () => {
  it('pushImage moves a tag to the new image in a mutable repository and counts digests', async () => {
    await create('r1')
    const first = cloud.ecr.pushImage('r1', 'latest')
    const second = cloud.ecr.pushImage('r1', 'latest')
    cloud.ecr.pushImage('r1', 'v1', second)

    const images = (await ecr.send(new DescribeImagesCommand({repositoryName: 'r1'}))).imageDetails!
    expect(images.map((image) => [image.imageDigest, image.imageTags])).toEqual([
      [first, undefined],
      [second, ['latest', 'v1']],
    ])
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/)
    const ids = (await ecr.send(new ListImagesCommand({repositoryName: 'r1'}))).imageIds!
    expect(ids).toEqual([{imageDigest: first}, {imageDigest: second, imageTag: 'latest'}, {imageDigest: second, imageTag: 'v1'}])
    expect((await ecr.send(new ListImagesCommand({repositoryName: 'r1', filter: {tagStatus: 'UNTAGGED'}}))).imageIds).toEqual([{imageDigest: first}])
    expect(await errorName(ecr.send(new DescribeImagesCommand({repositoryName: 'r1', imageIds: [{imageTag: 'nope'}]})))).toBe('ImageNotFoundException')
  })

  it('refuses to move a tag in an immutable repository (ImageTagAlreadyExistsException)', async () => {
    await create('r1', {imageTagMutability: 'IMMUTABLE'})
    cloud.ecr.pushImage('r1', 'v1')

    expect(() => cloud.ecr.pushImage('r1', 'v1')).toThrow(expect.objectContaining({name: 'ImageTagAlreadyExistsException'}))
  })

  it('pages DescribeImages with nextToken', async () => {
    await create('r1')
    for (let i = 0; i < 5; i++) cloud.ecr.pushImage('r1', `v${i}`)

    const first = await ecr.send(new DescribeImagesCommand({repositoryName: 'r1', maxResults: 3}))
    const second = await ecr.send(new DescribeImagesCommand({repositoryName: 'r1', maxResults: 3, nextToken: first.nextToken!}))
    expect(first.imageDetails).toHaveLength(3)
    expect(second.imageDetails).toHaveLength(2)
    expect(second.nextToken).toBeUndefined()
  })
})
