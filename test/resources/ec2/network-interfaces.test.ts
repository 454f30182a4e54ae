import {
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import {describeError} from '../../../src/aws/errors.js'
import {classifyNetworkInterface, InterfacesInUseError, summarizeHolders, toHolder, type NetworkInterfaceHolder} from '../../../src/resources/ec2/network-interfaces.js'
import {securityGroup, type SecurityGroupObserved} from '../../../src/resources/ec2/security-group.js'
import {subnet, type SubnetObserved} from '../../../src/resources/ec2/subnet.js'
import {vpc, type VpcObserved} from '../../../src/resources/ec2/vpc.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

beforeEach(() => {
  ec2.reset()
})

/** AWS's DependencyViolation as the SDK client throws it, with what src/aws/clients.ts's middleware adds (hidden). */
function dependencyViolation(operation: string, message: string) {
  const error = awsError('DependencyViolation', message)
  Object.defineProperty(error, '$service', {value: 'EC2', enumerable: false})
  Object.defineProperty(error, '$operation', {value: operation, enumerable: false})
  return error
}

/** Interfaces as DescribeNetworkInterfaces answers (the fields that matter here). */
const ALB = 'ELB app/containrlab-alb/50dc6c495c0c9188'
const albInterface = (id: string, status: 'in-use' | 'available' = 'in-use'): NetworkInterface => ({
  NetworkInterfaceId: id,
  Description: ALB,
  InterfaceType: 'interface',
  RequesterId: 'amazon-elb',
  RequesterManaged: true,
  Status: status,
  ...(status === 'in-use' ? {Attachment: {InstanceOwnerId: 'amazon-elb', Status: 'attached'}} : {}),
  TagSet: [],
})
const natInterface: NetworkInterface = {
  NetworkInterfaceId: 'eni-nat',
  Description: 'Interface for NAT Gateway nat-0a8b0e0d28266841f',
  // The wire value; the SDK's enum spells it `natGateway`.
  InterfaceType: 'nat_gateway' as NetworkInterface['InterfaceType'],
  RequesterManaged: true,
  Status: 'in-use',
}

describe('classifyNetworkInterface', () => {
  it.each<[string, NetworkInterface, ReturnType<typeof classifyNetworkInterface>]>([
    ['an Application Load Balancer’s', albInterface('eni-1'), {owner: 'elb', label: ALB}],
    ['a Network Load Balancer’s', {NetworkInterfaceId: 'eni-1', Description: 'ELB net/front/0123456789abcdef', InterfaceType: 'network_load_balancer'}, {owner: 'elb', label: 'ELB net/front/0123456789abcdef'}],
    ['a Classic Load Balancer’s', {NetworkInterfaceId: 'eni-1', Description: 'ELB legacy', RequesterId: 'amazon-elb', RequesterManaged: true}, {owner: 'elb', label: 'ELB legacy'}],
    ['amazon-elb’s without a description', {NetworkInterfaceId: 'eni-1', RequesterId: 'amazon-elb'}, {owner: 'elb', label: 'ELB interface eni-1'}],
    ['a NAT gateway’s', natInterface, {owner: 'nat-gateway', label: 'NAT gateway nat-0a8b0e0d28266841f'}],
    ['a NAT gateway’s by its type alone (as the SDK’s enum spells it)', {NetworkInterfaceId: 'eni-1', InterfaceType: 'natGateway'}, {owner: 'nat-gateway', label: 'NAT gateway interface eni-1'}],
    [
      'an interface endpoint’s',
      {NetworkInterfaceId: 'eni-1', Description: 'VPC Endpoint Interface vpce-089f2123488812123', InterfaceType: 'vpc_endpoint'},
      {owner: 'vpc-endpoint', label: 'VPC endpoint vpce-089f2123488812123'},
    ],
    ['an endpoint’s by its type alone', {NetworkInterfaceId: 'eni-1', InterfaceType: 'vpc_endpoint'}, {owner: 'vpc-endpoint', label: 'VPC endpoint interface eni-1'}],
    [
      'an older endpoint’s (type interface, a colon)',
      {NetworkInterfaceId: 'eni-1', Description: 'VPC Endpoint Interface: vpce-0f00567fa8477a1e6', InterfaceType: 'interface'},
      {owner: 'vpc-endpoint', label: 'VPC endpoint vpce-0f00567fa8477a1e6'},
    ],
    [
      'an ECS task’s',
      {NetworkInterfaceId: 'eni-1', Description: 'arn:aws:ecs:eu-central-1:123456789012:attachment/f6d9fc22-dbaf-4bff-b501-a41b41f27826', InterfaceType: 'interface', RequesterManaged: true},
      {owner: 'ecs-task', label: 'ECS tasks'},
    ],
    ['a Lambda function’s', {NetworkInterfaceId: 'eni-1', Description: 'AWS Lambda VPC ENI-resize-images', InterfaceType: 'lambda'}, {owner: 'lambda', label: 'Lambda resize-images'}],
    [
      'a Lambda function’s (Hyperplane: a UUID after the name)',
      {NetworkInterfaceId: 'eni-1', Description: 'AWS Lambda VPC ENI-resize-images-1a2b3c4d-1111-2222-3333-aaaabbbbcccc', InterfaceType: 'interface'},
      {owner: 'lambda', label: 'Lambda resize-images'},
    ],
    ['Lambda’s by type alone', {NetworkInterfaceId: 'eni-1', InterfaceType: 'lambda'}, {owner: 'lambda', label: 'Lambda'}],
    ['another service’s', {NetworkInterfaceId: 'eni-1', Description: 'RDSNetworkInterface', RequesterId: 'amazon-rds', RequesterManaged: true}, {owner: 'other', label: 'eni-1 "RDSNetworkInterface" from amazon-rds'}],
    ['an instance’s', {NetworkInterfaceId: 'eni-1', Description: 'Primary network interface', Attachment: {InstanceId: 'i-0abc'}}, {owner: 'other', label: 'instance i-0abc'}],
    ['one without a description', {NetworkInterfaceId: 'eni-1', InterfaceType: 'efa'}, {owner: 'other', label: 'eni-1 of type efa'}],
  ])('%s', (_what, eni, expected) => {
    expect(classifyNetworkInterface(eni)).toEqual(expected)
  })

  it('toHolder keeps the status, whether a service manages it, and the stack tag', () => {
    expect(toHolder(albInterface('eni-1'))).toEqual({id: 'eni-1', owner: 'elb', label: ALB, status: 'in-use', requesterManaged: true})
    expect(toHolder({NetworkInterfaceId: 'eni-2', Description: 'x', Status: 'available', TagSet: ownershipTags('eni')})).toMatchObject({status: 'available', requesterManaged: false, stack: 'teststack'})
  })
})

describe('summarizeHolders', () => {
  const holder = (label: string, status: string): NetworkInterfaceHolder => ({id: 'eni', owner: 'other', label, status, requesterManaged: true})

  it('groups by whose, most first, then by name, saying in use or detached', () => {
    expect(summarizeHolders([holder('NAT gateway nat-1', 'in-use'), holder(ALB, 'in-use'), holder(ALB, 'in-use'), holder('ECS tasks', 'available')])).toBe(
      `${ALB} (2 in use), ECS tasks (1 detached), NAT gateway nat-1 (1 in use)`,
    )
  })

  it('counts a group in several states by state, in use first; other states by AWS’s word', () => {
    expect(summarizeHolders([holder(ALB, 'available'), holder(ALB, 'in-use'), holder(ALB, 'detaching')])).toBe(`${ALB} (3: 1 in use, 1 detached, 1 detaching)`)
  })
})

const subnetObserved: SubnetObserved = {
  id: 'subnet-1',
  logicalId: 'subnet/public-a',
  stack: 'teststack',
  vpcId: 'vpc-1',
  cidr: '10.0.1.0/24',
  availabilityZone: 'us-east-1a',
  mapPublicIpOnLaunch: true,
  state: 'available',
}

describe('subnet.delete when network interfaces hold the subnet', () => {
  it('describes the interfaces in it, reports whose they are, and throws an in-use error that names them', async () => {
    const refused = dependencyViolation('DeleteSubnet', "The subnet 'subnet-1' has dependencies and cannot be deleted.")
    ec2.on(DeleteSubnetCommand).rejects(refused)
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [albInterface('eni-1'), natInterface, albInterface('eni-2')]})
    const ctx = testContext()

    const error = await subnet.delete(ctx, subnetObserved, keepData).catch((caught: unknown) => caught)

    expect(inputs(DescribeNetworkInterfacesCommand)).toEqual([{Filters: [{Name: 'subnet-id', Values: ['subnet-1']}], IncludeManagedResources: true}])
    const message = `3 network interfaces still in subnet-1: ${ALB} (2 in use), NAT gateway nat-0a8b0e0d28266841f (1 in use)`
    expect(ctx.messages).toEqual([message])
    expect(error).toBeInstanceOf(InterfacesInUseError)
    expect(error).toMatchObject({name: 'DependencyViolation', message, cause: refused, inUseBy: `${ALB} (2 in use), NAT gateway nat-0a8b0e0d28266841f (1 in use)`})
    expect(subnet.classifyError(error)).toBe('in-use')
    // Worded as AWS's errors are: the refused call, its status, AWS's code, then whose interfaces they are.
    expect(describeError(error)).toBe(`EC2 DeleteSubnet (HTTP 400): DependencyViolation: ${message}`)
    // Nothing of another's is deleted.
    expect(inputs(DeleteNetworkInterfaceCommand)).toEqual([])
    expect(inputs(DeleteSubnetCommand)).toHaveLength(1)
  })

  it('says which are detached, and how to delete one AWS left behind', async () => {
    ec2.on(DeleteSubnetCommand).rejects(dependencyViolation('DeleteSubnet', 'has dependencies'))
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [albInterface('eni-1', 'available'), albInterface('eni-2')]})
    const ctx = testContext()

    const error = (await subnet.delete(ctx, subnetObserved, keepData).catch((caught: unknown) => caught)) as Error

    expect(ctx.messages).toEqual([`2 network interfaces still in subnet-1: ${ALB} (2: 1 in use, 1 detached)`])
    expect(error.message).toBe(
      `2 network interfaces still in subnet-1: ${ALB} (2: 1 in use, 1 detached); AWS deletes a service's detached interfaces by itself, ` +
        'and `aws ec2 delete-network-interface --network-interface-id <id>` deletes one it left behind (detached: eni-1)',
    )
  })

  it('follows DescribeNetworkInterfaces pages', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('DependencyViolation'))
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({NetworkInterfaces: [albInterface('eni-1')], NextToken: 'page-2'})
      .resolves({NetworkInterfaces: [albInterface('eni-2')]})

    await expect(subnet.delete(testContext(), subnetObserved, keepData)).rejects.toMatchObject({message: `2 network interfaces still in subnet-1: ${ALB} (2 in use)`})
  })

  it('throws AWS’s error as it is when no network interface is in it (something else holds it)', async () => {
    const refused = awsError('DependencyViolation')
    ec2.on(DeleteSubnetCommand).rejects(refused)
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: []})
    const ctx = testContext()
    await expect(subnet.delete(ctx, subnetObserved, keepData)).rejects.toBe(refused)
    expect(ctx.messages).toEqual([])
  })

  it('throws AWS’s error as it is when the interfaces cannot be listed, and says why', async () => {
    const refused = awsError('DependencyViolation')
    ec2.on(DeleteSubnetCommand).rejects(refused)
    ec2.on(DescribeNetworkInterfacesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'))
    const ctx = testContext()
    await expect(subnet.delete(ctx, subnetObserved, keepData)).rejects.toBe(refused)
    expect(ctx.messages).toEqual(['could not list the network interfaces in subnet-1: UnauthorizedOperation: You are not authorized to perform this operation.'])
  })

  it('stops on Ctrl-C while listing them: the interrupt, not AWS’s refusal', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('DependencyViolation'))
    const controller = new AbortController()
    const stop = new Error('interrupted')
    ec2.on(DescribeNetworkInterfacesCommand).callsFake(() => {
      controller.abort(stop)
      throw stop
    })
    await expect(subnet.delete(testContext({signal: controller.signal}), subnetObserved, keepData)).rejects.toBe(stop)
  })

  it('describes nothing on other errors', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('UnauthorizedOperation'))
    await expect(subnet.delete(testContext(), subnetObserved, keepData)).rejects.toMatchObject({name: 'UnauthorizedOperation'})
    expect(sent()).toEqual(['DeleteSubnet'])
  })
})

