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

/**
 * What src/aws/clients.ts's error middleware adds to every error an SDK
 * call rejects with (non-enumerable): the service (`EC2`) and operation
 * (`DescribeSubnets`) of the call. The SDK itself adds `$metadata`
 * (`httpStatusCode` when an answer came back, `attempts`) and, when the
 * answer could not be parsed, the hidden `$response` and `$responseBodyText`.
 */
export interface SdkErrorContext {
  $service?: string
  $operation?: string
  $metadata?: {httpStatusCode?: number; attempts?: number; requestId?: string}
  $response?: {statusCode?: number; body?: unknown}
  $responseBodyText?: string
  $fault?: 'client' | 'server'
}

function sdkContext(error: unknown): SdkErrorContext | undefined {
  return typeof error === 'object' && error !== null ? (error as SdkErrorContext) : undefined
}

/** The HTTP status AWS (or whatever answered in its place) gave the failed call; undefined when no answer came back. */
export function httpStatusOf(error: unknown): number | undefined {
  const context = sdkContext(error)
  const status = context?.$metadata?.httpStatusCode ?? context?.$response?.statusCode
  return typeof status === 'number' ? status : undefined
}

/**
 * The call got an answer, and the answer is what failed it: an AWS error
 * (any HTTP status), or a body the SDK could not parse (a proxy's HTML page).
 * Not: a call that never got an answer (no credentials, no network, an
 * interrupt), nor a bug in our code.
 */
export function isAnsweredError(error: unknown): boolean {
  return httpStatusOf(error) !== undefined
}

/** The SDK could not parse the answer (not an error AWS modeled): typically something other than AWS answered. */
function isUnparsedAnswer(error: unknown): boolean {
  const context = sdkContext(error)
  return context !== undefined && context.$fault === undefined && context.$response !== undefined
}

/** The deserializer's hint pointing at `$response` means nothing to a user. */
const DESERIALIZATION_HINT = /\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\.?/

/** What an unparsable answer looked like: an HTML page's title, else its first characters. */
function answerSummary(error: SdkErrorContext): string | undefined {
  const raw = error.$responseBodyText ?? error.$response?.body
  const body = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : undefined
  if (!body) return undefined
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim()
  if (title) return `an HTML page titled ${JSON.stringify(title)}`
  if (/^\s*<(!doctype html|html)/i.test(body)) return 'an HTML page'
  const start = body.trim().replace(/\s+/g, ' ')
  return start ? `a body starting ${JSON.stringify(start.length > 60 ? `${start.slice(0, 57)}...` : start)}` : undefined
}

/**
 * One line a user can act on:
 * `EC2 DescribeVpcs (HTTP 400): InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist`
 * — the service, operation and HTTP status of an SDK call (see
 * SdkErrorContext), AWS's code, then its words. An answer that is not
 * AWS's says what came back instead:
 * `EC2 DescribeSubnets (HTTP 502, 8 attempts): the answer is not AWS's: an HTML page titled "502 Bad Gateway" (XML parse error: …)`.
 * Errors of our own (the state's, the spec's) are their message alone: it
 * stands without the class name.
 */
export function describeError(error: unknown): string {
  const context = sdkContext(error)
  const message = errorMessage(error).replace(DESERIALIZATION_HINT, '')
  const oneLine = message.replace(/\s*\n\s*/g, ' ')
  const fromSdk = context !== undefined && (context.$service !== undefined || context.$metadata !== undefined || context.$fault !== undefined)
  // A name is AWS's error code only on what an SDK call threw; system errors carry theirs in `code`.
  const candidate = error as {Code?: unknown; code?: unknown} | undefined
  const explicitCode = typeof candidate?.Code === 'string' ? candidate.Code : typeof candidate?.code === 'string' ? candidate.code : undefined
  const code = explicitCode ?? (fromSdk ? errorCode(error) : undefined)
  let text: string
  if (isUnparsedAnswer(error)) {
    const what = answerSummary(context!)
    text = `the answer is not AWS's${what ? `: ${what}` : ''} (${oneLine.replace(/^@aws-sdk /, '').replace(/\.$/, '')}); a proxy, firewall or wrong endpoint (AWS_ENDPOINT_URL) may be in the way`
  } else {
    text = code && !message.startsWith(code) && !message.includes(` ${code} `) ? `${code}: ${message}` : message
  }
  if (!context?.$service) return text
  const status = httpStatusOf(error)
  const attempts = context.$metadata?.attempts
  const details = [status !== undefined ? `HTTP ${status}` : undefined, attempts !== undefined && attempts > 1 ? `${attempts} attempts` : undefined].filter(Boolean)
  return `${context.$service} ${context.$operation ?? 'call'}${details.length > 0 ? ` (${details.join(', ')})` : ''}: ${text}`
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error)
  return code !== undefined && codes.includes(code)
}
