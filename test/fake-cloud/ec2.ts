import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyInstanceAttributeCommand,
  ModifyLaunchTemplateCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type CreateLaunchTemplateRequest,
  type CreateLaunchTemplateResult,
  type CreateLaunchTemplateVersionRequest,
  type CreateLaunchTemplateVersionResult,
  type DeleteLaunchTemplateRequest,
  type DeleteLaunchTemplateResult,
  type DescribeInstanceAttributeRequest,
  type InstanceAttribute,
  type DescribeInstancesRequest,
  type DescribeInstancesResult,
  type DescribeLaunchTemplatesRequest,
  type DescribeLaunchTemplatesResult,
  type DescribeLaunchTemplateVersionsRequest,
  type DescribeLaunchTemplateVersionsResult,
  type Instance,
  type InstanceStateName,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  type ModifyInstanceAttributeRequest,
  type ModifyLaunchTemplateRequest,
  type ModifyLaunchTemplateResult,
  type RequestLaunchTemplateData,
  type ResponseLaunchTemplateData,
  type RunInstancesRequest,
  type Reservation,
  type TerminateInstancesRequest,
  type TerminateInstancesResult,
} from '@aws-sdk/client-ec2'
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcEndpointsCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifySecurityGroupRulesCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcEndpointCommand,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type Address,
  type AllocateAddressRequest,
  type AllocateAddressResult,
  type AssociateRouteTableRequest,
  type AssociateRouteTableResult,
  type AttachmentStatus,
  type AttachInternetGatewayRequest,
  type AuthorizeSecurityGroupIngressRequest,
  type AuthorizeSecurityGroupIngressResult,
  type CreateInternetGatewayRequest,
  type CreateInternetGatewayResult,
  type CreateNatGatewayRequest,
  type CreateNatGatewayResult,
  type CreateRouteRequest,
  type CreateRouteResult,
  type CreateRouteTableRequest,
  type CreateRouteTableResult,
  type CreateSecurityGroupRequest,
  type CreateSecurityGroupResult,
  type CreateSubnetRequest,
  type CreateSubnetResult,
  type CreateVpcEndpointRequest,
  type CreateVpcEndpointResult,
  type CreateVpcRequest,
  type CreateVpcResult,
  type DeleteInternetGatewayRequest,
  type DeleteNatGatewayRequest,
  type DeleteNatGatewayResult,
  type DeleteNetworkInterfaceRequest,
  type DeleteRouteRequest,
  type DeleteRouteTableRequest,
  type DeleteSecurityGroupRequest,
  type DeleteSecurityGroupResult,
  type DeleteSubnetRequest,
  type DeleteVpcEndpointsRequest,
  type DeleteVpcEndpointsResult,
  type DeleteVpcRequest,
  type DescribeAddressesRequest,
  type DescribeAddressesResult,
  type DescribeInternetGatewaysRequest,
  type DescribeInternetGatewaysResult,
  type DescribeNatGatewaysRequest,
  type DescribeNatGatewaysResult,
  type DescribeNetworkInterfacesRequest,
  type DescribeNetworkInterfacesResult,
  type DescribeRouteTablesRequest,
  type DescribeRouteTablesResult,
  type DescribeSecurityGroupRulesRequest,
  type DescribeSecurityGroupRulesResult,
  type DescribeSecurityGroupsRequest,
  type DescribeSecurityGroupsResult,
  type DescribeSubnetsRequest,
  type DescribeSubnetsResult,
  type DescribeVpcAttributeRequest,
  type DescribeVpcAttributeResult,
  type DescribeVpcEndpointsRequest,
  type DescribeVpcEndpointsResult,
  type DescribeVpcsRequest,
  type DescribeVpcsResult,
  type DetachInternetGatewayRequest,
  type DisassociateRouteTableRequest,
  type Filter,
  type InternetGateway,
  type IpPermission,
  type ModifySecurityGroupRulesRequest,
  type ModifySecurityGroupRulesResult,
  type ModifySubnetAttributeRequest,
  type ModifyVpcAttributeRequest,
  type ModifyVpcEndpointRequest,
  type ModifyVpcEndpointResult,
  type NatGateway,
  type NatGatewayState,
  type NetworkInterface,
  type ReleaseAddressRequest,
  type ReplaceRouteRequest,
  type ReplaceRouteTableAssociationRequest,
  type ReplaceRouteTableAssociationResult,
  type RevokeSecurityGroupIngressRequest,
  type RevokeSecurityGroupIngressResult,
  type RevokedSecurityGroupRule,
  type Route,
  type RouteTable,
  type SecurityGroup,
  type SecurityGroupRule,
  type Subnet,
  type Tag,
  type Vpc,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2'
import {
  type FakeEc2Instances,
  type FakeLaunchedInstance,
  type FakeEnv,
  type FakeHandler,
  type FakeNetworkInterface,
  type FakeNetworkInterfaceSpec,
  type FakeNetworkInterfaces,
  type FakeService,
  handlersOf,
  type OperationHandler,
} from './core.js'
import {applyFilters, cidrContains, cidrOverlaps, ec2Error, formatCidr, ipString, paginate, parseCidr, stableJson, tagsFrom, type FilterTable} from './ec2-support.js'
import {IdGenerator, stableHex8} from './ids.js'

/** How long EC2's asynchronous transitions take, in ms of the fake's clock. */
export interface Ec2Timings {
  natAvailableMs: number
  natDeletedMs: number
  endpointAvailableMs: number
  endpointDeletedMs: number
  /** A deleted NAT gateway keeps answering describes with state `deleted` this long (AWS: about an hour). */
  natDeletedVisibleMs: number
  /**
   * A released network interface of another service (`env.networkInterfaces.release`,
   * what the fake ELBv2 does on DeleteLoadBalancer) stays attached this long,
   * then detached (`available`) for `releasedInterfaceDetachedMs`, then goes.
   * AWS: an ALB's interfaces outlive it by minutes, holding its subnets and groups.
   */
  releasedInterfaceAttachedMs: number
  releasedInterfaceDetachedMs: number
  /** EC2 capacity: an instance is `pending` this long, then `running`. */
  instanceRunningMs: number
  /** A terminated instance is `shutting-down` this long, holding its network interface, then `terminated`. */
  instanceTerminatedMs: number
  /** A `terminated` instance stays listed this long (AWS: about an hour). */
  instanceTerminatedVisibleMs: number
}

export const DEFAULT_EC2_TIMINGS: Ec2Timings = {
  natAvailableMs: 60_000,
  natDeletedMs: 60_000,
  endpointAvailableMs: 30_000,
  endpointDeletedMs: 20_000,
  natDeletedVisibleMs: 60 * 60_000,
  releasedInterfaceAttachedMs: 3 * 60_000,
  releasedInterfaceDetachedMs: 0,
  instanceRunningMs: 30_000,
  instanceTerminatedMs: 45_000,
  instanceTerminatedVisibleMs: 60 * 60_000,
}

interface Tracked {
  id: string
  createdAt: number
  tags: Tag[]
}

interface VpcRecord extends Tracked {
  cidr: string
  dnsSupport: boolean
  dnsHostnames: boolean
  mainRouteTableId: string
  defaultGroupId: string
  cidrAssociationId: string
  dhcpOptionsId: string
}

interface SubnetRecord extends Tracked {
  vpcId: string
  cidr: string
  availabilityZone: string
  mapPublicIpOnLaunch: boolean
}

interface InternetGatewayRecord extends Tracked {
  vpcId?: string
}

interface AddressRecord extends Tracked {
  publicIp: string
  associationId: string
}

interface NatRecord extends Tracked {
  subnetId: string
  vpcId: string
  allocationId: string
  networkInterfaceId: string
  privateIp: string
  deleteRequestedAt?: number
  /** Set when AWS would fail the gateway while provisioning (no internet gateway on the VPC). */
  failure?: {code: string; message: string}
}

interface RouteRecord {
  destinationCidr?: string
  prefixListId?: string
  gatewayId?: string
  natGatewayId?: string
  origin: 'CreateRouteTable' | 'CreateRoute'
}

interface AssociationRecord {
  id: string
  subnetId?: string
  main: boolean
}

interface RouteTableRecord extends Tracked {
  vpcId: string
  main: boolean
  routes: RouteRecord[]
  associations: AssociationRecord[]
}

interface GroupRecord extends Tracked {
  vpcId: string
  name: string
  description: string
  isDefault: boolean
}

interface RuleRecord {
  id: string
  groupId: string
  egress: boolean
  protocol: string
  fromPort: number
  toPort: number
  cidr?: string
  referencedGroupId?: string
  description?: string
}

interface EndpointRecord extends Tracked {
  vpcId: string
  type: 'Gateway' | 'Interface'
  serviceName: string
  routeTableIds: string[]
  subnetIds: string[]
  groupIds: string[]
  privateDnsEnabled: boolean
  /** subnet id → the endpoint's network interface there. */
  networkInterfaces: Record<string, string>
  /** As given, or AWS's default; undefined for services without endpoint policies. */
  policyDocument?: string
  deleteRequestedAt?: number
}

/** What every network interface has, whoever made it. */
interface InterfaceFields extends Tracked {
  subnetId: string
  vpcId: string
  availabilityZone: string
  groupIds: string[]
  description: string
  interfaceType: string
  requesterId?: string
  requesterManaged: boolean
  privateIp: string
  attachment?: {id: string; instanceOwnerId: string; instanceId?: string; attachedAt: number}
  operator?: {principal: string; hiddenByDefault?: boolean}
}

/** A network interface another fake service registered (core.ts, FakeNetworkInterfaces). */
interface InterfaceRecord extends InterfaceFields {
  /** Set by `release`: when it detaches (if attached) and when it goes. */
  detachAt?: number
  goneAt?: number
}

/**
 * Every network interface as DescribeNetworkInterfaces shows it: the
 * registered ones and those of this fake's own NAT gateways and interface
 * endpoints, which live as long as their owner does.
 */
interface InterfaceView extends InterfaceFields {
  status: 'in-use' | 'available'
  sourceDestCheck: boolean
  /** Registered through env.networkInterfaces (else a NAT gateway's or an endpoint's). */
  registered: boolean
}

// ---------------------------------------------------------------- EC2 capacity records

interface InstanceRecord extends Tracked {
  imageId: string
  instanceType: string
  subnetId: string
  vpcId: string
  groupIds: string[]
  instanceProfileArn?: string
  /** Base64, as given. */
  userData?: string
  httpTokens: string
  hopLimit: number
  /** Its primary network interface, registered in the interface registry until the instance is terminated. */
  networkInterfaceId: string
  privateIp: string
  reservationId: string
  clientToken?: string
  launchTemplate?: {id: string; version: number}
  terminateRequestedAt?: number
}

interface LaunchTemplateVersionRecord {
  number: number
  data: RequestLaunchTemplateData
  createdAt: number
}

interface LaunchTemplateRecord extends Tracked {
  name: string
  versions: LaunchTemplateVersionRecord[]
  defaultVersion: number
}

/** The state codes DescribeInstances reports with each name. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html */
const INSTANCE_STATE_CODES: Record<string, number> = {'pending': 0, 'running': 16, 'shutting-down': 32, 'terminated': 48, 'stopping': 64, 'stopped': 80}

/** Launch template names: 3 to 128 of `a-zA-Z0-9().-/_`. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html */
const LAUNCH_TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/

/** An instance profile ARN: `arn:<partition>:iam::<account>:instance-profile/<path><name>`. */
const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+$/

/**
 * The requester of a NAT gateway's or an interface endpoint's network
 * interface: an AWS-owned account (the value varies; any 12 digits not the
 * caller's stand in for it).
 */
const AWS_SERVICE_REQUESTER = '210987654321'

/** Error codes for an id that does not exist (or is not visible yet). */
const NOT_FOUND = {
  vpc: 'InvalidVpcID.NotFound',
  subnet: 'InvalidSubnetID.NotFound',
  internetGateway: 'InvalidInternetGatewayID.NotFound',
  address: 'InvalidAllocationID.NotFound',
  nat: 'NatGatewayNotFound',
  routeTable: 'InvalidRouteTableID.NotFound',
  group: 'InvalidGroup.NotFound',
  rule: 'InvalidSecurityGroupRuleId.NotFound',
  endpoint: 'InvalidVpcEndpointId.NotFound',
  association: 'InvalidAssociationID.NotFound',
  networkInterface: 'InvalidNetworkInterfaceID.NotFound',
} as const

/** The public IPs handed out come from the documentation ranges (RFC 5737), never real addresses. */
const DOCUMENTATION_RANGES = ['192.0.2', '198.51.100', '203.0.113']

/**
 * A stateful in-memory EC2 (VPC networking subset) with AWS's ids, error
 * codes, state machines and eventual consistency. Every handler takes the
 * SDK input and returns the SDK output shape or throws an
 * EC2ServiceException whose `name` is the AWS error code.
 */
export class FakeEc2 implements FakeService {
  readonly service = 'ec2'
  private readonly timings: Ec2Timings
  private readonly ids: IdGenerator
  private readonly vpcs = new Map<string, VpcRecord>()
  private readonly subnets = new Map<string, SubnetRecord>()
  private readonly internetGateways = new Map<string, InternetGatewayRecord>()
  private readonly addresses = new Map<string, AddressRecord>()
  private readonly natGateways = new Map<string, NatRecord>()
  private readonly routeTables = new Map<string, RouteTableRecord>()
  private readonly groups = new Map<string, GroupRecord>()
  private readonly rules = new Map<string, RuleRecord>()
  private readonly endpoints = new Map<string, EndpointRecord>()
  /** Network interfaces other fakes registered (env.networkInterfaces). */
  private readonly interfaces = new Map<string, InterfaceRecord>()
  /** Private IPs of the interface endpoints' network interfaces, by interface id. */
  private readonly endpointInterfaceIps = new Map<string, string>()
  /** EC2 capacity (section at the end of the class). */
  private readonly instances = new Map<string, InstanceRecord>()
  private readonly launchTemplates = new Map<string, LaunchTemplateRecord>()
  /** `<operation>:<ClientToken>` → the request it was first used with and the resource it made. */
  private readonly clientTokens = new Map<string, {request: string; id: string}>()
  private addressCount = 0
  private privateIpCount = 0
  /**
   * Full service names whose endpoints take no policy (DescribeVpcEndpointServices
   * reports `VpcEndpointPolicySupported: false` for them): their endpoints
   * report no PolicyDocument and refuse one. Empty unless a test adds some.
   * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
   */
  readonly servicesWithoutPolicies = new Set<string>()

  constructor(
    private readonly env: FakeEnv,
    timings: Partial<Ec2Timings> = {},
    seed = 0,
  ) {
    this.timings = {...DEFAULT_EC2_TIMINGS, ...timings}
    this.ids = new IdGenerator(seed)
    env.networkInterfaces = this.networkInterfaceRegistry()
    env.ec2Instances = this.instanceLauncher()
  }

