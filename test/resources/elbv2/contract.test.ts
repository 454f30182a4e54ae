import {
  CertificateNotFoundException,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  InvalidSecurityGroupException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  PriorityInUseException,
  ResourceInUseException,
  RuleNotFoundException,
  SubnetNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {awsError} from '../../helpers/ec2-mock.js'
import {elbCodeError, elbError} from './elbv2-mock.js'

/** What every ELBv2 kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const elbv2Kinds = registry.kinds().filter((kind) => kind.startsWith('elbv2.'))

describe('the ELBv2 kinds', () => {
  it('are registered', () => {
    expect(elbv2Kinds.sort()).toEqual(['elbv2.listener', 'elbv2.listener-rules', 'elbv2.load-balancer', 'elbv2.target-group'])
  })
})

describe.each(elbv2Kinds)('%s', (kind) => {
  it.each([
    ['LoadBalancerNotFound', elbError(LoadBalancerNotFoundException), 'not-found'],
    ['TargetGroupNotFound', elbError(TargetGroupNotFoundException), 'not-found'],
    ['ListenerNotFound', elbError(ListenerNotFoundException), 'not-found'],
    ['RuleNotFound', elbError(RuleNotFoundException), 'not-found'],
    // A subnet or security group made moments ago, not visible to ELBv2 yet.
    ['SubnetNotFound', elbError(SubnetNotFoundException), 'not-found'],
    ['InvalidSecurityGroup', elbError(InvalidSecurityGroupException), 'not-found'],
    ['CertificateNotFound', elbError(CertificateNotFoundException), 'not-yet-visible'],
    ['ResourceInUse', elbError(ResourceInUseException), 'in-use'],
    ['InternalFailure', elbCodeError('InternalFailure'), 'retryable'],
    // Conflicts the kinds handle themselves: retrying the call as it is cannot succeed.
    ['PriorityInUse', elbError(PriorityInUseException), undefined],
    ['DuplicateLoadBalancerName', elbError(DuplicateLoadBalancerNameException), undefined],
    ['DuplicateTargetGroupName', elbError(DuplicateTargetGroupNameException), undefined],
    ['ValidationError', elbCodeError('ValidationError'), undefined],
    // Another service's code is not this one's.
    ['EC2 DependencyViolation', awsError('DependencyViolation'), undefined],
    ['a plain error', new Error('plain'), undefined],
  ])("classifies ELBv2's %s", async (_name, error, expected) => {
    const reconciler = await registry.get(kind)
    expect(reconciler.classifyError(error)).toBe(expected)
  })

  it('classifies an error as the SDK raises it from the wire (its code in `Code`) as the modeled class alone', async () => {
    const reconciler = await registry.get(kind)
    const fromWire = Object.assign(elbError(LoadBalancerNotFoundException), {Code: 'LoadBalancerNotFound'})
    expect(reconciler.classifyError(fromWire)).toBe('not-found')
  })
})

describe('idempotentCreate', () => {
  it('is set on every ELBv2 kind: a retried create with the same token makes no second object', async () => {
    // Load balancers, target groups and listeners: their creates are idempotent for the same settings, and an
    // earlier attempt with other settings is adopted by its tags; rules are converged from what is there.
    for (const kind of elbv2Kinds) expect((await registry.get(kind)).idempotentCreate, kind).toBe(true)
  })
})
