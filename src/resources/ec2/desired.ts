/**
 * Desired properties of each EC2 kind, as reconcilers receive them: every
 * reference to another resource is already resolved to its AWS id. The graph
 * layer builds these (with refs in place of ids); reconcilers diff against them.
 */

export interface VpcDesired {
  cidr: string
  enableDnsSupport: boolean
  enableDnsHostnames: boolean
}

export interface SubnetDesired {
  vpcId: string
  cidr: string
  availabilityZone: string
  mapPublicIpOnLaunch: boolean
}

export interface InternetGatewayDesired {
  /** The VPC it is attached to. */
  vpcId: string
}

export interface ElasticIpDesired {
  /** Always `vpc`; kept for a readable plan. */
  domain: 'vpc'
}

export interface NatGatewayDesired {
  subnetId: string
  allocationId: string
}

export interface RouteDesired {
  /** IPv4 destination, e.g. `0.0.0.0/0`. */
  destinationCidr: string
  /** Exactly one target. */
  gatewayId?: string
  natGatewayId?: string
}

export interface RouteTableDesired {
  vpcId: string
  /** Routes we manage. The `local` route and routes owned by gateway endpoints (prefix lists) are AWS's and never diffed. */
  routes: RouteDesired[]
  /** Subnets associated with this table. */
  subnetIds: string[]
}

export interface SecurityGroupDesired {
  vpcId: string
  /**
   * `<stack>-<name>`: the GroupName is this prefix plus a suffix made at
   * create (names are unique per VPC and immutable, so a replacement needs
   * a name of its own). A different prefix replaces the group.
   */
  namePrefix: string
  /** Immutable in EC2: a change replaces the group. */
  description: string
}

/** `all` is IpProtocol `-1` (ports ignored). */
export type RuleProtocol = 'tcp' | 'udp' | 'icmp' | 'all'

export interface SecurityGroupRuleDesired {
  protocol: RuleProtocol
  fromPort: number
  toPort: number
  /** Exactly one of cidr / sourceGroupId (for egress: the destination). */
  cidr?: string
  sourceGroupId?: string
  description?: string
}

export interface SecurityGroupRulesDesired {
  groupId: string
  ingress: SecurityGroupRuleDesired[]
  /** Omitted in the spec means AWS's default: all traffic to 0.0.0.0/0. */
  egress: SecurityGroupRuleDesired[]
}

export interface VpcEndpointDesired {
  vpcId: string
  /** Full service name, e.g. `com.amazonaws.us-east-1.s3`. */
  serviceName: string
  type: 'Gateway' | 'Interface'
  /** Gateway endpoints: route tables that get the service's prefix-list route. */
  routeTableIds: string[]
  /** Interface endpoints: at most one subnet per AZ. */
  subnetIds: string[]
  securityGroupIds: string[]
  privateDnsEnabled: boolean
  /**
   * The endpoint policy, a JSON document (compared whatever its key order and
   * white space). Absent: AWS's default, full access.
   */
  policyDocument?: string
}

// ---------------------------------------------------------------- EC2 capacity (the ECS-on-EC2 runner)

/**
 * An AMI id published as a public SSM parameter: ECS's optimised AMI is
 * `/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`
 * (`…/amazon-linux-2023/arm64/recommended/image_id` for Graviton).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html
 */
export interface AmiDesired {
  /** The parameter's name. */
  parameter: string
}

/** IMDS settings of an instance: IMDSv2 only (session tokens required). */
export interface MetadataOptionsDesired {
  httpTokens: 'required' | 'optional'
  /** 2 lets containers on the bridge network reach IMDS (the ECS agent's tasks); 1 stops them. */
  httpPutResponseHopLimit: number
}

/** What an instance is launched as, by a launch template or by RunInstances itself. */
export interface MachineSettings {
  /** An `ami-` id (the `ec2.ami` kind's `imageId` output). */
  imageId: string
  instanceType: string
  instanceProfileArn: string
  securityGroupIds: string[]
  /** Plain text (a shell script); sent base64-encoded, as EC2 wants it. */
  userData: string
  metadataOptions: MetadataOptionsDesired
}

export interface LaunchTemplateDesired extends MachineSettings {
  /** `<stack>-<name>`: unique per region and account. A change replaces the template. */
  name: string
}

export interface InstanceDesired extends MachineSettings {
  /** The `Name` tag (the console's name): informational. */
  name: string
  subnetId: string
}