  handlers(): FakeHandler[] {
    const table: [FakeHandler['command'], OperationHandler][] = [
      [CreateVpcCommand, (i) => this.createVpc(i)],
      [DescribeVpcsCommand, (i) => this.describeVpcs(i)],
      [ModifyVpcAttributeCommand, (i) => this.modifyVpcAttribute(i)],
      [DescribeVpcAttributeCommand, (i) => this.describeVpcAttribute(i)],
      [DeleteVpcCommand, (i) => this.deleteVpc(i)],
      [CreateSubnetCommand, (i) => this.createSubnet(i)],
      [DescribeSubnetsCommand, (i) => this.describeSubnets(i)],
      [ModifySubnetAttributeCommand, (i) => this.modifySubnetAttribute(i)],
      [DeleteSubnetCommand, (i) => this.deleteSubnet(i)],
      [CreateInternetGatewayCommand, (i) => this.createInternetGateway(i)],
      [AttachInternetGatewayCommand, (i) => this.attachInternetGateway(i)],
      [DetachInternetGatewayCommand, (i) => this.detachInternetGateway(i)],
      [DescribeInternetGatewaysCommand, (i) => this.describeInternetGateways(i)],
      [DeleteInternetGatewayCommand, (i) => this.deleteInternetGateway(i)],
      [AllocateAddressCommand, (i) => this.allocateAddress(i)],
      [DescribeAddressesCommand, (i) => this.describeAddresses(i)],
      [ReleaseAddressCommand, (i) => this.releaseAddress(i)],
      [CreateNatGatewayCommand, (i) => this.createNatGateway(i)],
      [DescribeNatGatewaysCommand, (i) => this.describeNatGateways(i)],
      [DeleteNatGatewayCommand, (i) => this.deleteNatGateway(i)],
      [CreateRouteTableCommand, (i) => this.createRouteTable(i)],
      [CreateRouteCommand, (i) => this.createRoute(i)],
      [ReplaceRouteCommand, (i) => this.replaceRoute(i)],
      [DeleteRouteCommand, (i) => this.deleteRoute(i)],
      [AssociateRouteTableCommand, (i) => this.associateRouteTable(i)],
      [DisassociateRouteTableCommand, (i) => this.disassociateRouteTable(i)],
      [ReplaceRouteTableAssociationCommand, (i) => this.replaceRouteTableAssociation(i)],
      [DescribeRouteTablesCommand, (i) => this.describeRouteTables(i)],
      [DeleteRouteTableCommand, (i) => this.deleteRouteTable(i)],
      [CreateSecurityGroupCommand, (i) => this.createSecurityGroup(i)],
      [DescribeSecurityGroupsCommand, (i) => this.describeSecurityGroups(i)],
      [DeleteSecurityGroupCommand, (i) => this.deleteSecurityGroup(i)],
      [DescribeSecurityGroupRulesCommand, (i) => this.describeSecurityGroupRules(i)],
      [AuthorizeSecurityGroupIngressCommand, (i) => this.authorize(i, false)],
      [AuthorizeSecurityGroupEgressCommand, (i) => this.authorize(i, true)],
      [RevokeSecurityGroupIngressCommand, (i) => this.revoke(i, false)],
      [RevokeSecurityGroupEgressCommand, (i) => this.revoke(i, true)],
      [ModifySecurityGroupRulesCommand, (i) => this.modifySecurityGroupRules(i)],
      [CreateVpcEndpointCommand, (i) => this.createVpcEndpoint(i)],
      [ModifyVpcEndpointCommand, (i) => this.modifyVpcEndpoint(i)],
      [DescribeVpcEndpointsCommand, (i) => this.describeVpcEndpoints(i)],
      [DeleteVpcEndpointsCommand, (i) => this.deleteVpcEndpoints(i)],
      [DescribeNetworkInterfacesCommand, (i) => this.describeNetworkInterfaces(i)],
      [DeleteNetworkInterfaceCommand, (i) => this.deleteNetworkInterface(i)],
      // EC2 capacity
      [RunInstancesCommand, (i) => this.runInstances(i)],
      [DescribeInstancesCommand, (i) => this.describeInstances(i)],
      [DescribeInstanceAttributeCommand, (i) => this.describeInstanceAttribute(i)],
      [ModifyInstanceAttributeCommand, (i) => this.modifyInstanceAttribute(i)],
      [TerminateInstancesCommand, (i) => this.terminateInstances(i)],
      [CreateLaunchTemplateCommand, (i) => this.createLaunchTemplate(i)],
      [CreateLaunchTemplateVersionCommand, (i) => this.createLaunchTemplateVersion(i)],
      [DescribeLaunchTemplatesCommand, (i) => this.describeLaunchTemplates(i)],
      [DescribeLaunchTemplateVersionsCommand, (i) => this.describeLaunchTemplateVersions(i)],
      [ModifyLaunchTemplateCommand, (i) => this.modifyLaunchTemplate(i)],
      [DeleteLaunchTemplateCommand, (i) => this.deleteLaunchTemplate(i)],
    ]
    return handlersOf(table, (operation, input) => {
      this.sweep()
      return this.withoutIgnoredTagFilters(operation, input)
    })
  }

  /**
   * `faults.ignoreTagFilters`: the operations whose tag filters (`tag:<key>`,
   * `tag-key`, `tag-value`) this fake drops, answering everything the other
   * filters match, as moto does on DescribeNatGateways. Callers must check
   * ownership on the tags themselves.
   */
  private withoutIgnoredTagFilters(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    // Read structurally: the field is new in Faults (core.ts), and this fake works with or without it.
    const ignored = this.env.faults.ignoreTagFilters
    if (!ignored?.has(operation)) return input
    const isTagFilter = (filter: Filter) => filter.Name?.startsWith('tag:') || filter.Name === 'tag-key' || filter.Name === 'tag-value'
    const out = {...input}
    // DescribeNatGateways names its list `Filter`, the other describes `Filters`.
    for (const key of ['Filters', 'Filter']) {
      if (Array.isArray(out[key])) out[key] = (out[key] as Filter[]).filter((filter) => !isTagFilter(filter))
    }
    return out
  }

  // ---------------------------------------------------------------- helpers for whole-stack tests

  /**
   * Live resources of every kind. A VPC's main route table and default
   * security group go with the VPC and are not counted; NAT gateways that are
   * `deleted` or `failed` are on their way out by themselves and not counted.
   * Network interfaces are not counted: each belongs to another resource (a
   * NAT gateway, an endpoint, another fake's load balancer) and goes with it.
   */
  resourceCount(): number {
    this.sweep()
    let count = this.vpcs.size + this.subnets.size + this.internetGateways.size + this.addresses.size + this.endpoints.size
    for (const nat of this.natGateways.values()) if (!['deleted', 'failed'].includes(this.natState(nat))) count++
    for (const table of this.routeTables.values()) if (!table.main) count++
    for (const group of this.groups.values()) if (!group.isDefault) count++
    // EC2 capacity: instances not yet terminated (an Auto Scaling group's too) and launch templates.
    for (const record of this.instances.values()) if (this.instanceState(record) !== 'terminated') count++
    count += this.launchTemplates.size
    return count
  }

  /**
   * Removes a resource at once, as a user in the console would. Dependents
   * are left as AWS leaves them: routes to a removed gateway turn
   * `blackhole`, rules referencing a removed group stay (stale).
   * Accepts any id this fake hands out, including `sgr-` (one rule) and
   * `rtbassoc-` (one association).
   */
  deleteOutOfBand(id: string): void {
    const prefix = id.slice(0, id.lastIndexOf('-'))
    switch (prefix) {
      case 'vpc': {
        const vpc = this.mustHave(this.vpcs, id)
        this.routeTables.delete(vpc.mainRouteTableId)
        this.removeGroup(vpc.defaultGroupId)
        this.vpcs.delete(id)
        return
      }
      case 'subnet': {
        this.mustHave(this.subnets, id)
        this.removeSubnet(id)
        return
      }
      case 'igw':
        this.mustHave(this.internetGateways, id)
        this.internetGateways.delete(id)
        return
      case 'eipalloc':
        this.mustHave(this.addresses, id)
        this.addresses.delete(id)
        return
      case 'nat': {
        // Deleting a NAT gateway in the console is DeleteNatGateway: `deleting` (holding its address and
        // network interface) for about a minute, then `deleted`, still visible for a while.
        const nat = this.mustHave(this.natGateways, id)
        if (nat.deleteRequestedAt === undefined) nat.deleteRequestedAt = this.now()
        return
      }
      case 'rtb':
        this.mustHave(this.routeTables, id)
        this.removeRouteTable(id)
        return
      case 'rtbassoc':
        for (const table of this.routeTables.values()) table.associations = table.associations.filter((a) => a.id !== id)
        return
      case 'sg':
        this.mustHave(this.groups, id)
        this.removeGroup(id)
        return
      case 'sgr':
        this.mustHave(this.rules, id)
        this.rules.delete(id)
        return
      case 'eni':
        // Only a registered one: a NAT gateway's or an endpoint's goes with its owner.
        this.mustHave(this.interfaces, id)
        this.interfaces.delete(id)
        return
      case 'vpce':
        this.mustHave(this.endpoints, id)
        this.removeEndpointRoutes(this.endpoints.get(id)!, this.endpoints.get(id)!.routeTableIds)
        this.endpoints.delete(id)
        return
      case 'i':
        // Terminating it in the console: shutting-down, then terminated.
        this.terminateInstance(this.mustHave(this.instances, id))
        return
      case 'lt':
        this.mustHave(this.launchTemplates, id)
        this.launchTemplates.delete(id)
        return
      default:
        throw new Error(`FakeEc2.deleteOutOfBand: unknown id ${id}`)
    }
  }

  /** Plain data of everything, for debugging a failing test. */
  snapshot(): object {
    this.sweep()
    const plain = <T>(map: Map<string, T>) => structuredClone([...map.values()])
    return {
      now: this.now(),
      vpcs: plain(this.vpcs),
      subnets: plain(this.subnets),
      internetGateways: plain(this.internetGateways),
      addresses: plain(this.addresses),
      natGateways: [...this.natGateways.values()].map((nat) => ({...structuredClone(nat), state: this.natState(nat)})),
      routeTables: plain(this.routeTables),
      securityGroups: plain(this.groups),
      securityGroupRules: plain(this.rules),
      vpcEndpoints: [...this.endpoints.values()].map((endpoint) => ({...structuredClone(endpoint), state: this.endpointState(endpoint)})),
      networkInterfaces: structuredClone(this.interfaceViews()),
    }
  }

  // ---------------------------------------------------------------- time, visibility, lookups

  private now(): number {
    return this.env.clock.now()
  }

  /**
   * EC2 is eventually consistent: a new resource may be unknown to describes
   * and to calls that reference it for a while after its create call returned.
   * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
   */
  private visible(record: Tracked): boolean {
    return this.now() >= record.createdAt + this.env.faults.consistencyDelayMs
  }

  /** For calls that reference another resource (create, attach, associate, authorize): must exist and be visible. */
  private referenced<T extends Tracked>(map: Map<string, T>, id: string | undefined, code: string, what: string): T {
    const record = id === undefined ? undefined : map.get(id)
    if (!record || !this.visible(record)) throw ec2Error(code, `The ${what} ID '${id}' does not exist`)
    return record
  }

  /** For calls on the resource itself (modify, delete, detach): must exist. */
  private existing<T>(map: Map<string, T>, id: string | undefined, code: string, what: string): T {
    const record = id === undefined ? undefined : map.get(id)
    if (!record) throw ec2Error(code, `The ${what} ID '${id}' does not exist`)
    return record
  }

  private mustHave<T>(map: Map<string, T>, id: string): T {
    const record = map.get(id)
    if (!record) throw new Error(`FakeEc2: no resource ${id}`)
    return record
  }

  /**
   * Describe semantics shared by every kind: by ids, each id must exist and be
   * visible or the whole call fails with the kind's NotFound; by filters,
   * invisible resources are silently left out.
   */
  private select<T extends Tracked>(map: Map<string, T>, ids: string[] | undefined, code: string, what: string, filters: Filter[] | undefined, values: FilterTable<T>): T[] {
    let items: T[]
    if (ids?.length) {
      const missing = ids.filter((id) => {
        const record = map.get(id)
        return !record || !this.visible(record)
      })
      if (missing.length) throw ec2Error(code, `The ${what} ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist`)
      items = [...new Set(ids)].map((id) => map.get(id)!)
    } else {
      items = [...map.values()].filter((record) => this.visible(record))
    }
    return applyFilters(items, filters, values)
  }

  /** Applies transitions that end in removal (endpoints deleted, deleted NAT gateways aging out, released network interfaces gone). */
  private sweep(): void {
    this.sweepInstances()
    for (const record of [...this.interfaces.values()]) {
      if (record.goneAt !== undefined && this.now() >= record.goneAt) this.interfaces.delete(record.id)
    }
    for (const endpoint of [...this.endpoints.values()]) {
      if (endpoint.deleteRequestedAt !== undefined && this.now() >= endpoint.deleteRequestedAt + this.timings.endpointDeletedMs) {
        this.endpoints.delete(endpoint.id)
      }
    }
    for (const nat of [...this.natGateways.values()]) {
      const gone = nat.deleteRequestedAt !== undefined ? nat.deleteRequestedAt + this.timings.natDeletedMs : nat.failure ? nat.createdAt + this.timings.natAvailableMs : undefined
      if (gone !== undefined && this.now() >= gone + this.timings.natDeletedVisibleMs) this.natGateways.delete(nat.id)
    }
  }

  /**
   * ClientToken idempotency: the same token with the same request returns
   * what the first call made, whatever its state; with a different request it
   * is IdempotentParameterMismatch. A token whose resource no longer exists at
   * all is treated as new.
   * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html
   */
  private idempotent(operation: string, input: {ClientToken?: string; DryRun?: boolean}, exists: (id: string) => boolean): {replay?: string; remember(id: string): void} {
    const token = input.ClientToken
    if (!token) return {remember: () => undefined}
    const {ClientToken: _token, DryRun: _dryRun, ...rest} = input
    const request = stableJson(rest)
    const key = `${operation}:${token}`
    const previous = this.clientTokens.get(key)
    if (previous && exists(previous.id)) {
      if (previous.request !== request) {
        throw ec2Error('IdempotentParameterMismatch', `Client token ${token} was used with a different request`)
      }
      return {replay: previous.id, remember: () => undefined}
    }
    return {remember: (id) => this.clientTokens.set(key, {request, id})}
  }

  private tracked(prefix: string, tags: Tag[]): Tracked {
    return {id: this.ids.next(prefix), createdAt: this.now(), tags}
  }

  // ---------------------------------------------------------------- VPC

