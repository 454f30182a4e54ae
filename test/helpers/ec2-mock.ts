import {EC2Client, EC2ServiceException} from '@aws-sdk/client-ec2'
import {mockClient} from 'aws-sdk-client-mock'

/**
 * The EC2 client mock of one test file plus what its assertions read from it.
 * Call once per file, at module level, and `ec2.reset()` in `beforeEach`.
 */
export function ec2Mock() {
  const ec2 = mockClient(EC2Client)

  /** The inputs of every call of one command, in order. */
  function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
    return ec2.commandCalls(command as any).map((call) => call.args[0].input as Input)
  }

  /** Names of all commands sent, in order, without the `Command` suffix. */
  function sent(): string[] {
    return ec2.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
  }

  return {ec2, inputs, sent}
}

/** An error as the SDK throws it for an EC2 error code (`InvalidVpcID.NotFound`, `DependencyViolation`…). */
export function awsError(name: string, message = `${name} (test)`): EC2ServiceException {
  return new EC2ServiceException({name, $fault: 'client', $metadata: {httpStatusCode: 400}, message})
}

/**
 * The tags every resource the tool creates carries, spelled out literally
 * (not from the source's constants) so that a renamed tag key fails the tests.
 */
export function ownershipTags(logicalId: string, stack = 'teststack'): {Key: string; Value: string}[] {
  return [
    {Key: 'containrlab:stack', Value: stack},
    {Key: 'containrlab:id', Value: logicalId},
    {Key: 'managed-by', Value: 'containrlab'},
  ]
}

/** What the engine asks `find` in the unit tests: the test stack, no logical ids in particular. */
export const findQuery = {stack: 'teststack', wanted: []}

/** Delete options of an ordinary teardown (no --purge). */
export const keepData = {purge: false}
