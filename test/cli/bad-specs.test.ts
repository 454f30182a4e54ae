import {Config} from '@oclif/core'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import Plan from '../../src/commands/plan.js'
import Up from '../../src/commands/up.js'
import {FakeCloud} from '../fake-cloud/index.js'
import {exampleCloud} from '../helpers/stack.js'

const dir = join(import.meta.dirname, '..', 'fixtures', 'specs', 'bad')
const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'))

/**
 * Every malformed spec fails `up` and `plan` before any AWS client is used:
 * exit code 1, a message naming the file and the bad path with its line,
 * and not one call to the (fake) cloud.
 */
describe('malformed specs make zero AWS calls', () => {
  let cloud: FakeCloud
  let config: Config
  beforeAll(async () => {
    cloud = exampleCloud()
    config = await Config.load(join(import.meta.dirname, '..', '..'))
  })
  afterAll(() => cloud.restore())

  it('has at least a dozen malformed specs', () => {
    expect(files.length).toBeGreaterThanOrEqual(12)
  })

  for (const name of files) {
    it(name, async () => {
      // `plan` takes no --yes: it never changes anything.
      const commands: [{run: (argv: string[], config: Config) => Promise<unknown>}, string[]][] = [
        [Up, ['--yes']],
        [Plan, []],
      ]
      for (const [command, extra] of commands) {
        cloud.resetCalls()
        const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
        const writeErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
        let error: (Error & {oclif?: {exit?: number}}) | undefined
        try {
          await command.run(['-f', join(dir, name), ...extra], config)
        } catch (caught) {
          error = caught as Error
        } finally {
          write.mockRestore()
          writeErr.mockRestore()
          process.exitCode = undefined
        }
        expect(error?.oclif?.exit, name).toBe(1)
        expect(error?.message).toContain(name)
        // Every problem is located: `path (line N): …`, or `line N: …` for YAML syntax.
        expect(error?.message).toMatch(/(\(line \d+\)|^\s*line \d+): /m)
        expect(cloud.calls).toEqual([])
      }
    })
  }
})
