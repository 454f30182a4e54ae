import {Flags} from '@oclif/core'
import {showRawState, showState, type RawStateReport, type StateShowReport} from '../../app/state.js'
import {BaseCommand} from '../../cli/base-command.js'
import {describeLock} from '../../state/lock.js'
import {formatRawState, table} from '../../ui/format.js'

export default class StateShow extends BaseCommand<typeof StateShow> {
  static override summary = "Print the stack's state document from SSM."
  static override description = `The state maps each logical resource to its AWS id, kind, dependencies and outputs, with a schema version and a serial that grows on every save; it also lists old objects still to delete and creates that were in flight when a run stopped. It never holds secrets. Resources are listed by logical id.

With --raw, prints every parameter under /containrlab/<stack>/ as stored — the serial headers and the lock in full, chunks by name — and what each header decodes to, even when the state does not validate (a state that cannot be read makes every other command stop, naming the broken entry).

When the state cannot be read:
  1. \`containrlab state show --raw --stack <stack> --json > state-raw.json\` keeps a copy of what is stored.
  2. The last two serials are kept: if the newest header is broken, deleting it (\`aws ssm delete-parameter --name /containrlab/<stack>/serial/<n>\`) makes the one before it the state again; \`containrlab up\` then reconciles what changed since by the resources' tags.
  3. A parameter edited by hand keeps its earlier values in its history: \`aws ssm get-parameter-history --name <parameter>\`; put a good one back with \`aws ssm put-parameter --name <parameter> --type String --overwrite --value file://good-value.json\`.
  4. With no good state left, deleting every /containrlab/<stack>/ parameter but the lock leaves the stack without state: \`containrlab up\` adopts what exists by its tags, \`containrlab teardown\` finds and deletes it.`

  static override examples = [
    '<%= config.bin %> state show',
    '<%= config.bin %> state show --stack containrlab --json',
    '<%= config.bin %> state show --raw --stack containrlab   # what is stored, even when it does not validate',
  ]

  // What every command inherits (the stack to read), plus --raw.
  static override flags = {
    ...BaseCommand.flags,
    raw: Flags.boolean({summary: 'Print the stored parameters as they are, and what they decode to, without validating them.', default: false}),
  }

  async run(): Promise<StateShowReport | RawStateReport> {
    const session = await this.session({specOptional: true})
    if (this.flags.raw) {
      const raw = await showRawState(session)
      if (!this.jsonEnabled()) this.log(formatRawState(raw))
      return raw
    }
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
