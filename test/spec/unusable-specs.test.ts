import {Config} from '@oclif/core'
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it, vi} from 'vitest'
import {validate} from '../../src/app/validate.js'
import Validate from '../../src/commands/validate.js'
import {formatIssue, SpecError} from '../../src/spec/errors.js'
import {loadSpec} from '../../src/spec/load.js'
import {ROOT} from './support.js'

// Reads pass through to the disk unless a test makes one fail (an EACCES cannot be made on disk when the tests run as root).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {...actual, readFile: vi.fn(actual.readFile)}
})

const SPECS = join(ROOT, 'test', 'fixtures', 'specs')
const UNUSABLE = join(SPECS, 'unusable')
const BAD = join(SPECS, 'bad')

async function specError(file: string): Promise<SpecError> {
  const error = await loadSpec(file).catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(SpecError)
  return error as SpecError
}

/** Files that are no spec at all (test/fixtures/specs/unusable): the whole message each gives, after `<file>: 1 problem`. */
const unusable: Record<string, (file: string) => string> = {
  'comments-only.yaml': () => 'the spec is empty (nothing but comments or blank lines); expected a mapping with name and network',
  'empty.yaml': () => 'the spec is empty (nothing but comments or blank lines); expected a mapping with name and network',
  folder: (file) => `this path is a folder, not a spec file: pass the YAML file itself with -f (like -f ${join(file, 'containrlab.yaml')})`,
  'utf16.yaml': () => 'line 1: the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8',
}

describe('files that are no spec (test/fixtures/specs/unusable)', () => {
  const names = readdirSync(UNUSABLE).sort()

  it('every fixture has an expectation', () => {
    expect(names).toEqual(Object.keys(unusable).sort())
  })

  it.each(names)('%s: one problem, the file named, nothing of its content echoed', async (name) => {
    const file = join(UNUSABLE, name)
    expect((await specError(file)).message).toBe(`${file}: 1 problem\n  ${unusable[name]!(file)}`)
  })

  it('a folder without a containrlab.yaml: no suggestion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'containrlab-spec-'))
    expect((await specError(dir)).message).toBe(`${dir}: 1 problem\n  this path is a folder, not a spec file: pass the YAML file itself with -f`)
  })
})

describe('files that cannot be read', () => {
  it('permission denied (EACCES, EPERM)', async () => {
    for (const code of ['EACCES', 'EPERM']) {
      const file = join(SPECS, 'three-tier.yaml')
      vi.mocked(readFile).mockRejectedValueOnce(Object.assign(new Error(`${code}: operation not permitted, open '${file}'`), {code, syscall: 'open', path: file}))
      expect((await specError(file)).message).toBe(`${file}: 1 problem\n  permission denied (${code}): this user may not read the file; fix its permissions or pass a readable copy with -f`)
    }
  })

  it('a path through a file (ENOTDIR)', async () => {
    const file = join(SPECS, 'three-tier.yaml', 'containrlab.yaml')
    expect((await specError(file)).message).toBe(`${file}: 1 problem\n  a part of this path is a file, not a folder (ENOTDIR); pass the path of the spec file with -f`)
  })

  it('any other failure: its code, on one line', async () => {
    const file = join(SPECS, 'three-tier.yaml')
    vi.mocked(readFile).mockRejectedValueOnce(Object.assign(new Error(`EIO: i/o error, read`), {code: 'EIO'}))
    expect((await specError(file)).message).toBe(`${file}: 1 problem\n  cannot read the file (EIO); pass a readable spec file with -f`)
    vi.mocked(readFile).mockRejectedValueOnce(new Error('something odd\nwith a second line'))
    expect((await specError(file)).message).toBe(`${file}: 1 problem\n  cannot read the file (something odd); pass a readable spec file with -f`)
  })

  it('a missing file keeps the words Session.open recognises', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'containrlab-spec-')), 'missing.yaml')
    expect((await specError(file)).message).toBe(`${file}: 1 problem\n  no spec file here (ENOENT); pass --file/-f with the path of your containrlab.yaml`)
  })

  it('a file with an invalid UTF-8 sequence, found on its line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'containrlab-spec-')), 'containrlab.yaml')
    writeFileSync(file, Buffer.concat([Buffer.from('name: x\nnetwork:\n  vpc: {cidr: 10.0.0.0/16}\n  # caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]))
    expect((await specError(file)).issues).toEqual([{path: '', line: 4, message: 'the file is not UTF-8 text (an invalid byte sequence on this line): save it as UTF-8, or check that -f names your spec'}])
    // A UTF-8 byte order mark is fine.
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), await readFile(join(SPECS, 'three-tier.yaml'))]))
    expect((await loadSpec(file)).name).toBe('shop')
  })
})

/** Every fixture that is no valid spec: the bad ones (located problems) and the unusable ones. */
const everyFixture = [...readdirSync(BAD).map((name) => join(BAD, name)), ...readdirSync(UNUSABLE).map((name) => join(UNUSABLE, name))]

describe('containrlab validate on every spec that fails', () => {
  let config: Config
  beforeAll(async () => {
    config = await Config.load(ROOT)
  })

  it.each(everyFixture.map((file) => [file.slice(SPECS.length + 1), file]))('%s: a SpecError, short lines, and the CLI prints exactly it', async (_, file) => {
    const error = await validate(file).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SpecError)
    const {issues, message} = error as SpecError
    const [head, ...lines] = message.split('\n')
    expect(head).toBe(`${file}: ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}`)
    expect(lines).toEqual(issues.map((issue) => `  ${formatIssue(issue)}`))
    // One line per issue, never a page of the file: at most a short quoted token of it.
    for (const issue of issues) expect(formatIssue(issue).length).toBeLessThanOrEqual(320)

    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    let cli: (Error & {oclif?: {exit?: number}}) | undefined
    try {
      await Validate.run(['-f', file], config)
    } catch (caught) {
      cli = caught as Error
    } finally {
      stdout.mockRestore()
      stderr.mockRestore()
      process.exitCode = undefined
    }
    expect(cli?.oclif?.exit).toBe(1)
    expect(cli?.message).toBe(message)
  })
})
