import type {
  FinalizeHandler,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  HttpHandlerOptions,
  HttpRequest,
  HttpResponse,
  InitializeHandler,
  InitializeMiddleware,
  MiddlewareStack,
  RequestHandler,
} from '@smithy/types'
import type {Clock} from '../util/clock.js'
import {ClockRetryStrategy, type RetryPolicy} from './retry.js'

/** The part of an SDK v3 client this module relies on. */
export interface SdkClient {
  config: {region: () => Promise<string>}
  // Each client's stack is typed with its own input/output unions; this module handles any of them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: MiddlewareStack<any, any>
}

/** The configuration AwsClients gives every client (a subset of every SDK client's config). */
export interface SdkClientConfig {
  region?: string
  profile?: string
  customUserAgent?: string
  maxAttempts?: number
  retryStrategy?: ClockRetryStrategy
  requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>
}

/** How to make one service's client. */
export interface ServiceEntry<C extends SdkClient = SdkClient> {
  /**
   * Loads the client class. Always a dynamic `import()`: a top-level import
   * of an SDK client costs ~300 ms of start-up that `containrlab --help`
   * should not pay (STYLE.md, "Start-up time").
   */
  load: () => Promise<new (config: SdkClientConfig) => C>
  /**
   * A global service (IAM, Route 53): one endpoint per partition, whatever
   * the run's region, so its client gets the partition's global region
   * (`us-east-1` in the `aws` partition; see GLOBAL_REGIONS).
   */
  global?: boolean
}

export type ServiceTable = Record<string, ServiceEntry>

/**
 * Every AWS service containrlab calls, by the name used in code and in
 * `onCall`. Adding one is one entry, once its client package is a
 * dependency; the seeds need:
 *
 *   iam:         {load: async () => (await import('@aws-sdk/client-iam')).IAMClient, global: true},
 *   route53:     {load: async () => (await import('@aws-sdk/client-route-53')).Route53Client, global: true},
 *   elbv2:       {load: async () => (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client},
 *   ecs, rds, ecr, logs (client-cloudwatch-logs), acm, autoscaling: the same, regional.
 */
