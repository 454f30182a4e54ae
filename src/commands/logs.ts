import {Args, Flags} from '@oclif/core'
import {DEFAULT_SINCE, type LogsReport, logs} from '../app/logs.js'
import {UsageError} from '../app/errors.js'
import {BaseCommand} from '../cli/base-command.js'
import {stackFlags} from '../cli/flags.js'
import {formatLogEvent} from '../ui/format.js'

export default class Logs extends BaseCommand<typeof Logs> {
  static override summary = "Show a service's logs (its CloudWatch log group), like `aws logs tail`."
  static override description = `Prints the events of the service's log group (/ecs/<stack>-<service>) since --since, one per line: time, stream (<service>/<container>/<task id>), message. --follow keeps asking every 2 seconds and prints new events as they come, each once, until Ctrl-C (exit 130). Takes no lock and changes nothing.`

  static override examples = ['<%= config.bin %> logs api', '<%= config.bin %> logs api --since 1h', '<%= config.bin %> logs web --follow', '<%= config.bin %> logs api --since 2026-01-01T12:00:00Z --json']

  static override args = {
    service: Args.string({description: "The service's name in the spec (services[].name).", required: true}),
  }

  static override flags = {
    ...stackFlags,
    since: Flags.string({summary: 'From how long ago (30s, 10m, 1h, 2d, 1w) or from when (ISO 8601).', default: DEFAULT_SINCE}),
    follow: Flags.boolean({summary: 'Keep printing new events until Ctrl-C.', default: false}),
  }

  async run(): Promise<LogsReport> {
    const {args} = await this.parse(Logs)
    if (this.flags.follow && this.jsonEnabled()) throw new UsageError('--follow prints events as they come; --json prints one document at the end: give one of them')
    this.interrupts.stopping = 'stopping'
    const session = await this.session()
    const json = this.jsonEnabled()
    return logs(session, {
      service: args.service,
      since: this.flags.since,
      follow: this.flags.follow,
      keep: json,
      onEvent: (event) => {
        if (!json) this.log(formatLogEvent(event))
      },
    })
  }
}
