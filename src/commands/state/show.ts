import {showState, type StateShowReport} from '../../app/state.js'
import {BaseCommand} from '../../cli/base-command.js'
import {describeLock} from '../../state/lock.js'
import {table} from '../../ui/format.js'

export default class StateShow extends BaseCommand<typeof StateShow> {
  static override summary = "Print the stack's state document from SSM."
  static override description =
    'The state maps each logical resource to its AWS id, kind, dependencies and outputs, with a schema version and a serial that grows on every save; it also lists old objects still to delete and creates that were in flight when a run stopped. It never holds secrets.'
  static override examples = ['<%= config.bin %> state show', '<%= config.bin %> state show --stack containrlab --json']

  async run(): Promise<StateShowReport> {
    const session = await this.session({specOptional: true})
    const report = await showState(session)
    if (!this.jsonEnabled()) {
      if (!report.state) this.log(`Stack ${report.stack} has no state.`)
      else {
        this.log(`Stack ${report.stack}: schema ${report.state.schemaVersion}, serial ${report.state.serial}, lineage ${report.state.lineage}, ${Object.keys(report.state.resources).length} resources`)
        const rows = Object.entries(report.state.resources).map(([id, entry]) => [id, entry.kind, entry.id, entry.deps.join(',')])
        this.log(['', ...table(['RESOURCE', 'KIND', 'ID', 'DEPENDS ON'], rows)].join('\n'))
        if (report.state.retired.length > 0) {
          const retired = report.state.retired.map((entry) => [
            entry.logicalId,
            entry.kind,
            entry.id,
            entry.reason === 'replaced' ? 'old object of a replacement: the next up deletes it' : 'orphan: the next up or teardown deletes it',
          ])
          this.log(['', 'Retired objects:', ...table(['RESOURCE', 'KIND', 'ID', 'WHY'], retired)].join('\n'))
        }
        const intents = Object.entries(report.state.intents)
        if (intents.length > 0) {
          this.log(
            [
              '',
              'Creates in flight when the last run stopped (the next run looks for what they made):',
              ...table(
                ['RESOURCE', 'KIND', 'SINCE'],
                intents.map(([id, intent]) => [id, intent.kind, intent.startedAt]),
              ),
            ].join('\n'),
          )
        }
      }
      if (report.lock) this.log(`\nLock: ${describeLock(report.lock)}`)
    }
    return report
  }
}
