import {Flags} from '@oclif/core'
import type {RunReport} from '../app/report.js'
import {teardown} from '../app/teardown.js'
import {BaseCommand} from '../cli/base-command.js'
import {concurrency, stackFlags, yes} from '../cli/flags.js'
import {formatPlan, formatRunSummary} from '../ui/format.js'
import {ProgressView, progressMode} from '../ui/progress.js'

export default class Teardown extends BaseCommand<typeof Teardown> {
  static override summary = 'Delete everything the stack owns, then its state.'
  static override description = `Deletes every resource in the state, and every resource tagged with the stack that the state lost track of (a crashed run), in reverse dependency order, waiting out AWS's dependency lags (ENIs draining, NAT gateways deleting). Objects that hold data (a database, a repository with images, a secret you set) are kept — or, for a database, deleted after a final snapshot — unless --purge. When everything is gone the state parameters are deleted too; a partial teardown keeps the state of what is left, so running it again finishes the job.

Asks for confirmation; --yes skips it and is required without a terminal.`

  static override examples = ['<%= config.bin %> teardown', '<%= config.bin %> teardown -f examples/containrlab.yaml --yes', '<%= config.bin %> teardown --dry-run']

  static override flags = {
    ...stackFlags,
    yes,
    concurrency,
    'dry-run': Flags.boolean({summary: 'List what would be deleted; delete nothing.', default: false}),
    purge: Flags.boolean({summary: 'Delete data too: no final database snapshot, repositories with images and user-set secrets deleted.', default: false}),
  }

  async run(): Promise<RunReport> {
    const view = new ProgressView(progressMode({json: this.jsonEnabled()}))
    const session = await this.session({emit: view.emit, specOptional: true})
    let report: RunReport
    try {
      report = await teardown(session, {
        dryRun: this.flags['dry-run'],
        purge: this.flags.purge,
        confirm: (preview) => this.confirm(preview, `Delete all ${preview.resources.length} resources of stack ${session.stack}?`),
      })
    } finally {
      await view.close()
    }
    if (!this.jsonEnabled()) this.log(this.flags['dry-run'] ? formatPlan(report) : formatRunSummary(report))
    if (!report.ok) process.exitCode = process.exitCode || 1
    return report
  }
}
