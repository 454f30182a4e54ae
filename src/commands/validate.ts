import {BaseCommand} from '../cli/base-command.js'
import {file, region} from '../cli/flags.js'
import {validate, type ValidateReport} from '../app/validate.js'

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Check a spec: schema, CIDRs, references. Makes no AWS call.'
  static override description = 'Every problem is reported at once, each with its path and line in the YAML file. Exit 0 when the spec is valid, 1 otherwise.'
  static override examples = ['<%= config.bin %> validate -f examples/containrlab.yaml', '<%= config.bin %> validate --json']
  static override flags = {file, region}

  async run(): Promise<ValidateReport> {
    const report = await validate(this.flags.file, this.flags.region)
    if (!this.jsonEnabled())
      this.log(
        `${this.flags.file} is valid: stack ${report.stack}, ${report.resources} resources (${Object.entries(report.kinds)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', ')}).`,
      )
    return report
  }
}
