import {EC2Client, TerminateInstancesCommand} from '@aws-sdk/client-ec2'
import {afterEach, describe, expect, it} from 'vitest'
import {status, type StatusEntry} from '../../src/app/status.js'
import {up} from '../../src/app/up.js'
import {formatStatus} from '../../src/ui/format.js'
import type {VirtualClock} from '../../src/util/clock.js'
import {exampleWith, stackHarness} from '../helpers/stack.js'

/**
 * `status` of the whole ContainrLab example (seed 000/001) after `up`: per
 * service, running/pending/desired, the revision and the last deployment;
 * per cluster, its tasks and, for the EC2 runner cluster, its container
 * instance and what room is left on it. And after a deployment that failed:
 * why.
 */

let harness: ReturnType<typeof stackHarness> | undefined
afterEach(() => {
  harness?.cloud.restore()
  harness = undefined
})

const API_REVISION_1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/containrlab-api:1'
const PULL_ERROR = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:latest: not found'

/** The text with its lines wrapped back: what was said, whatever the width. */
const unwrapped = (text: string) => text.replace(/\s+/g, ' ')

function entryOf(entries: StatusEntry[], id: string): StatusEntry {
  const entry = entries.find((candidate) => candidate.id === id)
  if (!entry) throw new Error(`no status entry ${id}`)
  return entry
}

