import {DeleteParameterCommand, DeleteParametersCommand, GetParameterCommand, GetParameterHistoryCommand, GetParametersByPathCommand, GetParametersCommand, PutParameterCommand, type SSMClient} from '@aws-sdk/client-ssm'
import {beforeEach, describe, expect, it} from 'vitest'
import {ssmHarness} from '../state/ssm-harness.js'
import type {FakeSsm} from './ssm.js'

let fake: FakeSsm
let ssm: SSMClient
let advance: (ms: number) => void

beforeEach(async () => {
  const harness = ssmHarness()
  fake = harness.fake
  ssm = await harness.aws.ssm()
  advance = (ms) => harness.clock.advance(ms)
})

async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

const put = (Name: string, Value: string, extra: Record<string, unknown> = {}) => ssm.send(new PutParameterCommand({Name, Value, Type: 'String', ...extra}))

describe('FakeSsm PutParameter', () => {
  it('creates version 1, refuses to overwrite without Overwrite, and increments the version with it', async () => {
    expect(await put('/app/a', 'one')).toMatchObject({Version: 1, Tier: 'Standard'})
    expect(await errorName(put('/app/a', 'two'))).toBe('ParameterAlreadyExists')
    expect(fake.get('/app/a')?.Value).toBe('one')
    expect(await put('/app/a', 'two', {Overwrite: true})).toMatchObject({Version: 2, Tier: 'Standard'})
    expect(fake.get('/app/a')).toMatchObject({Value: 'two', Version: 2, Type: 'String'})
  })

  it('limits Standard values to 4096 characters with a ValidationException and Advanced ones to 8192', async () => {
    await expect(put('/app/max', 'x'.repeat(4096))).resolves.toMatchObject({Version: 1})
    const error = await put('/app/big', 'x'.repeat(4097)).catch((e: unknown) => e as Error)
    expect(error).toMatchObject({name: 'ValidationException'})
    expect((error as Error).message).toContain('maximum parameter value of 4096 characters')
    await expect(put('/app/big', 'x'.repeat(8192), {Tier: 'Advanced'})).resolves.toMatchObject({Version: 1, Tier: 'Advanced'})
    expect(await errorName(put('/app/huge', 'x'.repeat(8193), {Tier: 'Advanced'}))).toBe('ValidationException')
    expect(fake.names()).toEqual(['/app/big', '/app/max'])
  })

  it('keeps an Advanced parameter Advanced when the tier is omitted and refuses a downgrade', async () => {
    await put('/app/adv', 'v', {Tier: 'Advanced'})
    await expect(put('/app/adv', 'w', {Overwrite: true})).resolves.toMatchObject({Tier: 'Advanced', Version: 2})
    expect(await errorName(put('/app/adv', 'x', {Overwrite: true, Tier: 'Standard'}))).toBe('ValidationException')
  })

  it('refuses more than 15 hierarchy levels with HierarchyLevelLimitExceededException', async () => {
    const levels = (n: number) => Array.from({length: n}, (_, i) => `/l${i}`).join('')
    await expect(put(levels(15), 'v')).resolves.toMatchObject({Version: 1})
    expect(await errorName(put(levels(16), 'v'))).toBe('HierarchyLevelLimitExceededException')
  })

  it('keeps a parameter and parameters below its name apart', async () => {
    await put('/app/a', 'parent')
    await put('/app/a/b', 'child')
    expect(fake.get('/app/a')?.Value).toBe('parent')
    expect(fake.get('/app/a/b')?.Value).toBe('child')
  })

  it('requires a Type on creation and rejects invalid names', async () => {
    expect(await errorName(ssm.send(new PutParameterCommand({Name: '/app/t', Value: 'v'})))).toBe('ValidationException')
    expect(await errorName(put('/app/has space', 'v'))).toBe('ValidationException')
    expect(await errorName(put('/aws/reserved', 'v'))).toBe('ValidationException')
    expect(fake.names()).toEqual([])
  })
})

