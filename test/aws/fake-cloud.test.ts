import {CreateVpcCommand, DescribeRegionsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client} from '@aws-sdk/client-ec2'
import {GetParameterCommand, PutParameterCommand} from '@aws-sdk/client-ssm'
import {Client} from '@smithy/core/client'
import {mockClient} from 'aws-sdk-client-mock'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClients} from '../../src/aws/clients.js'
import {inNodeScope, trackNodeScopes} from '../../src/engine/scope.js'
import type {VirtualClock} from '../../src/util/clock.js'
import {FAKE_CLOUD_MIDDLEWARE, FakeCloud, SimulatedCrash} from '../fake-cloud/index.js'
import {describeError} from '../../src/aws/errors.js'
import {HttpStub, htmlPage, rejection, stubbedClients} from './http-stub.js'

/** smithy's own `send`, before any fake cloud is installed. */
const smithySend = Client.prototype.send

let cloud: FakeCloud
let aws: AwsClients
let attempts: string[]

function open(fake: FakeCloud): void {
  cloud = fake.install()
  attempts = []
  aws = new AwsClients({region: 'us-east-1', clock: cloud.clock, retry: {random: () => 1}, onCall: (service, operation) => attempts.push(`${service}:${operation}`)})
}

beforeEach(() => open(new FakeCloud()))
afterEach(() => cloud.restore())

const createVpc = () => new CreateVpcCommand({CidrBlock: '10.0.0.0/16'})

describe('FakeCloud wiring: the fake answers inside the SDK middleware stack', () => {
  it('answers after the retry middleware and the call counter, before signing, once per attempt', async () => {
    const ec2 = await aws.ec2()
    const {Vpc} = await ec2.send(createVpc())

    expect(Vpc?.VpcId).toMatch(/^vpc-/)
    const stack = ec2.middlewareStack.identify()
    const position = (name: string) => stack.findIndex((entry) => entry.startsWith(`${name} `))
    expect(position('retryMiddleware')).toBeLessThan(position('containrlabCallCounter'))
    expect(position('containrlabCallCounter')).toBeLessThan(position(FAKE_CLOUD_MIDDLEWARE))
    expect(position(FAKE_CLOUD_MIDDLEWARE)).toBeLessThan(position('httpSigningMiddleware'))
    expect(cloud.calls.map((call) => [call.service, call.operation, call.mutating])).toEqual([['ec2', 'CreateVpc', true]])
    expect(attempts).toEqual(['ec2:CreateVpc'])
  })

  it('has injected EC2 throttling retried by the real retry strategy, on the cloud virtual clock', async () => {
    const ec2 = await aws.ec2()
    await ec2.send(createVpc())
    cloud.faults.throttle('DescribeVpcs', 3)
    const before = cloud.clock.now()

    const output = await ec2.send(new DescribeVpcsCommand({}))

    expect(output.Vpcs).toHaveLength(1)
    expect(output.$metadata.attempts).toBe(4)
    const describes = cloud.calls.filter((call) => call.operation === 'DescribeVpcs')
    expect(describes.map((call) => call.error)).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded', 'RequestLimitExceeded', undefined])
    expect(cloud.clock.now() - before).toBeGreaterThanOrEqual(1_000 + 2_000 + 4_000)
    expect(attempts).toHaveLength(cloud.calls.length)
  })

  it('has injected SSM throttling retried too', async () => {
    const ssm = await aws.ssm()
    cloud.faults.throttle('PutParameter', 2)

    await ssm.send(new PutParameterCommand({Name: '/app/a', Value: 'one', Type: 'String'}))

    expect(cloud.calls.map((call) => call.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined])
    expect(cloud.ssm.get('/app/a')?.Value).toBe('one')
  })

  it('fails with the throttling error after 8 attempts when throttling outlasts the budget', async () => {
    const ec2 = await aws.ec2()
    cloud.faults.throttle('*', 20)

    const error = await rejection(ec2.send(new DescribeVpcsCommand({})))

    expect(error.name).toBe('RequestLimitExceeded')
    expect(error.$metadata?.attempts).toBe(8)
    expect(cloud.calls).toHaveLength(8)
  })

  it('does not retry a simulated crash, and every later call crashes too', async () => {
    const ec2 = await aws.ec2()
    cloud.faults.crashAfterMutatingCalls = 1

    expect(await rejection(ec2.send(createVpc()))).toBeInstanceOf(SimulatedCrash)
    expect(cloud.calls).toHaveLength(1)
    expect(await rejection(ec2.send(new DescribeVpcsCommand({})))).toBeInstanceOf(SimulatedCrash)
    expect(cloud.calls.map((call) => [call.operation, call.error])).toEqual([
      ['CreateVpc', 'SimulatedCrash'],
      ['DescribeVpcs', 'SimulatedCrash'],
    ])
    // The crashed create took effect.
    expect(cloud.mutatingCalls()).toHaveLength(1)
  })

  it('fails loudly, without retrying, on an operation no fake service implements', async () => {
    const ec2 = await aws.ec2()
    const error = await rejection(ec2.send(new DescribeRegionsCommand({})))
    expect(error.message).toMatch(/fake cloud: EC2Client DescribeRegionsCommand is not implemented/)
    expect(attempts).toEqual(['ec2:DescribeRegions'])
  })

  it('routes a fake service registered by a test, by the SDK command class', async () => {
    cloud.restore()
    open(
      new FakeCloud({
        services: [
          () => ({
            service: 'regions',
            handlers: () => [{command: DescribeRegionsCommand, operation: 'DescribeRegions', mutating: false, handle: () => ({Regions: [{RegionName: 'eu-west-1'}]})}],
          }),
        ],
      }),
    )
    const {Regions} = await (await aws.ec2()).send(new DescribeRegionsCommand({}))
    expect(Regions).toEqual([{RegionName: 'eu-west-1'}])
    expect(cloud.calls.map((call) => `${call.service}:${call.operation}`)).toEqual(['regions:DescribeRegions'])
  })

  it('applies injected latency to each attempt on the cloud clock and attributes calls to the running node', async () => {
    cloud.faults.latencyMs = (service, operation) => (service === 'ec2' && operation === 'CreateVpc' ? 250 : 0)
    const ec2 = await aws.ec2()
    const before = cloud.clock.now()

    trackNodeScopes()
    await inNodeScope('network', () => ec2.send(createVpc()))

    expect(cloud.clock.now() - before).toBe(250)
    expect(cloud.calls[0]).toMatchObject({latencyMs: 250, node: 'network', at: before})
  })

  it('needs no credentials from the environment', async () => {
    const saved = {id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY}
    delete process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_SECRET_ACCESS_KEY
    try {
      const fresh = new AwsClients({region: 'us-east-1', clock: cloud.clock})
      await (await fresh.ssm()).send(new PutParameterCommand({Name: '/app/b', Value: 'two', Type: 'String'}))
      expect(cloud.ssm.get('/app/b')?.Value).toBe('two')
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret
    }
  })

  it('lets aws-sdk-client-mock answer the class it mocks while it is active, and the fake answer again after', async () => {
    const ec2 = await aws.ec2()
    const ssm = await aws.ssm()
    const mock = mockClient(EC2Client)
    try {
      mock.on(DescribeVpcsCommand).resolves({Vpcs: [{VpcId: 'vpc-mocked'}]})
      expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([{VpcId: 'vpc-mocked'}])
      await ssm.send(new PutParameterCommand({Name: '/app/c', Value: 'three', Type: 'String'}))
      expect(cloud.calls.map((call) => call.operation)).toEqual(['PutParameter'])
    } finally {
      mock.restore()
    }
    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([])
    expect(cloud.calls.map((call) => call.operation)).toEqual(['PutParameter', 'DescribeVpcs'])
  })

  it('restore() puts smithy send back and takes the fake middleware out of every client', async () => {
    expect(Client.prototype.send).not.toBe(smithySend)
    const ssm = await aws.ssm()
    await rejection(ssm.send(new GetParameterCommand({Name: '/missing'})))
    expect(ssm.middlewareStack.identify().some((entry) => entry.startsWith(FAKE_CLOUD_MIDDLEWARE))).toBe(true)

    cloud.restore()

    expect(Client.prototype.send).toBe(smithySend)
    expect(ssm.middlewareStack.identify().some((entry) => entry.startsWith(FAKE_CLOUD_MIDDLEWARE))).toBe(false)
  })

  it('hands over when another fake cloud is installed', async () => {
    const ec2 = await aws.ec2()
    await ec2.send(createVpc())
    const first = cloud
    open(new FakeCloud({clock: first.clock as VirtualClock}))

    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([])
    expect(first.calls).toHaveLength(1)
    expect(cloud.calls).toHaveLength(1)
  })
})