  private createVpc(input: CreateVpcRequest): CreateVpcResult {
    const cidr = parseCidr(input.CidrBlock)
    // https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html: /16 to /28.
    if (cidr.prefix < 16 || cidr.prefix > 28) throw ec2Error('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`)
    const base = this.tracked('vpc', tagsFrom(input.TagSpecifications, 'vpc'))
    const vpc: VpcRecord = {
      ...base,
      cidr: formatCidr(cidr),
      dnsSupport: true,
      dnsHostnames: false,
      mainRouteTableId: this.ids.next('rtb'),
      defaultGroupId: this.ids.next('sg'),
      cidrAssociationId: this.ids.next('vpc-cidr-assoc'),
      dhcpOptionsId: this.ids.next('dopt'),
    }
    this.vpcs.set(vpc.id, vpc)
    // The main route table and the default security group come with every VPC.
    this.routeTables.set(vpc.mainRouteTableId, {
      id: vpc.mainRouteTableId,
      createdAt: base.createdAt,
      tags: [],
      vpcId: vpc.id,
      main: true,
      routes: [{destinationCidr: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable'}],
      associations: [{id: this.ids.next('rtbassoc'), main: true}],
    })
    this.groups.set(vpc.defaultGroupId, {
      id: vpc.defaultGroupId,
      createdAt: base.createdAt,
      tags: [],
      vpcId: vpc.id,
      name: 'default',
      description: 'default VPC security group',
      isDefault: true,
    })
    // Default group rules: all traffic from members of the group, all traffic out.
    this.addRule({groupId: vpc.defaultGroupId, egress: false, protocol: '-1', fromPort: -1, toPort: -1, referencedGroupId: vpc.defaultGroupId})
    this.addRule({groupId: vpc.defaultGroupId, egress: true, protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0'})
    return {Vpc: this.vpcOut(vpc)}
  }

  private vpcOut(vpc: VpcRecord): Vpc {
    return {
      VpcId: vpc.id,
      CidrBlock: vpc.cidr,
      State: 'available',
      OwnerId: this.env.accountId,
      InstanceTenancy: 'default',
      IsDefault: false,
      DhcpOptionsId: vpc.dhcpOptionsId,
      CidrBlockAssociationSet: [{AssociationId: vpc.cidrAssociationId, CidrBlock: vpc.cidr, CidrBlockState: {State: 'associated'}}],
      Tags: vpc.tags,
    }
  }

  private describeVpcs(input: DescribeVpcsRequest): DescribeVpcsResult {
    const found = this.select(this.vpcs, input.VpcIds, NOT_FOUND.vpc, 'vpc', input.Filters, {
      'vpc-id': (vpc) => [vpc.id],
      'cidr': (vpc) => [vpc.cidr],
      'cidr-block-association.cidr-block': (vpc) => [vpc.cidr],
      'state': () => ['available'],
      'is-default': () => ['false'],
      'owner-id': () => [this.env.accountId],
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {Vpcs: page.map((vpc) => this.vpcOut(vpc)), NextToken}
  }

  private modifyVpcAttribute(input: ModifyVpcAttributeRequest): object {
    const vpc = this.existing(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    const given = [input.EnableDnsSupport, input.EnableDnsHostnames, input.EnableNetworkAddressUsageMetrics].filter((v) => v !== undefined)
    // One attribute per call, as AWS insists ("Fields for multiple attribute types specified").
    if (given.length !== 1) throw ec2Error('InvalidParameterCombination', 'Fields for multiple attribute types specified: exactly one attribute per ModifyVpcAttribute call')
    if (input.EnableDnsSupport) {
      const value = input.EnableDnsSupport.Value ?? false
      if (!value && vpc.dnsHostnames) {
        throw ec2Error('InvalidParameterValue', 'DNS support cannot be disabled while DNS hostnames are enabled')
      }
      vpc.dnsSupport = value
    }
    if (input.EnableDnsHostnames) {
      const value = input.EnableDnsHostnames.Value ?? false
      // https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support:
      // DNS hostnames need DNS support. AWS does not document this error's code; InvalidParameterValue is this fake's choice.
      if (value && !vpc.dnsSupport) throw ec2Error('InvalidParameterValue', 'DNS hostnames cannot be enabled while DNS support is disabled')
      vpc.dnsHostnames = value
    }
    return {}
  }

  private describeVpcAttribute(input: DescribeVpcAttributeRequest): DescribeVpcAttributeResult {
    const vpc = this.referenced(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    switch (input.Attribute) {
      case 'enableDnsSupport':
        return {VpcId: vpc.id, EnableDnsSupport: {Value: vpc.dnsSupport}}
      case 'enableDnsHostnames':
        return {VpcId: vpc.id, EnableDnsHostnames: {Value: vpc.dnsHostnames}}
      case 'enableNetworkAddressUsageMetrics':
        return {VpcId: vpc.id, EnableNetworkAddressUsageMetrics: {Value: false}}
      default:
        throw ec2Error('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid.`)
    }
  }

  private deleteVpc(input: DeleteVpcRequest): object {
    const vpc = this.existing(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    const inVpc = <T extends {vpcId?: string}>(map: Map<string, T>, extra: (r: T) => boolean = () => true) => [...map.values()].some((r) => r.vpcId === vpc.id && extra(r))
    const blocked =
      inVpc(this.subnets) ||
      inVpc(this.internetGateways) ||
      inVpc(this.groups, (g) => !g.isDefault) ||
      inVpc(this.routeTables, (t) => !t.main) ||
      inVpc(this.endpoints) ||
      this.interfaceViews().some((eni) => eni.vpcId === vpc.id)
    if (blocked) throw ec2Error('DependencyViolation', `The vpc '${vpc.id}' has dependencies and cannot be deleted.`)
    this.routeTables.delete(vpc.mainRouteTableId)
    this.removeGroup(vpc.defaultGroupId)
    this.vpcs.delete(vpc.id)
    return {}
  }

  // ---------------------------------------------------------------- Subnet

  private createSubnet(input: CreateSubnetRequest): CreateSubnetResult {
    const vpc = this.referenced(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    const cidr = parseCidr(input.CidrBlock)
    if (cidr.prefix < 16 || cidr.prefix > 28 || !cidrContains(parseCidr(vpc.cidr), cidr)) {
      throw ec2Error('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`)
    }
    for (const other of this.subnets.values()) {
      if (other.vpcId === vpc.id && cidrOverlaps(parseCidr(other.cidr), cidr)) {
        throw ec2Error('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`)
      }
    }
    const availabilityZone = input.AvailabilityZone ?? `${this.env.region}a`
    if (!new RegExp(`^${this.env.region}[a-z]$`).test(availabilityZone)) {
      throw ec2Error(
        'InvalidParameterValue',
        `Value (${availabilityZone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${this.env.region}a, ${this.env.region}b, ${this.env.region}c.`,
      )
    }
    const subnet: SubnetRecord = {
      ...this.tracked('subnet', tagsFrom(input.TagSpecifications, 'subnet')),
      vpcId: vpc.id,
      cidr: formatCidr(cidr),
      availabilityZone,
      mapPublicIpOnLaunch: false,
    }
    this.subnets.set(subnet.id, subnet)
    return {Subnet: this.subnetOut(subnet)}
  }

  private subnetOut(subnet: SubnetRecord): Subnet {
    const prefix = parseCidr(subnet.cidr).prefix
    return {
      SubnetId: subnet.id,
      VpcId: subnet.vpcId,
      CidrBlock: subnet.cidr,
      AvailabilityZone: subnet.availabilityZone,
      // AWS reserves five addresses in every subnet.
      AvailableIpAddressCount: 2 ** (32 - prefix) - 5,
      MapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
      DefaultForAz: false,
      State: 'available',
      OwnerId: this.env.accountId,
      SubnetArn: `arn:aws:ec2:${this.env.region}:${this.env.accountId}:subnet/${subnet.id}`,
      Tags: subnet.tags,
    }
  }

  private describeSubnets(input: DescribeSubnetsRequest): DescribeSubnetsResult {
    const found = this.select(this.subnets, input.SubnetIds, NOT_FOUND.subnet, 'subnet', input.Filters, {
      'subnet-id': (subnet) => [subnet.id],
      'vpc-id': (subnet) => [subnet.vpcId],
      'cidr-block': (subnet) => [subnet.cidr],
      'cidr': (subnet) => [subnet.cidr],
      'availability-zone': (subnet) => [subnet.availabilityZone],
      'state': () => ['available'],
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {Subnets: page.map((subnet) => this.subnetOut(subnet)), NextToken}
  }

  private modifySubnetAttribute(input: ModifySubnetAttributeRequest): object {
    const subnet = this.existing(this.subnets, input.SubnetId, NOT_FOUND.subnet, 'subnet')
    if (input.MapPublicIpOnLaunch) subnet.mapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value ?? false
    return {}
  }

  private deleteSubnet(input: DeleteSubnetRequest): object {
    const subnet = this.existing(this.subnets, input.SubnetId, NOT_FOUND.subnet, 'subnet')
    // Any network interface in it: a NAT gateway's or an interface endpoint's until it is gone, a load balancer's
    // for minutes after the load balancer was deleted (the API reference names only "running instances"; the
    // service deletes its interfaces after the resource: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html).
    if (this.interfaceViews().some((eni) => eni.subnetId === subnet.id)) throw ec2Error('DependencyViolation', `The subnet '${subnet.id}' has dependencies and cannot be deleted.`)
    this.removeSubnet(subnet.id)
    return {}
  }

  /** Deleting a subnet also removes its route table association. */
  private removeSubnet(id: string): void {
    for (const table of this.routeTables.values()) table.associations = table.associations.filter((a) => a.subnetId !== id)
    this.subnets.delete(id)
  }

  // ---------------------------------------------------------------- Internet gateway

  private createInternetGateway(input: CreateInternetGatewayRequest): CreateInternetGatewayResult {
    const gateway: InternetGatewayRecord = this.tracked('igw', tagsFrom(input.TagSpecifications, 'internet-gateway'))
    this.internetGateways.set(gateway.id, gateway)
    return {InternetGateway: this.internetGatewayOut(gateway)}
  }

  private internetGatewayOut(gateway: InternetGatewayRecord): InternetGateway {
    return {
      InternetGatewayId: gateway.id,
      OwnerId: this.env.accountId,
      // AWS reports an attached internet gateway's attachment state as `available`, a value
      // missing from the SDK's AttachmentStatus enum (see the CLI examples of DescribeInternetGateways).
      // https://docs.aws.amazon.com/cli/latest/reference/ec2/describe-internet-gateways.html
      Attachments: gateway.vpcId ? [{VpcId: gateway.vpcId, State: 'available' as AttachmentStatus}] : [],
      Tags: gateway.tags,
    }
  }

  private attachInternetGateway(input: AttachInternetGatewayRequest): object {
    const gateway = this.referenced(this.internetGateways, input.InternetGatewayId, NOT_FOUND.internetGateway, 'internetGateway')
    const vpc = this.referenced(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    if (gateway.vpcId) throw ec2Error('Resource.AlreadyAssociated', `resource ${gateway.id} is already attached to network ${gateway.vpcId}`)
    gateway.vpcId = vpc.id
    return {}
  }

  private detachInternetGateway(input: DetachInternetGatewayRequest): object {
    const gateway = this.existing(this.internetGateways, input.InternetGatewayId, NOT_FOUND.internetGateway, 'internetGateway')
    if (!gateway.vpcId || gateway.vpcId !== input.VpcId) {
      throw ec2Error('Gateway.NotAttached', `resource ${gateway.id} is not attached to network ${input.VpcId}`)
    }
    // AWS refuses while public addresses are mapped in the VPC; a NAT gateway that is not yet deleted holds one.
    const natInVpc = [...this.natGateways.values()].some((nat) => nat.vpcId === gateway.vpcId && !['deleted', 'failed'].includes(this.natState(nat)))
    if (natInVpc) {
      throw ec2Error('DependencyViolation', `Network ${gateway.vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`)
    }
    delete gateway.vpcId
    return {}
  }

  private describeInternetGateways(input: DescribeInternetGatewaysRequest): DescribeInternetGatewaysResult {
    const found = this.select(this.internetGateways, input.InternetGatewayIds, NOT_FOUND.internetGateway, 'internetGateway', input.Filters, {
      'internet-gateway-id': (gateway) => [gateway.id],
      'attachment.vpc-id': (gateway) => (gateway.vpcId ? [gateway.vpcId] : []),
      'attachment.state': (gateway) => (gateway.vpcId ? ['available'] : []),
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {InternetGateways: page.map((gateway) => this.internetGatewayOut(gateway)), NextToken}
  }

  private deleteInternetGateway(input: DeleteInternetGatewayRequest): object {
    const gateway = this.existing(this.internetGateways, input.InternetGatewayId, NOT_FOUND.internetGateway, 'internetGateway')
    if (gateway.vpcId) throw ec2Error('DependencyViolation', `The internetGateway '${gateway.id}' has dependencies and cannot be deleted.`)
    this.internetGateways.delete(gateway.id)
    return {}
  }

  // ---------------------------------------------------------------- Elastic IP

  private allocateAddress(input: AllocateAddressRequest): AllocateAddressResult {
    if (input.Domain !== undefined && input.Domain !== 'vpc') throw ec2Error('InvalidParameterValue', `Value (${input.Domain}) for parameter domain is invalid.`)
    const index = this.addressCount++
    const range = DOCUMENTATION_RANGES[Math.floor(index / 254)]
    if (!range) throw ec2Error('AddressLimitExceeded', 'The maximum number of addresses has been reached.')
    const address: AddressRecord = {
      ...this.tracked('eipalloc', tagsFrom(input.TagSpecifications, 'elastic-ip')),
      publicIp: `${range}.${(index % 254) + 1}`,
      associationId: this.ids.next('eipassoc'),
    }
    this.addresses.set(address.id, address)
    return {AllocationId: address.id, PublicIp: address.publicIp, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: this.env.region}
  }

  /**
   * The NAT gateway holding this address: from creation until it is
   * `deleted` (a `deleting` gateway still holds it). A gateway that will fail
   * never held it.
   * https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html#nat-gateway-deleting
   */
  private natHolding(allocationId: string): NatRecord | undefined {
    return [...this.natGateways.values()].find((nat) => nat.allocationId === allocationId && !nat.failure && this.natState(nat) !== 'deleted')
  }

  private addressOut(address: AddressRecord): Address {
    const nat = this.natHolding(address.id)
    return {
      AllocationId: address.id,
      PublicIp: address.publicIp,
      Domain: 'vpc',
      PublicIpv4Pool: 'amazon',
      NetworkBorderGroup: this.env.region,
      ...(nat ? {AssociationId: address.associationId, NetworkInterfaceId: nat.networkInterfaceId, NetworkInterfaceOwnerId: this.env.accountId, PrivateIpAddress: nat.privateIp} : {}),
      Tags: address.tags,
    }
  }

  private describeAddresses(input: DescribeAddressesRequest): DescribeAddressesResult {
    let found = this.select(this.addresses, input.AllocationIds, NOT_FOUND.address, 'allocation', input.Filters, {
      'allocation-id': (address) => [address.id],
      'public-ip': (address) => [address.publicIp],
      'domain': () => ['vpc'],
      'association-id': (address) => (this.natHolding(address.id) ? [address.associationId] : []),
      'network-interface-id': (address) => [this.natHolding(address.id)?.networkInterfaceId ?? ''].filter(Boolean),
    })
    if (input.PublicIps?.length) {
      const missing = input.PublicIps.filter((ip) => !found.some((a) => a.publicIp === ip))
      if (missing.length) throw ec2Error('InvalidAddress.NotFound', `Address '${missing.join(', ')}' not found.`)
      found = found.filter((a) => input.PublicIps!.includes(a.publicIp))
    }
    return {Addresses: found.map((address) => this.addressOut(address))}
  }

  private releaseAddress(input: ReleaseAddressRequest): object {
    const address = this.existing(this.addresses, input.AllocationId, NOT_FOUND.address, 'allocation')
    // The NAT gateway keeps the address until it reaches `deleted`.
    // https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html#nat-gateway-deleting
    if (this.natHolding(address.id)) throw ec2Error('InvalidIPAddress.InUse', `Address ${address.publicIp} is in use.`)
    this.addresses.delete(address.id)
    return {}
  }

  // ---------------------------------------------------------------- NAT gateway

  private natState(nat: NatRecord): NatGatewayState {
    const now = this.now()
    if (nat.deleteRequestedAt !== undefined) return now >= nat.deleteRequestedAt + this.timings.natDeletedMs ? 'deleted' : 'deleting'
    if (now < nat.createdAt + this.timings.natAvailableMs) return 'pending'
    return nat.failure ? 'failed' : 'available'
  }

  private createNatGateway(input: CreateNatGatewayRequest): CreateNatGatewayResult {
    const token = this.idempotent('CreateNatGateway', input, (id) => this.natGateways.has(id))
    if (token.replay) return {NatGateway: this.natOut(this.natGateways.get(token.replay)!), ClientToken: input.ClientToken}
    if ((input.ConnectivityType ?? 'public') !== 'public') throw new Error('FakeEc2: only public NAT gateways are modelled')
    const subnet = this.referenced(this.subnets, input.SubnetId, NOT_FOUND.subnet, 'subnet')
    const address = this.referenced(this.addresses, input.AllocationId, NOT_FOUND.address, 'allocation')
    const tags = tagsFrom(input.TagSpecifications, 'natgateway')
    const hasInternetGateway = [...this.internetGateways.values()].some((gateway) => gateway.vpcId === subnet.vpcId)
    const failure = this.natFailure(address, subnet, hasInternetGateway)
    const nat: NatRecord = {
      ...this.tracked('nat', tags),
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      allocationId: address.id,
      networkInterfaceId: this.ids.next('eni'),
      privateIp: this.nextPrivateIp(subnet),
      ...(failure ? {failure} : {}),
    }
    this.natGateways.set(nat.id, nat)
    token.remember(nat.id)
    return {NatGateway: this.natOut(nat), ClientToken: input.ClientToken}
  }

  /**
   * Why a new gateway will fail while provisioning, if it will: CreateNatGateway
   * itself succeeds, and the gateway goes `pending` → `failed` with a
   * FailureCode. An address another NAT gateway holds (until that one is
   * `deleted`) gives Resource.AlreadyAssociated; a VPC without an internet
   * gateway, Gateway.NotAttached.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html
   * https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html
   */
  private natFailure(address: AddressRecord, subnet: SubnetRecord, hasInternetGateway: boolean): NatRecord['failure'] {
    if (this.natHolding(address.id)) return {code: 'Resource.AlreadyAssociated', message: `Elastic IP address ${address.id} is already associated`}
    if (!hasInternetGateway) return {code: 'Gateway.NotAttached', message: `Network ${subnet.vpcId} has no Internet gateway attached`}
    return undefined
  }

  private nextPrivateIp(subnet: SubnetRecord): string {
    const cidr = parseCidr(subnet.cidr)
    const size = 2 ** (32 - cidr.prefix)
    // The first four addresses and the last one are AWS's.
    return ipString(cidr.base + 4 + (this.privateIpCount++ % (size - 5)))
  }

  private natOut(nat: NatRecord): NatGateway {
    const state = this.natState(nat)
    const address = this.addresses.get(nat.allocationId)
    const out: NatGateway = {
      NatGatewayId: nat.id,
      SubnetId: nat.subnetId,
      VpcId: nat.vpcId,
      State: state,
      ConnectivityType: 'public',
      CreateTime: new Date(nat.createdAt),
      NatGatewayAddresses:
        state === 'failed'
          ? []
          : [
              {
                AllocationId: nat.allocationId,
                NetworkInterfaceId: nat.networkInterfaceId,
                PrivateIp: nat.privateIp,
                PublicIp: address?.publicIp,
                ...(this.natHolding(nat.allocationId) === nat ? {AssociationId: address?.associationId} : {}),
                IsPrimary: true,
                ...(state === 'deleted' ? {} : {Status: state === 'deleting' ? 'disassociating' : state === 'available' ? 'succeeded' : 'associating'}),
              },
            ],
      Tags: nat.tags,
    }
    if (nat.deleteRequestedAt !== undefined && state === 'deleted') out.DeleteTime = new Date(nat.deleteRequestedAt + this.timings.natDeletedMs)
    if (state === 'failed' && nat.failure) {
      out.FailureCode = nat.failure.code
      out.FailureMessage = nat.failure.message
    }
    return out
  }

  private describeNatGateways(input: DescribeNatGatewaysRequest): DescribeNatGatewaysResult {
    // The NAT gateway API names its filter list `Filter`, not `Filters`.
    const found = this.select(this.natGateways, input.NatGatewayIds, NOT_FOUND.nat, 'NAT gateway', input.Filter, {
      'nat-gateway-id': (nat) => [nat.id],
      'subnet-id': (nat) => [nat.subnetId],
      'vpc-id': (nat) => [nat.vpcId],
      'state': (nat) => [this.natState(nat)],
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {NatGateways: page.map((nat) => this.natOut(nat)), NextToken}
  }

  private deleteNatGateway(input: DeleteNatGatewayRequest): DeleteNatGatewayResult {
    const nat = this.existing(this.natGateways, input.NatGatewayId, NOT_FOUND.nat, 'NAT gateway')
    // Deleting one that is already deleting or deleted is accepted and changes nothing.
    if (nat.deleteRequestedAt === undefined) nat.deleteRequestedAt = this.now()
    return {NatGatewayId: nat.id}
  }

  // ---------------------------------------------------------------- Route tables

  private createRouteTable(input: CreateRouteTableRequest): CreateRouteTableResult {
    const token = this.idempotent('CreateRouteTable', input, (id) => this.routeTables.has(id))
    if (token.replay) return {RouteTable: this.routeTableOut(this.routeTables.get(token.replay)!), ClientToken: input.ClientToken}
    const vpc = this.referenced(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    const table: RouteTableRecord = {
      ...this.tracked('rtb', tagsFrom(input.TagSpecifications, 'route-table')),
      vpcId: vpc.id,
      main: false,
      routes: [{destinationCidr: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable'}],
      associations: [],
    }
    this.routeTables.set(table.id, table)
    token.remember(table.id)
    return {RouteTable: this.routeTableOut(table), ClientToken: input.ClientToken}
  }

  /**
   * `blackhole` when the target is gone: a deleted NAT gateway, a deleted or
   * detached internet gateway.
   * https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html#route-table-routes
   */
  private routeState(table: RouteTableRecord, route: RouteRecord): 'active' | 'blackhole' {
    if (route.natGatewayId) {
      const nat = this.natGateways.get(route.natGatewayId)
      return nat && !['deleted', 'failed'].includes(this.natState(nat)) ? 'active' : 'blackhole'
    }
    if (route.gatewayId?.startsWith('igw-')) return this.internetGateways.get(route.gatewayId)?.vpcId === table.vpcId ? 'active' : 'blackhole'
    if (route.gatewayId?.startsWith('vpce-')) return this.endpoints.has(route.gatewayId) ? 'active' : 'blackhole'
    return 'active'
  }

  private routeTableOut(table: RouteTableRecord): RouteTable {
    return {
      RouteTableId: table.id,
      VpcId: table.vpcId,
      OwnerId: this.env.accountId,
      Routes: table.routes.map((route): Route => ({
        ...(route.destinationCidr ? {DestinationCidrBlock: route.destinationCidr} : {}),
        ...(route.prefixListId ? {DestinationPrefixListId: route.prefixListId} : {}),
        ...(route.gatewayId ? {GatewayId: route.gatewayId} : {}),
        ...(route.natGatewayId ? {NatGatewayId: route.natGatewayId} : {}),
        Origin: route.origin,
        State: this.routeState(table, route),
      })),
      Associations: table.associations.map((association) => ({
        Main: association.main,
        RouteTableAssociationId: association.id,
        RouteTableId: table.id,
        ...(association.subnetId ? {SubnetId: association.subnetId} : {}),
        AssociationState: {State: 'associated'},
      })),
      PropagatingVgws: [],
      Tags: table.tags,
    }
  }

  /** Validates a user route's target, returning its record fields. */
  private routeTarget(table: RouteTableRecord, input: {GatewayId?: string; NatGatewayId?: string}): Pick<RouteRecord, 'gatewayId' | 'natGatewayId'> {
    const targets = [input.GatewayId, input.NatGatewayId].filter((t) => t !== undefined)
    if (targets.length !== 1) throw ec2Error('InvalidParameterCombination', 'Exactly one route target (GatewayId or NatGatewayId) must be given; the fake supports only these two')
    if (input.GatewayId) {
      const gateway = this.referenced(this.internetGateways, input.GatewayId, 'InvalidGatewayID.NotFound', 'gateway')
      if (gateway.vpcId !== table.vpcId) {
        throw ec2Error('InvalidParameterValue', `route table ${table.id} and network gateway ${gateway.id} belong to different networks`)
      }
      return {gatewayId: gateway.id}
    }
    const nat = this.natGateways.get(input.NatGatewayId!)
    if (!nat || !this.visible(nat) || ['deleted', 'failed'].includes(this.natState(nat))) {
      throw ec2Error('InvalidNatGatewayID.NotFound', `The natGateway ID '${input.NatGatewayId}' does not exist`)
    }
    if (nat.vpcId !== table.vpcId) throw ec2Error('InvalidParameterValue', `route table ${table.id} and NAT gateway ${nat.id} belong to different networks`)
    return {natGatewayId: nat.id}
  }

  private userRouteDestination(input: {DestinationCidrBlock?: string}): string {
    if (!input.DestinationCidrBlock) throw new Error('FakeEc2: only IPv4 DestinationCidrBlock routes are modelled')
    return formatCidr(parseCidr(input.DestinationCidrBlock))
  }

  private createRoute(input: CreateRouteRequest): CreateRouteResult {
    const table = this.referenced(this.routeTables, input.RouteTableId, NOT_FOUND.routeTable, 'routeTable')
    const destination = this.userRouteDestination(input)
    const target = this.routeTarget(table, input)
    if (table.routes.some((route) => route.destinationCidr === destination)) {
      throw ec2Error('RouteAlreadyExists', `The route identified by ${destination} already exists.`)
    }
    table.routes.push({destinationCidr: destination, ...target, origin: 'CreateRoute'})
    return {Return: true}
  }

  private findUserRoute(table: RouteTableRecord, destination: string): RouteRecord {
    const route = table.routes.find((r) => r.destinationCidr === destination)
    if (!route) throw ec2Error('InvalidRoute.NotFound', `no route with destination-cidr-block ${destination} in route table ${table.id}`)
    if (route.gatewayId === 'local') throw ec2Error('InvalidParameterValue', `cannot remove local route ${destination} in route table ${table.id}`)
    return route
  }

  private replaceRoute(input: ReplaceRouteRequest): object {
    const table = this.existing(this.routeTables, input.RouteTableId, NOT_FOUND.routeTable, 'routeTable')
    const route = this.findUserRoute(table, this.userRouteDestination(input))
    const target = this.routeTarget(table, input)
    delete route.gatewayId
    delete route.natGatewayId
    Object.assign(route, target)
    return {}
  }

  private deleteRoute(input: DeleteRouteRequest): object {
    const table = this.existing(this.routeTables, input.RouteTableId, NOT_FOUND.routeTable, 'routeTable')
    const route = this.findUserRoute(table, this.userRouteDestination(input))
    table.routes = table.routes.filter((r) => r !== route)
    return {}
  }

  private associateRouteTable(input: AssociateRouteTableRequest): AssociateRouteTableResult {
    const table = this.referenced(this.routeTables, input.RouteTableId, NOT_FOUND.routeTable, 'routeTable')
    if (!input.SubnetId) throw new Error('FakeEc2: only subnet route table associations are modelled')
    const subnet = this.referenced(this.subnets, input.SubnetId, NOT_FOUND.subnet, 'subnet')
    if (subnet.vpcId !== table.vpcId) throw ec2Error('InvalidParameterValue', `Route table ${table.id} and subnet ${subnet.id} belong to different networks`)
    // A subnet has at most one explicit association; changing it is ReplaceRouteTableAssociation.
    for (const other of this.routeTables.values()) {
      const existing = other.associations.find((a) => a.subnetId === subnet.id)
      if (existing) throw ec2Error('Resource.AlreadyAssociated', `the specified association for route table ${other.id} conflicts with an existing association`)
    }
    const association: AssociationRecord = {id: this.ids.next('rtbassoc'), subnetId: subnet.id, main: false}
    table.associations.push(association)
    return {AssociationId: association.id, AssociationState: {State: 'associated'}}
  }

  private disassociateRouteTable(input: DisassociateRouteTableRequest): object {
    for (const table of this.routeTables.values()) {
      const association = table.associations.find((a) => a.id === input.AssociationId)
      if (!association) continue
      if (association.main) throw ec2Error('InvalidParameterValue', `cannot disassociate the main route table association ${association.id}`)
      table.associations = table.associations.filter((a) => a !== association)
      return {}
    }
    throw ec2Error(NOT_FOUND.association, `The association ID '${input.AssociationId}' does not exist`)
  }

  /**
   * Moves an association (a subnet's, or the VPC's main one) to another table
   * in the same VPC; the association gets a new id.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRouteTableAssociation.html
   */
  private replaceRouteTableAssociation(input: ReplaceRouteTableAssociationRequest): ReplaceRouteTableAssociationResult {
    const target = this.referenced(this.routeTables, input.RouteTableId, NOT_FOUND.routeTable, 'routeTable')
    const source = [...this.routeTables.values()].find((table) => table.associations.some((a) => a.id === input.AssociationId))
    const association = source?.associations.find((a) => a.id === input.AssociationId)
    if (!source || !association) throw ec2Error(NOT_FOUND.association, `The association ID '${input.AssociationId}' does not exist`)
    if (source.vpcId !== target.vpcId) throw ec2Error('InvalidParameterValue', `Route table ${target.id} is not in the network of association ${association.id}`)
    source.associations = source.associations.filter((a) => a !== association)
    const moved: AssociationRecord = {...association, id: this.ids.next('rtbassoc')}
    target.associations.push(moved)
    if (moved.main) {
      source.main = false
      target.main = true
      this.mustHave(this.vpcs, target.vpcId).mainRouteTableId = target.id
    }
    return {NewAssociationId: moved.id, AssociationState: {State: 'associated'}}
  }

  private describeRouteTables(input: DescribeRouteTablesRequest): DescribeRouteTablesResult {
    const found = this.select(this.routeTables, input.RouteTableIds, NOT_FOUND.routeTable, 'routeTable', input.Filters, {
      'route-table-id': (table) => [table.id],
      'vpc-id': (table) => [table.vpcId],
      'association.main': (table) => [String(table.main)],
      'association.subnet-id': (table) => table.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])),
      'association.route-table-association-id': (table) => table.associations.map((a) => a.id),
      'route.nat-gateway-id': (table) => table.routes.flatMap((r) => (r.natGatewayId ? [r.natGatewayId] : [])),
      'route.gateway-id': (table) => table.routes.flatMap((r) => (r.gatewayId ? [r.gatewayId] : [])),
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {RouteTables: page.map((table) => this.routeTableOut(table)), NextToken}
  }

  private deleteRouteTable(input: DeleteRouteTableRequest): object {
    const table = this.existing(this.routeTables, input.RouteTableId, NOT_FOUND.routeTable, 'routeTable')
    // The main table has the main association, so it is never deletable on its own.
    if (table.associations.length) throw ec2Error('DependencyViolation', `The routeTable '${table.id}' has dependencies and cannot be deleted.`)
    this.removeRouteTable(table.id)
    return {}
  }

  /** A gateway endpoint forgets a route table that goes away. */
  private removeRouteTable(id: string): void {
    for (const endpoint of this.endpoints.values()) endpoint.routeTableIds = endpoint.routeTableIds.filter((t) => t !== id)
    this.routeTables.delete(id)
  }

  // ---------------------------------------------------------------- Security groups

  private createSecurityGroup(input: CreateSecurityGroupRequest): CreateSecurityGroupResult {
    if (!input.VpcId) throw new Error('FakeEc2: security groups need a VpcId (EC2-Classic and default-VPC groups are not modelled)')
    const vpc = this.referenced(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    if (!input.GroupName || !input.Description) throw ec2Error('MissingParameter', 'GroupName and Description are required')
    this.checkGroupName(input.GroupName)
    // Names are case-insensitive: `Web` and `web` are one name in a VPC.
    const name = input.GroupName.toLowerCase()
    if (name === 'default' || [...this.groups.values()].some((g) => g.vpcId === vpc.id && g.name.toLowerCase() === name)) {
      throw ec2Error('InvalidGroup.Duplicate', `The security group '${input.GroupName}' already exists for VPC '${vpc.id}'`)
    }
    const group: GroupRecord = {
      ...this.tracked('sg', tagsFrom(input.TagSpecifications, 'security-group')),
      vpcId: vpc.id,
      name: input.GroupName,
      description: input.Description,
      isDefault: false,
    }
    this.groups.set(group.id, group)
    // A new group allows all outbound traffic until told otherwise.
    // https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#default-security-group-rules
    this.addRule({groupId: group.id, egress: true, protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0'})
    return {GroupId: group.id, Tags: group.tags, SecurityGroupArn: this.groupArn(group.id)}
  }

  /**
   * GroupName: at most 255 characters of a-z, A-Z, 0-9, spaces and
   * ._-:/()#,@[]+=&;{}!$*, not starting with `sg-` (a group id's form).
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
   * The error code is InvalidParameterValue, AWS's word for a malformed value.
   */
  private checkGroupName(name: string): void {
    if (/^sg-/i.test(name)) throw ec2Error('InvalidParameterValue', `Invalid security group name '${name}': group names may not be in the format sg-*.`)
    if (name.length > 255 || !/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/.test(name)) {
      throw ec2Error('InvalidParameterValue', `Invalid security group name '${name}': at most 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*`)
    }
  }

  private groupArn(id: string): string {
    return `arn:aws:ec2:${this.env.region}:${this.env.accountId}:security-group/${id}`
  }

  private groupOut(group: GroupRecord): SecurityGroup {
    const permissions = (egress: boolean): IpPermission[] => {
      const byKey = new Map<string, IpPermission>()
      for (const rule of this.rules.values()) {
        if (rule.groupId !== group.id || rule.egress !== egress) continue
        const key = `${rule.protocol}|${rule.fromPort}|${rule.toPort}`
        let permission = byKey.get(key)
        if (!permission) {
          permission = {
            IpProtocol: rule.protocol,
            // DescribeSecurityGroups leaves the ports out for "all protocols".
            ...(rule.protocol === '-1' ? {} : {FromPort: rule.fromPort, ToPort: rule.toPort}),
            IpRanges: [],
            Ipv6Ranges: [],
            PrefixListIds: [],
            UserIdGroupPairs: [],
          }
          byKey.set(key, permission)
        }
        if (rule.cidr) permission.IpRanges!.push({CidrIp: rule.cidr, ...(rule.description ? {Description: rule.description} : {})})
        if (rule.referencedGroupId) {
          permission.UserIdGroupPairs!.push({GroupId: rule.referencedGroupId, UserId: this.env.accountId, ...(rule.description ? {Description: rule.description} : {})})
        }
      }
      return [...byKey.values()]
    }
    return {
      GroupId: group.id,
      GroupName: group.name,
      Description: group.description,
      VpcId: group.vpcId,
      OwnerId: this.env.accountId,
      SecurityGroupArn: this.groupArn(group.id),
      IpPermissions: permissions(false),
      IpPermissionsEgress: permissions(true),
      Tags: group.tags,
    }
  }

  private describeSecurityGroups(input: DescribeSecurityGroupsRequest): DescribeSecurityGroupsResult {
    const found = this.select(this.groups, input.GroupIds, NOT_FOUND.group, 'security group', input.Filters, {
      'group-id': (group) => [group.id],
      'group-name': (group) => [group.name],
      'vpc-id': (group) => [group.vpcId],
      'description': (group) => [group.description],
      'owner-id': () => [this.env.accountId],
      // A group whose inbound (outbound) rules name a peer group.
      'ip-permission.group-id': (group) => this.peersOf(group.id, false),
      'egress.ip-permission.group-id': (group) => this.peersOf(group.id, true),
    })
    const byName = input.GroupNames?.length ? found.filter((g) => input.GroupNames!.includes(g.name)) : found
    const {page, NextToken} = paginate(byName, input.MaxResults, input.NextToken)
    return {SecurityGroups: page.map((group) => this.groupOut(group)), NextToken}
  }

  private peersOf(groupId: string, egress: boolean): string[] {
    return [...this.rules.values()].flatMap((rule) => (rule.groupId === groupId && rule.egress === egress && rule.referencedGroupId ? [rule.referencedGroupId] : []))
  }

  private deleteSecurityGroup(input: DeleteSecurityGroupRequest): DeleteSecurityGroupResult {
    const group = this.existing(this.groups, input.GroupId, NOT_FOUND.group, 'security group')
    if (group.isDefault) throw ec2Error('CannotDelete', `the specified group: "${group.id}" name: "default" cannot be deleted by a user`)
    const referenced = [...this.rules.values()].some((rule) => rule.referencedGroupId === group.id && rule.groupId !== group.id)
    // Network interfaces that have the group: an interface endpoint's, a load balancer's (also minutes after it was deleted).
    const usedByInterface = this.interfaceViews().some((eni) => eni.groupIds.includes(group.id))
    if (referenced || usedByInterface) throw ec2Error('DependencyViolation', `resource ${group.id} has a dependent object`)
    this.removeGroup(group.id)
    return {Return: true, GroupId: group.id}
  }

  /** A group's own rules go with it; other groups' rules that reference it stay, as in AWS (stale rules). */
  private removeGroup(id: string): void {
    for (const rule of [...this.rules.values()]) if (rule.groupId === id) this.rules.delete(rule.id)
    this.groups.delete(id)
  }

  // ---------------------------------------------------------------- Security group rules

  private addRule(fields: Omit<RuleRecord, 'id'>): RuleRecord {
    const rule: RuleRecord = {id: this.ids.next('sgr'), ...fields}
    this.rules.set(rule.id, rule)
    return rule
  }

  private ruleKey(rule: Omit<RuleRecord, 'id' | 'description'>): string {
    return [rule.groupId, rule.egress, rule.protocol, rule.fromPort, rule.toPort, rule.cidr ?? '', rule.referencedGroupId ?? ''].join('|')
  }

  private ruleOut(rule: RuleRecord): SecurityGroupRule {
    return {
      SecurityGroupRuleId: rule.id,
      GroupId: rule.groupId,
      GroupOwnerId: this.env.accountId,
      IsEgress: rule.egress,
      IpProtocol: rule.protocol,
      FromPort: rule.fromPort,
      ToPort: rule.toPort,
      ...(rule.cidr ? {CidrIpv4: rule.cidr} : {}),
      ...(rule.referencedGroupId ? {ReferencedGroupInfo: {GroupId: rule.referencedGroupId, UserId: this.env.accountId}} : {}),
      ...(rule.description !== undefined ? {Description: rule.description} : {}),
      Tags: [],
      SecurityGroupRuleArn: `arn:aws:ec2:${this.env.region}:${this.env.accountId}:security-group-rule/${rule.id}`,
    }
  }

  private revokedOut(rule: RuleRecord): RevokedSecurityGroupRule {
    return {
      SecurityGroupRuleId: rule.id,
      GroupId: rule.groupId,
      IsEgress: rule.egress,
      IpProtocol: rule.protocol,
      FromPort: rule.fromPort,
      ToPort: rule.toPort,
      ...(rule.cidr ? {CidrIpv4: rule.cidr} : {}),
      ...(rule.referencedGroupId ? {ReferencedGroupId: rule.referencedGroupId} : {}),
      ...(rule.description !== undefined ? {Description: rule.description} : {}),
    }
  }

  /**
   * Protocol and ports as EC2 stores them: `-1` (all) has ports -1, protocol
   * names are lowercase, ICMP without type/code means all (-1).
   */
  private normalisePorts(protocolIn: string | undefined, fromPort: number | undefined, toPort: number | undefined): {protocol: string; fromPort: number; toPort: number} {
    const protocol = (protocolIn ?? '').toLowerCase()
    if (protocol === '-1') return {protocol, fromPort: -1, toPort: -1}
    if (protocol === 'icmp') return {protocol, fromPort: fromPort ?? -1, toPort: toPort ?? -1}
    if (protocol !== 'tcp' && protocol !== 'udp') {
      throw ec2Error('InvalidParameterValue', `Invalid value '${protocolIn}' for IP protocol. The fake models tcp, udp, icmp and -1.`)
    }
    if (fromPort === undefined || toPort === undefined || fromPort < 0 || toPort > 65535 || fromPort > toPort) {
      throw ec2Error('InvalidParameterValue', `Invalid port range ${fromPort}-${toPort} for protocol ${protocol}`)
    }
    return {protocol, fromPort, toPort}
  }

  /** One rule per CIDR range or group pair, as EC2 splits an IpPermission. */
  private rulesFromPermissions(group: GroupRecord, egress: boolean, permissions: IpPermission[] | undefined): Omit<RuleRecord, 'id'>[] {
    const rules: Omit<RuleRecord, 'id'>[] = []
    for (const permission of permissions ?? []) {
      if (permission.Ipv6Ranges?.length || permission.PrefixListIds?.length) throw new Error('FakeEc2: IPv6 ranges and prefix lists in rules are not modelled')
      const ports = this.normalisePorts(permission.IpProtocol, permission.FromPort, permission.ToPort)
      for (const range of permission.IpRanges ?? []) {
        rules.push({groupId: group.id, egress, ...ports, cidr: formatCidr(parseCidr(range.CidrIp)), ...(range.Description !== undefined ? {description: range.Description} : {})})
      }
      for (const pair of permission.UserIdGroupPairs ?? []) {
        const peer = this.referenced(this.groups, pair.GroupId, NOT_FOUND.group, 'security group')
        rules.push({groupId: group.id, egress, ...ports, referencedGroupId: peer.id, ...(pair.Description !== undefined ? {description: pair.Description} : {})})
      }
    }
    return rules
  }

  private authorize(input: AuthorizeSecurityGroupIngressRequest, egress: boolean): AuthorizeSecurityGroupIngressResult {
    const group = this.referenced(this.groups, input.GroupId, NOT_FOUND.group, 'security group')
    if (input.CidrIp || input.IpProtocol || input.SourceSecurityGroupName) throw new Error('FakeEc2: pass rules as IpPermissions')
    const wanted = this.rulesFromPermissions(group, egress, input.IpPermissions)
    const existing = new Set([...this.rules.values()].map((rule) => this.ruleKey(rule)))
    // All or nothing: one duplicate (of an existing rule or within the call) fails the whole call.
    for (const rule of wanted) {
      const key = this.ruleKey(rule)
      if (existing.has(key)) {
        throw ec2Error(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${rule.cidr ?? rule.referencedGroupId}, ${rule.protocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW" already exists`,
        )
      }
      existing.add(key)
    }
    const added = wanted.map((rule) => this.addRule(rule))
    return {Return: true, SecurityGroupRules: added.map((rule) => this.ruleOut(rule))}
  }

  private revoke(input: RevokeSecurityGroupIngressRequest, egress: boolean): RevokeSecurityGroupIngressResult {
    const group = this.existing(this.groups, input.GroupId, NOT_FOUND.group, 'security group')
    let targets: RuleRecord[]
    if (input.SecurityGroupRuleIds?.length) {
      targets = input.SecurityGroupRuleIds.map((id) => {
        const rule = this.rules.get(id)
        if (!rule || rule.groupId !== group.id || rule.egress !== egress) throw ec2Error(NOT_FOUND.rule, `The security group rule ID '${id}' does not exist`)
        return rule
      })
    } else {
      // By properties, in a non-default VPC: every rule must match exactly or nothing is revoked.
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
      targets = this.rulesFromPermissions(group, egress, input.IpPermissions).map((wanted) => {
        const key = this.ruleKey(wanted)
        const rule = [...this.rules.values()].find((r) => this.ruleKey(r) === key)
        if (!rule) {
          throw ec2Error('InvalidPermission.NotFound', `The specified rule does not exist in this security group (${wanted.protocol} ${wanted.fromPort}-${wanted.toPort} ${wanted.cidr ?? wanted.referencedGroupId})`)
        }
        return rule
      })
    }
    for (const rule of targets) this.rules.delete(rule.id)
    return {Return: true, RevokedSecurityGroupRules: targets.map((rule) => this.revokedOut(rule))}
  }

  /** Replaces rules in place (same id), e.g. to change a description. */
  private modifySecurityGroupRules(input: ModifySecurityGroupRulesRequest): ModifySecurityGroupRulesResult {
    const group = this.existing(this.groups, input.GroupId, NOT_FOUND.group, 'security group')
    const updates = (input.SecurityGroupRules ?? []).map((update) => {
      const rule = this.rules.get(update.SecurityGroupRuleId ?? '')
      if (!rule || rule.groupId !== group.id) throw ec2Error(NOT_FOUND.rule, `The security group rule ID '${update.SecurityGroupRuleId}' does not exist`)
      const request = update.SecurityGroupRule ?? {}
      if (request.CidrIpv6 || request.PrefixListId) throw new Error('FakeEc2: IPv6 ranges and prefix lists in rules are not modelled')
      const ports = this.normalisePorts(request.IpProtocol, request.FromPort, request.ToPort)
      const peer = request.ReferencedGroupId ? this.referenced(this.groups, request.ReferencedGroupId, NOT_FOUND.group, 'security group').id : undefined
      const next: RuleRecord = {
        id: rule.id,
        groupId: rule.groupId,
        egress: rule.egress,
        ...ports,
        ...(request.CidrIpv4 ? {cidr: formatCidr(parseCidr(request.CidrIpv4))} : {}),
        ...(peer ? {referencedGroupId: peer} : {}),
        ...(request.Description !== undefined ? {description: request.Description} : {}),
      }
      if (!next.cidr === !next.referencedGroupId) throw ec2Error('InvalidParameterCombination', 'Exactly one of CidrIpv4 and ReferencedGroupId is modelled per rule')
      const clash = [...this.rules.values()].some((other) => other.id !== rule.id && this.ruleKey(other) === this.ruleKey(next))
      if (clash) throw ec2Error('InvalidPermission.Duplicate', `the specified rule already exists`)
      return next
    })
    for (const rule of updates) this.rules.set(rule.id, rule)
    return {Return: true}
  }

  private describeSecurityGroupRules(input: DescribeSecurityGroupRulesRequest): DescribeSecurityGroupRulesResult {
    let rules = [...this.rules.values()]
    if (input.SecurityGroupRuleIds?.length) {
      const missing = input.SecurityGroupRuleIds.filter((id) => !this.rules.has(id))
      if (missing.length) throw ec2Error(NOT_FOUND.rule, `The security group rule ID '${missing.join(', ')}' does not exist`)
      rules = input.SecurityGroupRuleIds.map((id) => this.rules.get(id)!)
    }
    const withTags = rules.map((rule) => ({rule, tags: [] as Tag[]}))
    const found = applyFilters(withTags, input.Filters, {
      'group-id': ({rule}) => [rule.groupId],
      'security-group-rule-id': ({rule}) => [rule.id],
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {SecurityGroupRules: page.map(({rule}) => this.ruleOut(rule)), NextToken}
  }

  // ---------------------------------------------------------------- VPC endpoints

  private endpointState(endpoint: EndpointRecord): 'pending' | 'available' | 'deleting' {
    if (endpoint.deleteRequestedAt !== undefined) return 'deleting'
    // Gateway endpoints are usable as soon as the call returns; interface endpoints provision ENIs first.
    if (endpoint.type === 'Gateway') return 'available'
    return this.now() >= endpoint.createdAt + this.timings.endpointAvailableMs ? 'available' : 'pending'
  }

  /** Each AWS service has one regional prefix list; a stable id per service name stands in for it. */
  private prefixListId(serviceName: string): string {
    return `pl-${stableHex8(serviceName)}`
  }

  private createVpcEndpoint(input: CreateVpcEndpointRequest): CreateVpcEndpointResult {
    const token = this.idempotent('CreateVpcEndpoint', input, (id) => this.endpoints.has(id))
    if (token.replay) return {VpcEndpoint: this.endpointOut(this.endpoints.get(token.replay)!), ClientToken: input.ClientToken}
    const vpc = this.referenced(this.vpcs, input.VpcId, NOT_FOUND.vpc, 'vpc')
    const type = input.VpcEndpointType ?? 'Gateway'
    if (type !== 'Gateway' && type !== 'Interface') throw new Error(`FakeEc2: ${type} endpoints are not modelled`)
    if (!input.ServiceName?.startsWith(`com.amazonaws.${this.env.region}.`)) {
      throw ec2Error('InvalidServiceName', `The Vpc Endpoint Service '${input.ServiceName}' does not exist`)
    }
    const tags = tagsFrom(input.TagSpecifications, 'vpc-endpoint')
    const endpoint: EndpointRecord = {
      ...this.tracked('vpce', tags),
      vpcId: vpc.id,
      type,
      serviceName: input.ServiceName,
      routeTableIds: [],
      subnetIds: [],
      groupIds: [],
      // Interface endpoints for AWS services default to private DNS on.
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
      privateDnsEnabled: type === 'Interface' ? (input.PrivateDnsEnabled ?? true) : false,
      networkInterfaces: {},
    }
    this.setPolicy(endpoint, input.PolicyDocument)
    if (type === 'Gateway') {
      this.addEndpointRoutes(endpoint, input.RouteTableIds ?? [])
    } else {
      this.addEndpointSubnets(endpoint, input.SubnetIds ?? [])
      this.addEndpointGroups(endpoint, input.SecurityGroupIds?.length ? input.SecurityGroupIds : [vpc.defaultGroupId])
      this.checkPrivateDns(endpoint, vpc)
    }
    this.endpoints.set(endpoint.id, endpoint)
    token.remember(endpoint.id)
    return {VpcEndpoint: this.endpointOut(endpoint), ClientToken: input.ClientToken}
  }

  /**
   * An endpoint's policy: the one given, else AWS's default (full access),
   * spelled as AWS reports it: a gateway endpoint's compact with Version
   * 2008-10-17, an interface endpoint's pretty-printed without a Version
   * (the DescribeVpcEndpoints example). At most 20,480 characters; the error
   * codes for a malformed or oversized document, or one for a service without
   * endpoint policies, are not documented: InvalidParameter is this fake's choice.
   * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
   * https://docs.aws.amazon.com/ec2/latest/devguide/example_ec2_DescribeVpcEndpoints_section.html
   */
  private setPolicy(endpoint: EndpointRecord, document: string | undefined): void {
    if (this.servicesWithoutPolicies.has(endpoint.serviceName)) {
      if (document !== undefined) throw ec2Error('InvalidParameter', `The service ${endpoint.serviceName} does not support VPC endpoint policies`)
      delete endpoint.policyDocument
      return
    }
    if (document === undefined) {
      endpoint.policyDocument =
        endpoint.type === 'Gateway'
          ? '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'
          : '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}'
      return
    }
    if (document.length > 20_480) throw ec2Error('InvalidParameter', `Policy document exceeds the maximum size of 20480 characters`)
    try {
      JSON.parse(document)
    } catch {
      throw ec2Error('InvalidParameter', `Policy document is not valid JSON`)
    }
    endpoint.policyDocument = document
  }

  /** https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns */
  private checkPrivateDns(endpoint: EndpointRecord, vpc: VpcRecord): void {
    if (endpoint.privateDnsEnabled && !(vpc.dnsSupport && vpc.dnsHostnames)) {
      throw ec2Error('InvalidParameter', `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`)
    }
  }

  /** A gateway endpoint adds a route to its service's prefix list in each of its route tables. */
  private addEndpointRoutes(endpoint: EndpointRecord, routeTableIds: string[]): void {
    const prefixListId = this.prefixListId(endpoint.serviceName)
    const tables = routeTableIds.map((id) => this.referenced(this.routeTables, id, NOT_FOUND.routeTable, 'routeTable'))
    for (const table of tables) {
      if (table.vpcId !== endpoint.vpcId) throw ec2Error('InvalidParameter', `Route table ${table.id} is not in ${endpoint.vpcId}`)
      if (table.routes.some((route) => route.prefixListId === prefixListId)) {
        throw ec2Error('RouteAlreadyExists', `route table ${table.id} already has a route with destination-prefix-list-id ${prefixListId}`)
      }
    }
    for (const table of tables) {
      table.routes.push({prefixListId, gatewayId: endpoint.id, origin: 'CreateRoute'})
      endpoint.routeTableIds.push(table.id)
    }
  }

  private removeEndpointRoutes(endpoint: EndpointRecord, routeTableIds: string[]): void {
    for (const id of routeTableIds) {
      const table = this.routeTables.get(id)
      if (table) table.routes = table.routes.filter((route) => route.gatewayId !== endpoint.id)
    }
    endpoint.routeTableIds = endpoint.routeTableIds.filter((id) => !routeTableIds.includes(id))
  }

  private addEndpointSubnets(endpoint: EndpointRecord, subnetIds: string[]): void {
    const subnets = subnetIds.map((id) => this.referenced(this.subnets, id, NOT_FOUND.subnet, 'subnet'))
    const zones = new Set(endpoint.subnetIds.map((id) => this.subnets.get(id)?.availabilityZone))
    for (const subnet of subnets) {
      if (subnet.vpcId !== endpoint.vpcId) throw ec2Error('InvalidParameter', `Subnet ${subnet.id} is not in ${endpoint.vpcId}`)
      // One endpoint subnet per AZ.
      if (zones.has(subnet.availabilityZone)) {
        throw ec2Error(
          'DuplicateSubnetsInSameZone',
          `Found another VPC endpoint subnet in the availability zone of ${subnet.id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
        )
      }
      zones.add(subnet.availabilityZone)
    }
    for (const subnet of subnets) {
      endpoint.subnetIds.push(subnet.id)
      const interfaceId = this.ids.next('eni')
      endpoint.networkInterfaces[subnet.id] = interfaceId
      this.endpointInterfaceIps.set(interfaceId, this.nextPrivateIp(subnet))
    }
  }

  private addEndpointGroups(endpoint: EndpointRecord, groupIds: string[]): void {
    for (const id of groupIds) {
      const group = this.referenced(this.groups, id, NOT_FOUND.group, 'security group')
      if (group.vpcId !== endpoint.vpcId) throw ec2Error('InvalidParameter', `Security group ${group.id} is not in ${endpoint.vpcId}`)
      if (!endpoint.groupIds.includes(group.id)) endpoint.groupIds.push(group.id)
    }
  }

  private endpointOut(endpoint: EndpointRecord): VpcEndpoint {
    const service = endpoint.serviceName.split('.').slice(3).join('.')
    return {
      VpcEndpointId: endpoint.id,
      VpcEndpointType: endpoint.type,
      VpcId: endpoint.vpcId,
      ServiceName: endpoint.serviceName,
      // The wire value is lowercase (`available`), unlike the SDK's `State` enum (`Available`):
      // see the DescribeVpcEndpoints CLI example. Readers should compare case-insensitively.
      // https://docs.aws.amazon.com/ec2/latest/devguide/example_ec2_DescribeVpcEndpoints_section.html
      State: this.endpointState(endpoint) as VpcEndpoint['State'],
      RouteTableIds: [...endpoint.routeTableIds],
      SubnetIds: [...endpoint.subnetIds],
      Groups: endpoint.groupIds.map((id) => ({GroupId: id, GroupName: this.groups.get(id)?.name})),
      PrivateDnsEnabled: endpoint.privateDnsEnabled,
      RequesterManaged: false,
      NetworkInterfaceIds: endpoint.subnetIds.map((id) => endpoint.networkInterfaces[id]!),
      DnsEntries:
        endpoint.type === 'Interface'
          ? [
              {DnsName: `${endpoint.id}.${service}.${this.env.region}.vpce.amazonaws.com`, HostedZoneId: 'ZFAKEVPCE'},
              ...(endpoint.privateDnsEnabled ? [{DnsName: `${service}.${this.env.region}.amazonaws.com`, HostedZoneId: 'ZFAKEPRIVATE'}] : []),
            ]
          : [],
      CreationTimestamp: new Date(endpoint.createdAt),
      OwnerId: this.env.accountId,
      ...(endpoint.policyDocument === undefined ? {} : {PolicyDocument: endpoint.policyDocument}),
      Tags: endpoint.tags,
    }
  }

  private modifyVpcEndpoint(input: ModifyVpcEndpointRequest): ModifyVpcEndpointResult {
    const endpoint = this.existing(this.endpoints, input.VpcEndpointId, NOT_FOUND.endpoint, 'VpcEndpoint')
    const vpc = this.mustHave(this.vpcs, endpoint.vpcId)
    if (input.ResetPolicy && input.PolicyDocument !== undefined) throw ec2Error('InvalidParameterCombination', 'ResetPolicy and PolicyDocument cannot be given together')
    if (input.ResetPolicy || input.PolicyDocument !== undefined) this.setPolicy(endpoint, input.ResetPolicy ? undefined : input.PolicyDocument)
    if (endpoint.type === 'Gateway') {
      if (input.AddSubnetIds?.length || input.AddSecurityGroupIds?.length || input.PrivateDnsEnabled !== undefined) {
        throw ec2Error('InvalidParameter', 'Subnets, security groups and private DNS apply to interface endpoints only')
      }
      this.addEndpointRoutes(endpoint, input.AddRouteTableIds ?? [])
      this.removeEndpointRoutes(endpoint, input.RemoveRouteTableIds ?? [])
      return {Return: true}
    }
    if (input.AddRouteTableIds?.length) throw ec2Error('InvalidParameter', 'Route tables apply to gateway endpoints only')
    this.addEndpointSubnets(endpoint, input.AddSubnetIds ?? [])
    for (const id of input.RemoveSubnetIds ?? []) {
      endpoint.subnetIds = endpoint.subnetIds.filter((s) => s !== id)
      delete endpoint.networkInterfaces[id]
    }
    this.addEndpointGroups(endpoint, input.AddSecurityGroupIds ?? [])
    endpoint.groupIds = endpoint.groupIds.filter((id) => !(input.RemoveSecurityGroupIds ?? []).includes(id))
    if (input.PrivateDnsEnabled !== undefined) {
      endpoint.privateDnsEnabled = input.PrivateDnsEnabled
      this.checkPrivateDns(endpoint, vpc)
    }
    return {Return: true}
  }

  private describeVpcEndpoints(input: DescribeVpcEndpointsRequest): DescribeVpcEndpointsResult {
    const found = this.select(this.endpoints, input.VpcEndpointIds, NOT_FOUND.endpoint, 'VpcEndpoint', input.Filters, {
      'vpc-endpoint-id': (endpoint) => [endpoint.id],
      'vpc-id': (endpoint) => [endpoint.vpcId],
      'service-name': (endpoint) => [endpoint.serviceName],
      'vpc-endpoint-state': (endpoint) => [this.endpointState(endpoint)],
      'vpc-endpoint-type': (endpoint) => [endpoint.type],
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {VpcEndpoints: page.map((endpoint) => this.endpointOut(endpoint)), NextToken}
  }

  /**
   * Unknown ids are reported in `Unsuccessful`, not thrown.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpcEndpoints.html
   */
  private deleteVpcEndpoints(input: DeleteVpcEndpointsRequest): DeleteVpcEndpointsResult {
    const unsuccessful: DeleteVpcEndpointsResult['Unsuccessful'] = []
    for (const id of input.VpcEndpointIds ?? []) {
      const endpoint = this.endpoints.get(id)
      if (!endpoint) {
        unsuccessful.push({ResourceId: id, Error: {Code: 'InvalidVpcEndpoint.NotFound', Message: `The VpcEndpoint Id '${id}' does not exist`}})
        continue
      }
      if (endpoint.deleteRequestedAt === undefined) {
        endpoint.deleteRequestedAt = this.now()
        this.removeEndpointRoutes(endpoint, [...endpoint.routeTableIds])
      }
    }
    return {Unsuccessful: unsuccessful}
  }

  // ---------------------------------------------------------------- Network interfaces

  /** `env.networkInterfaces`: other fakes' interfaces in this fake's subnets (core.ts). */
  private networkInterfaceRegistry(): FakeNetworkInterfaces {
    return {
      add: (spec) => this.addInterface(spec),
      release: (id, timing = {}) => {
        this.sweep()
        const record = this.existing(this.interfaces, id, NOT_FOUND.networkInterface, 'networkInterface')
        if (record.goneAt !== undefined) return
        const detachAt = record.attachment ? this.now() + (timing.attachedMs ?? this.timings.releasedInterfaceAttachedMs) : this.now()
        record.detachAt = detachAt
        record.goneAt = detachAt + (timing.detachedMs ?? this.timings.releasedInterfaceDetachedMs)
        this.sweep()
      },
      setGroups: (id, groupIds) => {
        this.sweep()
        const record = this.existing(this.interfaces, id, NOT_FOUND.networkInterface, 'networkInterface')
        const subnet = this.mustHave(this.subnets, record.subnetId)
        this.checkInterfaceGroups(subnet, groupIds)
        record.groupIds = [...new Set(groupIds)]
      },
      remove: (id) => {
        this.interfaces.delete(id)
      },
      has: (id) => {
        this.sweep()
        return this.interfaces.has(id)
      },
    }
  }

  private addInterface(spec: FakeNetworkInterfaceSpec): FakeNetworkInterface {
    const subnet = this.referenced(this.subnets, spec.subnetId, NOT_FOUND.subnet, 'subnet')
    this.checkInterfaceGroups(subnet, spec.groupIds ?? [])
    const base = this.tracked(
      'eni',
      (spec.tags ?? []).map((tag) => ({Key: tag.Key, Value: tag.Value})),
    )
    const record: InterfaceRecord = {
      ...base,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      groupIds: [...new Set(spec.groupIds ?? [])],
      description: spec.description,
      interfaceType: spec.interfaceType ?? 'interface',
      ...(spec.requesterId !== undefined ? {requesterId: spec.requesterId} : {}),
      requesterManaged: spec.requesterManaged ?? false,
      privateIp: this.nextPrivateIp(subnet),
      ...(spec.attachment
        ? {
            attachment: {
              id: `eni-attach-${base.id.slice(4)}`,
              instanceOwnerId: spec.attachment.instanceOwnerId,
              ...(spec.attachment.instanceId ? {instanceId: spec.attachment.instanceId} : {}),
              attachedAt: base.createdAt,
            },
          }
        : {}),
      ...(spec.operator ? {operator: {...spec.operator}} : {}),
    }
    this.interfaces.set(record.id, record)
    return {id: record.id, vpcId: record.vpcId, availabilityZone: record.availabilityZone, privateIpAddress: record.privateIp}
  }

  /** An interface's groups exist and are in its subnet's VPC. */
  private checkInterfaceGroups(subnet: SubnetRecord, groupIds: string[]): void {
    for (const groupId of groupIds) {
      const group = this.referenced(this.groups, groupId, NOT_FOUND.group, 'security group')
      // CreateNetworkInterface's wording for a group of another VPC.
      if (group.vpcId !== subnet.vpcId) throw ec2Error('InvalidParameter', `Security group ${group.id} and subnet ${subnet.id} belong to different networks.`)
    }
  }

  /**
   * Every network interface there is: the registered ones, each NAT gateway's
   * (one, from creation until `deleted`; none for a gateway that fails) and
   * each interface endpoint's (one per subnet, until the endpoint is gone).
   * The descriptions and types are AWS's ("Interface for NAT Gateway nat-…",
   * "VPC Endpoint Interface vpce-…"): https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html
   */
  private interfaceViews(): InterfaceView[] {
    const views: InterfaceView[] = []
    const serviceAttachment = (eniId: string, attachedAt: number) => ({id: `ela-attach-${eniId.slice(4, 12)}`, instanceOwnerId: 'amazon-aws', attachedAt})
    for (const nat of this.natGateways.values()) {
      if (['deleted', 'failed'].includes(this.natState(nat))) continue
      views.push({
        id: nat.networkInterfaceId,
        createdAt: nat.createdAt,
        tags: [],
        subnetId: nat.subnetId,
        vpcId: nat.vpcId,
        availabilityZone: this.subnets.get(nat.subnetId)?.availabilityZone ?? '',
        groupIds: [],
        description: `Interface for NAT Gateway ${nat.id}`,
        interfaceType: 'nat_gateway',
        requesterId: AWS_SERVICE_REQUESTER,
        requesterManaged: true,
        privateIp: nat.privateIp,
        status: 'in-use',
        attachment: serviceAttachment(nat.networkInterfaceId, nat.createdAt),
        sourceDestCheck: false,
        registered: false,
      })
    }
    for (const endpoint of this.endpoints.values()) {
      for (const subnetId of endpoint.subnetIds) {
        const id = endpoint.networkInterfaces[subnetId]!
        views.push({
          id,
          createdAt: endpoint.createdAt,
          tags: [],
          subnetId,
          vpcId: endpoint.vpcId,
          availabilityZone: this.subnets.get(subnetId)?.availabilityZone ?? '',
          groupIds: [...endpoint.groupIds],
          description: `VPC Endpoint Interface ${endpoint.id}`,
          interfaceType: 'vpc_endpoint',
          requesterId: AWS_SERVICE_REQUESTER,
          requesterManaged: true,
          privateIp: this.endpointInterfaceIps.get(id) ?? '',
          status: 'in-use',
          attachment: serviceAttachment(id, endpoint.createdAt),
          sourceDestCheck: true,
          registered: false,
        })
      }
    }
    for (const record of this.interfaces.values()) {
      const attached = record.attachment !== undefined && (record.detachAt === undefined || this.now() < record.detachAt)
      const {detachAt: _detachAt, goneAt: _goneAt, attachment, ...rest} = record
      views.push({...rest, status: attached ? 'in-use' : 'available', ...(attached ? {attachment: attachment!} : {}), sourceDestCheck: true, registered: true})
    }
    return views
  }

  private interfaceOut(eni: InterfaceView): NetworkInterface {
    const dnsName = `ip-${eni.privateIp.replaceAll('.', '-')}.${this.env.region === 'us-east-1' ? 'ec2.internal' : `${this.env.region}.compute.internal`}`
    const hex = eni.id.slice(4)
    return {
      NetworkInterfaceId: eni.id,
      SubnetId: eni.subnetId,
      VpcId: eni.vpcId,
      AvailabilityZone: eni.availabilityZone,
      Description: eni.description,
      OwnerId: this.env.accountId,
      ...(eni.requesterId !== undefined ? {RequesterId: eni.requesterId} : {}),
      RequesterManaged: eni.requesterManaged,
      Status: eni.status,
      // AWS's wire value (`nat_gateway`), which the SDK's enum spells `natGateway`: a string, as the SDK passes it on.
      InterfaceType: eni.interfaceType as NetworkInterface['InterfaceType'],
      MacAddress: `02:${[0, 2, 4, 6, 8].map((i) => hex.slice(i + 1, i + 3)).join(':')}`,
      PrivateIpAddress: eni.privateIp,
      PrivateDnsName: dnsName,
      PrivateIpAddresses: [{Primary: true, PrivateIpAddress: eni.privateIp, PrivateDnsName: dnsName}],
      Ipv6Addresses: [],
      SourceDestCheck: eni.sourceDestCheck,
      Groups: eni.groupIds.map((id) => ({GroupId: id, GroupName: this.groups.get(id)?.name})),
      ...(eni.attachment
        ? {
            Attachment: {
              AttachmentId: eni.attachment.id,
              AttachTime: new Date(eni.attachment.attachedAt),
              DeleteOnTermination: false,
              DeviceIndex: 1,
              NetworkCardIndex: 0,
              InstanceOwnerId: eni.attachment.instanceOwnerId,
              ...(eni.attachment.instanceId ? {InstanceId: eni.attachment.instanceId} : {}),
              Status: 'attached',
            },
          }
        : {}),
      Operator: eni.operator ? {Managed: true, Principal: eni.operator.principal, HiddenByDefault: eni.operator.hiddenByDefault ?? false} : {Managed: false},
      TagSet: eni.tags,
    }
  }

  /**
   * Filters as the API reference lists them; MaxResults (5 to 1000) cannot
   * go with NetworkInterfaceIds. Managed interfaces hidden by the account's
   * managed resource visibility are left out unless IncludeManagedResources.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
   */
  private describeNetworkInterfaces(input: DescribeNetworkInterfacesRequest): DescribeNetworkInterfacesResult {
    if (input.MaxResults !== undefined) {
      // The wording is DescribeInstances' for the same rule; AWS does not document this one's.
      if (input.NetworkInterfaceIds?.length) throw ec2Error('InvalidParameterCombination', 'The parameter NetworkInterfaceIds cannot be used with the parameter maxResults')
      if (input.MaxResults < 5 || input.MaxResults > 1000) throw ec2Error('InvalidParameterValue', `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`)
    }
    const views = new Map(this.interfaceViews().map((eni) => [eni.id, eni]))
    const shown = input.IncludeManagedResources ? views : new Map([...views].filter(([, eni]) => !eni.operator?.hiddenByDefault))
    const found = this.select(shown, input.NetworkInterfaceIds, NOT_FOUND.networkInterface, 'networkInterface', input.Filters, {
      'network-interface-id': (eni) => [eni.id],
      'subnet-id': (eni) => [eni.subnetId],
      'vpc-id': (eni) => [eni.vpcId],
      'availability-zone': (eni) => [eni.availabilityZone],
      'group-id': (eni) => eni.groupIds,
      'group-name': (eni) => eni.groupIds.map((id) => this.groups.get(id)?.name ?? ''),
      'description': (eni) => [eni.description],
      'requester-id': (eni) => (eni.requesterId !== undefined ? [eni.requesterId] : []),
      'requester-managed': (eni) => [String(eni.requesterManaged)],
      'interface-type': (eni) => [eni.interfaceType],
      'status': (eni) => [eni.status],
      'owner-id': () => [this.env.accountId],
      'private-ip-address': (eni) => [eni.privateIp],
      'addresses.private-ip-address': (eni) => [eni.privateIp],
      'attachment.instance-owner-id': (eni) => (eni.attachment ? [eni.attachment.instanceOwnerId] : []),
      'attachment.instance-id': (eni) => (eni.attachment?.instanceId ? [eni.attachment.instanceId] : []),
      'attachment.attachment-id': (eni) => (eni.attachment ? [eni.attachment.id] : []),
      'attachment.status': (eni) => (eni.attachment ? ['attached'] : []),
      'operator.managed': (eni) => [String(eni.operator !== undefined)],
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {NetworkInterfaces: page.map((eni) => this.interfaceOut(eni)), NextToken}
  }

  /**
   * Only a detached (`available`) interface can be deleted; an attached one
   * answers InvalidNetworkInterface.InUse, a NAT gateway's or an endpoint's
   * always (it goes with its owner).
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
   */
  private deleteNetworkInterface(input: DeleteNetworkInterfaceRequest): object {
    const eni = this.interfaceViews().find((view) => view.id === input.NetworkInterfaceId)
    if (!eni) throw ec2Error(NOT_FOUND.networkInterface, `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`)
    if (eni.status === 'in-use') throw ec2Error('InvalidNetworkInterface.InUse', `Network interface '${eni.id}' is currently in use.`)
    this.interfaces.delete(eni.id)
    return {}
  }

  // ================================================================ EC2 capacity: instances and launch templates
  // (the ECS-on-EC2 runner: seed 001's single instance, seed 002's Auto Scaling group)

  private instanceState(record: InstanceRecord): InstanceStateName {
    const now = this.now()
    if (record.terminateRequestedAt !== undefined) return now >= record.terminateRequestedAt + this.timings.instanceTerminatedMs ? 'terminated' : 'shutting-down'
    return now >= record.createdAt + this.timings.instanceRunningMs ? 'running' : 'pending'
  }

  /** When the instance turned running, if it did before it was told to terminate. */
  private runningAt(record: InstanceRecord): number | undefined {
    const at = record.createdAt + this.timings.instanceRunningMs
    return this.now() >= at && (record.terminateRequestedAt === undefined || record.terminateRequestedAt >= at) ? at : undefined
  }

  /** A terminated instance lets go of its network interface; a long-terminated one is no longer listed. */
  private sweepInstances(): void {
    for (const record of [...this.instances.values()]) {
      if (this.instanceState(record) !== 'terminated') continue
      this.interfaces.delete(record.networkInterfaceId)
      if (this.now() >= record.terminateRequestedAt! + this.timings.instanceTerminatedMs + this.timings.instanceTerminatedVisibleMs) this.instances.delete(record.id)
    }
  }

  /** `env.ec2Instances`: the fake Auto Scaling's way to launch and terminate instances (core.ts). */
  private instanceLauncher(): FakeEc2Instances {
    return {
      launchFromTemplate: (spec) => {
        this.sweep()
        const template = this.referenced(this.launchTemplates, spec.launchTemplateId, 'InvalidLaunchTemplateId.NotFound', 'launch template')
        const version = this.templateVersion(template, spec.version)
        const record = this.launch({...version.data, SubnetId: spec.subnetId}, spec.tags, {id: template.id, version: version.number})
        const launched: FakeLaunchedInstance = {id: record.id, launchTemplateVersion: version.number}
        return launched
      },
      resolveVersion: (launchTemplateId, version) => {
        const template = this.existing(this.launchTemplates, launchTemplateId, 'InvalidLaunchTemplateId.NotFound', 'launch template')
        return this.templateVersion(template, version).number
      },
      terminate: (id) => {
        this.sweep()
        const record = this.instances.get(id)
        if (record) this.terminateInstance(record)
      },
      state: (id) => {
        this.sweep()
        const record = this.instances.get(id)
        return record ? this.instanceState(record) : undefined
      },
      list: () => {
        this.sweep()
        return [...this.instances.values()].map((record) => ({
          id: record.id,
          instanceType: record.instanceType,
          state: this.instanceState(record),
          ...(record.userData !== undefined ? {userData: record.userData} : {}),
          ...(this.runningAt(record) !== undefined ? {runningAt: this.runningAt(record)} : {}),
        }))
      },
    }
  }

  /**
   * The image an instance gets: an `ami-` id, or `resolve:ssm:<parameter>`
   * (read from the fake SSM at launch, as EC2 does).
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html#use-an-ssm-parameter-instead-of-an-ami-id
   */
  private resolveImage(imageId: string | undefined): string {
    if (imageId?.startsWith('resolve:ssm:')) {
      const value = this.env.ssmParameterValue?.(imageId.slice('resolve:ssm:'.length))
      if (!value) throw ec2Error('InvalidParameterValue', `Invalid value '${imageId}' for imageId. The SSM parameter could not be resolved.`)
      return value
    }
    if (!imageId) throw ec2Error('MissingParameter', 'The request must contain the parameter ImageId')
    if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}"`)
    return imageId
  }

  /** RunInstances' checks and effects, for one instance (MinCount = MaxCount = 1). */
  private launch(data: RequestLaunchTemplateData & {SubnetId?: string}, tags: Tag[], launchTemplate?: {id: string; version: number}, clientToken?: string): InstanceRecord {
    const imageId = this.resolveImage(data.ImageId)
    if (!data.InstanceType) throw ec2Error('MissingParameter', 'The request must contain the parameter InstanceType')
    const subnet = this.referenced(this.subnets, data.SubnetId, NOT_FOUND.subnet, 'subnet')
    const groupIds = data.SecurityGroupIds?.length ? [...new Set(data.SecurityGroupIds)] : [this.vpcs.get(subnet.vpcId)!.defaultGroupId]
    this.checkInterfaceGroups(subnet, groupIds)
    const profileArn = data.IamInstanceProfile?.Arn
    if (profileArn !== undefined && (!INSTANCE_PROFILE_ARN.test(profileArn) || this.env.iamUsable?.(profileArn, 'instance-profile') === false)) {
      // What EC2 answers for a profile IAM has just made and EC2 does not see yet, as for a wrong ARN.
      throw ec2Error('InvalidParameterValue', `Value (${profileArn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`)
    }
    const base = this.tracked('i', tags)
    const eni = this.addInterface({subnetId: subnet.id, groupIds, description: '', attachment: {instanceOwnerId: this.env.accountId, instanceId: base.id}})
    const record: InstanceRecord = {
      ...base,
      imageId,
      instanceType: data.InstanceType,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      groupIds,
      ...(profileArn !== undefined ? {instanceProfileArn: profileArn} : {}),
      ...(data.UserData !== undefined ? {userData: data.UserData} : {}),
      httpTokens: data.MetadataOptions?.HttpTokens ?? 'optional',
      hopLimit: data.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
      networkInterfaceId: eni.id,
      privateIp: eni.privateIpAddress,
      reservationId: this.ids.next('r'),
      ...(clientToken !== undefined ? {clientToken} : {}),
      ...(launchTemplate ? {launchTemplate} : {}),
    }
    this.instances.set(record.id, record)
    return record
  }

  private terminateInstance(record: InstanceRecord): void {
    if (record.terminateRequestedAt === undefined) record.terminateRequestedAt = this.now()
  }

  private instanceOut(record: InstanceRecord): Instance {
    const state = this.instanceState(record)
    const live = state !== 'terminated'
    return {
      InstanceId: record.id,
      ImageId: record.imageId,
      InstanceType: record.instanceType as Instance['InstanceType'],
      State: {Code: INSTANCE_STATE_CODES[state], Name: state},
      LaunchTime: new Date(record.createdAt),
      Placement: {AvailabilityZone: this.subnets.get(record.subnetId)?.availabilityZone ?? `${this.env.region}a`, Tenancy: 'default'},
      // A terminated instance no longer shows its network: AWS drops the subnet, VPC, address and groups.
      ...(live
        ? {
            SubnetId: record.subnetId,
            VpcId: record.vpcId,
            PrivateIpAddress: record.privateIp,
            SecurityGroups: record.groupIds.map((id) => ({GroupId: id, GroupName: this.groups.get(id)?.name})),
          }
        : {SecurityGroups: []}),
      ...(record.instanceProfileArn ? {IamInstanceProfile: {Arn: record.instanceProfileArn, Id: `AIPA${record.id.slice(2, 18).toUpperCase()}`}} : {}),
      MetadataOptions: {State: 'applied', HttpTokens: record.httpTokens as 'required' | 'optional', HttpPutResponseHopLimit: record.hopLimit, HttpEndpoint: 'enabled'},
      ...(record.clientToken !== undefined ? {ClientToken: record.clientToken} : {}),
      ...(state === 'terminated' || state === 'shutting-down'
        ? {StateTransitionReason: 'User initiated', StateReason: {Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown'}}
        : {}),
      Tags: record.tags,
    }
  }

  private reservationOut(record: InstanceRecord): Reservation {
    return {ReservationId: record.reservationId, OwnerId: this.env.accountId, Instances: [this.instanceOut(record)]}
  }

  /**
   * One instance per call (MinCount = MaxCount = 1, all the kinds need); the
   * ClientToken replays the first call's instance, whatever its state, as
   * long as it is listed.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html
   */
  private runInstances(input: RunInstancesRequest): Reservation {
    const token = this.idempotent('RunInstances', input, (id) => this.instances.has(id))
    if (token.replay) return this.reservationOut(this.instances.get(token.replay)!)
    if (input.MinCount !== 1 || input.MaxCount !== 1) throw new Error('FakeEc2: RunInstances is modelled for MinCount = MaxCount = 1')
    if (input.LaunchTemplate) throw new Error('FakeEc2: RunInstances from a launch template is modelled through env.ec2Instances only')
    const tags = tagsFrom(
      (input.TagSpecifications ?? []).filter((spec) => spec.ResourceType === 'instance'),
      'instance',
    )
    const record = this.launch(input, tags, undefined, input.ClientToken)
    token.remember(record.id)
    return this.reservationOut(record)
  }

  private describeInstances(input: DescribeInstancesRequest): DescribeInstancesResult {
    if (input.MaxResults !== undefined && input.InstanceIds?.length) throw ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults')
    const found = this.select(this.instances, input.InstanceIds, 'InvalidInstanceID.NotFound', 'instance', input.Filters, {
      'instance-id': (record) => [record.id],
      'instance-state-name': (record) => [this.instanceState(record)],
      'instance-state-code': (record) => [String(INSTANCE_STATE_CODES[this.instanceState(record)])],
      'subnet-id': (record) => (this.instanceState(record) === 'terminated' ? [] : [record.subnetId]),
      'vpc-id': (record) => (this.instanceState(record) === 'terminated' ? [] : [record.vpcId]),
      'image-id': (record) => [record.imageId],
      'instance-type': (record) => [record.instanceType],
      'instance.group-id': (record) => record.groupIds,
      'client-token': (record) => (record.clientToken ? [record.clientToken] : []),
    })
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {Reservations: page.map((record) => this.reservationOut(record)), NextToken}
  }

  private describeInstanceAttribute(input: DescribeInstanceAttributeRequest): InstanceAttribute {
    const record = this.referenced(this.instances, input.InstanceId, 'InvalidInstanceID.NotFound', 'instance')
    if (input.Attribute !== 'userData') throw new Error(`FakeEc2: DescribeInstanceAttribute ${input.Attribute} is not modelled`)
    return {InstanceId: record.id, UserData: record.userData !== undefined ? {Value: record.userData} : {}}
  }

  /** Only `Groups` (the primary interface's security groups), which a running or stopped instance takes. */
  private modifyInstanceAttribute(input: ModifyInstanceAttributeRequest): object {
    const record = this.existing(this.instances, input.InstanceId, 'InvalidInstanceID.NotFound', 'instance')
    if (!input.Groups) throw new Error('FakeEc2: ModifyInstanceAttribute is modelled for Groups only')
    const state = this.instanceState(record)
    if (state === 'shutting-down' || state === 'terminated') throw ec2Error('IncorrectInstanceState', `The instance '${record.id}' is not in a state from which it can be modified.`)
    this.checkInterfaceGroups(this.mustHave(this.subnets, record.subnetId), input.Groups)
    record.groupIds = [...new Set(input.Groups)]
    this.env.networkInterfaces!.setGroups(record.networkInterfaceId, record.groupIds)
    return {}
  }

  /** Idempotent on instances already terminating; every id must exist (InvalidInstanceID.NotFound). */
  private terminateInstances(input: TerminateInstancesRequest): TerminateInstancesResult {
    const records = (input.InstanceIds ?? []).map((id) => this.existing(this.instances, id, 'InvalidInstanceID.NotFound', 'instance'))
    return {
      TerminatingInstances: records.map((record) => {
        const previous = this.instanceState(record)
        this.terminateInstance(record)
        const current = this.instanceState(record)
        return {InstanceId: record.id, PreviousState: {Code: INSTANCE_STATE_CODES[previous], Name: previous}, CurrentState: {Code: INSTANCE_STATE_CODES[current], Name: current}}
      }),
    }
  }

  // ---------------------------------------------------------------- Launch templates

  private templateByIdOrName(input: {LaunchTemplateId?: string; LaunchTemplateName?: string}): LaunchTemplateRecord {
    if (input.LaunchTemplateId) return this.referenced(this.launchTemplates, input.LaunchTemplateId, 'InvalidLaunchTemplateId.NotFound', 'launch template')
    const found = [...this.launchTemplates.values()].find((template) => template.name === input.LaunchTemplateName && this.visible(template))
    if (!found) throw ec2Error('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${input.LaunchTemplateName}, does not exist.`)
    return found
  }

  /** `$Default`, `$Latest` or a number. */
  private templateVersion(template: LaunchTemplateRecord, selector: string | undefined): LaunchTemplateVersionRecord {
    const number = selector === undefined || selector === '$Default' ? template.defaultVersion : selector === '$Latest' ? template.versions.at(-1)!.number : Number(selector)
    const version = template.versions.find((candidate) => candidate.number === number)
    if (!version) throw ec2Error('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${selector} for launch template ${template.id}.`)
    return version
  }

  private launchTemplateOut(template: LaunchTemplateRecord): LaunchTemplate {
    return {
      LaunchTemplateId: template.id,
      LaunchTemplateName: template.name,
      CreateTime: new Date(template.createdAt),
      CreatedBy: `arn:aws:iam::${this.env.accountId}:root`,
      DefaultVersionNumber: template.defaultVersion,
      LatestVersionNumber: template.versions.at(-1)!.number,
      Tags: template.tags,
    }
  }

  private versionOut(template: LaunchTemplateRecord, version: LaunchTemplateVersionRecord, resolveAlias: boolean): LaunchTemplateVersion {
    const data = structuredClone(version.data) as ResponseLaunchTemplateData
    if (resolveAlias && data.ImageId?.startsWith('resolve:ssm:')) data.ImageId = this.resolveImage(data.ImageId)
    return {
      LaunchTemplateId: template.id,
      LaunchTemplateName: template.name,
      VersionNumber: version.number,
      CreateTime: new Date(version.createdAt),
      DefaultVersion: version.number === template.defaultVersion,
      LaunchTemplateData: data,
    }
  }

  /** What EC2 checks in the data at create time: the image's form and the groups; the rest is checked at launch. */
  private checkTemplateData(data: RequestLaunchTemplateData | undefined): RequestLaunchTemplateData {
    if (!data) throw ec2Error('MissingParameter', 'The request must contain the parameter LaunchTemplateData')
    if (data.ImageId && !data.ImageId.startsWith('resolve:ssm:')) this.resolveImage(data.ImageId)
    for (const groupId of data.SecurityGroupIds ?? []) this.referenced(this.groups, groupId, NOT_FOUND.group, 'security group')
    return structuredClone(data)
  }

  private createLaunchTemplate(input: CreateLaunchTemplateRequest): CreateLaunchTemplateResult {
    const token = this.idempotent('CreateLaunchTemplate', input, (id) => this.launchTemplates.has(id))
    if (token.replay) return {LaunchTemplate: this.launchTemplateOut(this.launchTemplates.get(token.replay)!)}
    const name = input.LaunchTemplateName ?? ''
    if (!LAUNCH_TEMPLATE_NAME.test(name)) throw ec2Error('InvalidLaunchTemplateName.MalformedException', `The launch template name '${name}' is malformed.`)
    if ([...this.launchTemplates.values()].some((template) => template.name === name)) {
      throw ec2Error('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`)
    }
    const data = this.checkTemplateData(input.LaunchTemplateData)
    const base = this.tracked('lt', tagsFrom(input.TagSpecifications, 'launch-template'))
    const template: LaunchTemplateRecord = {...base, name, versions: [{number: 1, data, createdAt: base.createdAt}], defaultVersion: 1}
    this.launchTemplates.set(template.id, template)
    token.remember(template.id)
    return {LaunchTemplate: this.launchTemplateOut(template)}
  }

  private createLaunchTemplateVersion(input: CreateLaunchTemplateVersionRequest): CreateLaunchTemplateVersionResult {
    const template = this.templateByIdOrName(input)
    const base = input.SourceVersion !== undefined ? this.templateVersion(template, input.SourceVersion).data : {}
    const data = {...structuredClone(base), ...this.checkTemplateData(input.LaunchTemplateData)}
    const version: LaunchTemplateVersionRecord = {number: template.versions.at(-1)!.number + 1, data, createdAt: this.now()}
    template.versions.push(version)
    return {LaunchTemplateVersion: this.versionOut(template, version, false)}
  }

  /** Filters: `launch-template-name`, `tag:`; by ids, an unknown one fails the call (InvalidLaunchTemplateId.NotFound). */
  private describeLaunchTemplates(input: DescribeLaunchTemplatesRequest): DescribeLaunchTemplatesResult {
    let found = this.select(this.launchTemplates, input.LaunchTemplateIds, 'InvalidLaunchTemplateId.NotFound', 'launch template', input.Filters, {
      'launch-template-name': (template) => [template.name],
    })
    if (input.LaunchTemplateNames?.length) {
      const missing = input.LaunchTemplateNames.filter((name) => !found.some((template) => template.name === name))
      if (missing.length) throw ec2Error('InvalidLaunchTemplateName.NotFoundException', `At least one of the launch templates specified in the request does not exist.`)
      found = found.filter((template) => input.LaunchTemplateNames!.includes(template.name))
    }
    const {page, NextToken} = paginate(found, input.MaxResults, input.NextToken)
    return {LaunchTemplates: page.map((template) => this.launchTemplateOut(template)), NextToken}
  }

  private describeLaunchTemplateVersions(input: DescribeLaunchTemplateVersionsRequest): DescribeLaunchTemplateVersionsResult {
    const template = this.templateByIdOrName(input)
    const versions = input.Versions?.length ? input.Versions.map((selector) => this.templateVersion(template, selector)) : template.versions
    return {LaunchTemplateVersions: versions.map((version) => this.versionOut(template, version, input.ResolveAlias ?? false))}
  }

  private modifyLaunchTemplate(input: ModifyLaunchTemplateRequest): ModifyLaunchTemplateResult {
    const template = this.templateByIdOrName(input)
    if (input.DefaultVersion !== undefined) template.defaultVersion = this.templateVersion(template, input.DefaultVersion).number
    return {LaunchTemplate: this.launchTemplateOut(template)}
  }

  /** Deletes every version; instances launched from it are not affected. */
  private deleteLaunchTemplate(input: DeleteLaunchTemplateRequest): DeleteLaunchTemplateResult {
    const template = input.LaunchTemplateId ? this.existing(this.launchTemplates, input.LaunchTemplateId, 'InvalidLaunchTemplateId.NotFound', 'launch template') : this.templateByIdOrName(input)
    this.launchTemplates.delete(template.id)
    return {LaunchTemplate: this.launchTemplateOut(template)}
  }
}
