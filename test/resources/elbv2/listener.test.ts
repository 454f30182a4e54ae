import {
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DuplicateListenerException,
  type Listener,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {beforeEach, describe, expect, it} from 'vitest'
import {actionLabel, fromAwsActions, toAwsActions} from '../../../src/resources/elbv2/actions.js'
import type {ListenerAction, ListenerDesired} from '../../../src/resources/elbv2/desired.js'
import {diffListener, listener, type ListenerObserved} from '../../../src/resources/elbv2/listener.js'
import {testContext} from '../../helpers/context.js'
import {findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'
import {elbError, elbv2Mock, lbArn, listenerArn, tgArn} from './elbv2-mock.js'

const {elbv2, inputs, sent} = elbv2Mock()

const tags = ownershipTags('listener/https')
const meta = {logicalId: 'listener/https', token: '0123456789abcdef0123456789abcdef', tags}
const arn = listenerArn()
const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'
const api = tgArn('teststack-api-0a1b2c3d')
const desired: ListenerDesired = {
  loadBalancerArn: lbArn(),
  port: 443,
  protocol: 'HTTPS',
  certificateArn: certificate,
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  defaultAction: {type: 'forward', targetGroupArn: api},
}
const awsListener = (overrides: Partial<Listener> = {}): Listener => ({
  ListenerArn: arn,
  LoadBalancerArn: lbArn(),
  Port: 443,
  Protocol: 'HTTPS',
  Certificates: [{CertificateArn: certificate}],
  SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  DefaultActions: [{Type: 'forward', TargetGroupArn: api, ForwardConfig: {TargetGroups: [{TargetGroupArn: api, Weight: 1}], TargetGroupStickinessConfig: {Enabled: false}}}],
  ...overrides,
})
const observed: ListenerObserved = {
  id: arn,
  arn,
  logicalId: 'listener/https',
  stack: 'teststack',
  loadBalancerArn: lbArn(),
  port: 443,
  protocol: 'HTTPS',
  certificateArn: certificate,
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  defaultAction: {type: 'forward', targetGroupArn: api},
}
const redirect: ListenerDesired = {loadBalancerArn: lbArn(), port: 80, protocol: 'HTTP', defaultAction: {type: 'redirect-https'}}

beforeEach(() => {
  elbv2.reset()
})

describe('listener actions', () => {
  it.each<[string, ListenerAction]>([
    ['redirect-https', {type: 'redirect-https'}],
    ['forward', {type: 'forward', targetGroupArn: api}],
    ['fixed-response', {type: 'fixed-response', statusCode: 404, contentType: 'text/plain', body: 'not found'}],
  ])('%s: what is sent reads back as the same action', (_name, action) => {
    expect(fromAwsActions(toAwsActions(action))).toEqual(action)
  })

  it('sends redirect-https as a permanent redirect to HTTPS on 443', () => {
    expect(toAwsActions({type: 'redirect-https'})).toEqual([{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}])
  })

  it('reads AWS’s answer with its filled-in defaults as the desired forms', () => {
    expect(fromAwsActions([{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}])).toEqual({type: 'redirect-https'})
    expect(fromAwsActions(awsListener().DefaultActions)).toEqual({type: 'forward', targetGroupArn: api})
  })

  it.each([
    ['a redirect elsewhere', [{Type: 'redirect' as const, RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: 'example.com', StatusCode: 'HTTP_301' as const}}]],
    ['a temporary redirect', [{Type: 'redirect' as const, RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_302' as const}}]],
    ['a weighted forward', [{Type: 'forward' as const, ForwardConfig: {TargetGroups: [{TargetGroupArn: api}, {TargetGroupArn: tgArn('other')}]}}]],
    ['authentication first', [{Type: 'authenticate-cognito' as const}, {Type: 'forward' as const, TargetGroupArn: api}]],
  ])('reads any other action as other: %s', (_name, actions) => {
    expect(fromAwsActions(actions).type).toBe('other')
  })

  it('labels actions for plans by what they do', () => {
    expect(actionLabel({type: 'forward', targetGroupArn: api})).toBe('forward to teststack-api-0a1b2c3d')
    expect(actionLabel({type: 'redirect-https'})).toBe('redirect to HTTPS')
    expect(actionLabel({type: 'fixed-response', statusCode: 404, contentType: 'text/plain', body: 'no'})).toBe('fixed response 404 "no"')
  })
})

describe('listener.read', () => {
  it('describes the ARNs in one call and reads their tags', async () => {
    elbv2.on(DescribeListenersCommand).resolves({Listeners: [awsListener()]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})

    const found = await listener.read(testContext(), [arn])

    expect(inputs(DescribeListenersCommand)).toEqual([{ListenerArns: [arn]}])
    expect(found.get(arn)).toEqual(observed)
  })

  it('omits a listener that is gone', async () => {
    elbv2.on(DescribeListenersCommand).rejects(elbError(ListenerNotFoundException))

    expect((await listener.read(testContext(), [arn])).size).toBe(0)
    expect(sent()).toEqual(['DescribeListeners'])
  })
})

describe('listener.find', () => {
  it('reads the listeners of the stack’s load balancers and keeps those tagged as the stack’s', async () => {
    const mine = lbArn()
    const untagged = listenerArn('0000000000000001')
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        {LoadBalancerArn: mine, Type: 'application'},
        {LoadBalancerArn: lbArn('other'), Type: 'application'},
      ],
    })
    elbv2.on(DescribeTagsCommand, {ResourceArns: [mine, lbArn('other')]}).resolves({
      TagDescriptions: [
        {ResourceArn: mine, Tags: ownershipTags('load-balancer')},
        {ResourceArn: lbArn('other'), Tags: ownershipTags('load-balancer', 'otherstack')},
      ],
    })
    elbv2.on(DescribeListenersCommand).resolves({Listeners: [awsListener(), awsListener({ListenerArn: untagged, Port: 80})]})
    elbv2.on(DescribeTagsCommand, {ResourceArns: [arn, untagged]}).resolves({
      TagDescriptions: [
        {ResourceArn: arn, Tags: tags},
        {ResourceArn: untagged, Tags: []},
      ],
    })

    const found = await listener.find(testContext(), findQuery)

    expect(inputs(DescribeListenersCommand)).toEqual([{LoadBalancerArn: mine, PageSize: 400}])
    expect(found).toEqual([observed])
  })

  it('skips a load balancer deleted while its listeners were listed', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({LoadBalancers: [{LoadBalancerArn: lbArn(), Type: 'application'}]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: lbArn(), Tags: ownershipTags('load-balancer')}]})
    elbv2.on(DescribeListenersCommand).rejects(elbError(LoadBalancerNotFoundException))

    expect(await listener.find(testContext(), findQuery)).toEqual([])
  })
})

