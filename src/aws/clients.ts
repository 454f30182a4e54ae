import type {EC2Client} from '@aws-sdk/client-ec2'
import type {SSMClient} from '@aws-sdk/client-ssm'
import type {Clock} from '../util/clock.js'
import {isThrottling} from './errors.js'

export interface ClientOptions {
  region?: string
  profile?: string
  clock: Clock
  /** Extra attempts our own wrapper makes after the SDK's adaptive retry gives up on throttling. */
  throttleRetries?: number
  /** Called once per API call that leaves the process (after the SDK's own retries). */
  onCall?: (service: string, operation: string) => void
}

type Sendable = {send: (command: any, options?: any) => Promise<any>}

/**
 * One client per service per run, created on first use through a dynamic
 * import: a top-level `import` of an SDK client costs ~300 ms of start-up
 * that `containrlab --help` should not pay (STYLE.md, "Start-up time").
 *
 * Credentials, region and endpoint come from the SDK's default chain
 * (AWS_PROFILE, SSO, AWS_REGION, AWS_ENDPOINT_URL…); `profile`/`region` flags
 * only override it.
 */
export class AwsClients {
  private readonly cache = new Map<string, Promise<unknown>>()

  constructor(readonly options: ClientOptions) {}

  ec2(): Promise<EC2Client> {
    return this.client('ec2', async (config) => {
      const {EC2Client} = await import('@aws-sdk/client-ec2')
      return new EC2Client(config)
    })
  }

  ssm(): Promise<SSMClient> {
    return this.client('ssm', async (config) => {
      const {SSMClient} = await import('@aws-sdk/client-ssm')
      return new SSMClient(config)
    })
  }

  /** The region the clients resolve to (flag, environment or profile). */
  async region(): Promise<string> {
    const ssm = await this.ssm()
    return ssm.config.region()
  }

  private client<T extends Sendable>(service: string, make: (config: Record<string, unknown>) => Promise<T>): Promise<T> {
    // containrlab supports Node 20 on purpose; the SDK's notice that its 2027 releases will need
    // Node 22 would otherwise be printed on every run, in the middle of the progress output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
    let existing = this.cache.get(service) as Promise<T> | undefined
    if (!existing) {
      const config: Record<string, unknown> = {retryMode: 'adaptive', maxAttempts: 8, customUserAgent: 'containrlab'}
      if (this.options.region) config.region = this.options.region
      if (this.options.profile) config.profile = this.options.profile
      existing = make(config).then((client) => this.instrument(service, client))
      this.cache.set(service, existing)
    }
    return existing
  }

  /**
   * Wraps `send` so that throttling which outlasts the SDK's retries is
   * retried again on our clock, and so that every call is counted. The
   * wrapper looks the prototype's `send` up at call time, which keeps
   * aws-sdk-client-mock's prototype stubs in effect.
   */
  private instrument<T extends Sendable>(service: string, client: T): T {
    const prototype = Object.getPrototypeOf(client) as Sendable
    const {clock, onCall} = this.options
    const retries = this.options.throttleRetries ?? 6
    client.send = async (command: any, options?: any) => {
      const operation = String(command?.constructor?.name ?? 'Unknown').replace(/Command$/, '')
      for (let attempt = 0; ; attempt++) {
        onCall?.(service, operation)
        try {
          return await prototype.send.call(client, command, options)
        } catch (error) {
          if (!isThrottling(error) || attempt >= retries) throw error
          await clock.sleep(Math.min(20_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2))
        }
      }
    }
    return client
  }
}
