import {performance} from 'node:perf_hooks'
import {DEFAULT_POLL_INTERVAL_MS, Session} from '../src/app/session.js'
import {teardown} from '../src/app/teardown.js'
import {plan, up} from '../src/app/up.js'
import {wallClock} from '../src/util/clock.js'
import {FakeCloud} from '../test/fake-cloud/index.js'
import {criticalPathMs} from './critical-path.js'
import {TRANSITION_MS, callLatencyMs} from './model.js'

export interface UpFigures {
  wallMs: number
  criticalPathMs: number
  ratio: number
  chain: string[]
}

export interface ScenarioFigures {
  spec: string
  resources: number
  kinds: number
  up: UpFigures
  noop: {wallMs: number; readCalls: number; mutatingCalls: number; ec2MutatingCalls: number; readBudget: number; calls: Record<string, number>}
  teardown: UpFigures
}

const yes = async () => true

/** A fake cloud on the wall clock with the latency model scaled by `scale`, installed into the SDK clients. */
export function simulatedCloud(scale: number): FakeCloud {
  const cloud = new FakeCloud({
    clock: wallClock,
    timings: {
      natAvailableMs: TRANSITION_MS.natAvailable * scale,
      natDeletedMs: TRANSITION_MS.natDeleted * scale,
      endpointAvailableMs: TRANSITION_MS.endpointAvailable * scale,
      endpointDeletedMs: TRANSITION_MS.endpointDeleted * scale,
    },
  })
  cloud.faults.latencyMs = (service, operation) => callLatencyMs(service, operation) * scale
  return cloud.install()
}

export function openSession(file: string, scale: number, concurrency: number, onCall?: (service: string, operation: string) => void): Promise<Session> {
  // Poll as the CLI does, scaled like everything else.
  return Session.open({file, concurrency, clock: wallClock, pollIntervalMs: DEFAULT_POLL_INTERVAL_MS * scale, stateSaveIntervalMs: 300 * scale, waitTimeoutMs: 20 * 60_000, onCall})
}

async function timed<T>(work: () => Promise<T>): Promise<{value: T; wallMs: number}> {
  const started = performance.now()
  const value = await work()
  return {value, wallMs: performance.now() - started}
}

/** `up` from empty on a fresh simulated cloud; the cloud is left deployed for what follows. */
export async function upFromEmpty(cloud: FakeCloud, file: string, scale: number, concurrency: number): Promise<UpFigures & {session: Session}> {
  const session = await openSession(file, scale, concurrency)
  cloud.resetCalls()
  const {value: report, wallMs} = await timed(() => up(session, yes))
  if (!report.ok) throw new Error(`up failed: ${report.errors.join('; ')}`)
  const path = criticalPathMs(session.nodes, cloud.calls, scale, 'up')
  return {wallMs, criticalPathMs: path.totalMs, ratio: wallMs / path.totalMs, chain: path.chain, session}
}

/** up from empty → no-op up → teardown, for one spec. */
export async function runScenario(file: string, scale: number, concurrency = 10): Promise<ScenarioFigures> {
  const cloud = simulatedCloud(scale)
  try {
    const first = await upFromEmpty(cloud, file, scale, concurrency)
    const nodes = first.session.nodes
    const kinds = new Set(nodes.map((node) => node.kind)).size

    // Sessions (spec parsing, local work that AWS latency does not scale) open outside the timed part.
    // Counted twice: by the client wrapper where every SDK call leaves (src/aws/clients.ts), and by the fake.
    let clientCalls = 0
    const noopSession = await openSession(file, scale, concurrency, () => clientCalls++)
    cloud.resetCalls()
    const noop = await timed(() => up(noopSession, yes))
    if (noop.value.summary.noop !== nodes.length) throw new Error(`no-op up changed something: ${JSON.stringify(noop.value.summary)}`)
    if (clientCalls !== cloud.calls.length) throw new Error(`client counted ${clientCalls} calls, the fake ${cloud.calls.length}`)
    const reads = cloud.calls.filter((call) => !call.mutating)
    const noopCalls = cloud.callCounts()
    const mutating = cloud.calls.filter((call) => call.mutating)

    const downSession = await openSession(file, scale, concurrency)
    cloud.resetCalls()
    const down = await timed(() => teardown(downSession, {confirm: yes}))
    if (!down.value.ok) throw new Error(`teardown failed: ${down.value.errors.join('; ')}`)
    const downPath = criticalPathMs(nodes, cloud.calls, scale, 'teardown')

    return {
      spec: file,
      resources: nodes.length,
      kinds,
      up: {wallMs: first.wallMs, criticalPathMs: first.criticalPathMs, ratio: first.ratio, chain: first.chain},
      noop: {
        wallMs: noop.wallMs,
        readCalls: reads.length,
        mutatingCalls: mutating.length,
        ec2MutatingCalls: mutating.filter((call) => call.service === 'ec2').length,
        readBudget: kinds + 5,
        calls: noopCalls,
      },
      teardown: {wallMs: down.wallMs, criticalPathMs: downPath.totalMs, ratio: down.wallMs / downPath.totalMs, chain: downPath.chain},
    }
  } finally {
    cloud.restore()
  }
}

/** Time of an offline plan (parse, validate, compile, diff against nothing) and of a plan against the deployed stack. */
export async function planTimes(file: string, scale: number): Promise<{planOfflineMs: number; planOnlineMs: number; resources: number}> {
  const offline = await timed(async () => plan(await Session.open({file, concurrency: 10}), {offline: true}))
  const cloud = simulatedCloud(scale)
  try {
    await upFromEmpty(cloud, file, scale, 10)
    const session = await openSession(file, scale, 10)
    const online = await timed(() => plan(session, {offline: false}))
    if (online.value.changes) throw new Error('the plan of a deployed stack shows changes')
    return {planOfflineMs: offline.wallMs, planOnlineMs: online.wallMs, resources: offline.value.resources.length}
  } finally {
    cloud.restore()
  }
}
