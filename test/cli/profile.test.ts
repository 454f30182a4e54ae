import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import {ProfileNotFoundError} from '../../src/app/errors.js'
import {Session} from '../../src/app/session.js'
import Plan from '../../src/commands/plan.js'
import {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud} from '../helpers/stack.js'
import {runCommand} from './run-command.js'

/** A profile named by --profile or AWS_PROFILE must exist in the shared files: said before any AWS call, with the files and the profiles in them. */
describe('an AWS profile that does not exist', () => {
  let dir: string
  let config: string
  let credentials: string
  let cloud: FakeCloud | undefined
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'containrlab-aws-'))
    config = join(dir, 'config')
    credentials = join(dir, 'credentials')
    writeFileSync(config, '[default]\nregion = us-east-1\n\n[profile sandbox]\nregion = eu-west-1\n\n[sso-session corp]\nsso_region = us-east-1\n')
    writeFileSync(credentials, '[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n')
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  afterEach(() => {
    vi.unstubAllEnvs()
    cloud?.restore()
    cloud = undefined
  })

  const files = () => {
    vi.stubEnv('AWS_CONFIG_FILE', config)
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', credentials)
  }

  it('--profile: names the profile, the files looked at and the profiles found', async () => {
    files()
    const error = await Session.open({file: EXAMPLE, concurrency: 1, profile: 'nosuchprofile'}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ProfileNotFoundError)
    const message = (error as Error).message
    expect(message).toMatch(/AWS profile "nosuchprofile" \(from --profile\) does not exist/)
    expect(message).toContain(config)
    expect(message).toContain(credentials)
    expect(message).toMatch(/Profiles found there: ci, default, sandbox\./)
    expect(message).not.toMatch(/corp/)
    expect(message).not.toMatch(/no AWS credentials/)
  })

  it('AWS_PROFILE: the same, saying where the name came from', async () => {
    files()
    vi.stubEnv('AWS_PROFILE', 'nosuchprofile')
    const error = await Session.open({file: EXAMPLE, concurrency: 1}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ProfileNotFoundError)
    expect((error as Error).message).toMatch(/"nosuchprofile" \(from AWS_PROFILE\)/)
  })

  it('profiles of either file are found (config: [profile NAME], credentials: [NAME])', async () => {
    files()
    for (const profile of ['sandbox', 'ci', 'default']) {
      const session = await Session.open({file: EXAMPLE, concurrency: 1, profile})
      expect(session.stack).toBe('containrlab')
    }
  })

  it('neither file: says so', async () => {
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'absent-config'))
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'absent-credentials'))
    const error = await Session.open({file: EXAMPLE, concurrency: 1, profile: 'dev'}).catch((caught: unknown) => caught)
    expect((error as Error).message).toMatch(/Neither file defines any profile/)
  })

  it('plan --profile nosuchprofile: exit 1 with that message, and no AWS call', async () => {
    files()
    cloud = exampleCloud()
    const result = await runCommand(Plan, ['-f', EXAMPLE, '--profile', 'nosuchprofile'])
    expect(result.exitCode).toBe(1)
    expect(result.error?.message).toMatch(/AWS profile "nosuchprofile" \(from --profile\) does not exist/)
    expect(cloud.calls).toEqual([])
    const json = JSON.parse((await runCommand(Plan, ['-f', EXAMPLE, '--profile', 'nosuchprofile', '--json'])).stdout)
    expect(json.error.code).toBe('profile-not-found')
  })
})
