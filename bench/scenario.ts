import {performance} from 'node:perf_hooks'
import {DEFAULT_POLL_INTERVAL_MS, Session} from '../src/app/session.js'
import {teardown} from '../src/app/teardown.js'
import {plan, up} from '../src/app/up.js'
import {trackNodeScopes} from '../src/engine/scope.js'
import {wallClock} from '../src/util/clock.js'
import {loadSpec} from '../src/spec/load.js'
import {FakeCloud, type FakeCloudOptions} from '../test/fake-cloud/index.js'
import {noopReadBudget} from './budget.js'
import {criticalPathMs} from './critical-path.js'
import {TRANSITION_MS, callLatencyMs} from './model.js'

export interface UpFigures {
  wallMs: number
  /** CPU time this process spent meanwhile (user + system): the local cost that the scale does not shrink. */
  cpuMs: number
  criticalPathMs: number
  ratio: number
  chain: string[]
}

export interface ScenarioFigures {
  spec: string
  resources: number
  kinds: number
  up: UpFigures
  noop: {wallMs: number; readCalls: number; mutatingCalls: number; nonSsmMutatingCalls: number; readBudget: number; readBudgetTerms: string[]; calls: Record<string, number>}
  teardown: UpFigures
}

const yes = async () => true

type Transition = keyof typeof TRANSITION_MS
type TimingOption = 'timings' | 'elbv2Timings' | 'acmTimings' | 'route53Timings' | 'iamTimings' | 'ecsTimings' | 'autoscalingTimings'

/**
 * Each fake's timing knobs, named by the transition of bench/model.ts they
 * simulate. ACM's 72-hour validation timeout and 198-day certificate
 * lifetime are limits, not waits: kept real, so that a certificate issued
 * here does not look about to expire.
 */
export const FAKE_TIMINGS = {
  timings: {
    natAvailableMs: 'natAvailable',
    natDeletedMs: 'natDeleted',
    natDeletedVisibleMs: 'natDeletedVisible',
    endpointAvailableMs: 'endpointAvailable',
    endpointDeletedMs: 'endpointDeleted',
    releasedInterfaceAttachedMs: 'releasedInterfaceAttached',
    releasedInterfaceDetachedMs: 'releasedInterfaceDetached',
    instanceRunningMs: 'instanceRunning',
    instanceTerminatedMs: 'instanceTerminated',
    instanceTerminatedVisibleMs: 'instanceTerminatedVisible',
  },
  elbv2Timings: {activeMs: 'loadBalancerActive', deletedMs: 'loadBalancerDeleted', targetHealthyMs: 'targetHealthy'},
  acmTimings: {recordsMs: 'certificateRecords', validationMs: 'certificateValidation'},
  route53Timings: {changeSyncMs: 'recordInSync'},
  iamTimings: {propagationMs: 'iamPropagation'},
  ecsTimings: {
    provisioningMs: 'taskProvisioning',
    pendingMs: 'taskPending',
    stoppingMs: 'taskStopping',
    stoppedVisibleMs: 'taskStoppedVisible',
    inactiveVisibleMs: 'ecsInactiveVisible',
    capacityProviderDeleteMs: 'capacityProviderDeleted',
    targetHealthyMs: 'targetHealthy',
    deregistrationDelayMs: 'targetDeregistrationDelay',
  },
  autoscalingTimings: {refreshPendingMs: 'instanceRefreshPending'},
} satisfies {[Option in TimingOption]: {[Knob in keyof NonNullable<FakeCloudOptions[Option]>]?: Transition}}

/** FAKE_TIMINGS with each knob set to its transition scaled. */
export function scaledTimings(scale: number): Pick<FakeCloudOptions, TimingOption> {
  const scaled = (knobs: Record<string, Transition>) => Object.fromEntries(Object.entries(knobs).map(([knob, transition]) => [knob, TRANSITION_MS[transition] * scale]))
  return Object.fromEntries(Object.entries(FAKE_TIMINGS).map(([option, knobs]) => [option, scaled(knobs)]))
}

/**
 * A fake cloud on the wall clock with the latency model scaled by `scale`,
 * installed into the SDK clients: every wait of the fake (its timings, which
 * default to test-friendly values) is a TRANSITION_MS one scaled
 * (FAKE_TIMINGS), so none runs at its unscaled default. A spec whose
 * domain's zone is the user's (`domain:` without `createZone`) finds it
 * there, as in an account where the domain is registered: `up` refuses a
 * missing one.
 */
