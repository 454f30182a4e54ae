import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ensureBuilt, runCli, runCliThroughPipe} from './run-command.js'

/** An error as oclif prints it (` ›   Error: …`, wrapped at 80 columns), as one line per line of the message. */
const unwrapped = (stderr: string) => stderr.replace(/\s*\n ›\s+/g, ' ').replace(/^ ›\s+/, '')

/**
 * The built CLI as a user runs it (`node bin/run.js`, stdin closed as in CI,
 * output through pipes): exit codes, help, suggestions, and nothing written
 * lost at exit.
 */
describe('the containrlab process', () => {
  let dir: string
  /** A spec with 3000 bad subnet CIDRs: ~400 KB of problems, far more than a pipe holds. */
  let hugeBadSpec: string
  beforeAll(() => {
    ensureBuilt()
    dir = mkdtempSync(join(tmpdir(), 'containrlab-process-'))
    const lines = ['name: huge', 'region: us-east-1', 'network:', '  vpc:', '    cidr: 10.0.0.0/16', '  subnets:']
    for (let i = 0; i < 3000; i++) lines.push(`    - name: subnet-${i}`, '      tier: public', '      az: us-east-1a', `      cidr: 10.0.${i}.999/24`)
    lines.push('  nat: none')
    hugeBadSpec = join(dir, 'huge.yaml')
    writeFileSync(hugeBadSpec, `${lines.join('\n')}\n`)
  }, 120_000)
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  describe('nothing written is lost when the process exits', () => {
    it('stderr: validate of a spec with thousands of problems, 2>&1 through a slow pipe, has every line', () => {
      const result = runCliThroughPipe(['validate', '-f', hugeBadSpec])
      expect(result.code).toBe(1)
      expect(result.combined!.length).toBeGreaterThan(256 * 1024)
      expect(result.combined).toContain('network.subnets[0].cidr')
      expect(result.combined).toContain('network.subnets[2999].cidr')
    })

    it('stdout: the --json document of the same, whole and parseable', () => {
      const result = runCliThroughPipe(['validate', '-f', hugeBadSpec, '--json'])
      expect(result.code).toBe(1)
      const doc = JSON.parse(result.combined!)
      expect(doc.ok).toBe(false)
      // 3000 bad CIDRs, and (the checks run too) 2999 second public subnets in one AZ: every one of them arrived.
      const paths = new Set(doc.error.issues.map((issue: {path: string}) => issue.path))
      for (let i = 0; i < 3000; i++) expect(paths.has(`network.subnets[${i}].cidr`)).toBe(true)
      expect(doc.exitCode).toBe(1)
    })
  })

  describe('mistyped commands: a suggestion, exit 64, never a prompt (no stdin in CI)', () => {
    it('pla → did you mean plan', async () => {
      const result = await runCli(['pla', '-f', 'examples/containrlab.yaml'])
      expect(result.code).toBe(64)
      expect(unwrapped(result.stderr)).toMatch(/`containrlab pla` is not a command\. Did you mean `containrlab plan`\?/)
      expect(result.stdout).toBe('')
    })

    it('state foo is named as typed, with a space, and the state commands listed', async () => {
      const result = await runCli(['state', 'fo'])
      expect(result.code).toBe(64)
      expect(unwrapped(result.stderr)).toMatch(/`containrlab state fo` is not a command/)
      expect(result.stderr).not.toMatch(/state:/)
      expect(unwrapped(result.stderr)).toMatch(/`containrlab state (show|unlock)`/)
    })

    it('a word close to no command suggests none', async () => {
      const result = await runCli(['rollout'])
      expect(result.code).toBe(64)
      expect(result.stderr).not.toMatch(/Did you mean/)
      expect(result.stderr).toMatch(/containrlab help/)
    })

    it('under --json: one document on stdout, nothing on stderr', async () => {
      const result = await runCli(['pla', '--json'])
      expect(result.code).toBe(64)
      expect(result.stderr).toBe('')
      expect(JSON.parse(result.stdout)).toMatchObject({ok: false, error: {code: 'usage'}, exitCode: 64})
    })

    it('an unknown flag names it and suggests the closest, exit 64', async () => {
      const result = await runCli(['plan', '--detailed-exitcod', '-f', 'examples/containrlab.yaml', '--offline'])
      expect(result.code).toBe(64)
      expect(result.stderr).toMatch(/--detailed-exitcod/)
      expect(unwrapped(result.stderr)).toMatch(/unknown flag --detailed-exitcod for `containrlab plan`: did you mean --detailed-exitcode\?/)
    })
  })

  describe('help', () => {
    it('`help` lists the commands, state ones with a space', async () => {
      const result = await runCli(['help'])
      expect(result.code).toBe(0)
      for (const command of ['validate', 'plan', 'up', 'status', 'teardown']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'))
      expect(result.stdout).toMatch(/state/)
    })

    it('`help state unlock`, `state unlock --help` and `-h` show the command', async () => {
      for (const argv of [
        ['help', 'state', 'unlock'],
        ['state', 'unlock', '--help'],
        ['state', 'unlock', '-h'],
      ]) {
        const result = await runCli(argv)
        expect(result.code, argv.join(' ')).toBe(0)
        expect(result.stdout).toMatch(/\$ containrlab state unlock/)
        expect(result.stdout).toMatch(/--force/)
      }
    })

    it('each command lists only the flags it uses', async () => {
      const validate = (await runCli(['validate', '-h'])).stdout
      expect(validate).toMatch(/--file/)
      expect(validate).toMatch(/--region/)
      for (const flag of ['--concurrency', '--profile', '--stack', '--yes']) expect(validate).not.toContain(flag)
      const show = (await runCli(['state', 'show', '-h'])).stdout
      for (const flag of ['--stack', '--file', '--region', '--profile']) expect(show).toContain(flag)
      for (const flag of ['--concurrency', '--yes']) expect(show).not.toContain(flag)
      const plan = (await runCli(['plan', '-h'])).stdout
      expect(plan).toContain('--concurrency')
      expect(plan).not.toContain('--yes')
    })

    it('--version and --help load no command module and no AWS SDK', async () => {
      const trace = join(dir, 'loaded.txt')
      const hooks = join(dir, 'hooks.mjs')
      writeFileSync(
        hooks,
        `import {appendFileSync} from 'node:fs'\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context)\n  appendFileSync(${JSON.stringify(trace)}, result.url + '\\n')\n  return result\n}\n`,
      )
      const register = join(dir, 'register.mjs')
      writeFileSync(register, `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`)
      for (const argv of [['--version'], ['--help'], ['status', '--help']]) {
        writeFileSync(trace, '')
        const result = await runCli(argv, {env: {NODE_OPTIONS: `--import ${pathToFileURL(register).href}`}})
        expect(result.code, argv.join(' ')).toBe(0)
        const loaded = readFileSync(trace, 'utf8')
        expect(loaded, argv.join(' ')).toContain('/dist/cli/main.js')
        expect(loaded, argv.join(' ')).not.toMatch(/\/dist\/commands\/|@aws-sdk/)
      }
    })
  })
})
