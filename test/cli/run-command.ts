import {Config} from '@oclif/core'
import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {vi} from 'vitest'

export const ROOT = join(import.meta.dirname, '..', '..')

let config: Promise<Config> | undefined
/** The CLI's oclif config (package.json and the commands under dist/ or, from vitest, src/). */
export const cliConfig = () => (config ??= Config.load(ROOT))

export interface CommandResult {
  stdout: string
  stderr: string
  error?: Error & {oclif?: {exit?: number}}
  exitCode: number
}

/** Runs a command in-process (`id`: the id oclif gives it, for what it prints about itself); returns what it wrote to stdout and stderr, its error and the exit code it set. */
export async function runCommand(command: {run: (argv: string[], config: Config) => Promise<unknown>; id?: string}, argv: string[], id?: string): Promise<CommandResult> {
  const loaded = await cliConfig()
  // oclif gives a command its id (`state:show`) when it loads it by name; run directly it would be `stateshow`.
  if (id) command.id = id
  const out: string[] = []
  const err: string[] = []
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk))
    return true
  })
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk))
    return true
  })
  const previousExit = process.exitCode
  process.exitCode = undefined
  let error: CommandResult['error']
  try {
    await command.run(argv, loaded)
  } catch (caught) {
    error = caught as Error
  } finally {
    stdout.mockRestore()
    stderr.mockRestore()
  }
  const exitCode = error?.oclif?.exit ?? Number(process.exitCode ?? 0)
  process.exitCode = previousExit
  return {stdout: out.join(''), stderr: err.join(''), error, exitCode}
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * The built CLI (bin/run.js runs dist/), as CI has it after `npm ci`. A
 * local run after an edit of src/ rebuilds first, so the subprocess tests
 * never test stale code.
 */
export function ensureBuilt(): void {
  const built = (() => {
    try {
      return Math.min(statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs, statSync(join(ROOT, 'oclif.manifest.json')).mtimeMs)
    } catch {
      return 0
    }
  })()
  const sources = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs)
  if (built < sources) execFileSync('npm', ['run', 'build'], {cwd: ROOT, stdio: 'ignore'})
}

export interface ProcessResult {
  stdout: string
  stderr: string
  code: number | null
  /** stdout and stderr, in the order they arrived, through one pipe (as `2>&1 |`). */
  combined?: string
}

/**
 * Runs `node bin/run.js …` with stdin closed (as in CI), stdout and stderr
 * pipes read only once the process has exited its main work: what it wrote
 * must survive its exit.
 */
export function runCli(argv: string[], options: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...argv], {cwd: ROOT, env: {...process.env, ...options.env}, stdio: ['ignore', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`containrlab ${argv.join(' ')} did not end within ${options.timeoutMs ?? 20_000} ms (waiting for input?)`))
    }, options.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code})
    })
  })
}

/** `node bin/run.js … 2>&1 | cat` through a shell: both streams into one pipe that is read slowly, as `| wc -c` would. */
export function runCliThroughPipe(argv: string[]): ProcessResult {
  const quoted = argv.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ')
  // `sleep` first: the CLI writes far more than the pipe holds and exits long before the reader starts.
  const script = `${JSON.stringify(process.execPath)} bin/run.js ${quoted} 2>&1 | (sleep 1; cat); exit "\${PIPESTATUS[0]}"`
  try {
    const combined = execFileSync('bash', ['-c', script], {cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe']})
    return {stdout: combined, stderr: '', code: 0, combined}
  } catch (error) {
    const failed = error as {status: number | null; stdout: string}
    return {stdout: failed.stdout, stderr: '', code: failed.status, combined: failed.stdout}
  }
}
