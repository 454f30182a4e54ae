import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateTargetGroupNameException,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  ResourceInUseException,
  type TargetGroup,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {createHash} from 'node:crypto'
import {beforeEach, describe, expect, it} from 'vitest'
import type {TargetGroupDesired} from '../../../src/resources/elbv2/desired.js'
import {diffTargetGroup, generatedTargetGroupName, isNamedFrom, targetGroup, targetGroupNamePrefix, type TargetGroupObserved} from '../../../src/resources/elbv2/target-group.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {elbError, elbv2Mock, tgArn} from './elbv2-mock.js'

const {elbv2, inputs, sent} = elbv2Mock()

const tags = ownershipTags('target-group/api')
const token = '0123456789abcdef0123456789abcdef'
const meta = {logicalId: 'target-group/api', token, tags}
/** The suffix a group created with `token` gets: 8 hex characters derived from the token. */
const suffix = createHash('sha256').update(token).digest('hex').slice(0, 8)
const name = `teststack-api-${suffix}`
const arn = tgArn(name)
const healthCheck = {path: '/healthz', intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 2, matcher: '200-399'}
const desired: TargetGroupDesired = {namePrefix: 'teststack-api', vpcId: 'vpc-1', port: 8080, protocol: 'HTTP', targetType: 'ip', healthCheck, deregistrationDelaySeconds: 300}
const awsGroup = (overrides: Partial<TargetGroup> = {}): TargetGroup => ({
  TargetGroupArn: arn,
  TargetGroupName: name,
  Protocol: 'HTTP',
  Port: 8080,
  VpcId: 'vpc-1',
  TargetType: 'ip',
  HealthCheckPath: '/healthz',
  HealthCheckIntervalSeconds: 15,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 3,
  UnhealthyThresholdCount: 2,
  Matcher: {HttpCode: '200-399'},
  LoadBalancerArns: [],
  ...overrides,
})
const observed: TargetGroupObserved = {
  id: arn,
  arn,
  logicalId: 'target-group/api',
  stack: 'teststack',
  name,
  vpcId: 'vpc-1',
  port: 8080,
  protocol: 'HTTP',
  targetType: 'ip',
  healthCheck,
  deregistrationDelaySeconds: 300,
  loadBalancerArns: [],
  targets: {healthy: 0, total: 0, others: {}},
}

/** Answers the per-group reads: attributes (delay 300) and no targets. */
function groupDetails(delay = '300') {
  elbv2.on(DescribeTargetGroupAttributesCommand).resolves({Attributes: [{Key: 'deregistration_delay.timeout_seconds', Value: delay}]})
  elbv2.on(DescribeTargetHealthCommand).resolves({TargetHealthDescriptions: []})
}

beforeEach(() => {
  elbv2.reset()
})

describe('target group names', () => {
  it('are the prefix and 8 hex characters derived from the token: the same for one token, different for another', () => {
    expect(generatedTargetGroupName('teststack-api', token)).toBe(name)
    expect(generatedTargetGroupName('teststack-api', 'fedcba9876543210fedcba9876543210')).not.toBe(name)
  })

  it.each([
    ['an ordinary prefix, unchanged', 'teststack-api', 'teststack-api'],
    ['characters outside letters, digits and hyphens', 'my_stack.api', 'my-stack-api'],
    ['a leading hyphen', '-api', 'api'],
    ['too long: cut to 23 characters', 'a-very-long-stack-name-for-the-api', 'a-very-long-stack-name'],
    ['a hyphen left at the cut', 'abcdefghijklmnopqrstuv-wxyz', 'abcdefghijklmnopqrstuv'],
    ['nothing valid', '___', 'tg'],
  ])('are always valid: %s', (_name, prefix, expected) => {
    expect(targetGroupNamePrefix(prefix)).toBe(expected)
    const generated = generatedTargetGroupName(prefix, token)
    // API_CreateTargetGroup: at most 32 alphanumeric characters or hyphens, not beginning or ending with a hyphen.
    expect(generated).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/)
    expect(generated.length).toBeLessThanOrEqual(32)
    expect(isNamedFrom(prefix, generated)).toBe(true)
  })

  it('match their prefix only with a generated suffix', () => {
    expect(isNamedFrom('teststack-api', 'teststack-api-0a1b2c3d')).toBe(true)
    expect(isNamedFrom('teststack-api', 'teststack-api')).toBe(false)
    expect(isNamedFrom('teststack-api', 'teststack-api-internal')).toBe(false)
    expect(isNamedFrom('teststack-api', 'teststack-ap-0a1b2c3d')).toBe(false)
  })
})