export async function simulatedCloud(scale: number, file: string): Promise<FakeCloud> {
  // The critical path attributes each call to its node (bench/critical-path.ts).
  trackNodeScopes()
  const cloud = new FakeCloud({clock: wallClock, ...scaledTimings(scale)})
  cloud.faults.latencyMs = (service, operation) => callLatencyMs(service, operation) * scale
  const domain = (await loadSpec(file)).domain
  if (domain && !domain.createZone) cloud.route53.seedZone(domain.name)
  return cloud.install()
}

export function openSession(file: string, scale: number, concurrency: number, onCall?: (service: string, operation: string) => void): Promise<Session> {
  // Poll as the CLI does, scaled like everything else.
  return Session.open({file, concurrency, clock: wallClock, pollIntervalMs: DEFAULT_POLL_INTERVAL_MS * scale, stateSaveIntervalMs: 300 * scale, waitTimeoutMs: 20 * 60_000, onCall})
}

async function timed<T>(work: () => Promise<T>): Promise<{value: T; wallMs: number; cpuMs: number}> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const value = await work()
  const used = process.cpuUsage(cpu)
  return {value, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000}
}

/** `up` from empty on a fresh simulated cloud; the cloud is left deployed for what follows. */
export async function upFromEmpty(cloud: FakeCloud, file: string, scale: number, concurrency: number): Promise<UpFigures & {session: Session}> {
  const session = await openSession(file, scale, concurrency)
  cloud.resetCalls()
  const {value: report, wallMs, cpuMs} = await timed(() => up(session, yes))
  if (!report.ok) throw new Error(`up failed: ${report.errors.join('; ')}`)
  // The nodes that stored a create intent before their create (src/engine/apply.ts `create`): created or replaced.
  const created = new Set(report.resources.filter((resource) => resource.action === 'create' || resource.action === 'replace').map((resource) => resource.id))
  const path = criticalPathMs(session.nodes, cloud.calls, scale, 'up', created)
  return {wallMs, cpuMs, criticalPathMs: path.totalMs, ratio: wallMs / path.totalMs, chain: path.chain, session}
}

/** The chunks of the newest serial of a stack's state (a large document is stored in chunks: src/state/ssm-store.ts). */
function stateChunks(cloud: FakeCloud, stack: string): number {
  const perSerial = new Map<number, number>()
  const prefix = `/containrlab/${stack}/chunks/`
  for (const name of cloud.ssm.names()) {
    if (!name.startsWith(prefix)) continue
    const serial = Number(name.slice(prefix.length).split('/')[0])
    perSerial.set(serial, (perSerial.get(serial) ?? 0) + 1)
  }
  return perSerial.size === 0 ? 0 : perSerial.get(Math.max(...perSerial.keys()))!
}

/** up from empty → no-op up → teardown, for one spec. */
export async function runScenario(file: string, scale: number, concurrency = 10): Promise<ScenarioFigures> {
  const cloud = await simulatedCloud(scale, file)
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
    const budget = noopReadBudget(nodes, stateChunks(cloud, first.session.stack))

    const downSession = await openSession(file, scale, concurrency)
    cloud.resetCalls()
    const down = await timed(() => teardown(downSession, {confirm: yes}))
    if (!down.value.ok) throw new Error(`teardown failed: ${down.value.errors.join('; ')}`)
    const downPath = criticalPathMs(nodes, cloud.calls, scale, 'teardown', new Set())

    return {
      spec: file,
      resources: nodes.length,
      kinds,
      up: {wallMs: first.wallMs, cpuMs: first.cpuMs, criticalPathMs: first.criticalPathMs, ratio: first.ratio, chain: first.chain},
      noop: {
        wallMs: noop.wallMs,
        readCalls: reads.length,
        mutatingCalls: mutating.length,
        nonSsmMutatingCalls: mutating.filter((call) => call.service !== 'ssm').length,
        readBudget: budget.total,
        readBudgetTerms: budget.terms,
        calls: noopCalls,
      },
      teardown: {wallMs: down.wallMs, cpuMs: down.cpuMs, criticalPathMs: downPath.totalMs, ratio: down.wallMs / downPath.totalMs, chain: downPath.chain},
    }
  } finally {
    cloud.restore()
  }
}

/** Time of an offline plan (parse, validate, compile, diff against nothing) and of a plan against the deployed stack. */
export async function planTimes(file: string, scale: number): Promise<{planOfflineMs: number; planOnlineMs: number; resources: number}> {
  const offline = await timed(async () => plan(await Session.open({file, concurrency: 10}), {offline: true}))
  const cloud = await simulatedCloud(scale, file)
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
