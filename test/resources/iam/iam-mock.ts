import {IAMClient, IAMServiceException} from '@aws-sdk/client-iam'
import {mockClient} from 'aws-sdk-client-mock'

/**
 * The IAM client mock of one test file plus what its assertions read from
 * it. Call once per file, at module level, and `iam.reset()` in `beforeEach`.
 */
export function iamMock() {
  const iam = mockClient(IAMClient)

  /** The inputs of every call of one command, in order. */
  function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
    return iam.commandCalls(command as any).map((call) => call.args[0].input as Input)
  }

  /** Names of all commands sent, in order, without the `Command` suffix. */
  function sent(): string[] {
    return iam.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
  }

  /** Names of the commands that change something (all but Get* and List*), in order. */
  function mutations(): string[] {
    return sent().filter((name) => !/^(Get|List)/.test(name))
  }

  return {iam, inputs, sent, mutations}
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E

/** A modeled IAM error as a test builds it from the class alone (no wire `Code`): `iamError(NoSuchEntityException)`. */
export function iamError<E>(Exception: Modeled<E>, message = 'test'): E {
  return new Exception({$metadata: {httpStatusCode: 400}, message})
}

/** A query-protocol error (IAM, Auto Scaling) as the SDK raises it: name and `Code` both the code. */
export function queryError(code: string, message = `${code} (test)`): IAMServiceException {
  return Object.assign(new IAMServiceException({name: code, $fault: 'client', $metadata: {httpStatusCode: 400}, message}), {Code: code})
}

export const account = '123456789012'
export const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`
export const profileArn = (name: string) => `arn:aws:iam::${account}:instance-profile/${name}`
/** A document as IAM returns it: URL-encoded (RFC 3986). */
export const urlEncoded = (document: unknown) => encodeURIComponent(JSON.stringify(document))
