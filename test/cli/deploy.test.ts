import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {parseDeployImage} from '../../src/app/deploy.js'
import {Session} from '../../src/app/session.js'
import {up} from '../../src/app/up.js'
import Deploy from '../../src/commands/deploy.js'
import Up from '../../src/commands/up.js'
import type {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud, exampleWith, onFakeClock} from '../helpers/stack.js'
import {runCommand as run} from './run-command.js'

const REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-api'
const revision = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/containrlab-api:${n}`

/** The task definition the fake ECS service's PRIMARY deployment runs. */
function running(cloud: FakeCloud, service = 'containrlab-api'): string | undefined {
  const snapshot = cloud.ecs.snapshot() as {services: {name: string; deployments: {status: string; taskDefinition: string}[]}[]}
  return snapshot.services.find((candidate) => candidate.name === service)?.deployments.find((deployment) => deployment.status === 'PRIMARY')?.taskDefinition
}

describe('containrlab deploy', () => {
  let cloud: FakeCloud
  const deployed = async (file = EXAMPLE) => {
    const report = await up(await Session.open({file, concurrency: 10}), async () => true)
    expect(report.errors).toEqual([])
    cloud.resetCalls()
  }
  beforeEach(() => {
    cloud = exampleCloud()
    onFakeClock(cloud)
  })
  afterEach(() => {
    vi.restoreAllMocks()
    cloud.restore()
  })

  it('rolls the service to a tag of its repository: a new revision, the service on it, nothing else touched; the next up changes nothing', async () => {
    await deployed()
    const result = await run(Deploy, ['api', '--image', 'v2', '-f', EXAMPLE, '--json'])
    expect(result.exitCode).toBe(0)
    const doc = JSON.parse(result.stdout)
    expect(doc).toMatchObject({command: 'deploy', ok: true, service: 'api', image: 'v2', taskDefinition: {before: revision(1), after: revision(2)}, exitCode: 0})
    expect(doc.resources.map((r: {id: string; action: string}) => [r.id, r.action])).toEqual([
      ['task-definition/api', 'update'],
      ['service/api', 'update'],
    ])
    expect(doc.resources[0].changes).toEqual([{field: 'containerDefinitions.api.image', replace: false, before: `${REPOSITORY}:latest`, after: `${REPOSITORY}:v2`}])
    // One revision registered and one service updated; SSM: the lock, the state's save, the release.
    expect(
      cloud
        .mutatingCalls()
        .filter((call) => call.service !== 'ssm')
        .map((call) => call.operation),
    ).toEqual(['RegisterTaskDefinition', 'UpdateService'])
    // Only ECS (and the state) is read: the rest of the stack comes from the state.
    expect([...new Set(cloud.calls.map((call) => call.service))].sort()).toEqual(['ecs', 'ssm'])
    expect(running(cloud)).toBe(revision(2))

    cloud.resetCalls()
    const next = await run(Up, ['-f', EXAMPLE, '--json'])
    expect(next.exitCode).toBe(0)
    expect(JSON.parse(next.stdout).summary).toMatchObject({create: 0, update: 0, replace: 0, delete: 0})
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
    expect(running(cloud)).toBe(revision(2))
  })

  it('keeps the deployed image when up registers another change of the service (its size)', async () => {
    await deployed()
    expect((await run(Deploy, ['api', '--image', 'v2', '-f', EXAMPLE])).exitCode).toBe(0)
    const bigger = exampleWith('    imageSource: deploy\n    cpu: 512\n    memory: 1024', '    imageSource: deploy\n    cpu: 512\n    memory: 2048')
    const report = await up(await Session.open({file: bigger, concurrency: 10}), async () => true)
    expect(report.errors).toEqual([])
    const registered = cloud.mutatingCalls().filter((call) => call.operation === 'RegisterTaskDefinition')
    expect(registered.map((call) => (call.input as {containerDefinitions: {image: string}[]}).containerDefinitions[0]!.image)).toEqual([`${REPOSITORY}:v2`, `${REPOSITORY}:v2`])
    expect(running(cloud)).toBe(revision(3))
  })

  it('takes a full image URI as it is, and prints where the service went', async () => {
    await deployed()
    const result = await run(Deploy, ['web', '--image', 'public.ecr.aws/nginx/nginx:1.27', '-f', EXAMPLE])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('Deploy complete for stack containrlab: 0 created, 2 updated')
    expect(result.stdout).toContain('web: containrlab-web:1 → containrlab-web:2 (image public.ecr.aws/nginx/nginx:1.27).')
    const registered = cloud.mutatingCalls().find((call) => call.operation === 'RegisterTaskDefinition')!
    expect((registered.input as {containerDefinitions: {image: string}[]}).containerDefinitions[0]!.image).toBe('public.ecr.aws/nginx/nginx:1.27')
  })

  it('exits 1 with the stopped tasks’ reason when the new image’s tasks fail (the circuit breaker rolls back)', async () => {
    await deployed()
    cloud.ecs.failTasks({image: `${REPOSITORY}:broken`}, 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found')
    const result = await run(Deploy, ['api', '--image', 'broken', '-f', EXAMPLE])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('Deploy FAILED for stack containrlab')
    expect(result.stdout).toMatch(/service\/api: .*CannotPullContainerError: pull image manifest has been retried/s)
    expect(result.stdout).toContain('api: not rolled to broken (it ran containrlab-api:1).')
    expect(running(cloud)).toBe(revision(1))
    // The failed revision is withdrawn: the next up neither rolls the service onto it nor changes anything.
    expect(
      cloud
        .mutatingCalls()
        .filter((call) => call.operation === 'DeregisterTaskDefinition')
        .map((call) => call.input),
    ).toEqual([{taskDefinition: revision(2)}])
    cloud.resetCalls()
    const next = await run(Up, ['-f', EXAMPLE, '--json'])
    expect(next.exitCode).toBe(0)
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
    expect(running(cloud)).toBe(revision(1))
  })

  it('refuses a service whose image the spec sets: the next up would roll it back', async () => {
    await deployed()
    const result = await run(Deploy, ['runner', '--image', 'v2', '-f', EXAMPLE, '--json'])
    expect(result.exitCode).toBe(1)
    const doc = JSON.parse(result.stdout)
    expect(doc.error.code).toBe('refused')
    expect(doc.error.message).toMatch(
      /service runner has imageSource: spec, so the next `containrlab up` would roll it back to runnerd:latest\. Set `imageSource: deploy`.* or change its `image` and run `containrlab up`/,
    )
    expect(cloud.mutatingCalls()).toEqual([])
  })

  it('refuses an unknown service with the ones there are (usage, exit 64), before any AWS call', async () => {
    const result = await run(Deploy, ['apii', '--image', 'v2', '-f', EXAMPLE])
    expect(result.exitCode).toBe(64)
    expect(result.error?.message).toMatch(/unknown service "apii": .* has api, web, runner/)
    expect(cloud.calls).toEqual([])
  })

  it('refuses an --image that is neither a tag nor a URI', () => {
    expect(parseDeployImage('v1.2.3')).toEqual({tag: 'v1.2.3'})
    expect(parseDeployImage(`sha256:${'a'.repeat(64)}`)).toEqual({tag: `sha256:${'a'.repeat(64)}`})
    expect(parseDeployImage('ghcr.io/o/api:1')).toEqual({uri: 'ghcr.io/o/api:1'})
    expect(() => parseDeployImage('v1 2')).toThrow(/neither a tag .* nor a full image URI/)
  })

  it('refuses a stack not deployed yet: run up first', async () => {
    const result = await run(Deploy, ['api', '--image', 'v2', '-f', EXAMPLE, '--json'])
    expect(result.exitCode).toBe(1)
    const doc = JSON.parse(result.stdout)
    expect(doc.error).toMatchObject({code: 'not-deployed', message: 'service api of stack containrlab is not deployed yet: run `containrlab up` first.'})
    // The lock, and its release.
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
  })

  it('refuses a spec that changed the service beyond its image since the last up', async () => {
    await deployed()
    const changed = exampleWith('    environment: {SESSION_TTL_SECONDS: "1800"}', '    environment: {SESSION_TTL_SECONDS: "900"}')
    const result = await run(Deploy, ['api', '--image', 'v2', '-f', changed])
    expect(result.exitCode).toBe(1)
    expect(result.error?.message).toMatch(/the spec changed more than the image since the last `containrlab up` \(task-definition\/api: containerDefinitions\.api\.environment\): deploy rolls the image only/)
    expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
  })
})
