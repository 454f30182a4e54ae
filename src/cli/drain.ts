/**
 * Node writes to pipes asynchronously: what is still queued when the process
 * calls `process.exit` is lost (`validate … 2>&1 | wc -c` stopped at the
 * pipe's 64 KiB). These wait until the OS has taken everything written so far.
 */

/** Resolves once everything written to `stream` so far has been handed over (or the stream can take nothing more). */
export function drained(stream: NodeJS.WritableStream & {writable?: boolean; destroyed?: boolean}): Promise<void> {
  if (stream.destroyed || stream.writable === false) return Promise.resolve()
  // Writes complete in order: the callback of an empty write runs after every earlier write is done
  // (with an error too, such as EPIPE when the reader went away: nothing more can be delivered then).
  return new Promise((resolve) => stream.write('', () => resolve()))
}

/** stdout and stderr both drained. */
export async function drainStdio(): Promise<void> {
  await Promise.all([drained(process.stdout), drained(process.stderr)])
}

/** Exits with `code` once stdout and stderr are drained, or after `timeoutMs` (for "quit now": a reader that never reads must not keep us alive). */
export function exitWhenDrained(code: number, timeoutMs?: number): void {
  const exit = () => process.exit(code)
  if (timeoutMs !== undefined) setTimeout(exit, timeoutMs).unref()
  void drainStdio().then(exit)
}