export const SERVICES = {
  ec2: {load: once(async () => (await import('@aws-sdk/client-ec2')).EC2Client)},
  ssm: {load: once(async () => (await import('@aws-sdk/client-ssm')).SSMClient)},
  elbv2: {load: once(async () => (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client)},
  acm: {load: once(async () => (await import('@aws-sdk/client-acm')).ACMClient)},
  route53: {load: once(async () => (await import('@aws-sdk/client-route-53')).Route53Client), global: true},
  iam: {load: once(async () => (await import('@aws-sdk/client-iam')).IAMClient), global: true},
  ecr: {load: once(async () => (await import('@aws-sdk/client-ecr')).ECRClient)},
  logs: {load: once(async () => (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient)},
  autoscaling: {load: once(async () => (await import('@aws-sdk/client-auto-scaling')).AutoScalingClient)},
  ecs: {load: once(async () => (await import('@aws-sdk/client-ecs')).ECSClient)},
} satisfies ServiceTable

/** Keeps a loader's promise: a dynamic import costs a trip through the module loader every time it runs. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined
  return () => (loaded ??= load())
}

export type ServiceName = keyof typeof SERVICES
export type ClientOf<E> = E extends ServiceEntry<infer C> ? C : never
export type ServiceClient<S extends ServiceName> = ClientOf<(typeof SERVICES)[S]>

/**
 * The region a global service's endpoint lives in, per partition. IAM and
 * Route 53 have one endpoint per partition (iam.amazonaws.com and
 * route53.amazonaws.com, both signed for us-east-1, in the `aws` partition):
 * https://docs.aws.amazon.com/general/latest/gr/iam-service.html
 * https://docs.aws.amazon.com/general/latest/gr/r53.html
 * https://docs.aws.amazon.com/general/latest/gr/rande.html#global-endpoints
 * (Route 53 in China signs for cn-northwest-1; the SDK's endpoint rules map
 * any China region to it.) A partition missing here keeps the run's region
 * and leaves the mapping to the SDK's endpoint rules.
 */
export const GLOBAL_REGIONS: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
}

/** The partition of a region, from its name (`cn-…` China, `us-gov-…` GovCloud, `us-iso-…`/`us-isob-…` isolated). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('us-isob-')) return 'aws-iso-b'
  if (region.startsWith('us-iso-')) return 'aws-iso'
  return 'aws'
}

/** The region a service's client uses on a run in `runRegion`. */
export function serviceRegion(entry: ServiceEntry, runRegion: string | undefined): string | undefined {
  if (!entry.global) return runRegion
  if (!runRegion) return GLOBAL_REGIONS.aws
  return GLOBAL_REGIONS[partitionOf(runRegion)] ?? runRegion
}

export interface AwsClientsOptions<Table extends ServiceTable & typeof SERVICES = typeof SERVICES> {
  /** Overrides the SDK's default chain (AWS_REGION, the profile's region). */
  region?: string
  profile?: string
  /** The run's clock: retry back-offs and rate-limit waits sleep on it. */
  clock: Clock
  /** The run's abort signal: cuts retry back-offs short (see src/aws/retry.ts); requests on the wire are not aborted. */
  signal?: AbortSignal
  /** Overrides of the retry policy (attempts, back-off bases and cap). */
  retry?: Partial<RetryPolicy>
  /** Called once per attempt that is sent, retries included, with the service name and operation (`CreateVpc`). */
  onCall?: (service: string, operation: string) => void
  /** Test seam: the HTTP handler every client sends through (a stub answering canned responses). */
  requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>
  /** Test seam: a service table to use instead of SERVICES (it must contain SERVICES' entries). */
  services?: Table
}

/** Name of the call-counting middleware (after `retryMiddleware`, so it sees every attempt). */
export const CALL_COUNTER_MIDDLEWARE = 'containrlabCallCounter'

/** Name of the middleware that names the call on every error it throws (the first of the stack, so it sees the final error). */
export const ERROR_CONTEXT_MIDDLEWARE = 'containrlabErrorContext'

/**
 * One client per service per run, each created on first use.
 *
 * Credentials, region and endpoint come from the SDK's default chain
 * (AWS_PROFILE, SSO, AWS_REGION, AWS_ENDPOINT_URL…); `profile`/`region`
 * only override it. Every client gets the same retry policy (retry.ts,
 * one strategy instance per client: throttling is per service) and, for
 * `onCall`, a counting middleware: no wrapped `send`.
 */
export class AwsClients<Table extends ServiceTable & typeof SERVICES = typeof SERVICES> {
  private readonly cache = new Map<string, Promise<SdkClient>>()
  private readonly services: Table

  constructor(readonly options: AwsClientsOptions<Table>) {
    this.services = options.services ?? (SERVICES as Table)
  }

  ec2(): Promise<ServiceClient<'ec2'>> {
    return this.client('ec2')
  }

  ssm(): Promise<ServiceClient<'ssm'>> {
    return this.client('ssm')
  }

  /** The client of `service`, created on first use. */
  client<S extends keyof Table & string>(service: S): Promise<ClientOf<Table[S]>> {
    let client = this.cache.get(service)
    if (!client) {
      const entry: ServiceEntry | undefined = this.services[service]
      if (!entry) return Promise.reject(new Error(`no AWS service ${service} in the client table`))
      client = this.create(service, entry)
      this.cache.set(service, client)
    }
    return client as Promise<ClientOf<Table[S]>>
  }

  /** The region of the run: the `region` option, else the SDK's chain (AWS_REGION, the profile); read locally, no network. */
  async region(): Promise<string> {
    if (this.options.region) return this.options.region
    const ssm = await this.ssm()
    return ssm.config.region()
  }

  private async create(service: string, entry: ServiceEntry): Promise<SdkClient> {
    // containrlab supports Node 20 on purpose; the SDK's notice that its 2027 releases will need
    // Node 22 would otherwise be printed on every run, in the middle of the progress output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
    const {clock, signal, retry, profile, requestHandler, onCall} = this.options
    const strategy = new ClockRetryStrategy({clock, signal, ...retry})
    const config: SdkClientConfig = {customUserAgent: 'containrlab', retryStrategy: strategy, maxAttempts: strategy.policy.maxAttempts}
    const region = entry.global ? serviceRegion(entry, await this.region().catch(() => undefined)) : this.options.region
    if (region) config.region = region
    if (profile) config.profile = profile
    if (requestHandler) config.requestHandler = requestHandler
    const Client = await entry.load()
    const client = new Client(config)
    client.middlewareStack.add(nameTheCall(signal), {name: ERROR_CONTEXT_MIDDLEWARE, step: 'initialize', priority: 'high'})
    if (onCall) {
      client.middlewareStack.addRelativeTo(countAttempts(service, onCall), {
        name: CALL_COUNTER_MIDDLEWARE,
        relation: 'after',
        toMiddleware: 'retryMiddleware',
      })
    }
    return client
  }
}

/**
 * Calls `onCall` once per attempt. The SDK's `retryMiddleware` sits in the
 * finalizeRequest step at high priority and loops over everything after
 * it; placed right after it, this middleware runs once per attempt, after
 * any back-off and before signing and sending (and before the test fake
 * cloud, which answers where signing would start: test/fake-cloud/index.ts,
 * so its call log and `onCall` count the same attempts).
 */
// The same middleware serves every client, whatever its input and output types.
/* eslint-disable @typescript-eslint/no-explicit-any */
function countAttempts(service: string, onCall: (service: string, operation: string) => void): FinalizeRequestMiddleware<any, any> {
  return (next: FinalizeHandler<any, any>, context: HandlerExecutionContext) => (args) => {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    onCall(service, String(context.commandName ?? 'Unknown').replace(/Command$/, ''))
    return next(args)
  }
}

/**
 * Names the call on the error it finally rejects with, after the SDK's
 * retries (the initialize step wraps everything, the retry loop included):
 * `$service` (`EC2`, from the client's class name) and `$operation`
 * (`DescribeSubnets`), non-enumerable, and `$metadata.httpStatusCode` from
 * the raw response when the SDK did not set it (an answer it could not
 * parse). src/aws/errors.ts's describeError prints them:
 * `EC2 DescribeSubnets (HTTP 502, 8 attempts): …`. The abort signal's
 * reason, one object shared by every call an interrupt ends, is left alone.
 */
// The same middleware serves every client, whatever its input and output types.
/* eslint-disable @typescript-eslint/no-explicit-any */
function nameTheCall(signal: AbortSignal | undefined): InitializeMiddleware<any, any> {
  return (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => async (args) => {
    /* eslint-enable @typescript-eslint/no-explicit-any */
    try {
      return await next(args)
    } catch (error) {
      if (typeof error === 'object' && error !== null && error !== signal?.reason && Object.isExtensible(error)) annotate(error as Record<string, unknown>, context)
      throw error
    }
  }
}

function annotate(error: Record<string, unknown>, context: HandlerExecutionContext): void {
  const hidden = (key: string, value: unknown) => {
    if (!(key in error)) Object.defineProperty(error, key, {value, enumerable: false, writable: true, configurable: true})
  }
  hidden('$service', String(context.clientName ?? 'AWS').replace(/Client$/, ''))
  hidden('$operation', String(context.commandName ?? 'call').replace(/Command$/, ''))
  const response = error.$response as {statusCode?: unknown} | undefined
  const metadata = error.$metadata as {httpStatusCode?: unknown} | undefined
  if (typeof response?.statusCode === 'number' && metadata?.httpStatusCode === undefined) {
    try {
      error.$metadata = {...metadata, httpStatusCode: response.statusCode}
    } catch {
      // a read-only $metadata keeps what it has
    }
  }
}
