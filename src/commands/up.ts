import {up} from '../app/up.js'
import type {RunReport} from '../app/report.js'
import {BaseCommand} from '../cli/base-command.js'
import {concurrency, stackFlags, yes} from '../cli/flags.js'
import {formatRunSummary} from '../ui/format.js'
import {ProgressView, progressMode} from '../ui/progress.js'

export default class Up extends BaseCommand<typeof Up> {
  static override summary = 'Create or update the stack so that AWS matches the spec.'
  static override description = `Validates the spec, locks the stack's state in SSM, reads what exists (one batched call per resource kind), and creates, updates or replaces what differs — independent resources in parallel, each as soon as what it needs is ready. The state is saved after every change, so an interrupted run loses nothing: run \`up\` again. A second \`up\` with no change in the spec makes no change in AWS.

Replacements and deletions are shown and confirmed first (--yes to skip; required without a terminal).`

  static override examples = ['<%= config.bin %> up -f examples/containrlab.yaml', '<%= config.bin %> up --yes --concurrency 20', 'AWS_ENDPOINT_URL=http://localhost:4566 <%= config.bin %> up --json']

  static override flags = {...stackFlags, yes, concurrency}

  async run(): Promise<RunReport> {
    const view = new ProgressView(progressMode({json: this.jsonEnabled()}))
    const session = await this.session({emit: view.emit})
    let report: RunReport
    try {
      report = await up(session, (preview) => this.confirm(preview, `Apply these changes to stack ${session.stack}?`))
    } finally {
      await view.close()
    }
    if (!this.jsonEnabled()) this.log(formatRunSummary(report))
    if (!report.ok) process.exitCode = process.exitCode || 1
    return report
  }
}
