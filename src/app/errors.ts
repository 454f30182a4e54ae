/**
 * Errors a user can act on (exit code 1; see README, "Exit codes"). The
 * spec's errors live in src/spec, the lock's in src/state.
 */
export class UsageError extends Error {
  readonly exitCode = 1
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The user (or the absence of --yes without a terminal) declined a destructive change. Nothing was changed. */
export class CancelledError extends Error {
  readonly exitCode = 1
  constructor(readonly preview: unknown) {
    super('cancelled: nothing was changed')
    this.name = 'CancelledError'
  }
}