describe('FakeCloud faults: an answer that is not AWS (a proxy HTML page)', () => {
  it('gives the error the real SDK client throws for that page, with the HTTP status, after the real retries', async () => {
    const ec2 = await aws.ec2()
    cloud.faults.garbage('DescribeSubnets')
    const fromFake = await rejection(ec2.send(new DescribeSubnetsCommand({})))

    // The same page through a real client whose only fake part is the socket.
    const stub = new HttpStub(() => htmlPage(502))
    const fromStub = await rejection((await stubbedClients(stub, {region: 'us-east-1'}).ec2()).send(new DescribeSubnetsCommand({})))
    expect(fromFake.message).toBe(fromStub.message)
    expect(fromFake.message).toMatch(/^@aws-sdk XML parse error: mismatched tags/)
    expect(fromFake).toMatchObject({$metadata: {httpStatusCode: 502, attempts: 8}})
    expect(describeError(fromFake)).toBe(describeError(fromStub))
    expect(attempts.filter((call) => call === 'ec2:DescribeSubnets')).toHaveLength(8)
    expect(cloud.calls.at(-1)).toMatchObject({operation: 'DescribeSubnets', error: "HTTP 502: not AWS's answer"})
  })

  it('can be limited to a number of calls, and answers with the status it is given', async () => {
    const ec2 = await aws.ec2()
    cloud.faults.garbage('DescribeVpcs', {times: 1, status: 200})
    const error = await rejection(ec2.send(new DescribeVpcsCommand({})))
    expect(error).toMatchObject({$metadata: {httpStatusCode: 200, attempts: 1}})
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toMatchObject({Vpcs: []})
  })
})
