import {describe, expect, it} from 'vitest'
import {registry} from '../../../src/resources/registry.js'
import {awsError} from '../../helpers/ec2-mock.js'

/** What every EC2 kind owes the engine, checked on the registry so that a new kind cannot forget it. */
const ec2Kinds = registry.kinds().filter((kind) => kind.startsWith('ec2.'))

describe.each(ec2Kinds)('%s', (kind) => {
  it("classifies EC2's error codes", async () => {
    const reconciler = await registry.get(kind)
    expect(reconciler.classifyError(awsError('InvalidGroup.NotFound'))).toBe('not-found')
    expect(reconciler.classifyError(awsError('DependencyViolation'))).toBe('in-use')
    expect(reconciler.classifyError(awsError('InternalError'))).toBe('retryable')
    expect(reconciler.classifyError(awsError('UnauthorizedOperation'))).toBeUndefined()
    expect(reconciler.classifyError(new Error('plain'))).toBeUndefined()
  })
})

describe('idempotentCreate', () => {
  it('is set exactly on the kinds whose create cannot make a second object when retried with the same token', async () => {
    const idempotent = []
    for (const kind of ec2Kinds) if ((await registry.get(kind)).idempotentCreate) idempotent.push(kind)
    // ClientToken: CreateNatGateway, CreateRouteTable, CreateVpcEndpoint. A name made from the token: security groups.
    // CreateVpc, CreateSubnet, AllocateAddress and CreateInternetGateway take no ClientToken (SDK 3.1169);
    // Security group rules are converged from what is there, so a second create adds nothing either.
    // ClientToken: RunInstances and CreateLaunchTemplate too.
    expect(idempotent.sort()).toEqual(['ec2.instance', 'ec2.launch-template', 'ec2.nat-gateway', 'ec2.route-table', 'ec2.security-group', 'ec2.security-group-rules', 'ec2.vpc-endpoint'])
  })
})
