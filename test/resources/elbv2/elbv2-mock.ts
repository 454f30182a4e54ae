import {ElasticLoadBalancingV2Client, ElasticLoadBalancingV2ServiceException} from '@aws-sdk/client-elastic-load-balancing-v2'
import {mockClient} from 'aws-sdk-client-mock'

/**
 * The ELBv2 client mock of one test file plus what its assertions read from
 * it. Call once per file, at module level, and `elbv2.reset()` in `beforeEach`.
 */
export function elbv2Mock() {
  const elbv2 = mockClient(ElasticLoadBalancingV2Client)

  /** The inputs of every call of one command, in order. */
  function inputs<Input extends object>(command: new (input: Input) => {input: Input}): Input[] {
    return elbv2.commandCalls(command as any).map((call) => call.args[0].input as Input)
  }

  /** Names of all commands sent, in order, without the `Command` suffix. */
  function sent(): string[] {
    return elbv2.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
  }

  /** Names of the commands that change something (all but Describe*), in order. */
  function mutations(): string[] {
    return sent().filter((name) => !name.startsWith('Describe'))
  }

  return {elbv2, inputs, sent, mutations}
}

type Modeled<E> = new (options: {$metadata: {httpStatusCode?: number}; message: string}) => E

/** A modeled ELBv2 error as a test builds it from the class alone (no wire `Code`): `elbError(LoadBalancerNotFoundException)`. */
export function elbError<E>(Exception: Modeled<E>, message = 'test'): E {
  return new Exception({$metadata: {httpStatusCode: 400}, message})
}

/** An ELBv2 error without a modeled class (ValidationError, Throttling), as the SDK raises it: name and `Code` both the code. */
export function elbCodeError(code: string, message = `${code} (test)`): ElasticLoadBalancingV2ServiceException {
  return Object.assign(new ElasticLoadBalancingV2ServiceException({name: code, $fault: 'client', $metadata: {httpStatusCode: 400}, message}), {Code: code})
}

export const region = 'us-east-1'
export const account = '123456789012'
export const lbArn = (name = 'teststack-alb', id = '50dc6c495c0c9188') => `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/${name}/${id}`
export const tgArn = (name: string, id = '73e2d6bc24d8a067') => `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${name}/${id}`
export const listenerArn = (id = 'f2f7dc8efc522ab2') => `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/teststack-alb/50dc6c495c0c9188/${id}`
export const ruleArn = (id: string) => `arn:aws:elasticloadbalancing:${region}:${account}:listener-rule/app/teststack-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/${id}`
