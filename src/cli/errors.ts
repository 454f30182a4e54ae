import {UnreadableError} from '../engine/converge.js'
import {Errors} from '@oclif/core'
import {CancelledError, EXIT, UserError} from '../app/errors.js'
import {describeError, errorCode, errorMessage} from '../aws/errors.js'
import {SpecError} from '../spec/errors.js'
import {LockHeldError} from '../state/types.js'

/**
 * One error, as `--json` prints it: one small document on stdout, nothing
 * else. `error.code` is a stable name of the failure (`usage`, `spec`,
 * `locked`, `profile-not-found`, `no-credentials`, `aws`, `cancelled`,
 * `refused`, `failure`…); `exitCode` is the process's exit code.
 */
export interface ErrorDocument {
  ok: false
  /** The command, as typed (`state unlock`), when one was found. */
  command?: string
  error: {
    code: string
    message: string
    /** AWS's error code (`UnauthorizedOperation`…), for `code: 'aws'`. */
    awsCode?: string
    /** Every problem of a spec, with its path and line, for `code: 'spec'`. */
    issues?: unknown[]
    /** Who holds the lock, for `code: 'locked'`. */
    holder?: unknown
  }
  exitCode: number
}

/**
 * oclif's parse errors (unknown flag, bad flag value, missing or unexpected
 * argument) carry `parse`; they are usage errors whatever exit code the
 * parser picked.
 */
export function isParseError(error: unknown): error is Errors.CLIError & {parse: unknown; flags?: string[]} {
  return error instanceof Errors.CLIError && 'parse' in error
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof LockHeldError) return EXIT.locked
  if (error instanceof UserError) return error.exitCode
  if (isParseError(error)) return EXIT.usage
  const code = (error as {oclif?: {exit?: number}})?.oclif?.exit
  if (typeof code === 'number') return code
  return EXIT.failure
}

function isMissingCredentials(error: unknown): boolean {
  return errorCode(error) === 'CredentialsProviderError' || /Could not load credentials/i.test(errorMessage(error))
}

/** What a user reads: the error's own words, no stack trace (DEBUG=1 for that). */
export function userMessage(error: unknown): string {
  if (error instanceof SpecError || error instanceof LockHeldError || error instanceof UserError || error instanceof CancelledError) return error.message
  if (error instanceof Errors.CLIError) return error.message
  if (isMissingCredentials(error)) {
    return `no AWS credentials: ${errorMessage(error)}\n  Set AWS_PROFILE (or --profile), run \`aws sso login\`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. For an offline preview: containrlab plan --offline`
  }
  return describeError(error)
}

/** The `--json` document of a failed command. `message` overrides the error's own (a usage error with its suggestion). */
export function errorDocument(error: unknown, options: {exitCode: number; command?: string; message?: string; usage?: boolean}): ErrorDocument {
  const message = options.message ?? userMessage(error)
  const doc: ErrorDocument = {ok: false, ...(options.command ? {command: options.command} : {}), error: {code: 'failure', message}, exitCode: options.exitCode}
  if (options.exitCode === EXIT.interrupted) doc.error.code = 'interrupted'
  else if (error instanceof LockHeldError) Object.assign(doc.error, {code: 'locked', holder: error.holder})
  else if (error instanceof UserError) doc.error.code = error.code
  else if (options.usage || isParseError(error)) doc.error.code = 'usage'
  else if (isSpecError(error)) Object.assign(doc.error, {code: 'spec', issues: error.issues})
  else if (isMissingCredentials(error)) doc.error.code = 'no-credentials'
  else if (isAwsError(error)) Object.assign(doc.error, {code: 'aws', awsCode: errorCode(error)})
  else if (error instanceof UnreadableError) Object.assign(doc.error, {code: 'unreadable', kinds: Object.fromEntries(error.unreadable)})
  return doc
}

/** A spec error, or one that carries a spec's issues (path, line, message). */
function isSpecError(error: unknown): error is {issues: unknown[]} {
  return error instanceof SpecError || (error instanceof Error && /^Spec/.test(error.name) && Array.isArray((error as {issues?: unknown}).issues))
}

/** Errors the SDK raised for a service's answer carry `$metadata` (the HTTP status and request id). */
function isAwsError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error
}
