import {SSMClient} from '@aws-sdk/client-ssm'
import {mockClient} from 'aws-sdk-client-mock'
import {AwsClients} from '../../src/aws/clients.js'
import {VirtualClock} from '../../src/util/clock.js'
import {type FakeEnv, Faults} from '../fake-cloud/core.js'
import {FakeSsm} from '../fake-cloud/ssm.js'

/** The SSM mock shared by a test file; `.reset()` it in beforeEach through `ssmHarness()`. */
export const ssmMock = mockClient(SSMClient)

/**
 * A fresh FakeSsm wired into every SSMClient through aws-sdk-client-mock,
 * plus AwsClients on a virtual clock. Call in beforeEach.
 */
export function ssmHarness(): {fake: FakeSsm; aws: AwsClients; clock: VirtualClock; env: FakeEnv} {
  ssmMock.reset()
  const clock = new VirtualClock(Date.UTC(2026, 10, 26, 5))
  const env: FakeEnv = {clock, faults: new Faults(), region: 'us-east-1', accountId: '123456789012'}
  const fake = new FakeSsm(env)
  for (const handler of fake.handlers()) ssmMock.on(handler.command as any).callsFake(handler.handle)
  const aws = new AwsClients({region: 'us-east-1', clock})
  return {fake, aws, clock, env}
}

/** The inputs of every call of one command, in order. */
export function inputsOf<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
  return ssmMock.commandCalls(command as any).map((call) => call.args[0].input as Input)
}
