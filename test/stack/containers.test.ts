import {afterEach, describe, expect, it} from 'vitest'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {exampleWith, stackHarness, stackParameters} from '../helpers/stack.js'

/**
 * The example's containers as a whole, against the fake cloud: the runner
 * follows its spec's image (`imageSource: spec`), so an image change is a
 * new revision and a deployment of it; a deployment the circuit breaker
 * rolls back fails the run with its reason; teardown with tasks running.
 */

const RUNNER_REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/containrlab-runnerd'

/** The task definition the fake ECS service's PRIMARY deployment runs. */
function running(harness: ReturnType<typeof stackHarness>, service: string): string | undefined {
  const snapshot = harness.cloud.ecs.snapshot() as {services: {name: string; runningCount: number; deployments: {status: string; taskDefinition: string}[]}[]}
  return snapshot.services.find((candidate) => candidate.name === service)?.deployments.find((deployment) => deployment.status === 'PRIMARY')?.taskDefinition
}

describe('the example’s containers', () => {
  let harness: ReturnType<typeof stackHarness>
  afterEach(() => harness?.cloud.restore())

  it('an image change registers a revision and rolls the service to it; nothing else changes, and a second up is empty', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    expect((await up(await open(), yes)).errors).toEqual([])
    const file = exampleWith('image: runnerd:latest', 'image: runnerd:v2')

    const preview = await plan(await open({file}), {offline: false})
    expect(preview.resources.filter((r) => r.action !== 'noop').map((r) => [r.id, r.action])).toEqual([
      ['task-definition/runner', 'update'],
      ['service/runner', 'update'],
    ])
    cloud.resetCalls()
    const report = await up(await open({file}), yes)
    expect(report.errors).toEqual([])
    expect(
      cloud
        .mutatingCalls()
        .filter((call) => call.service !== 'ssm')
        .map((call) => call.operation),
    ).toEqual(['RegisterTaskDefinition', 'UpdateService'])
    expect(cloud.mutatingCalls().find((call) => call.operation === 'RegisterTaskDefinition')!.input).toMatchObject({containerDefinitions: [expect.objectContaining({image: `${RUNNER_REPOSITORY}:v2`})]})
    expect(running(harness, 'containrlab-runner')).toMatch(/task-definition\/containrlab-runner:2$/)
    expect((await plan(await open({file}), {offline: false})).changes).toBe(false)
  })

  it('a deployment the circuit breaker rolls back fails the run, with the stopped tasks’ reason; the service stays on its revision', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    expect((await up(await open(), yes)).errors).toEqual([])
    cloud.ecs.failTasks({image: `${RUNNER_REPOSITORY}:broken`}, 'CannotPullContainerError: pull image manifest has been retried 5 time(s): manifest unknown')
    const file = exampleWith('image: runnerd:latest', 'image: runnerd:broken')

    const report = await up(await open({file}), yes)
    expect(report.ok).toBe(false)
    expect(report.errors.join('\n')).toMatch(/service\/runner: .*CannotPullContainerError: pull image manifest has been retried/s)
    expect(report.resources.find((r) => r.id === 'service/runner')!.status).toBe('failed')
    expect(running(harness, 'containrlab-runner')).toMatch(/task-definition\/containrlab-runner:1$/)
  })

  it('teardown with tasks running leaves nothing but a repository that holds images, said so; --purge takes it too', async () => {
    harness = stackHarness()
    const {cloud, open, yes} = harness
    expect((await up(await open(), yes)).errors).toEqual([])
    cloud.ecr.pushImage('containrlab-api', 'v1')
    expect((cloud.ecs.snapshot() as {tasks: {lastStatus: string}[]}).tasks.filter((task) => task.lastStatus === 'RUNNING').length).toBeGreaterThan(0)

    const down = await teardown(await open(), {confirm: yes})
    expect(down.errors).toEqual([])
    expect(down.kept).toEqual([expect.stringMatching(/^repository\/api \(containrlab-api\): /)])
    // What is left: that repository (and its image), nothing else; the state stays for the next teardown.
    expect(cloud.resourceCount()).toBe(cloud.ecr.resourceCount())
    expect(cloud.ecr.resourceCount()).toBeGreaterThan(0)

    const purged = await teardown(await open(), {confirm: yes, purge: true})
    expect(purged.errors).toEqual([])
    expect(cloud.resourceCount()).toBe(0)
    expect(stackParameters(cloud).filter((name) => !name.endsWith('/lock'))).toEqual([])
  })
})