describe('targetGroup.read', () => {
  it('describes the ARNs in one call, with each group’s delay and targets’ health, and all their tags', async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({TargetGroups: [awsGroup()]})
    elbv2.on(DescribeTargetGroupAttributesCommand).resolves({Attributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '30'}]})
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{TargetHealth: {State: 'healthy'}}, {TargetHealth: {State: 'healthy'}}, {TargetHealth: {State: 'unhealthy', Reason: 'Target.Timeout'}}],
    })
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    const found = await targetGroup.read(testContext(), [arn])

    expect(inputs(DescribeTargetGroupsCommand)).toEqual([{TargetGroupArns: [arn]}])
    expect(found.get(arn)).toEqual({...observed, deregistrationDelaySeconds: 30, targets: {healthy: 2, total: 3, others: {unhealthy: 1}}})
  })

  it('omits a group that is gone', async () => {
    const gone = tgArn('gone', '0000000000000000')
    elbv2.on(DescribeTargetGroupsCommand, {TargetGroupArns: [arn, gone]}).rejects(elbError(TargetGroupNotFoundException))
    elbv2.on(DescribeTargetGroupsCommand, {TargetGroupArns: [arn]}).resolves({TargetGroups: [awsGroup()]})
    elbv2.on(DescribeTargetGroupsCommand, {TargetGroupArns: [gone]}).rejects(elbError(TargetGroupNotFoundException))
    groupDetails()
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    expect([...(await targetGroup.read(testContext(), [arn, gone])).keys()]).toEqual([arn])
  })

  it('omits a group deleted between its describe and its details', async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({TargetGroups: [awsGroup()]})
    elbv2.on(DescribeTargetGroupAttributesCommand).rejects(elbError(TargetGroupNotFoundException))
    elbv2.on(DescribeTargetHealthCommand).rejects(elbError(TargetGroupNotFoundException))

    expect((await targetGroup.read(testContext(), [arn])).size).toBe(0)
  })
})

describe('targetGroup.find', () => {
  it('lists every group of the region and keeps the stack’s by their tags; only those are read in full', async () => {
    const other = tgArn('other-1a2b3c4d', '1111111111111111')
    elbv2
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({TargetGroups: [awsGroup()], NextMarker: 'page-2'})
      .resolves({TargetGroups: [awsGroup({TargetGroupArn: other, TargetGroupName: 'other-1a2b3c4d'})]})
    elbv2.on(DescribeTagsCommand).resolves({
      TagDescriptions: [
        {ResourceArn: arn, Tags: tags},
        {ResourceArn: other, Tags: ownershipTags('target-group/api', 'otherstack')},
      ],
    })
    groupDetails()

    const found = await targetGroup.find(testContext(), findQuery)

    expect(inputs(DescribeTargetGroupsCommand).at(-1)).toEqual({PageSize: 400, Marker: 'page-2'})
    expect(inputs(DescribeTagsCommand)).toEqual([{ResourceArns: [arn, other]}])
    expect(inputs(DescribeTargetHealthCommand)).toEqual([{TargetGroupArn: arn}])
    expect(found).toEqual([observed])
  })
})

