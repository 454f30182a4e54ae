import {Flags} from '@oclif/core'

/**
 * The flags several commands share. Each command declares the ones it uses
 * (its `static flags`), so that `--help` lists only flags that do something
 * there: `validate` makes no AWS call (no --profile, no --concurrency), `state
 * show` changes nothing (no --yes).
 */

/** The spec file (every command; `state` commands can do without one when given --stack). */
export const file = Flags.string({char: 'f', summary: 'Stack spec file.', default: 'containrlab.yaml'})

export const region = Flags.string({summary: 'AWS region (default: the spec, then AWS_REGION or the profile).'})

/** What every command that calls AWS needs: which spec, which stack, where, as whom. */
export const stackFlags = {
  file,
  stack: Flags.string({summary: "Stack name (default: the spec's `name`)."}),
  region,
  // AWS_PROFILE is read by Session (and the SDK) when --profile is absent, so that errors can say where the name came from.
  profile: Flags.string({summary: 'AWS profile from ~/.aws/config or ~/.aws/credentials (default: AWS_PROFILE).'}),
}

/** Commands that read or change many resources at once: up, plan, status, teardown. */
export const concurrency = Flags.integer({summary: 'How many resources to work on at once.', default: 10, min: 1, max: 64})

/** Commands that ask before destructive changes: up, teardown. */
export const yes = Flags.boolean({char: 'y', summary: 'Do not ask before destructive changes (required for them without a terminal).', default: false})

/** The values BaseCommand reads from whichever of these a command declares. */
export interface SharedFlagValues {
  file?: string
  stack?: string
  region?: string
  profile?: string
  concurrency?: number
  yes?: boolean
}
