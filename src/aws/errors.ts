/**
 * Error helpers shared by reconcilers and the engine. EC2 has no modeled
 * exceptions: every error is an EC2ServiceException whose `name` is the
 * query-API error code (e.g. `InvalidVpcID.NotFound`). SSM and the JSON
 * services throw modeled classes (`ParameterNotFound`) whose `name` is the
 * code too, so `name` is the one field to look at.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 *
 * Throttling is not classified here: the SDK's retry middleware does it,
 * and src/aws/retry.ts retries it.
 */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const candidate = error as {name?: unknown; Code?: unknown; code?: unknown}
  for (const value of [candidate.Code, candidate.code, candidate.name]) {
    if (typeof value === 'string' && value !== 'Error') return value
  }
  return undefined
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** `InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist`: AWS's code, then its words. */
export function describeError(error: unknown): string {
  const code = errorCode(error)
  const message = errorMessage(error)
  return code && code !== 'Error' && !message.startsWith(code) ? `${code}: ${message}` : message
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error)
  return code !== undefined && codes.includes(code)
}
