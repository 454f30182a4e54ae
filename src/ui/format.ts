import type {DeployReport} from '../app/deploy.js'
import type {LogEvent} from '../resources/logs/events.js'
import type {ResourceReport, RunReport} from '../app/report.js'
import type {RawStateReport} from '../app/state.js'
import type {StatusReport} from '../app/status.js'
import {changeLines, inline, LINE_WIDTH, propertyLines, wrapText} from './values.js'

const SYMBOL: Record<string, string> = {create: '+', update: '~', replace: '-/+', delete: '-', noop: ' '}

/** A value on one line as a plan shows it: strings bare (empty ones `""`), lists and objects inline. */
export function showValue(value: unknown): string {
  return inline(value)
}

/**
 * Terraform-like plan: one block per resource that changes, field-level
 * diffs for updates and replacements (with what forces the replacement),
 * then a one-line count.
 */
export function formatPlan(report: RunReport): string {
  const lines: string[] = []
  const changing = report.resources.filter((r) => r.action !== 'noop')
  if (changing.length === 0) {
    lines.push(`No changes. Stack ${report.stack} matches the spec.`)
  } else {
    lines.push(`Stack ${report.stack}${report.region ? ` (${report.region})` : ''}: the plan is to`, '')
    for (const resource of changing) lines.push(...formatResource(resource))
  }
  lines.push('', planCount(report))
  const refusals = [...(report.missing ?? []), ...(report.conflicts ?? []), ...(report.unsafe ?? [])]
  if (refusals.length > 0) {
    lines.push('', '`up` will refuse this plan, before any change:')
    for (const reason of refusals) lines.push(`  ✖ ${reason}`)
  }
  return lines.join('\n')
}

function formatResource(resource: ResourceReport): string[] {
  const head = `  ${SYMBOL[resource.action]} ${resource.id} (${resource.kind})${resource.physicalId ? ` ${resource.physicalId}` : ''}`
  const lines = [resource.reason ? `${head}  # ${resource.reason}` : head]
  if (resource.dataLoss) lines.push(`      ! holds data: ${resource.dataLoss}`)
  if (resource.action === 'create') {
    const fields = Object.entries(resource.desired ?? {})
    const width = Math.max(0, ...fields.map(([field]) => field.length))
    for (const [field, value] of fields) lines.push(...propertyLines(field, value, width, LINE_WIDTH - 6).map((line) => `      ${line}`))
  }
  lines.push(...changeLines(resource.changes, LINE_WIDTH - 6).map((line) => `      ${line}`))
  return lines
}

export function planCount(report: RunReport): string {
  const s = report.summary
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.noop} unchanged.`
}

const SUMMARY_OUTPUTS = new Set(['publicIp', 'dnsName', 'cidr'])

/**
 * What `up` and `teardown` print at the end: counts, errors, outputs. A run
 * stopped by Ctrl-C says INTERRUPTED (never FAILED, unless something also
 * failed) with what it did, what was in flight and what it did not start.
 */
export function formatRunSummary(report: RunReport): string {
  const s = report.summary
  const teardown = report.command === 'teardown'
  const verb = teardown ? 'Teardown' : report.command === 'deploy' ? 'Deploy' : 'Apply'
  const lines: string[] = []
  const counts = teardown ? `${s.delete} deleted` : `${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted, ${s.noop} unchanged`
  const undone = [report.inFlight?.length ? `${report.inFlight.length} in flight` : undefined, report.notStarted?.length ? `${report.notStarted.length} not started` : undefined].filter(Boolean)
  const outcome = report.interrupted ? 'INTERRUPTED' : report.ok ? 'complete' : 'FAILED'
  lines.push(`${verb} ${outcome} for stack ${report.stack}: ${counts}${report.interrupted && undone.length > 0 ? `; ${undone.join(', ')}` : ''}.`)
  if (report.interrupted) lines.push(...interruptedLines(report))
  if (isDeploy(report)) lines.push(deployLine(report))
  if (report.kept?.length) {
    lines.push('', 'Kept, because they hold data (teardown --purge deletes them):')
    for (const kept of report.kept) lines.push(`  • ${kept}`)
  }
  if (report.leftAsFound?.length) {
    lines.push('', 'Left as they were (used by the stack, not made by it):')
    for (const found of report.leftAsFound) lines.push(`  • ${found}`)
  }
  if (report.errors.length > 0) {
    lines.push('', 'Errors:')
    for (const error of report.errors) lines.push(`  ✖ ${error}`)
  }
  const outputs = Object.entries(report.outputs)
  if (report.ok && outputs.length > 0) {
    lines.push('', 'Outputs:')
    const width = Math.max(...outputs.map(([id]) => id.length))
    for (const [id, values] of outputs) {
      // Only what a user reaches for (addresses, DNS names); every output is in --json and `status --json`.
      const extras = Object.entries(values)
        .filter(([key]) => SUMMARY_OUTPUTS.has(key))
        .map(([key, value]) => `${key}=${value}`)
      lines.push(`  ${id.padEnd(width)}  ${values.id ?? ''}${extras.length > 0 ? `  ${extras.join(' ')}` : ''}`)
    }
  }
  if (report.interrupted) {
    lines.push('', `What was done is saved in the state. Run \`containrlab ${teardown ? 'teardown' : isDeploy(report) ? `deploy ${report.service} --image ${report.image}` : 'up'}\` again to finish.`)
  }
  return lines.join('\n')
}

