import {Flags} from '@oclif/core'
import {plan, type PlanReport} from '../app/up.js'
import {EXIT} from '../app/errors.js'
import {BaseCommand} from '../cli/base-command.js'
import {concurrency, stackFlags} from '../cli/flags.js'
import {describeLock} from '../state/lock.js'
import {formatPlan} from '../ui/format.js'

export default class Plan extends BaseCommand<typeof Plan> {
  static override summary = 'Show what `up` would create, update, replace or delete, changing nothing.'
  static override description = `Reads the live resources and the state, diffs them against the spec field by field, and prints the result like \`terraform plan\`. With --offline, plans against an empty state and makes no AWS call at all (no account needed).`

  static override examples = ['<%= config.bin %> plan -f examples/containrlab.yaml --offline', '<%= config.bin %> plan --detailed-exitcode   # exit 2 when there are changes', '<%= config.bin %> plan --json']

  static override flags = {
    ...stackFlags,
    concurrency,
    offline: Flags.boolean({summary: 'Plan against an empty state; make no AWS call.', default: false}),
    'detailed-exitcode': Flags.boolean({summary: 'Exit 2 when the plan has changes, 0 when it has none.', default: false}),
  }

  async run(): Promise<PlanReport> {
    const session = await this.session()
    const report = await plan(session, {offline: this.flags.offline})
    if (!this.jsonEnabled()) {
      // Read-only: no lock taken, none waited for; but what was read may be changing right now.
      if (report.lock) this.log(`Stack ${report.stack} is locked: a run is in progress, ${describeLock(report.lock)}. This plan reads what exists now; that run may still change it.\n`)
      this.log(formatPlan(report))
    }
    if (this.flags['detailed-exitcode'] && report.changes) process.exitCode = EXIT.changes
    return report
  }
}
