import {join} from 'node:path'
import {AwsClients} from '../aws/clients.js'
import type {EventSink} from '../engine/events.js'
import {compileSpec} from '../graph/compile.js'
import type {ResourceNode} from '../graph/types.js'
import type {ReconcileContext} from '../resources/types.js'
import {loadSpec} from '../spec/load.js'
import type {Spec} from '../spec/schema.js'
import {SsmStateStore} from '../state/ssm-store.js'
import type {StateStore} from '../state/types.js'
import {type Clock, wallClock} from '../util/clock.js'
import {ProfileNotFoundError, UsageError, UserError} from './errors.js'

export interface SessionOptions {
  /** Spec file; required unless `specOptional` and `stack` is given. */
  file: string
  stack?: string
  region?: string
  /** `--profile`; without it the SDK reads AWS_PROFILE itself. */
  profile?: string
  concurrency: number
  /** `state show` / `state unlock` work from `--stack` alone. */
  specOptional?: boolean
  clock?: Clock
  emit?: EventSink
  signal?: AbortSignal
  pollIntervalMs?: number
  waitTimeoutMs?: number
  /** Least time between two saves of the state (default 300 ms: about 3 a second at most). */
  stateSaveIntervalMs?: number
  /** Overrides the SSM store (tests). */
  store?: StateStore
  onCall?: (service: string, operation: string) => void
}

export const DEFAULT_POLL_INTERVAL_MS = 2_000

/**
 * Everything one command run needs, built from flags and the spec. The spec
 * is loaded and validated first, so a bad spec fails before any AWS client
 * exists.
 */
export class Session {
  private constructor(
    readonly spec: Spec | undefined,
    readonly nodes: ResourceNode[],
    readonly stack: string,
    readonly region: string,
    readonly aws: AwsClients,
    readonly store: StateStore,
    readonly options: SessionOptions & {clock: Clock; emit: EventSink; signal: AbortSignal},
  ) {}

  static async open(options: SessionOptions): Promise<Session> {
    let spec: Spec | undefined
    try {
      spec = await loadSpec(options.file)
    } catch (error) {
      if (!(options.specOptional && options.stack && isMissingFile(error))) throw error
    }
    const stack = options.stack ?? spec?.name
    if (!stack) throw new UsageError('no stack name: give --stack or a spec with `name:`')
    // Before the region (a profile may hold it) and before any AWS call: the SDK would only say "no credentials".
    await checkProfile(options.profile)
    const clock = options.clock ?? wallClock
    let region = options.region ?? spec?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
    // Ctrl-C ends the resources' waits and back-offs (the signal); the state's own calls keep their
    // retries, so that what was done is saved and the lock released after an interrupt too.
    const aws = new AwsClients({region, profile: options.profile, clock, onCall: options.onCall, signal: options.signal})
    // Last resort: the profile's region (~/.aws/config); read locally, no network.
    region ??= await aws.region().catch(() => undefined)
    if (!region) throw new UserError('no AWS region: set `region:` in the spec, pass --region, or set AWS_REGION')
    // A spec without `region:` runs where the run's region is: its AZs must be there (located errors, no AWS call).
    if (spec && !spec.region) spec = await loadSpec(options.file, {runRegion: region})
    const nodes = spec ? compileSpec(spec, region) : []
    const stateAws = new AwsClients({region, profile: options.profile, clock, onCall: options.onCall})
    const store = options.store ?? new SsmStateStore(stateAws, stack)
    const full = {...options, clock, emit: options.emit ?? (() => {}), signal: options.signal ?? new AbortController().signal}
    return new Session(spec, nodes, stack, region, aws, store, full)
  }

  /** The spec's graph; fails (exit 1) when the command needs a spec and none was loaded. */
  requireNodes(): ResourceNode[] {
    if (!this.spec) throw new UserError(`no spec file at ${this.options.file}`)
    return this.nodes
  }

  /** Pacing of state saves for a StateWriter. */
  get statePacing(): {clock: Clock; minIntervalMs: number} {
    return {clock: this.options.clock, minIntervalMs: this.options.stateSaveIntervalMs ?? 300}
  }

  /** A reconcile context whose progress reports are tagged with the node. */
  context = (nodeId: string): ReconcileContext => ({
    stack: this.stack,
    region: this.region,
    aws: this.aws,
    clock: this.options.clock,
    signal: this.options.signal,
    // Every 2 s: a NAT gateway's ~90 s wait costs ~45 DescribeNatGateways, far inside EC2's
    // request-rate budget for reads, and ends on average 1 s after AWS is done (5 s: 2.5 s).
    pollIntervalMs: this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    waitTimeoutMs: this.options.waitTimeoutMs ?? 20 * 60_000,
    progress: (message) => this.options.emit({type: 'node-progress', id: nodeId, message}),
  })
}

/**
 * A named profile (`--profile`, else AWS_PROFILE) must exist in the shared
 * config or credentials file, read as the SDK reads them (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, `[profile NAME]` / `[NAME]` sections). With
 * a profile named, the SDK's chain never falls back to environment keys, and
 * the AWS CLI refuses an unknown profile too ("The config profile (NAME)
 * could not be found").
 */
export async function checkProfile(flag: string | undefined): Promise<void> {
  const profile = flag ?? process.env.AWS_PROFILE
  if (!profile) return
  const {getHomeDir, loadSharedConfigFiles} = await import('@smithy/core/config')
  const files = {
    config: process.env.AWS_CONFIG_FILE || join(getHomeDir(), '.aws', 'config'),
    credentials: process.env.AWS_SHARED_CREDENTIALS_FILE || join(getHomeDir(), '.aws', 'credentials'),
  }
  const {configFile, credentialsFile} = await loadSharedConfigFiles({configFilepath: files.config, filepath: files.credentials, ignoreCache: true})
  // The config file's other sections come back prefixed (`sso-session.NAME`, `services.NAME`).
  const configProfiles = Object.keys(configFile).filter((name) => !/^(sso-session|services)\./.test(name))
  const found = [...new Set([...configProfiles, ...Object.keys(credentialsFile)])].sort()
  if (!found.includes(profile)) throw new ProfileNotFoundError(profile, flag ? '--profile' : 'AWS_PROFILE', files, found)
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT' || /no spec file|ENOENT|not found/i.test(String((error as Error)?.message))
}