function isDeploy(report: RunReport): report is DeployReport {
  return report.command === 'deploy'
}

/** `api: containrlab-api:3 → containrlab-api:4 (image v1.2.3)`, or where it stays. */
function deployLine(report: DeployReport): string {
  const revision = (arn: string | undefined) => arn?.split('/').pop() ?? 'none'
  const {before, after} = report.taskDefinition
  if (!report.ok) return `${report.service}: not rolled to ${report.image} (it ran ${revision(before)}).`
  if (after === before) return `${report.service}: already runs ${report.image} (${revision(after)}); nothing to roll.`
  return `${report.service}: ${revision(before)} → ${revision(after)} (image ${report.image}).`
}

/** An interrupted run: what it did, what it had started and not finished, what it did not start. */
function interruptedLines(report: RunReport): string[] {
  const lines: string[] = []
  const done = report.resources.filter((r) => r.status === 'done' && r.action !== 'noop')
  if (done.length > 0) {
    lines.push('', 'Done before the interrupt:')
    const label = (r: ResourceReport) => `${r.id}${r.partOf ? ' (old)' : ''}`
    const width = Math.max(...done.map((r) => label(r).length))
    for (const r of done) lines.push(`  ${SYMBOL[r.action]} ${label(r).padEnd(width)}  ${r.physicalId ?? ''}`.trimEnd())
  } else {
    lines.push('', 'Nothing was changed before the interrupt.')
  }
  const inFlight = report.resources.filter((r) => r.status === 'interrupted')
  if (inFlight.length > 0) {
    lines.push('', `In flight, cut short (the next ${report.command === 'teardown' ? 'teardown' : '`up`'} finds what they made):`)
    for (const r of inFlight) lines.push(`  • ${r.id}: ${r.action}${r.physicalId ? ` ${r.physicalId}` : ''}`)
  }
  if (report.notStarted?.length) {
    lines.push('', 'Not started:')
    lines.push(...wrapText(report.notStarted.join(', '), LINE_WIDTH - 2).map((line) => `  ${line}`))
  }
  return lines
}