describe('status of the ContainrLab containers', () => {
  it('after up: each service running 1/1 on its revision, the Fargate cluster’s tasks, the runner cluster’s one container instance with its room; all ok', async () => {
    harness = stackHarness()
    const applied = await up(await harness.open(), harness.yes)
    expect(applied.errors).toEqual([])
    const instanceId = applied.resources.find((r) => r.id === 'instance/runner-ec2-1')!.physicalId
    harness.cloud.resetCalls()

    const report = await status(await harness.open())

    const api = entryOf(report.resources, 'service/api')
    console.log(JSON.stringify(api.changes), JSON.stringify(entryOf(report.resources, 'task-definition/api')))
    expect(api.condition).toBe('ok')
    expect(api.health).toEqual({state: 'running 1/1, pending 0', ready: true, detail: 'containrlab-api:1, deployment COMPLETED'})
    expect(api.details?.fields).toMatchObject({running: 1, pending: 0, desired: 1, revision: 'containrlab-api:1', lastDeployment: {status: 'PRIMARY', rolloutState: 'COMPLETED'}, stoppedTasks: []})
    expect(entryOf(report.resources, 'service/runner').health).toMatchObject({state: 'running 1/1, pending 0', detail: 'containrlab-runner:1, deployment COMPLETED'})

    const fargate = entryOf(report.resources, 'cluster/cluster')
    expect(fargate.details?.fields).toEqual({launch: 'FARGATE', activeServices: 2, runningTasks: 2, pendingTasks: 0, registeredContainerInstances: 0})
    const runner = entryOf(report.resources, 'cluster/runner-ec2')
    expect(runner.condition).toBe('ok')
    expect(runner.health).toMatchObject({detail: '1 services, 1 running tasks, 0 pending, 1 container instance'})
    // A t3.medium registers 2048 CPU units and 3904 MiB; the runner's task takes 1024 and 2048.
    expect(runner.details?.fields).toMatchObject({
      launch: 'EC2',
      registeredContainerInstances: 1,
      containerInstances: [{ec2InstanceId: instanceId, status: 'ACTIVE', agentConnected: true, runningTasks: 1, pendingTasks: 0, cpu: {registered: 2048, remaining: 1024}, memoryMiB: {registered: 3904, remaining: 1856}}],
    })
    expect(report.summary.degraded).toBeUndefined()
    expect(report.errors).toEqual([])

    const text = formatStatus(report)
    expect(text).toMatch(/service\/api +ecs\.service .* ok +running 1\/1, pending 0: containrlab-api:1, deployment COMPLETED/)
    expect(unwrapped(text)).toContain(`container instance ${instanceId}: ACTIVE, agent connected; tasks 1 running, 0 pending; CPU 1024/2048 free, memory 1856/3904 MiB free`)

    // Few reads more than plan's: one ListTasks (STOPPED) per cluster with services, one ListContainerInstances and one DescribeContainerInstances for the EC2 cluster.
    const calls = harness.cloud.callCounts()
    expect([calls.ListTasks, calls.DescribeTasks, calls.ListContainerInstances, calls.DescribeContainerInstances]).toEqual([2, undefined, 1, 1])
  })

  it('after a first deployment that failed: the service is degraded, with the circuit breaker’s reason and the stopped tasks’ own', async () => {
    harness = stackHarness()
    harness.cloud.ecs.failTasks({taskDefinitionArn: API_REVISION_1}, PULL_ERROR, 'CannotPullContainerError: failed to resolve ref')
    const applied = await up(await harness.open(), harness.yes)
    expect(applied.ok).toBe(false)

    const report = await status(await harness.open())

    const api = entryOf(report.resources, 'service/api')
    expect(api.condition).toBe('degraded')
    expect(api.health).toMatchObject({state: 'running 0/1, pending 0', ready: false, degraded: 'the deployment of containrlab-api:1 failed: ECS deployment circuit breaker: tasks failed to start.'})
    expect(api.details?.lines).toEqual([
      expect.stringMatching(/^stopped recently: [3-9] tasks of containrlab-api:1: CannotPullContainerError: pull image manifest .*; container api: CannotPullContainerError: failed to resolve ref$/),
    ])
    expect(api.details?.fields.stoppedTasks).toContainEqual(expect.objectContaining({revision: 'containrlab-api:1', stopCode: 'EssentialContainerExited', stoppedReason: PULL_ERROR}))
    // The other services came up; their tasks' routine stops (none here) and theirs alone are theirs.
    expect(entryOf(report.resources, 'service/web')).toMatchObject({condition: 'ok', details: {lines: []}})
    expect(report.summary.degraded).toBe(1)

    const text = formatStatus(report)
    expect(text).toMatch(/service\/api +ecs\.service .* degraded +running 0\/1, pending 0: containrlab-api:1, deployment FAILED: ECS deployment circuit breaker/)
    expect(text).toContain('\nDetails:\n')
    expect(unwrapped(text)).toContain(
      'service/api degraded: the deployment of containrlab-api:1 failed: ECS deployment circuit breaker: tasks failed to start. stopped recently: 3 tasks of containrlab-api:1: CannotPullContainerError',
    )
  })

  it('after a new revision that failed and was rolled back: drifted (up still wants the new revision), running the old one, and the stopped tasks say why the new one did not run', async () => {
    harness = stackHarness()
    expect((await up(await harness.open(), harness.yes)).ok).toBe(true)
    harness.cloud.ecs.failTasks({taskDefinitionArn: API_REVISION_1.replace(/:1$/, ':2')}, PULL_ERROR)
    const changed = exampleWith('SESSION_TTL_SECONDS: "1800"', 'SESSION_TTL_SECONDS: "3600"')
    expect((await up(await harness.open({file: changed}), harness.yes)).ok).toBe(false)
    // `up` fails as soon as the circuit breaker does; the rollback then runs its course.
    ;(harness.cloud.clock as VirtualClock).advance(5 * 60_000)

    const report = await status(await harness.open({file: changed}))

    const api = entryOf(report.resources, 'service/api')
    expect(api.condition).toBe('drifted')
    expect(api.changes).toEqual([{field: 'taskDefinitionArn', replace: false, before: API_REVISION_1, after: API_REVISION_1.replace(/:1$/, ':2')}])
    expect(api.health).toMatchObject({state: 'running 1/1, pending 0', detail: 'containrlab-api:1, deployment COMPLETED'})
    expect(api.details?.lines).toEqual([expect.stringMatching(/^stopped recently: [3-9] tasks of containrlab-api:2: CannotPullContainerError: pull image manifest/)])
  })

  it('a runner instance shutting down: its container instance’s agent is gone, and the cluster is degraded, naming it', async () => {
    harness = stackHarness()
    const applied = await up(await harness.open(), harness.yes)
    const instanceId = applied.resources.find((r) => r.id === 'instance/runner-ec2-1')!.physicalId!
    await new EC2Client({region: 'us-east-1'}).send(new TerminateInstancesCommand({InstanceIds: [instanceId]}))

    const report = await status(await harness.open())

    const runner = entryOf(report.resources, 'cluster/runner-ec2')
    expect(runner.condition).toBe('degraded')
    expect(runner.details?.degraded).toBe(`ECS agent disconnected on ${instanceId}`)
    expect(runner.details?.lines).toEqual([expect.stringContaining(`container instance ${instanceId}: ACTIVE, agent DISCONNECTED`)])
    expect(unwrapped(formatStatus(report))).toContain(`cluster/runner-ec2 degraded: ECS agent disconnected on ${instanceId}`)
  })

  it('details that cannot be read are an error naming the kind and the call; the resources are shown as they are', async () => {
    harness = stackHarness()
    await up(await harness.open(), harness.yes)
    harness.cloud.faults.garbage('ListContainerInstances', {status: 403})

    const report = await status(await harness.open())

    expect(report.errors).toEqual([expect.stringMatching(/^ecs\.cluster \(cluster\/cluster, cluster\/runner-ec2\) details could not be read: ECS ListContainerInstances \(HTTP 403/)])
    expect(entryOf(report.resources, 'cluster/runner-ec2')).toMatchObject({condition: 'ok', health: {state: 'active'}})
    expect(entryOf(report.resources, 'cluster/runner-ec2').details).toBeUndefined()
    expect(entryOf(report.resources, 'service/api').details?.fields).toMatchObject({running: 1})
  })
})
