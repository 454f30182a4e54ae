import {Flags} from '@oclif/core'
import {forceUnlock, type UnlockReport} from '../../app/state.js'
import {BaseCommand} from '../../cli/base-command.js'
import {stackFlags} from '../../cli/flags.js'
import {describeLock} from '../../state/lock.js'

export default class StateUnlock extends BaseCommand<typeof StateUnlock> {
  static override summary = "Break the stack's lock (after a run was killed)."
  static override description =
    'A run holds the lock from start to end and releases it on exit, Ctrl-C and SIGTERM. A run killed hard (kill -9, a lost CI runner) leaves it behind; `up` and `teardown` then fail with exit code 3 naming the holder. Make sure that run is really gone, then break the lock with --force.'
  static override examples = ['<%= config.bin %> state unlock --force', '<%= config.bin %> state unlock --stack containrlab --force']
  static override flags = {
    ...stackFlags,
    force: Flags.boolean({summary: 'Required: confirms that the holder is gone.', default: false}),
  }

  async run(): Promise<UnlockReport> {
    const session = await this.session({specOptional: true})
    const report = await forceUnlock(session, this.flags.force)
    if (!this.jsonEnabled()) this.log(report.removed ? `Removed the lock ${describeLock(report.removed)}.` : `Stack ${report.stack} was not locked.`)
    return report
  }
}
