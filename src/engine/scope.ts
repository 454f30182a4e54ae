import {AsyncLocalStorage} from 'node:async_hooks'

/**
 * The logical id of the node whose work is running, across awaits: lets a
 * call observer (the benchmark's fake cloud, a debug log) attribute each AWS
 * call to the resource that made it without threading ids through reconcilers.
 *
 * Off until an observer asks for it (`trackNodeScopes`): on Node 20, an
 * AsyncLocalStorage in use installs promise hooks that slow every promise
 * of the run (the test suite ran twice as long on Node 20 as on Node 24,
 * whose AsyncLocalStorage has no such hooks).
 */
let scope: AsyncLocalStorage<string> | undefined

/** Turns attribution on for the rest of the process (the benchmark). */
export function trackNodeScopes(): void {
  scope ??= new AsyncLocalStorage<string>()
}

export function inNodeScope<T>(nodeId: string, work: () => Promise<T>): Promise<T> {
  return scope ? scope.run(nodeId, work) : work()
}

/** The node making the current call, if any (undefined unless trackNodeScopes was called). */
export function currentNodeId(): string | undefined {
  return scope?.getStore()
}
