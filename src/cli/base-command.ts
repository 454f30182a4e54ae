import {Command, type Interfaces, toConfiguredId} from '@oclif/core'
import {EXIT, RefusedError} from '../app/errors.js'
import type {RunReport} from '../app/report.js'
import {Session, type SessionOptions} from '../app/session.js'
import type {EventSink} from '../engine/events.js'
import {formatPlan} from '../ui/format.js'
import {errorDocument, exitCodeFor, isParseError, userMessage} from './errors.js'
import {type SharedFlagValues, stackFlags} from './flags.js'
import {Interrupts} from './interrupts.js'
import {closest} from './suggest.js'

export {exitCodeFor, userMessage} from './errors.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<T['flags']>

/** Exit codes are part of the interface for runbooks (README, "Exit codes"). */
export const EXIT_CODES = EXIT

/**
 * The run context and the error → exit-code mapping, once for every
 * command. A command's `run()` parses, calls one service in src/app and
 * renders its result; with --json oclif prints the returned value, with
 * `exitCode` added. Each command declares its own flags (src/cli/flags.ts).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  /** What a command that reads one stack from AWS takes (`state show`); commands declare theirs. */
  static override flags: Interfaces.FlagInput = stackFlags

  protected flags!: CommandFlags<T>
  protected readonly abort = new AbortController()
  protected readonly interrupts = new Interrupts(this.abort)

  /** Set while the command line is parsed: whatever fails then is a usage error (exit 64). */
  private parsing = false

  override async init(): Promise<void> {
    await super.init()
    this.parsing = true
    const {flags} = await this.parse(this.ctor as never)
    this.parsing = false
    this.flags = flags as CommandFlags<T>
    this.interrupts.install()
  }

  override async finally(error: Error | undefined): Promise<void> {
    this.interrupts.uninstall()
    await super.finally(error)
  }

  /** The command as the user types it: `state unlock`, not `state:unlock`. */
  protected get commandName(): string {
    return toConfiguredId(this.id ?? '', this.config)
  }

  /** The shared flags this command declares (the others are undefined). */
  protected get shared(): SharedFlagValues {
    return this.flags as SharedFlagValues
  }

  /** Loads and validates the spec (no AWS call) and builds the run's clients and state store. */
  protected session(extra: Partial<SessionOptions> & {emit?: EventSink} = {}): Promise<Session> {
    const flags = this.shared
    return Session.open({
      file: flags.file ?? 'containrlab.yaml',
      stack: flags.stack,
      region: flags.region,
      profile: flags.profile,
      // Commands without --concurrency make one read at a time (state show, state unlock).
      concurrency: flags.concurrency ?? 1,
      signal: this.abort.signal,
      ...extra,
    })
  }

  /**
   * Asks before a destructive change. --yes answers yes; without a terminal
   * (CI, a pipe) and without --yes the answer is no, with the reason.
   */
  protected async confirm(preview: RunReport, question: string): Promise<boolean> {
    if (this.shared.yes) return true
    if (!process.stdin.isTTY || this.jsonEnabled()) {
      if (!this.jsonEnabled()) this.log(formatPlan(preview))
      throw new RefusedError(`${question.replace(/\?$/, '')}: refused without --yes (stdin is not a terminal)`)
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

  /** The result under --json, with the exit code the process ends with (2 for changes, 130 interrupted, …). */
  protected override toSuccessJson(result: unknown): unknown {
    if (typeof result !== 'object' || result === null || Array.isArray(result)) return result
    return {...result, exitCode: Number(process.exitCode ?? EXIT.ok)}
  }

  /**
   * Every failure ends here, parse errors included (they come from init,
   * before the flags exist; --json is read from the raw argv). Under --json:
   * one small document on stdout and nothing else; otherwise the message on
   * stderr. An interrupted run keeps its exit code, 130.
   */
  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    const usage = this.parsing || isParseError(error)
    // The command line was parsed, and failed: no "did you forget to call this.parse" warning (dev and test runs).
    this.parsed ||= this.parsing
    const exit = Number(process.exitCode) === EXIT.interrupted ? EXIT.interrupted : usage ? EXIT.usage : exitCodeFor(error)
    process.exitCode = exit
    const message = usage ? this.describeUsageError(error) : userMessage(error)
    if (this.jsonEnabled()) {
      this.logJson(errorDocument(error, {exitCode: exit, command: this.commandName, message, usage}))
      return
    }
    if (process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
    this.error(message, {exit})
  }

  /** A usage error's message, with what to type instead. */
  private describeUsageError(error: Error): string {
    const help = `See \`${this.config.bin} ${this.commandName} --help\`.`
    const unknown = isParseError(error) && Array.isArray(error.flags) ? error.flags : []
    if (unknown.length > 0) return [...unknown.map((flag) => this.unknownFlag(flag)), help].join('\n')
    // oclif's words, tidied: `Parsing --concurrency \n\tExpected an integer…\nSee more help with --help`.
    const message = error.message.replace(/\n*See more help with --help\s*$/, '').replace(/^Parsing (--\S+)\s*\n\t/, '$1: ')
    return `${message}\n${help}`
  }

  /** `unknown flag --detailed-exitcod for \`containrlab plan\`: did you mean --detailed-exitcode?` */
  private unknownFlag(typed: string): string {
    const name = typed.replace(/=.*$/, '')
    const own = this.flagNames(this.ctor.flags ?? {})
    own.push('--json')
    const text = `unknown flag ${name} for \`${this.config.bin} ${this.commandName}\``
    const suggestion = closest(name, own)
    if (suggestion) return `${text}: did you mean ${suggestion}?`
    // A flag of another command (`validate --concurrency`): say which ones take it.
    const others = this.config.commands.filter((command) => command.id !== this.id && !command.hidden && this.flagNames(command.flags ?? {}).includes(name))
    if (others.length > 0) return `${text}: only ${others.map((command) => `\`${toConfiguredId(command.id, this.config)}\``).join(', ')} take it`
    return text
  }

  private flagNames(flags: Record<string, {char?: string; hidden?: boolean}>): string[] {
    return Object.entries(flags)
      .filter(([, flag]) => !flag.hidden)
      .flatMap(([name, flag]) => [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])])
  }
}
