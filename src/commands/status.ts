import {Flags} from '@oclif/core'
import {EXIT} from '../app/errors.js'
import type {StatusReport} from '../app/status.js'
import {status} from '../app/status.js'
import {BaseCommand} from '../cli/base-command.js'
import {concurrency, stackFlags} from '../cli/flags.js'
import {formatStatus} from '../ui/format.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show every resource of the stack: its AWS id, whether it matches the spec, and its health.'
  static override description = `For each resource of the spec and the state, and each object found by the stack's tags: ok (exists, matches the spec), drifted (differs; shows how), degraded (matches the spec but does not do its job: a target group with unhealthy targets, a service running fewer tasks than desired or whose last deployment failed; says why), missing (deleted outside containrlab; \`up\` recreates it), pending (exists, not ready yet), not-created, removed (no longer in the spec; \`up\` deletes it), stray (a second object of one resource, left by an interrupted run; \`up\` deletes it), or unknown (AWS did not answer for its kind: the error says why; exit code 1). Reads what \`plan\` reads, batched per resource kind, and a few reads more for details: per ECS service, running/pending/desired, the active revision, the last deployment's rollout state and why its tasks stopped; per ECS cluster, its tasks and, on EC2, each container instance's agent and free CPU and memory (\`--json\`: the same as fields, under \`details\`). Nothing is changed and no lock is taken.`

  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --detailed-exitcode   # exit 2 unless every resource is ok', '<%= config.bin %> status -f examples/containrlab.yaml --json']

  static override flags = {
    ...stackFlags,
    concurrency,
    'detailed-exitcode': Flags.boolean({summary: 'Exit 2 when any resource is not ok (missing, drifted, degraded, pending, not created, …), 0 when all are.', default: false}),
  }

  async run(): Promise<StatusReport> {
    const session = await this.session()
    const report = await status(session)
    if (!this.jsonEnabled()) this.log(formatStatus(report))
    // A kind AWS did not answer for leaves status incomplete: a failure, whatever the rest says.
    if (report.errors.length > 0) process.exitCode = EXIT.failure
    else if (this.flags['detailed-exitcode'] && report.resources.some((entry) => entry.condition !== 'ok')) process.exitCode = EXIT.changes
    return report
  }
}