describe('diffListener', () => {
  it.each([
    ['no change', desired, []],
    ['another load balancer', {...desired, loadBalancerArn: lbArn('other')}, [{field: 'loadBalancerArn', before: lbArn(), after: lbArn('other'), replace: true}]],
    ['another port', {...desired, port: 8443}, [{field: 'port', before: 443, after: 8443, replace: true}]],
    ['another certificate', {...desired, certificateArn: `${certificate}-2`}, [{field: 'certificateArn', before: certificate, after: `${certificate}-2`, replace: false}]],
    ['another policy', {...desired, sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06'}, [{field: 'sslPolicy', before: 'ELBSecurityPolicy-TLS13-1-2-2021-06', after: 'ELBSecurityPolicy-TLS13-1-3-2021-06', replace: false}]],
    ['no policy given: AWS’s default, whatever it is', {...desired, sslPolicy: undefined}, []],
    [
      'another default action',
      {...desired, defaultAction: {type: 'fixed-response' as const, statusCode: 404, contentType: 'text/plain' as const, body: 'no'}},
      [{field: 'defaultAction', before: 'forward to teststack-api-0a1b2c3d', after: 'fixed response 404 "no"', replace: false}],
    ],
    [
      'HTTPS to HTTP',
      {...redirect, port: 443},
      [
        {field: 'protocol', before: 'HTTPS', after: 'HTTP', replace: false},
        {field: 'certificateArn', before: certificate, after: undefined, replace: false},
        {field: 'defaultAction', before: 'forward to teststack-api-0a1b2c3d', after: 'redirect to HTTPS', replace: false},
      ],
    ],
  ])('%s', (_name, wanted, expected) => {
    expect(diffListener(wanted, observed)).toEqual(expected)
  })
})

describe('listener.create', () => {
  it('creates an HTTPS listener with its certificate, policy, default action and tags', async () => {
    elbv2.on(CreateListenerCommand).resolves({Listeners: [awsListener()]})

    const created = await listener.create(testContext(), desired, meta)

    expect(inputs(CreateListenerCommand)).toEqual([
      {
        LoadBalancerArn: lbArn(),
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{CertificateArn: certificate}],
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [{Type: 'forward', TargetGroupArn: api}],
        Tags: tags,
      },
    ])
    expect(created).toEqual(observed)
  })

  it('creates an HTTP listener that redirects to HTTPS, without certificate or policy', async () => {
    elbv2.on(CreateListenerCommand).resolves({
      Listeners: [
        {
          ListenerArn: arn,
          LoadBalancerArn: lbArn(),
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}],
        },
      ],
    })

    const created = await listener.create(testContext(), redirect, meta)

    expect(inputs(CreateListenerCommand)[0]).toEqual({
      LoadBalancerArn: lbArn(),
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}],
      Tags: tags,
    })
    expect(diffListener(redirect, created)).toEqual([])
  })

  it('adopts its own listener on the port made with other settings (DuplicateListener) and modifies it', async () => {
    elbv2.on(CreateListenerCommand).rejects(elbError(DuplicateListenerException))
    elbv2.on(DescribeListenersCommand).resolves({Listeners: [awsListener({SslPolicy: 'ELBSecurityPolicy-2016-08'})]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: tags}]})
    elbv2.on(ModifyListenerCommand).resolves({Listeners: [awsListener()]})

    const adopted = await listener.create(testContext(), desired, meta)

    expect(inputs(ModifyListenerCommand)).toEqual([{ListenerArn: arn, Certificates: [{CertificateArn: certificate}], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06'}])
    expect(adopted).toEqual(observed)
  })

  it('refuses a port another stack’s listener holds', async () => {
    elbv2.on(CreateListenerCommand).rejects(elbError(DuplicateListenerException))
    elbv2.on(DescribeListenersCommand).resolves({Listeners: [awsListener()]})
    elbv2.on(DescribeTagsCommand).resolves({TagDescriptions: [{ResourceArn: arn, Tags: ownershipTags('listener/https', 'otherstack')}]})

    await expect(listener.create(testContext(), desired, meta)).rejects.toThrow(
      `the listener on port 443 of ${lbArn()} (${arn}) already exists and is listener/https of stack otherstack, not listener/https of stack teststack`,
    )
  })
})

