import type {EngineEvent, EventSink} from '../engine/events.js'

export type ProgressMode = 'tty' | 'plain' | 'silent'

/** TTY → listr2's live task list; CI or not a TTY → one line per event; --json → nothing. */
export function progressMode(options: {json: boolean; stream?: NodeJS.WriteStream}): ProgressMode {
  if (options.json) return 'silent'
  const stream = options.stream ?? process.stdout
  if (!stream.isTTY || process.env.CI) return 'plain'
  return 'tty'
}

/** Engine events, plus the view's own note that something a task waits for is done. */
type TaskEvent = EngineEvent | {type: 'dependency-settled'; id: string}
type TaskUpdate = (event: TaskEvent) => void

function waitingTitle(id: string, waitsFor: string[]): string {
  if (waitsFor.length === 0) return `${id}: queued`
  const shown = waitsFor.slice(0, 2).join(', ')
  return `${id}: waiting for ${shown}${waitsFor.length > 2 ? ` and ${waitsFor.length - 2} more` : ''}`
}

/**
 * Turns engine events into output. The engine knows nothing of listr2: on
 * `run-start` this adapter builds one listr2 task per resource (concurrent,
 * so resources that run at once show at once); a task's title says what it
 * waits for, does or did, and its output line carries the wait reports
 * ("waiting for nat-0ab… to be available: pending, 48s"). No-ops are shown
 * as skipped "unchanged".
 */
export class ProgressView {
  private readonly updates = new Map<string, TaskUpdate>()
  private readonly early = new Map<string, EngineEvent[]>()
  private readonly settled = new Set<string>()
  private running: Promise<unknown> | undefined

  constructor(
    readonly mode: ProgressMode,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  readonly emit: EventSink = (event) => {
    if (this.mode === 'silent') return
    if (this.mode === 'plain') {
      const line = plainLine(event)
      if (line) this.write(line)
      return
    }
    if (event.type === 'run-start') {
      this.running = this.start(event.nodes)
      return
    }
    // The run's own progress (reading what exists, waiting for what a crashed run made to show) comes
    // before the task list exists and belongs to no task: a line of its own.
    if (event.id === '' && !this.running) {
      const line = plainLine(event)
      if (line) this.write(line)
      return
    }
    const update = this.updates.get(event.id)
    if (update) update(event)
    else this.early.set(event.id, [...(this.early.get(event.id) ?? []), event])
    if (event.type === 'node-done') {
      this.settled.add(event.id)
      for (const other of this.updates.values()) other({type: 'dependency-settled', id: event.id})
    }
  }

  /** Waits until the task list has drawn its last frame. */
  async close(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined)
  }

  private async start(nodes: {id: string; kind: string; waitsFor: string[]}[]): Promise<unknown> {
    const {Listr} = await import('listr2')
    const tasks = nodes.map(({id, waitsFor}) => ({
      title: waitingTitle(id, waitsFor),
      task: (_: unknown, task: {title: string; output: string; skip: (message?: string) => void}) =>
        new Promise<void>((resolve, reject) => {
          // What it still waits for (the task may register after some of it is done).
          const waiting = new Set(waitsFor.filter((dep) => !this.settled.has(dep)))
          let started = false
          if (waiting.size !== waitsFor.length) task.title = waitingTitle(id, [...waiting])
          const update: TaskUpdate = (event) => {
            if (event.type === 'dependency-settled') {
              if (waiting.delete(event.id) && !started && waiting.size > 0) task.title = waitingTitle(id, [...waiting])
            } else if (event.type === 'node-start') {
              started = true
              if (event.action !== 'noop') task.title = `${id}: ${verb(event.action)}`
            } else if (event.type === 'node-progress') task.output = event.message
            else if (event.type === 'node-done') {
              if (event.action === 'noop') {
                task.skip(`${id}: unchanged`)
              } else {
                task.title = `${id}: ${past(event.action)}${shownId(id, event.physicalId)} (${seconds(event.durationMs)})`
              }
              resolve()
            } else if (event.type === 'node-failed') reject(new Error(`${id}: ${event.error}`))
            else if (event.type === 'node-interrupted') {
              task.skip(`${id}: ${event.message}`)
              resolve()
            } else if (event.type === 'node-blocked') {
              task.skip(`${id}: not started (${event.blockedBy.length > 0 ? `${event.blockedBy.join(', ')} failed` : (event.reason ?? 'the run was interrupted')})`)
              resolve()
            }
          }
          this.updates.set(id, update)
          for (const event of this.early.get(id) ?? []) update(event)
          this.early.delete(id)
        }),
    }))
    const list = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: {collapseSubtasks: false, collapseErrors: false, collapseSkips: true, showSkipMessage: true},
    })
    return list.run()
  }
}

function verb(action: string): string {
  return {create: 'creating', update: 'updating', replace: 'replacing', delete: 'deleting', noop: 'checking'}[action] ?? action
}

function past(action: string): string {
  return {create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted', noop: 'unchanged'}[action] ?? action
}

/** ` <aws id>` after a verb, unless the label already names it (`nat-gateway/a (old nat-1): deleted`). */
function shownId(label: string, physicalId: string | undefined): string {
  return physicalId && !label.includes(physicalId) ? ` ${physicalId}` : ''
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`
}

/** The line-per-event form for CI logs and pipes. No-ops print nothing: a no-op run is quiet. */
export function plainLine(event: EngineEvent): string | undefined {
  const time = new Date().toISOString().slice(11, 19)
  switch (event.type) {
    case 'run-start':
      return undefined
    case 'node-start':
      return event.action === 'noop' ? undefined : `${time} ${event.id}: ${verb(event.action)}…`
    case 'node-progress':
      return event.id === '' ? `${time} ${event.message}` : `${time} ${event.id}: ${event.message}`
    case 'node-done':
      return event.action === 'noop' ? undefined : `${time} ${event.id}: ${past(event.action)}${shownId(event.id, event.physicalId)} (${seconds(event.durationMs)})`
    case 'node-failed':
      return `${time} ${event.id}: FAILED to ${event.action}: ${event.error}`
    case 'node-interrupted':
      return `${time} ${event.id}: ${event.message} (${verb(event.action)})`
    case 'node-blocked':
      return event.blockedBy.length > 0 ? `${time} ${event.id}: not started, ${event.blockedBy.join(', ')} failed` : `${time} ${event.id}: not started (${event.reason ?? 'the run was interrupted'})`
  }
}
