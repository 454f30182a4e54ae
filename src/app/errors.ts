/**
 * Errors a user can act on, each with its exit code (README, "Exit codes").
 * Anything else is a bug or an AWS error and exits 1.
 */
export class UsageError extends Error {
  readonly exitCode = 1
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A run that finished with some resources not converged; the result is still reported. */
export class RunFailedError extends Error {
  readonly exitCode = 1
  constructor(message: string, readonly result: unknown) {
    super(message)
    this.name = 'RunFailedError'
  }
}

export const EXIT = {ok: 0, failure: 1, changes: 2, locked: 3} as const

/** The user (or the absence of --yes without a terminal) declined a destructive change. Nothing was changed. */
export class CancelledError extends Error {
  readonly exitCode = 1
  constructor(readonly preview: unknown) {
    super('cancelled: nothing was changed')
    this.name = 'CancelledError'
  }
}
