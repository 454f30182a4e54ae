import {AsyncLocalStorage} from 'node:async_hooks'

/**
 * The logical id of the node whose work is running, across awaits: lets a
 * call observer (the benchmark's fake cloud, a debug log) attribute each AWS
 * call to the resource that made it without threading ids through reconcilers.
 */
const scope = new AsyncLocalStorage<string>()

export function inNodeScope<T>(nodeId: string, work: () => Promise<T>): Promise<T> {
  return scope.run(nodeId, work)
}

/** The node making the current call, if any. */
export function currentNodeId(): string | undefined {
  return scope.getStore()
}
