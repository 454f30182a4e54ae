import {Command, Flags, type Interfaces} from '@oclif/core'
import {CancelledError, UsageError} from '../app/errors.js'
import type {RunReport} from '../app/report.js'
import {Session, type SessionOptions} from '../app/session.js'
import {describeError, errorCode, errorMessage} from '../aws/errors.js'
import type {EventSink} from '../engine/events.js'
import {SpecError} from '../spec/errors.js'
import {LockHeldError} from '../state/types.js'
import {formatPlan} from '../ui/format.js'
import {EXIT_INTERRUPTED, Interrupts} from './interrupts.js'

export type GlobalFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

/** Exit codes are part of the interface for runbooks (README, "Exit codes"). */
export const EXIT_CODES = {failure: 1, changes: 2, locked: 3, interrupted: EXIT_INTERRUPTED} as const

/**
 * Global flags, the run context and the error → exit-code mapping, once for
 * every command. A command's `run()` parses, calls one service in src/app
 * and renders its result; with --json oclif prints the returned value.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    file: Flags.string({char: 'f', summary: 'Stack spec file.', default: 'containrlab.yaml', helpGroup: 'GLOBAL'}),
    stack: Flags.string({summary: "Stack name (default: the spec's `name`).", helpGroup: 'GLOBAL'}),
    region: Flags.string({summary: 'AWS region (default: the spec, then AWS_REGION or the profile).', helpGroup: 'GLOBAL'}),
    profile: Flags.string({summary: 'AWS profile from ~/.aws/config.', env: 'AWS_PROFILE', helpGroup: 'GLOBAL'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask before destructive changes (required for them without a terminal).', default: false, helpGroup: 'GLOBAL'}),
    concurrency: Flags.integer({summary: 'How many resources to work on at once.', default: 10, min: 1, max: 64, helpGroup: 'GLOBAL'}),
  }

  protected flags!: GlobalFlags<T>
  protected readonly abort = new AbortController()
  private readonly interrupts = new Interrupts(this.abort)

  override async init(): Promise<void> {
    await super.init()
    const {flags} = await this.parse(this.ctor as never)
    this.flags = flags as GlobalFlags<T>
    this.interrupts.install()
  }

  override async finally(error: Error | undefined): Promise<void> {
    this.interrupts.uninstall()
    await super.finally(error)
  }

  /** Loads and validates the spec (no AWS call) and builds the run's clients and state store. */
  protected session(extra: Partial<SessionOptions> & {emit?: EventSink} = {}): Promise<Session> {
    return Session.open({
      file: this.flags.file,
      stack: this.flags.stack,
      region: this.flags.region,
      profile: this.flags.profile,
      concurrency: this.flags.concurrency,
      signal: this.abort.signal,
      ...extra,
    })
  }

  /**
   * Asks before a destructive change. --yes answers yes; without a terminal
   * (CI, a pipe) and without --yes the answer is no, with the reason.
   */
  protected async confirm(preview: RunReport, question: string): Promise<boolean> {
    if (this.flags.yes) return true
    if (!process.stdin.isTTY || this.jsonEnabled()) {
      if (!this.jsonEnabled()) this.log(formatPlan(preview))
      throw new UsageError(`${question.replace(/\?$/, '')}: refused without --yes (stdin is not a terminal)`)
    }
    this.log(formatPlan(preview))
    const {createInterface} = await import('node:readline/promises')
    const rl = createInterface({input: process.stdin, output: process.stdout})
    try {
      const answer = await rl.question(`\n${question} Only "yes" is accepted: `)
      return answer.trim() === 'yes'
    } finally {
      rl.close()
    }
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    const exit = exitCodeFor(error)
    process.exitCode = exit
    if (this.jsonEnabled()) {
      this.logJson({...this.toErrorJson(error), code: errorCode(error), exitCode: exit})
      return
    }
    if (process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
    this.error(userMessage(error), {exit})
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof LockHeldError) return EXIT_CODES.locked
  const code = (error as {oclif?: {exit?: number}})?.oclif?.exit
  if (typeof code === 'number') return code
  return EXIT_CODES.failure
}

/** What a user reads: the error's own words, no stack trace (DEBUG=1 for that). */
export function userMessage(error: unknown): string {
  if (error instanceof SpecError || error instanceof LockHeldError || error instanceof UsageError || error instanceof CancelledError) return error.message
  const code = errorCode(error)
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(errorMessage(error))) {
    return `no AWS credentials: ${errorMessage(error)}\n  Set AWS_PROFILE (or --profile), run \`aws sso login\`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. For an offline preview: containrlab plan --offline`
  }
  return describeError(error)
}