describe("the stack's own detached interfaces", () => {
  const detached = (id: string, extra: Partial<NetworkInterface> = {}): NetworkInterface => ({
    NetworkInterfaceId: id,
    Description: 'made for the stack',
    InterfaceType: 'interface',
    RequesterManaged: false,
    Status: 'available',
    TagSet: ownershipTags('eni/x'),
    ...extra,
  })

  it('are deleted (available, not requester-managed, tagged with the stack), and the delete is tried again', async () => {
    ec2.on(DeleteSubnetCommand).rejectsOnce(awsError('DependencyViolation')).resolves({})
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [detached('eni-own')]})
    ec2.on(DeleteNetworkInterfaceCommand).resolves({})
    const ctx = testContext()

    await subnet.delete(ctx, subnetObserved, keepData)

    expect(inputs(DeleteNetworkInterfaceCommand)).toEqual([{NetworkInterfaceId: 'eni-own'}])
    expect(sent()).toEqual(['DeleteSubnet', 'DescribeNetworkInterfaces', 'DeleteNetworkInterface', 'DeleteSubnet'])
    expect(ctx.messages).toEqual(['deleted network interface eni-own: detached, and tagged with stack teststack'])
  })

  it('never: attached ones, an AWS service’s, another stack’s, untagged ones; they are named', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('DependencyViolation'))
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        detached('eni-attached', {Status: 'in-use'}),
        detached('eni-service', {RequesterManaged: true}),
        detached('eni-other', {TagSet: ownershipTags('eni/x', 'otherstack')}),
        detached('eni-untagged', {TagSet: []}),
      ],
    })

    await expect(subnet.delete(testContext(), subnetObserved, keepData)).rejects.toMatchObject({message: expect.stringMatching(/^4 network interfaces still in subnet-1: /)})
    expect(inputs(DeleteNetworkInterfaceCommand)).toEqual([])
  })

  it('when the delete is still refused after them, names what is left', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('DependencyViolation'))
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({NetworkInterfaces: [detached('eni-own'), albInterface('eni-1')]})
      .resolves({NetworkInterfaces: [albInterface('eni-1')]})
    // Gone already counts as deleted.
    ec2.on(DeleteNetworkInterfaceCommand).rejects(awsError('InvalidNetworkInterfaceID.NotFound'))
    const ctx = testContext()

    await expect(subnet.delete(ctx, subnetObserved, keepData)).rejects.toMatchObject({name: 'DependencyViolation', message: `1 network interface still in subnet-1: ${ALB} (1 in use)`})
    expect(sent()).toEqual(['DeleteSubnet', 'DescribeNetworkInterfaces', 'DeleteNetworkInterface', 'DeleteSubnet', 'DescribeNetworkInterfaces'])
    expect(ctx.messages.at(-1)).toBe(`1 network interface still in subnet-1: ${ALB} (1 in use)`)
  })

  it('one that cannot be deleted stays, is said so, and is named', async () => {
    ec2.on(DeleteSubnetCommand).rejects(awsError('DependencyViolation'))
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [detached('eni-own')]})
    ec2.on(DeleteNetworkInterfaceCommand).rejects(awsError('InvalidNetworkInterface.InUse', "Network interface 'eni-own' is currently in use."))
    const ctx = testContext()

    await expect(subnet.delete(ctx, subnetObserved, keepData)).rejects.toMatchObject({message: expect.stringContaining('1 network interface still in subnet-1: eni-own "made for the stack" (1 detached)')})
    expect(ctx.messages[0]).toBe(`could not delete network interface eni-own (detached, tagged with stack teststack): InvalidNetworkInterface.InUse: Network interface 'eni-own' is currently in use.`)
    expect(inputs(DeleteSubnetCommand)).toHaveLength(1)
  })
})

