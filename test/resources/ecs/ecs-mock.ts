import {ECSClient, ECSServiceException} from '@aws-sdk/client-ecs'
import {mockClient} from 'aws-sdk-client-mock'

/** The ECS client mock of one test file. Call once per file, at module level, and `ecs.reset()` in `beforeEach`. */
export function ecsMock() {
  const ecs = mockClient(ECSClient)

  function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
    return ecs.commandCalls(command as any).map((call) => call.args[0].input as Input)
  }

  /** Names of the commands that change something (all but Describe* and List*), in order. */
  function mutations(): string[] {
    return ecs
      .calls()
      .map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
      .filter((name) => !/^(Describe|List)/.test(name))
  }

  return {ecs, inputs, mutations}
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E

/** A modeled ECS error as the SDK raises it (ECS speaks JSON: the class name is the wire code). */
export function ecsError<E>(Exception: Modeled<E>, message = 'test'): E {
  return new Exception({$metadata: {httpStatusCode: 400}, message})
}

/** An ECS error without a modeled class (ThrottlingException…). */
export function ecsCodeError(code: string, message = `${code} (test)`): ECSServiceException {
  return new ECSServiceException({name: code, $fault: 'client', $metadata: {httpStatusCode: 400}, message})
}

/** ECS's tags (lower case) of an object made for `logicalId`. */
export function ecsTags(logicalId: string, stack = 'teststack') {
  return [
    {key: 'containrlab:stack', value: stack},
    {key: 'containrlab:id', value: logicalId},
    {key: 'managed-by', value: 'containrlab'},
  ]
}

export const clusterArn = (name = 'teststack') => `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`
export const serviceArn = (name = 'api', cluster = 'teststack') => `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/${name}`
export const taskDefinitionArn = (family = 'teststack-api', revision = 1) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`
