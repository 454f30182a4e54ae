import {AwsClients} from '../../src/aws/clients.js'
import type {ReconcileContext} from '../../src/resources/types.js'
import {VirtualClock} from '../../src/util/clock.js'

/**
 * A reconcile context for unit tests: virtual clock (waits cost nothing),
 * fixed region, real SDK clients (mocked by aws-sdk-client-mock in the test,
 * or answered by an installed FakeCloud) retrying on the context's clock and
 * signal, and progress messages collected for assertions.
 */
export function testContext(overrides: Partial<ReconcileContext> = {}): ReconcileContext & {messages: string[]; clock: VirtualClock} {
  const clock = new VirtualClock()
  const messages: string[] = []
  const base = {
    stack: 'teststack',
    region: 'us-east-1',
    clock,
    signal: new AbortController().signal,
    pollIntervalMs: 5_000,
    waitTimeoutMs: 15 * 60_000,
    progress: (message: string) => messages.push(message),
    messages,
    ...overrides,
  }
  const ctx = {aws: new AwsClients({region: base.region, clock: base.clock, signal: base.signal}), ...base}
  return ctx as ReconcileContext & {messages: string[]; clock: VirtualClock}
}