describe('securityGroup.delete when network interfaces use the group', () => {
  const observed: SecurityGroupObserved = {id: 'sg-1', logicalId: 'security-group/alb-sg', stack: 'teststack', vpcId: 'vpc-1', groupName: 'containrlab-alb-sg-0a1b2c3d', description: 'alb'}

  it('no group references it: describes the interfaces with the group and names them', async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(dependencyViolation('DeleteSecurityGroup', 'resource sg-1 has a dependent object'))
    ec2.on(DescribeSecurityGroupsCommand).resolves({SecurityGroups: []})
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [albInterface('eni-1'), albInterface('eni-2')]})
    const ctx = testContext()

    const error = await securityGroup.delete(ctx, observed, keepData).catch((caught: unknown) => caught)

    expect(inputs(DescribeNetworkInterfacesCommand)).toEqual([{Filters: [{Name: 'group-id', Values: ['sg-1']}], IncludeManagedResources: true}])
    expect(ctx.messages).toEqual([`2 network interfaces still using security group sg-1: ${ALB} (2 in use)`])
    expect(describeError(error)).toBe(`EC2 DeleteSecurityGroup (HTTP 400): DependencyViolation: 2 network interfaces still using security group sg-1: ${ALB} (2 in use)`)
    expect(securityGroup.classifyError(error)).toBe('in-use')
    expect(inputs(DeleteSecurityGroupCommand)).toHaveLength(1)
  })

  it("after revoking the stack's rules that reference it, names the interfaces that still hold it", async () => {
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'))
    const web = {GroupId: 'sg-web', GroupName: 'web', VpcId: 'vpc-1', Tags: ownershipTags('security-group/web')}
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => ({SecurityGroups: input.Filters?.[0]?.Name === 'ip-permission.group-id' ? [web] : []}))
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [{SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-web', IsEgress: false, IpProtocol: 'tcp', FromPort: 80, ToPort: 80, ReferencedGroupInfo: {GroupId: 'sg-1'}}],
    })
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({Return: true})
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [albInterface('eni-1')]})

    await expect(securityGroup.delete(testContext(), observed, keepData)).rejects.toMatchObject({message: `1 network interface still using security group sg-1: ${ALB} (1 in use)`})
    expect(inputs(DeleteSecurityGroupCommand)).toHaveLength(2)
    expect(sent().slice(-2)).toEqual(['DeleteSecurityGroup', 'DescribeNetworkInterfaces'])
  })
})