/** `status` as a table: resource, kind, AWS id, condition, health. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = []
  const where = `${report.stack}${report.region ? ` (${report.region})` : ''}`
  if (!report.deployed) lines.push(`Stack ${where} is not deployed (no state in SSM).`)
  else lines.push(`Stack ${where}, state serial ${report.serial}`)
  if (report.lock) lines.push(`Locked by ${report.lock.who}@${report.lock.host} since ${report.lock.since} (${report.lock.command})`)
  const rows = report.resources.map((r) => [r.id, r.kind, r.physicalId ?? '-', r.condition, r.health ? `${r.health.state}${r.health.detail ? `: ${r.health.detail}` : ''}` : ''])
  lines.push('', ...table(['RESOURCE', 'KIND', 'ID', 'STATUS', 'HEALTH'], rows))
  lines.push(...detailLines(report))
  for (const r of report.resources.filter((entry) => entry.changes.length > 0)) {
    lines.push('', `${r.id} drifted (- live, + the spec: what \`up\` changes):`)
    lines.push(...changeLines(r.changes, LINE_WIDTH - 2).map((line) => `  ${line}`))
  }
  const errors = report.errors ?? []
  if (errors.length > 0) {
    lines.push('', 'Could not be read (shown as unknown):')
    for (const error of errors) lines.push(`  ✖ ${error}`)
  }
  const counts = Object.entries(report.summary).map(([condition, n]) => `${n} ${condition}`)
  lines.push('', `${report.resources.length} resources: ${counts.join(', ') || 'none'}.`)
  if (report.urls?.length) lines.push('', `URLs: ${report.urls.join('  ')}`)
  return lines.join('\n')
}

/** Under the table: per resource, what is wrong with it (degraded) and what its kind tells beyond its health. */
function detailLines(report: StatusReport): string[] {
  const lines: string[] = []
  for (const r of report.resources) {
    const degraded = r.health?.degraded ?? r.details?.degraded
    const facts = r.details?.lines ?? []
    if (!degraded && facts.length === 0) continue
    if (lines.length === 0) lines.push('', 'Details:')
    lines.push(...wrapText(`${r.id}${degraded ? ` degraded: ${degraded}` : ''}`, LINE_WIDTH - 2).map((line, i) => `${i === 0 ? '  ' : '      '}${line}`))
    for (const fact of facts) lines.push(...wrapText(fact, LINE_WIDTH - 6).map((line, i) => `${i === 0 ? '    ' : '      '}${line}`))
  }
  return lines
}

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

/**
 * `state show --raw`: every parameter as stored (headers and the lock in
 * full, chunks by name and length), each header followed by what it decodes
 * to and what is wrong with it. Nothing is validated away.
 */
export function formatRawState(report: RawStateReport): string {
  const lines: string[] = []
  lines.push(`Stack ${report.stack}: ${report.parameters.length} parameter(s) under ${report.prefix}, as stored (not validated).`)
  if (report.parameters.length === 0) lines.push('', 'Nothing is stored: the stack has no state.')
  for (const p of report.parameters) {
    const meta = [p.version !== undefined ? `version ${p.version}` : undefined, p.lastModified ? `modified ${p.lastModified}` : undefined].filter(Boolean).join(', ')
    const role = {
      header: `header of serial ${p.serial}`,
      'legacy-header': "the first release's state header",
      lock: 'the lock',
      chunk: 'chunk',
      'legacy-chunk': "chunk of the first release's state",
      other: 'not containrlab state',
    }[p.role]
    lines.push('', `${p.name}  (${role}${meta ? `; ${meta}` : ''})`)
    if (p.value !== undefined) lines.push(...wrapText(p.value, LINE_WIDTH - 2).map((line) => `  ${line}`))
    if (p.length !== undefined) lines.push(`  (${p.length} characters of its header's data)`)
    if (p.chunks?.length) lines.push(`  chunks: ${p.chunks.length}, named ${p.chunks[0]} …`)
    if (p.missingChunks?.length) lines.push(`  missing chunks: ${p.missingChunks.join(', ')}`)
    if (p.document !== undefined) {
      lines.push('  decodes to:')
      lines.push(
        ...JSON.stringify(p.document, null, 2)
          .split('\n')
          .map((line) => `    ${line}`),
      )
    }
    if (p.problem !== undefined) lines.push(`  ✖ ${p.problem.split('\n').join('\n    ')}`)
    else if (p.role === 'header' || p.role === 'legacy-header') lines.push('  ✓ a valid state document')
  }
  return lines.join('\n')
}

/** One log event as `aws logs tail` prints it: time (ISO, UTC), stream, message (its trailing newline dropped). */
export function formatLogEvent(event: LogEvent): string {
  return `${new Date(event.timestamp).toISOString()} ${event.stream} ${event.message.replace(/\r?\n$/, '')}`
}