describe('listener.update', () => {
  it('makes no call when nothing differs', async () => {
    expect(await listener.update(testContext(), desired, observed, [])).toEqual(observed)
    expect(sent()).toEqual([])
  })

  it('sends only the default action when only it differs', async () => {
    const wanted = {...desired, defaultAction: {type: 'redirect-https' as const}}
    elbv2.on(ModifyListenerCommand).resolves({Listeners: [awsListener({DefaultActions: toAwsActions({type: 'redirect-https'})})]})

    const updated = await listener.update(testContext(), wanted, observed, diffListener(wanted, observed))

    expect(inputs(ModifyListenerCommand)).toEqual([{ListenerArn: arn, DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}]}])
    expect(updated).toMatchObject({logicalId: 'listener/https', stack: 'teststack'})
    expect(diffListener(wanted, updated)).toEqual([])
  })

  it('sends the certificate (and policy) with a new certificate', async () => {
    const wanted = {...desired, certificateArn: `${certificate}-2`}
    elbv2.on(ModifyListenerCommand).resolves({Listeners: [awsListener({Certificates: [{CertificateArn: `${certificate}-2`}]})]})

    await listener.update(testContext(), wanted, observed, diffListener(wanted, observed))

    expect(inputs(ModifyListenerCommand)).toEqual([{ListenerArn: arn, Certificates: [{CertificateArn: `${certificate}-2`}], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06'}])
  })

  it('turns an HTTP listener HTTPS with its certificate in the same call', async () => {
    const http: ListenerObserved = {...observed, port: 80, protocol: 'HTTP', defaultAction: {type: 'redirect-https'}}
    delete http.certificateArn
    delete http.sslPolicy
    const wanted = {...desired, port: 80, sslPolicy: undefined}
    elbv2.on(ModifyListenerCommand).resolves({Listeners: [awsListener({Port: 80})]})

    await listener.update(testContext(), wanted, http, diffListener(wanted, http))

    expect(inputs(ModifyListenerCommand)).toEqual([{ListenerArn: arn, Protocol: 'HTTPS', Certificates: [{CertificateArn: certificate}], DefaultActions: [{Type: 'forward', TargetGroupArn: api}]}])
  })

  it('turns an HTTPS listener HTTP without certificate or policy', async () => {
    const wanted = {...redirect, port: 443}
    elbv2.on(ModifyListenerCommand).resolves({Listeners: [awsListener({Protocol: 'HTTP', Certificates: undefined, SslPolicy: undefined, DefaultActions: toAwsActions({type: 'redirect-https'})})]})

    const updated = await listener.update(testContext(), wanted, observed, diffListener(wanted, observed))

    expect(inputs(ModifyListenerCommand)).toEqual([{ListenerArn: arn, Protocol: 'HTTP', DefaultActions: toAwsActions({type: 'redirect-https'})}])
    expect(diffListener(wanted, updated)).toEqual([])
  })
})

describe('listener.delete', () => {
  it('deletes the listener', async () => {
    elbv2.on(DeleteListenerCommand).resolves({})

    await listener.delete(testContext(), observed, keepData)

    expect(inputs(DeleteListenerCommand)).toEqual([{ListenerArn: arn}])
  })

  it('counts a listener already gone as deleted', async () => {
    elbv2.on(DeleteListenerCommand).rejects(elbError(ListenerNotFoundException))

    await expect(listener.delete(testContext(), observed, keepData)).resolves.toBeUndefined()
  })
})

describe('listener outputs', () => {
  it('gives the ARN as id and the port', () => {
    expect(listener.outputs(observed)).toEqual({id: arn, arn, port: '443'})
  })
})