describe('diffTargetGroup', () => {
  it.each([
    ['no change', desired, []],
    ['other prefix', {...desired, namePrefix: 'teststack-web'}, [{field: 'namePrefix', before: name, after: 'teststack-web', replace: true}]],
    ['other VPC', {...desired, vpcId: 'vpc-2'}, [{field: 'vpcId', before: 'vpc-1', after: 'vpc-2', replace: true}]],
    ['other port', {...desired, port: 80}, [{field: 'port', before: 8080, after: 80, replace: true}]],
    ['other protocol', {...desired, protocol: 'HTTPS' as const}, [{field: 'protocol', before: 'HTTP', after: 'HTTPS', replace: true}]],
    ['other target type', {...desired, targetType: 'instance' as const}, [{field: 'targetType', before: 'ip', after: 'instance', replace: true}]],
    ['health check path', {...desired, healthCheck: {...healthCheck, path: '/ready'}}, [{field: 'healthCheck.path', before: '/healthz', after: '/ready', replace: false}]],
    ['health check interval', {...desired, healthCheck: {...healthCheck, intervalSeconds: 30}}, [{field: 'healthCheck.intervalSeconds', before: 15, after: 30, replace: false}]],
    ['health check timeout', {...desired, healthCheck: {...healthCheck, timeoutSeconds: 10}}, [{field: 'healthCheck.timeoutSeconds', before: 5, after: 10, replace: false}]],
    ['healthy threshold', {...desired, healthCheck: {...healthCheck, healthyThreshold: 5}}, [{field: 'healthCheck.healthyThreshold', before: 3, after: 5, replace: false}]],
    ['unhealthy threshold', {...desired, healthCheck: {...healthCheck, unhealthyThreshold: 4}}, [{field: 'healthCheck.unhealthyThreshold', before: 2, after: 4, replace: false}]],
    ['matcher', {...desired, healthCheck: {...healthCheck, matcher: '200'}}, [{field: 'healthCheck.matcher', before: '200-399', after: '200', replace: false}]],
    ['deregistration delay', {...desired, deregistrationDelaySeconds: 30}, [{field: 'deregistrationDelaySeconds', before: 300, after: 30, replace: false}]],
  ])('%s', (_name, wanted, expected) => {
    expect(diffTargetGroup(wanted, observed)).toEqual(expected)
  })
})

describe('targetGroup.create', () => {
  it('creates the group under its generated name with its health check and tags; no attribute call for AWS’s default delay', async () => {
    elbv2.on(CreateTargetGroupCommand).resolves({TargetGroups: [awsGroup()]})

    const created = await targetGroup.create(testContext(), desired, meta)

    expect(inputs(CreateTargetGroupCommand)).toEqual([
      {
        Name: name,
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: 'vpc-1',
        TargetType: 'ip',
        HealthCheckEnabled: true,
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 2,
        Matcher: {HttpCode: '200-399'},
        Tags: tags,
      },
    ])
    expect(sent()).toEqual(['CreateTargetGroup'])
    expect(created).toEqual(observed)
    expect(diffTargetGroup(desired, created)).toEqual([])
  })

  it('sets another deregistration delay after the create', async () => {
    elbv2.on(CreateTargetGroupCommand).resolves({TargetGroups: [awsGroup()]})
    elbv2.on(ModifyTargetGroupAttributesCommand).resolves({})

    const created = await targetGroup.create(testContext(), {...desired, deregistrationDelaySeconds: 30}, meta)

    expect(inputs(ModifyTargetGroupAttributesCommand)).toEqual([{TargetGroupArn: arn, Attributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '30'}]}])
    expect(created.deregistrationDelaySeconds).toBe(30)
  })

  it('adopts the group an earlier attempt made with other settings (DuplicateTargetGroupName, our tags) and modifies it', async () => {
    elbv2.on(CreateTargetGroupCommand).rejects(elbError(DuplicateTargetGroupNameException))
    elbv2.on(DescribeTargetGroupsCommand).resolves({TargetGroups: [awsGroup({HealthCheckPath: '/old'})]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})
    groupDetails()
    elbv2.on(ModifyTargetGroupCommand).resolves({})

    const adopted = await targetGroup.create(testContext(), desired, meta)

    expect(inputs(DescribeTargetGroupsCommand)).toEqual([{Names: [name]}])
    expect(inputs(ModifyTargetGroupCommand)).toEqual([{TargetGroupArn: arn, HealthCheckPath: '/healthz'}])
    expect(adopted).toEqual(observed)
  })

  it('refuses a group of its name that is not ours', async () => {
    elbv2.on(CreateTargetGroupCommand).rejects(elbError(DuplicateTargetGroupNameException))
    elbv2.on(DescribeTargetGroupsCommand).resolves({TargetGroups: [awsGroup()]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: ownershipTags('target-group/api', 'otherstack')}]})

    await expect(targetGroup.create(testContext(), desired, meta)).rejects.toThrow(`target group ${name} (${arn}) already exists and is target-group/api of stack otherstack, not target-group/api of stack teststack`)
  })
})

