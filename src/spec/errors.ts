/** One problem in a spec file, located by its path in the document and its line. */
export interface SpecIssue {
  /** Dotted path with indices, like `network.subnets[2].cidr`; empty for the document itself. */
  path: string
  /** 1-based line in the YAML file; for a missing key, the line of the object that lacks it. */
  line?: number
  message: string
}

/** `network.subnets[2].cidr (line 14): "10.0.300.0/24" is not an IPv4 CIDR`. */
export function formatIssue(issue: SpecIssue): string {
  const line = issue.line === undefined ? undefined : issue.path ? `(line ${issue.line})` : `line ${issue.line}`
  const where = [issue.path, line].filter(Boolean).join(' ')
  return where ? `${where}: ${issue.message}` : issue.message
}

/** Path segments (`['network', 'subnets', 2, 'cidr']`) as the user reads them: `network.subnets[2].cidr`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out ? `.${String(segment)}` : String(segment)
  }
  return out
}

/**
 * A spec that cannot be deployed. Carries every issue found (schema and
 * semantic), so the user fixes them in one pass; the message is the file name
 * followed by one issue per line.
 */
export class SpecError extends Error {
  override name = 'SpecError'

  constructor(
    readonly file: string,
    readonly issues: SpecIssue[],
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
    super([`${file}: ${count}`, ...issues.map((issue) => `  ${formatIssue(issue)}`)].join('\n'))
  }
}
