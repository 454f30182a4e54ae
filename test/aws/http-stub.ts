import type {HttpRequest, HttpResponse} from '@smithy/types'
import {AwsClients, type AwsClientsOptions} from '../../src/aws/clients.js'
import {type Clock, VirtualClock} from '../../src/util/clock.js'
import {BAD_GATEWAY_PAGE} from '../fake-cloud/core.js'

/**
 * A stand-in for the SDK's HTTP handler: the client's whole middleware stack
 * runs (serialization, the SDK's retry middleware with our strategy, signing,
 * deserialization), and only the socket is replaced by canned responses.
 */
export class HttpStub {
  readonly requests: HttpRequest[] = []
  private readonly queue: HttpResponse[] = []

  constructor(private readonly fallback: () => HttpResponse) {}

  /** Answers the next `times` requests with `response` (then the fallback). */
  next(response: HttpResponse, times = 1): this {
    for (let i = 0; i < times; i++) this.queue.push(response)
    return this
  }

  async handle(request: HttpRequest): Promise<{response: HttpResponse}> {
    this.requests.push(request)
    return {response: this.queue.shift() ?? this.fallback()}
  }
}

const xml = {'content-type': 'text/xml;charset=UTF-8'}
const json = {'content-type': 'application/x-amz-json-1.1'}

/** EC2 (query API) throttling: HTTP 503 with the XML error document. */
export function ec2Throttling(): HttpResponse {
  return ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.')
}

export function ec2Error(statusCode: number, code: string, message: string): HttpResponse {
  const body = `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-error</RequestID></Response>`
  return {statusCode, headers: xml, body: Buffer.from(body)}
}

export function ec2DescribeVpcs(vpcId = 'vpc-0abc'): HttpResponse {
  const body = `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-ok</requestId><vpcSet><item><vpcId>${vpcId}</vpcId></item></vpcSet></DescribeVpcsResponse>`
  return {statusCode: 200, headers: xml, body: Buffer.from(body)}
}

/** SSM (JSON 1.1 protocol) throttling: HTTP 400, the code in `x-amzn-errortype` and `__type`. */
export function ssmThrottling(): HttpResponse {
  return {statusCode: 400, headers: {...json, 'x-amzn-errortype': 'ThrottlingException'}, body: Buffer.from('{"__type":"ThrottlingException","message":"Rate exceeded"}')}
}

export function ssmGetParameter(name: string, value: string): HttpResponse {
  return {statusCode: 200, headers: json, body: Buffer.from(JSON.stringify({Parameter: {Name: name, Value: value, Type: 'String', Version: 1}}))}
}

/** AwsClients whose clients send through `stub`, on a virtual clock, with jitter pinned to its maximum unless told otherwise. */
export function stubbedClients(stub: HttpStub, options: Partial<AwsClientsOptions> & {clock?: Clock} = {}): AwsClients {
  return new AwsClients({
    region: 'eu-west-1',
    requestHandler: stub,
    ...options,
    clock: options.clock ?? new VirtualClock(),
    retry: {random: () => 1, ...options.retry},
  })
}

/** The error a call rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & {$metadata?: {attempts?: number}}> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the call to fail')
}

/** What a proxy or load balancer in front of the endpoint answers when the service behind it is down: an HTML page, not AWS's XML or JSON. */
export function htmlPage(statusCode = 502, body = BAD_GATEWAY_PAGE): HttpResponse {
  return {statusCode, headers: {'content-type': 'text/html'}, body: Buffer.from(body)}
}