describe('vpc.delete when network interfaces are in the VPC', () => {
  const observed: VpcObserved = {id: 'vpc-1', logicalId: 'vpc', stack: 'teststack', cidr: '10.0.0.0/16', state: 'available', enableDnsSupport: true, enableDnsHostnames: true}

  it('names them', async () => {
    ec2.on(DeleteVpcCommand).rejects(dependencyViolation('DeleteVpc', "The vpc 'vpc-1' has dependencies and cannot be deleted."))
    ec2.on(DescribeNetworkInterfacesCommand).resolves({NetworkInterfaces: [albInterface('eni-1'), {NetworkInterfaceId: 'eni-3', Description: 'arn:aws:ecs:us-east-1:123456789012:attachment/1', Status: 'in-use'}]})
    const ctx = testContext()

    const error = await vpc.delete(ctx, observed, keepData).catch((caught: unknown) => caught)

    expect(inputs(DescribeNetworkInterfacesCommand)).toEqual([{Filters: [{Name: 'vpc-id', Values: ['vpc-1']}], IncludeManagedResources: true}])
    expect(ctx.messages).toEqual([`2 network interfaces still in vpc-1: ECS tasks (1 in use), ${ALB} (1 in use)`])
    expect(describeError(error)).toBe(`EC2 DeleteVpc (HTTP 400): DependencyViolation: 2 network interfaces still in vpc-1: ECS tasks (1 in use), ${ALB} (1 in use)`)
    expect(vpc.classifyError(error)).toBe('in-use')
  })
})
