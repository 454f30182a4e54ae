import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {DescribeSubnetsCommand, DescribeVpcsCommand} from '@aws-sdk/client-ec2'
import {GetParameterCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {AwsClients, CALL_COUNTER_MIDDLEWARE, SERVICES, partitionOf, serviceRegion} from '../../src/aws/clients.js'
import {VirtualClock} from '../../src/util/clock.js'
import {describeError, httpStatusOf} from '../../src/aws/errors.js'
import {HttpStub, ec2DescribeVpcs, ec2Error, ec2Throttling, htmlPage, rejection, stubbedClients} from './http-stub.js'

describe('AwsClients', () => {
  it('calls onCall once per attempt that is sent, retries included', async () => {
    const calls: string[] = []
    const stub = new HttpStub(() => ec2DescribeVpcs()).next(ec2Throttling(), 2)
    const ec2 = await stubbedClients(stub, {onCall: (service, operation) => calls.push(`${service}:${operation}`)}).ec2()

    await ec2.send(new DescribeVpcsCommand({}))

    expect(calls).toEqual(['ec2:DescribeVpcs', 'ec2:DescribeVpcs', 'ec2:DescribeVpcs'])
    expect(calls).toHaveLength(stub.requests.length)
    // A middleware inside the retry loop, not a wrapped `send`.
    expect(ec2.middlewareStack.identify()).toContain(`${CALL_COUNTER_MIDDLEWARE} - after retryMiddleware`)
    expect(Object.hasOwn(ec2, 'send')).toBe(false)
  })

  it('creates one client per service per run', async () => {
    const aws = new AwsClients({region: 'eu-west-1', clock: new VirtualClock()})
    const [first, second] = await Promise.all([aws.ec2(), aws.client('ec2')])
    expect(first).toBe(second)
    expect(await aws.ssm()).not.toBe(first)
  })

  it('gives a regional service the run region and a global one its partition global region', async () => {
    // No global service's package is a dependency yet: a test-only entry marks SSM's client global.
    const services = {...SERVICES, globalSsm: {load: SERVICES.ssm.load, global: true}}
    const regions = async (region: string) => {
      const aws = new AwsClients({region, clock: new VirtualClock(), services})
      return [await (await aws.ec2()).config.region(), await (await aws.client('globalSsm')).config.region()]
    }
    expect(await regions('eu-west-1')).toEqual(['eu-west-1', 'us-east-1'])
    expect(await regions('ap-southeast-2')).toEqual(['ap-southeast-2', 'us-east-1'])
    expect(await regions('cn-northwest-1')).toEqual(['cn-northwest-1', 'cn-north-1'])
    expect(await regions('us-gov-east-1')).toEqual(['us-gov-east-1', 'us-gov-west-1'])
  })

  it('resolves the run region from the SDK chain (AWS_REGION here) when no region is given', async () => {
    const aws = new AwsClients({clock: new VirtualClock()})
    expect(await aws.region()).toBe(process.env.AWS_REGION)
  })

  it('maps regions to partitions and global services to their partition region', () => {
    expect(['us-east-1', 'eu-central-2', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1'].map(partitionOf)).toEqual(['aws', 'aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b'])
    const global = {load: SERVICES.ssm.load, global: true}
    expect(serviceRegion(global, 'me-south-1')).toBe('us-east-1')
    expect(serviceRegion(global, undefined)).toBe('us-east-1')
    // A partition without a known global region: the SDK's endpoint rules map the run's region.
    expect(serviceRegion(global, 'us-iso-east-1')).toBe('us-iso-east-1')
    expect(serviceRegion(SERVICES.ec2, 'eu-west-3')).toBe('eu-west-3')
  })
})

describe('start-up cost', () => {
  it('src/aws imports no SDK package at module top level, except `import type`', () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'aws')
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8')
      // Value imports (single- or multi-line) and side-effect imports; `import type` is erased at build.
      const eager = source.match(/^(?:import|export)\s+(?!type\b)(?:[\w*{},\s]+\s+from\s+)?'@(?:aws-sdk|smithy)\/[^']*'/gm) ?? []
      expect(eager, `${file} imports an SDK package eagerly`).toEqual([])
    }
  })
})

describe('errors of SDK calls', () => {
  it('name the service, operation and HTTP status, and say what answered when it is not AWS (a proxy HTML page)', async () => {
    const stub = new HttpStub(() => htmlPage(502))
    const ec2 = await stubbedClients(stub).ec2()
    const error = await rejection(ec2.send(new DescribeSubnetsCommand({})))
    // The SDK's own error: an XML parse error of the page, after every attempt of the retry policy.
    expect(error.message).toMatch(/XML parse error/)
    expect(error).toMatchObject({$service: 'EC2', $operation: 'DescribeSubnets', $metadata: {httpStatusCode: 502, attempts: 8}})
    expect(describeError(error)).toMatch(
      /^EC2 DescribeSubnets \(HTTP 502, 8 attempts\): the answer is not AWS's: an HTML page titled "502 Bad Gateway" \(XML parse error: mismatched tags .*\); a proxy, firewall or wrong endpoint \(AWS_ENDPOINT_URL\) may be in the way$/,
    )
    expect(describeError(error)).not.toMatch(/\$response|Deserialization error/)
    // Non-enumerable: the error's JSON form is unchanged.
    expect(Object.keys(error)).not.toContain('$service')
  })

  it('a JSON service answered with an HTML page (HTTP 200) says the same', async () => {
    const stub = new HttpStub(() => htmlPage(200))
    const ssm = await stubbedClients(stub).ssm()
    const error = await rejection(ssm.send(new GetParameterCommand({Name: '/x'})))
    expect(describeError(error)).toMatch(/^SSM GetParameter \(HTTP 200\): the answer is not AWS's: an HTML page titled "502 Bad Gateway" /)
  })

  it("an AWS error: the service, operation and status, then AWS's code and words", async () => {
    const stub = new HttpStub(() => ec2Error(400, 'InvalidVpcID.NotFound', "The vpc ID 'vpc-1' does not exist"))
    const ec2 = await stubbedClients(stub).ec2()
    const error = await rejection(ec2.send(new DescribeVpcsCommand({VpcIds: ['vpc-1']})))
    expect(describeError(error)).toBe("EC2 DescribeVpcs (HTTP 400): InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist")
    expect(httpStatusOf(error)).toBe(400)
  })

  it('errors of our own are their message alone, without their class name', () => {
    class StateFormatError extends Error {
      override name = 'StateFormatError'
    }
    expect(describeError(new StateFormatError('the state document is corrupt'))).toBe('the state document is corrupt')
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), {code: 'ECONNREFUSED'}))).toBe('connect ECONNREFUSED 127.0.0.1:5000')
  })
})
