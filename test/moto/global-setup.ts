import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import type {TestProject} from 'vitest/node'
import type {MotoCloud} from './provided.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const MOTO = join(import.meta.dirname, 'moto.sh')

/**
 * Finds the cloud the suite runs against. With AWS_ENDPOINT_URL set, that
 * endpoint and the AWS credentials of the environment (`testing` keys when it
 * has none): a moto there (../shared/moto/up.sh as it is) must have been
 * started with MOTO_ECS_SERVICE_RUNNING=1, as test/moto/moto.sh starts it, or
 * the services' deployments never complete. Otherwise it starts moto with
 * `test/moto/moto.sh up` (../shared/moto/up.sh with ECS services reporting
 * running tasks; MOTO_UP overrides up.sh's path, PORT its port, MOTO_WORK its
 * work folder) and, if this run started it, stops it at the end with
 * `moto.sh down`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'up.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (`npm run test:moto` does)')
  }
  let stop = async () => {}
  const given = process.env.AWS_ENDPOINT_URL
  if (given) {
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) if (key.startsWith('AWS_') && value !== undefined) env[key] = value
    if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) Object.assign(env, {AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing'})
    env.AWS_REGION = region
    project.provide('cloud', {endpoint: given, region, env})
    return stop
  }
  const port = process.env.PORT ?? '5000'
  const wasRunning = await answers(`http://127.0.0.1:${port}/moto-api/`)
  const endpoint = await runUp(MOTO)
  const cloud: MotoCloud = {
    endpoint,
    region: 'us-east-1',
    env: {AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1'},
  }
  project.provide('cloud', cloud)
  if (!wasRunning) stop = () => runScript(MOTO, 'down').then(() => undefined)
  return stop
}

/**
 * Runs `moto.sh up` and returns the endpoint it prints. Its output goes to files,
 * not pipes, and only its exit is awaited: the shell that up.sh leaves in the
 * background to wait on moto keeps up.sh's stdout and stderr open for as
 * long as moto runs, so a reader waiting for end-of-file (execFileSync,
 * `url=$(bash up.sh)`) would wait for moto to stop.
 */
async function runUp(script: string): Promise<string> {
  const {stdout, stderr} = await runScript(script, 'up')
  const endpoint = stdout.trim().split('\n').pop() ?? ''
  if (!/^https?:\/\//.test(endpoint)) throw new Error(`${script} up printed no endpoint URL (stdout: ${JSON.stringify(stdout)}, stderr: ${stderr})`)
  return endpoint
}

async function runScript(script: string, command: 'up' | 'down'): Promise<{stdout: string; stderr: string}> {
  const dir = mkdtempSync(join(tmpdir(), 'containrlab-moto-setup-'))
  const out = openSync(join(dir, 'stdout'), 'w')
  const err = openSync(join(dir, 'stderr'), 'w')
  try {
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn('bash', [script, command], {stdio: ['ignore', out, err]})
      const timer = setTimeout(() => child.kill('SIGTERM'), 5 * 60_000)
      child.on('error', fail)
      child.on('exit', (status) => {
        clearTimeout(timer)
        done(status)
      })
    })
    const stdout = readFileSync(join(dir, 'stdout'), 'utf8')
    const stderr = readFileSync(join(dir, 'stderr'), 'utf8')
    if (stderr) process.stderr.write(stderr)
    if (code !== 0) throw new Error(`${script} ${command} exited with ${code}: ${stderr}`)
    return {stdout, stderr}
  } finally {
    closeSync(out)
    closeSync(err)
    rmSync(dir, {recursive: true, force: true})
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, {signal: AbortSignal.timeout(2_000)})
    return true
  } catch {
    return false
  }
}
