import type {ResourceReport, RunReport} from '../app/report.js'
import type {StatusReport} from '../app/status.js'

const SYMBOL: Record<string, string> = {create: '+', update: '~', replace: '-/+', delete: '-', noop: ' '}

/** A value as a plan shows it: strings bare, the rest as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(none)'
  if (typeof value === 'string') return value
  return JSON.stringify(value)
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
  if (report.unsafe?.length) {
    lines.push('', '`up` will refuse this plan, before any change:')
    for (const reason of report.unsafe) lines.push(`  ✖ ${reason}`)
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
    for (const [field, value] of fields) lines.push(`      ${field.padEnd(width)} = ${showValue(value)}`)
  }
  for (const change of resource.changes) {
    const mark = change.replace ? '  # forces replacement' : ''
    lines.push(`      ~ ${change.field}: ${showValue(change.before)} → ${showValue(change.after)}${mark}`)
  }
  return lines
}

export function planCount(report: RunReport): string {
  const s = report.summary
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.noop} unchanged.`
}

const SUMMARY_OUTPUTS = new Set(['publicIp', 'dnsName', 'cidr'])

/** What `up` and `teardown` print at the end: counts, errors, outputs. */
export function formatRunSummary(report: RunReport): string {
  const s = report.summary
  const verb = report.command === 'teardown' ? 'Teardown' : 'Apply'
  const lines: string[] = []
  const counts = report.command === 'teardown' ? `${s.delete} deleted` : `${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted, ${s.noop} unchanged`
  lines.push(`${verb} ${report.ok ? 'complete' : 'FAILED'} for stack ${report.stack}: ${counts}.`)
  if (report.kept?.length) {
    lines.push('', 'Kept, because they hold data (teardown --purge deletes them):')
    for (const kept of report.kept) lines.push(`  • ${kept}`)
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
  return lines.join('\n')
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
  for (const r of report.resources.filter((entry) => entry.changes.length > 0)) {
    lines.push('', `${r.id} drifted:`)
    for (const change of r.changes) lines.push(`  ~ ${change.field}: live ${showValue(change.before)}, spec ${showValue(change.after)}`)
  }
  const counts = Object.entries(report.summary).map(([condition, n]) => `${n} ${condition}`)
  lines.push('', `${report.resources.length} resources: ${counts.join(', ') || 'none'}.`)
  return lines.join('\n')
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
