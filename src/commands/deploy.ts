import {Args, Flags} from '@oclif/core'
import {type DeployReport, deploy} from '../app/deploy.js'
import {BaseCommand} from '../cli/base-command.js'
import {stackFlags} from '../cli/flags.js'
import {formatRunSummary} from '../ui/format.js'
import {ProgressView, progressMode} from '../ui/progress.js'

export default class Deploy extends BaseCommand<typeof Deploy> {
  static override summary = 'Roll one service to a new image (for CI, after `docker push`).'
  static override description = `Registers a revision of the service's task definition with the image and rolls the service to it, then waits for the deployment as \`up\` does: a deployment the circuit breaker rolls back fails (exit 1) with the stopped tasks' reasons and the service's last events. Nothing else of the stack is read or changed; the state's lock is held meanwhile.

--image takes a tag (or sha256: digest) of the service's image, \`v1.2.3\` for \`image: api:latest\`, or a full image URI (anything with a "/"). The service must have \`imageSource: deploy\` in the spec, so that the next \`up\` keeps the image instead of rolling it back to \`image\`.`

  static override examples = [
    '<%= config.bin %> deploy api --image v1.2.3',
    '<%= config.bin %> deploy web --image sha-$(git rev-parse --short HEAD) --json',
    '<%= config.bin %> deploy api --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/containrlab-api:v1.2.3',
  ]

  static override args = {
    service: Args.string({description: "The service's name in the spec (services[].name).", required: true}),
  }

  static override flags = {
    ...stackFlags,
    image: Flags.string({summary: "A tag of the service's image (v1.2.3, sha256:…) or a full image URI.", required: true}),
  }

  async run(): Promise<DeployReport> {
    const {args} = await this.parse(Deploy)
    const view = new ProgressView(progressMode({json: this.jsonEnabled()}))
    const session = await this.session({emit: view.emit})
    let report: DeployReport
    try {
      report = await deploy(session, {service: args.service, image: this.flags.image})
    } finally {
      await view.close()
    }
    if (!this.jsonEnabled()) this.log(formatRunSummary(report))
    if (!report.ok) process.exitCode = process.exitCode || 1
    return report
  }
}
