import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, vi} from 'vitest'
import {Session, type SessionOptions} from '../../src/app/session.js'
import type {EngineEvent} from '../../src/engine/events.js'
import {SsmStateStore} from '../../src/state/ssm-store.js'
import {FakeCloud, type FakeCloudOptions} from '../fake-cloud/index.js'

export const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'containrlab.yaml')

/** The example's domain: its public hosted zone is the user's, made before containrlab runs (the spec does not say createZone). */
export const EXAMPLE_DOMAIN = 'containrlab.click'

/** The example's resources (test/stack/lifecycle.test.ts lists them). */
export const EXAMPLE_RESOURCES = 52
/** Of those, found rather than made: the user's hosted zone and AWS's ECS-optimised AMI. */
export const EXAMPLE_FOUND = 2
/** What `up` makes on an empty account, and what teardown deletes. */
export const EXAMPLE_CREATED = EXAMPLE_RESOURCES - EXAMPLE_FOUND

/**
 * A fake cloud installed into the SDK clients, with the example domain's
 * hosted zone in it as the user's account has it (registered with Route 53
 * Domains, which makes the zone).
 */
export function exampleCloud(options: FakeCloudOptions = {}): FakeCloud {
  const cloud = new FakeCloud(options).install()
  cloud.route53.seedZone(EXAMPLE_DOMAIN)
  return cloud
}

/**
 * Fake AWS with no waits: for tests that run a command as a user would, on
 * the wall clock (the fake's own clock never moves there), so nothing may
 * take fake time: no NAT gateway (`nat: none`), and a load balancer active,
 * a certificate issued, a record in sync and a deleted load balancer's
 * interfaces gone at once.
 */
export const INSTANT: FakeCloudOptions = {
  timings: {
    natAvailableMs: 0,
    natDeletedMs: 0,
    endpointAvailableMs: 0,
    endpointDeletedMs: 0,
    natDeletedVisibleMs: 0,
    releasedInterfaceAttachedMs: 0,
    releasedInterfaceDetachedMs: 0,
    instanceRunningMs: 0,
    instanceTerminatedMs: 0,
  },
  elbv2Timings: {activeMs: 0, deletedMs: 0, targetHealthyMs: 0},
  acmTimings: {recordsMs: 0, validationMs: 0},
  route53Timings: {changeSyncMs: 0},
  iamTimings: {propagationMs: 0},
  ecsTimings: {provisioningMs: 0, pendingMs: 0, stoppingMs: 0, capacityProviderDeleteMs: 0, targetHealthyMs: 0, deregistrationDelayMs: 0},
  autoscalingTimings: {refreshPendingMs: 0},
}

/** One temp folder per test file for the specs it writes, removed when the file's tests are done. */
let specDir: string | undefined
let specCount = 0
afterAll(() => {
  if (specDir) rmSync(specDir, {recursive: true, force: true})
  specDir = undefined
})

/** Writes a spec to a temp file (tests that vary the example). */
export function writeSpec(text: string): string {
  specDir ??= mkdtempSync(join(tmpdir(), 'containrlab-spec-'))
  const file = join(specDir, `containrlab-${++specCount}.yaml`)
  writeFileSync(file, text)
  return file
}

/** The example spec with `from` replaced by `to` (fails loudly when `from` is absent). */
export function exampleWith(from: string, to: string): string {
  return exampleEdited((text) => {
    if (!text.includes(from)) throw new Error(`example does not contain ${JSON.stringify(from)}`)
    return text.replace(from, to)
  })
}

/** The example spec edited by `edit`, in a temp file (fails loudly when the edit changes nothing). */
export function exampleEdited(edit: (text: string) => string): string {
  const text = readFileSync(EXAMPLE, 'utf8')
  const edited = edit(text)
  if (edited === text) throw new Error('the edit does not change the example')
  return writeSpec(edited)
}

/**
 * A fake cloud installed into the SDK clients, and sessions that run against
 * it on its virtual clock. `events` collects everything the engine emitted.
 */
export function stackHarness(options: FakeCloudOptions = {}) {
  const cloud = exampleCloud(options)
  const events: EngineEvent[] = []
  const open = (overrides: Partial<SessionOptions> = {}) =>
    Session.open({
      file: EXAMPLE,
      concurrency: 10,
      clock: cloud.clock,
      pollIntervalMs: 5_000,
      waitTimeoutMs: 20 * 60_000,
      emit: (event) => events.push(event),
      ...overrides,
    })
  const yes = async () => true
  return {cloud, events, open, yes, store: (session: Session) => session.store as SsmStateStore}
}

/** Names of SSM parameters under the stack's prefix. */
export function stackParameters(cloud: FakeCloud, stack = 'containrlab'): string[] {
  return cloud.ssm.names().filter((name) => name.startsWith(`/containrlab/${stack}/`))
}

/**
 * Commands run in-process (test/cli/run-command.ts) on the fake cloud's
 * virtual clock instead of the wall clock: ECS deployments and `logs
 * --follow` polls take simulated time, not real. Undone by `vi.restoreAllMocks()`.
 */
export function onFakeClock(cloud: FakeCloud): void {
  const open = Session.open.bind(Session)
  vi.spyOn(Session, 'open').mockImplementation((options) => open({...options, clock: cloud.clock}))
}
