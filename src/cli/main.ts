import {run, settings} from '@oclif/core'
import {Exit, handle} from '@oclif/core/handle'
import {drainStdio} from './drain.js'

/**
 * What bin/run.js runs: oclif's `execute`, except that the process ends only
 * once stdout and stderr are drained. oclif's error handler prints the error
 * and calls `process.exit` at once, which drops whatever Node still queues for
 * a pipe (a `validate` with thousands of problems, piped, stopped at 64 KiB);
 * its `flush` waits for stdout only.
 */
export async function main(options: {dir: string; development?: boolean; argv?: string[]}): Promise<void> {
  if (options.development) {
    process.env.NODE_ENV = 'development'
    settings.debug = true
  }
  let exitCode: number | undefined
  // oclif's handle() ends with Exit.exit(code) (its documented seam for tests): note the code, exit below.
  Exit.exit = ((code = 0) => {
    exitCode ??= code
  }) as typeof Exit.exit
  try {
    await run(options.argv ?? process.argv.slice(2), options.dir)
  } catch (error) {
    await handle(error as Error)
  }
  await drainStdio()
  // After an error, exit even if something still holds the event loop (as oclif does); otherwise end
  // naturally, with the exit code the command set.
  if (exitCode !== undefined) process.exit(exitCode)
}
