/**
 * Exit codes: part of the interface for runbooks and CI (README, "Exit
 * codes"). 2 means "there are changes" (`plan --detailed-exitcode`) or
 * "something is not ok" (`status --detailed-exitcode`), never a mistake in
 * the command line: that is 64, EX_USAGE from sysexits.h.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  changes: 2,
  locked: 3,
  usage: 64,
  /** 128 + SIGINT's number, as shells report a process interrupted by Ctrl-C. */
  interrupted: 130,
} as const

/**
 * A failure the user can act on: the message says what is wrong and what to
 * do; no stack trace. Exit code 1. The spec's errors live in src/spec, the
 * lock's in src/state.
 */
export class UserError extends Error {
  readonly exitCode: number = EXIT.failure
  /** Short, stable name of the failure for `--json` documents (`error.code`). */
  readonly code: string = 'failure'
  constructor(message: string) {
    super(message)
    this.name = 'UserError'
  }
}

/**
 * The command was called wrong: a flag missing (`state unlock` without
 * --force), no way to tell which stack. Exit code 64, like oclif's own
 * parse errors (unknown flag or command, bad flag value).
 */
export class UsageError extends UserError {
  override readonly exitCode: number = EXIT.usage
  override readonly code: string = 'usage'
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The user (or the absence of --yes without a terminal) declined a destructive change. Nothing was changed. */
export class CancelledError extends UserError {
  override readonly code: string = 'cancelled'
  constructor(readonly preview: unknown) {
    super('cancelled: nothing was changed')
    this.name = 'CancelledError'
  }
}

/** A destructive change that was not confirmed (no --yes without a terminal), or that `up` refuses (it would delete data). Nothing was changed. */
export class RefusedError extends UserError {
  override readonly code: string = 'refused'
  constructor(message: string) {
    super(message)
    this.name = 'RefusedError'
  }
}

/**
 * `--profile` (or AWS_PROFILE) names a profile that neither shared file
 * defines. Exit code 1, not 64: the same name from AWS_PROFILE is no mistake
 * in the command line, and what is wrong may as well be the files.
 */
export class ProfileNotFoundError extends UserError {
  override readonly code: string = 'profile-not-found'
  constructor(
    readonly profile: string,
    readonly source: '--profile' | 'AWS_PROFILE',
    readonly files: {config: string; credentials: string},
    readonly found: string[],
  ) {
    super(
      [
        `AWS profile "${profile}" (from ${source}) does not exist.`,
        `  Profiles come from ${files.config} ([profile NAME] sections; AWS_CONFIG_FILE moves it) and ${files.credentials} ([NAME] sections; AWS_SHARED_CREDENTIALS_FILE moves it).`,
        found.length > 0 ? `  Profiles found there: ${found.join(', ')}.` : '  Neither file defines any profile.',
        '  `aws configure --profile NAME` or `aws configure sso` adds one; without a profile, credentials come from the environment (AWS_ACCESS_KEY_ID…) or the instance role.',
      ].join('\n'),
    )
    this.name = 'ProfileNotFoundError'
  }
}