describe('targetGroup.update', () => {
  it('makes no call when nothing differs', async () => {
    expect(await targetGroup.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('one ModifyTargetGroup with the health check fields that differ', async () => {
    elbv2.on(ModifyTargetGroupCommand).resolves({})
    const wanted = {...desired, healthCheck: {...healthCheck, path: '/ready', intervalSeconds: 30, matcher: '200'}}

    const updated = await targetGroup.update(testContext(), wanted, observed, diffTargetGroup(wanted, observed))

    expect(inputs(ModifyTargetGroupCommand)).toEqual([{TargetGroupArn: arn, HealthCheckPath: '/ready', HealthCheckIntervalSeconds: 30, Matcher: {HttpCode: '200'}}])
    expect(sent()).toEqual(['ModifyTargetGroup'])
    expect(diffTargetGroup(wanted, updated)).toEqual([])
  })

  it('ModifyTargetGroupAttributes for the deregistration delay', async () => {
    elbv2.on(ModifyTargetGroupAttributesCommand).resolves({})
    const wanted = {...desired, deregistrationDelaySeconds: 0}

    const updated = await targetGroup.update(testContext(), wanted, observed, diffTargetGroup(wanted, observed))

    expect(sent()).toEqual(['ModifyTargetGroupAttributes'])
    expect(diffTargetGroup(wanted, updated)).toEqual([])
  })
})

describe('targetGroup.delete', () => {
  it('deletes the group', async () => {
    elbv2.on(DeleteTargetGroupCommand).resolves({})

    await targetGroup.delete(testContext(), observed, keepData)

    expect(inputs(DeleteTargetGroupCommand)).toEqual([{TargetGroupArn: arn}])
  })

  it('counts a group already gone as deleted', async () => {
    elbv2.on(DeleteTargetGroupCommand).rejects(elbError(TargetGroupNotFoundException))

    await expect(targetGroup.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })

  it('throws ResourceInUse, which the engine retries as in-use, while a listener or rule forwards to it', async () => {
    elbv2.on(DeleteTargetGroupCommand).rejects(elbError(ResourceInUseException))

    const error = await targetGroup.delete(testContext(), observed, keepData).catch((caught: unknown) => caught)

    expect(targetGroup.classifyError(error)).toBe('in-use')
  })
})

describe('targetGroup outputs and health', () => {
  it('gives the ARN as id and the name', () => {
    expect(targetGroup.outputs(observed)).toEqual({id: arn, arn, name})
  })

  it.each([
    ['no targets yet', {healthy: 0, total: 0, others: {}}, {state: 'no targets', ready: true}],
    ['all healthy', {healthy: 2, total: 2, others: {}}, {state: '2/2 healthy', ready: true}],
    ['some not', {healthy: 2, total: 4, others: {unhealthy: 1, initial: 1}}, {state: '2/4 healthy', ready: true, detail: '1 initial, 1 unhealthy', degraded: '1 of 4 targets unhealthy'}],
    ['registering, draining, unused: no fault', {healthy: 1, total: 4, others: {initial: 1, draining: 1, unused: 1}}, {state: '1/4 healthy', ready: true, detail: '1 draining, 1 initial, 1 unused'}],
  ])('counts healthy targets and is ready regardless (degraded while one is unhealthy): %s', (_name, targets, expected) => {
    expect(targetGroup.health!({...observed, targets})).toEqual(expected)
  })
})