describe('FakeSsm reads', () => {
  it('GetParameter returns the value and version, ParameterNotFound when missing, and a version by selector', async () => {
    await put('/app/a', 'one')
    advance(60_000)
    await put('/app/a', 'two', {Overwrite: true})
    const {Parameter} = await ssm.send(new GetParameterCommand({Name: '/app/a'}))
    expect(Parameter).toMatchObject({Name: '/app/a', Value: 'two', Version: 2, Type: 'String', ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/a'})
    expect((await ssm.send(new GetParameterCommand({Name: '/app/a:1'}))).Parameter).toMatchObject({Value: 'one', Version: 1, Selector: ':1'})
    expect(await errorName(ssm.send(new GetParameterCommand({Name: '/app/a:7'})))).toBe('ParameterVersionNotFound')
    expect(await errorName(ssm.send(new GetParameterCommand({Name: '/app/missing'})))).toBe('ParameterNotFound')
  })

  it('hides a SecureString value unless WithDecryption is set', async () => {
    await put('/app/secret', 'hunter2', {Type: 'SecureString'})
    const encrypted = (await ssm.send(new GetParameterCommand({Name: '/app/secret'}))).Parameter?.Value
    expect(encrypted).not.toContain('hunter2')
    expect((await ssm.send(new GetParameterCommand({Name: '/app/secret', WithDecryption: true}))).Parameter?.Value).toBe('hunter2')
  })

  it('GetParameters returns found ones and lists unknown names in InvalidParameters; more than 10 names fail', async () => {
    await put('/app/a', '1')
    await put('/app/b', '2')
    const result = await ssm.send(new GetParametersCommand({Names: ['/app/a', '/app/nope', '/app/b']}))
    expect(result.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ['/app/a', '1'],
      ['/app/b', '2'],
    ])
    expect(result.InvalidParameters).toEqual(['/app/nope'])
    const eleven = Array.from({length: 11}, (_, i) => `/app/p${i}`)
    expect(await errorName(ssm.send(new GetParametersCommand({Names: eleven})))).toBe('ValidationException')
  })

  it('GetParametersByPath pages by at most 10 and honours Recursive', async () => {
    for (let i = 0; i < 13; i++) await put(`/app/deep/${String(i).padStart(2, '0')}`, `v${i}`)
    await put('/app/top', 't')
    await put('/application', 'not under /app')

    const shallow = await ssm.send(new GetParametersByPathCommand({Path: '/app'}))
    expect(shallow.Parameters?.map((p) => p.Name)).toEqual(['/app/top'])
    expect(shallow.NextToken).toBeUndefined()

    const names: string[] = []
    let NextToken: string | undefined
    let pages = 0
    do {
      const page = await ssm.send(new GetParametersByPathCommand({Path: '/app/', Recursive: true, MaxResults: 10, NextToken}))
      names.push(...(page.Parameters ?? []).map((p) => p.Name!))
      NextToken = page.NextToken
      pages++
    } while (NextToken)
    expect(pages).toBe(2)
    expect(names).toHaveLength(14)
    expect(names).not.toContain('/application')

    expect(await errorName(ssm.send(new GetParametersByPathCommand({Path: '/app', MaxResults: 11})))).toBe('ValidationException')
    expect(await errorName(ssm.send(new GetParametersByPathCommand({Path: '/app', NextToken: 'bogus'})))).toBe('InvalidNextToken')
  })

  it('GetParametersByPath may answer short and empty pages with a NextToken while more remain (pageSizes)', async () => {
    for (let i = 0; i < 4; i++) await put(`/app/p${i}`, `v${i}`)
    fake.pageSizes = [0, 1, 2]
    const pages: string[][] = []
    let NextToken: string | undefined
    do {
      const page = await ssm.send(new GetParametersByPathCommand({Path: '/app', MaxResults: 10, NextToken}))
      pages.push((page.Parameters ?? []).map((p) => p.Name!))
      NextToken = page.NextToken
    } while (NextToken)
    expect(pages).toEqual([[], ['/app/p0'], ['/app/p1', '/app/p2'], ['/app/p3']])
    // A page size never exceeds MaxResults.
    fake.pageSizes = [5]
    expect((await ssm.send(new GetParametersByPathCommand({Path: '/app', MaxResults: 2}))).Parameters).toHaveLength(2)
  })

  it('GetParameterHistory lists every version, oldest first', async () => {
    await put('/app/h', 'a')
    await put('/app/h', 'b', {Overwrite: true, Description: 'second'})
    const {Parameters} = await ssm.send(new GetParameterHistoryCommand({Name: '/app/h'}))
    expect(Parameters?.map((p) => [p.Version, p.Value, p.Description])).toEqual([
      [1, 'a', undefined],
      [2, 'b', 'second'],
    ])
    expect(await errorName(ssm.send(new GetParameterHistoryCommand({Name: '/app/none'})))).toBe('ParameterNotFound')
  })
})

describe('FakeSsm deletes', () => {
  it('DeleteParameter removes the parameter and answers ParameterNotFound the second time', async () => {
    await put('/app/a', '1')
    await ssm.send(new DeleteParameterCommand({Name: '/app/a'}))
    expect(fake.get('/app/a')).toBeUndefined()
    expect(await errorName(ssm.send(new DeleteParameterCommand({Name: '/app/a'})))).toBe('ParameterNotFound')
  })

  it('DeleteParameters reports deleted and unknown names and takes at most 10', async () => {
    await put('/app/a', '1')
    await put('/app/b', '2')
    const result = await ssm.send(new DeleteParametersCommand({Names: ['/app/a', '/app/x', '/app/b']}))
    expect(result).toMatchObject({DeletedParameters: ['/app/a', '/app/b'], InvalidParameters: ['/app/x']})
    expect(fake.names()).toEqual([])
    const eleven = Array.from({length: 11}, (_, i) => `/app/p${i}`)
    expect(await errorName(ssm.send(new DeleteParametersCommand({Names: eleven})))).toBe('ValidationException')
  })

  it('marks exactly the three write operations as mutating', () => {
    expect(
      fake
        .handlers()
        .filter((h) => h.mutating)
        .map((h) => h.operation)
        .sort(),
    ).toEqual(['DeleteParameter', 'DeleteParameters', 'PutParameter'])
  })
})
