import {EXIT} from '../app/errors.js'
import {exitWhenDrained} from './drain.js'

/**
 * Ctrl-C and SIGTERM during a run: the first asks the run to stop (calls in
 * flight finish, the state is saved, the lock released; exit code 130); a
 * second one quits at once. Listeners stay installed until `uninstall`, so
 * that the second signal reaches us too (with `process.once`, Node's default
 * handling would kill the process without our exit code).
 */
export class Interrupts {
  private count = 0
  /** What the first signal does, as told to the user; a command that holds no lock or state says less. */
  stopping = 'finishing the calls in flight, saving state and releasing the lock'
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.count++
    if (this.count > 1) {
      this.io.exit(EXIT_INTERRUPTED)
      return
    }
    this.io.warn(`\n${signal}: ${this.stopping} (again to quit at once)…\n`)
    this.io.setExitCode(EXIT_INTERRUPTED)
    this.abort.abort(new Error(`interrupted by ${signal}`))
  }

  constructor(
    private readonly abort: AbortController,
    private readonly io: {exit: (code: number) => void; setExitCode: (code: number) => void; warn: (text: string) => void} = {
      // At once, but with what was already written: a reader that does not read gets a second.
      exit: (code) => exitWhenDrained(code, 1_000),
      setExitCode: (code) => {
        process.exitCode = code
      },
      warn: (text) => process.stderr.write(text),
    },
  ) {}

  install(): void {
    process.on('SIGINT', this.onSignal)
    process.on('SIGTERM', this.onSignal)
  }

  uninstall(): void {
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
  }
}

/** 128 + SIGINT's number, as shells report a process interrupted by Ctrl-C. */
export const EXIT_INTERRUPTED = EXIT.interrupted
