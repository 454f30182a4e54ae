import {type Hook, toConfiguredId} from '@oclif/core'
import {EXIT, UsageError} from '../../app/errors.js'
import {errorDocument} from '../errors.js'
import {closest} from '../suggest.js'

/**
 * A mistyped command (`containrlab pla`, `containrlab state foo`): names it as
 * typed, suggests the closest command, and exits 64 (a usage error), with
 * one JSON document under --json. Never asks "did you mean …? (y/n)" and
 * never runs the guess: CI has no stdin to answer, and a guessed command here
 * may be `teardown`. (@oclif/plugin-not-found asks on a terminal, defaulting
 * to yes and then running the guess with the typed flags, says nothing of the
 * guess without one, and exits 127.)
 */
const hook: Hook<'command_not_found'> = async function ({config, id, argv = []}) {
  const typed = toConfiguredId(id, config)
  const commands = config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases])
  const [topic] = id.split(':')
  // `state foo`: the commands of that topic are what was meant.
  const inTopic = topic && id.includes(':') && config.findTopic(topic) ? commands.filter((command) => command.startsWith(`${topic}:`)) : []
  const suggestion = closest(id, inTopic.length > 0 ? inTopic : commands)
  const shown = (command: string) => `\`${config.bin} ${toConfiguredId(command, config)}\``
  const lines = [`\`${config.bin} ${typed}\` is not a command.${suggestion ? ` Did you mean ${shown(suggestion)}?` : ''}`]
  if (inTopic.length > 0 && !suggestion) lines.push(`The ${topic} commands: ${inTopic.map(shown).join(', ')}.`)
  lines.push(`\`${config.bin} help\` lists every command.`)
  const error = new UsageError(lines.join('\n'))
  const end = argv.indexOf('--')
  const json = argv.slice(0, end === -1 ? undefined : end).includes('--json')
  if (json) {
    this.log(JSON.stringify(errorDocument(error, {exitCode: EXIT.usage}), null, 2))
    this.exit(EXIT.usage)
  }
  this.error(error.message, {exit: EXIT.usage})
}

export default hook
