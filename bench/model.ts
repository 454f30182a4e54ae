/**
 * Simulated AWS latencies for the benchmarks, in real-world milliseconds
 * (scaled down by the run's factor, 1/100 by default).
 *
 * Sources: the durations the benchmark issue lists as AWS's documented or
 * commonly observed ones (VPC/subnet/security group ~1–2 s, NAT gateway
 * ~60–120 s to `available` and ~60 s to `deleted`, ALB ~120–180 s, RDS
 * ~5–10 min), and the NAT gateway / VPC endpoint state machines of
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html
 * and https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html
 * (pending → available, deleting → deleted). Query-API round trips
 * (Describe*, SSM Get/Put) are the ~100–300 ms commonly seen from outside a
 * region; we take the middle.
 */
export const LATENCY_MS = {
  /** Describe* and SSM reads. */
  read: 200,
  ssmRead: 100,
  ssmWrite: 150,
  /** Creating a VPC, subnet, security group, route table or internet gateway: ~1–2 s. */
  createNetworkObject: 1_500,
  /** Asynchronous creates that return at once and then transition (NAT gateway, endpoint, load balancer: ~1 s). */
  createAsync: 1_000,
  /**
   * Front-door writes that return at once, the work done after: a Route 53
   * change batch (answered PENDING), a certificate request or import
   * (answered with the ARN, validation after): ~0.5 s.
   */
  quickWrite: 500,
  /** Deleting a VPC, subnet, group, route table, gateway. */
  delete: 1_000,
  /** Attributes, attachments, associations, routes, rules, addresses; target groups, listeners, listener rules, tags. */
  modify: 400,
} as const

/**
 * State transitions (real-world ms), each one a wait of the fake cloud
 * (test/fake-cloud/) that bench/scenario.ts `simulatedCloud` scales.
 */
export const TRANSITION_MS = {
  natAvailable: 90_000, // 60–120 s
  natDeleted: 60_000, // ~60 s
  /** A deleted NAT gateway still answers describes (state `deleted`) for about an hour (API_NatGateway). Not waited for. */
  natDeletedVisible: 3_600_000,
  endpointAvailable: 90_000, // interface endpoints: ~1–2 min
  endpointDeleted: 30_000,
  /**
   * An Application Load Balancer is `provisioning` for ~2–3 min before
   * `active` (the issue's ~120–180 s; Terraform's aws_lb waits for it,
   * hashicorp/terraform#10386).
   */
  loadBalancerActive: 150_000,
  /** A deleted load balancer leaves DescribeLoadBalancers within seconds (API_DeleteLoadBalancer returns at once). */
  loadBalancerDeleted: 5_000,
  /**
   * A deleted load balancer's network interfaces stay in its subnets ~1–3 min
   * (terraform-provider-aws waits for them before the subnets and groups can
   * go: "the cleanup is asynchronous and may take time"): still attached
   * (`in-use`) for most of it, then `available` briefly before they go. 2 min in all.
   */
  releasedInterfaceAttached: 90_000,
  releasedInterfaceDetached: 30_000,
  /**
   * A registered target is healthy after HealthyThresholdCount (5) checks
   * HealthCheckIntervalSeconds (30) apart, the ALB's defaults
   * (API_CreateTargetGroup): ~150 s. No node waits for it (containrlab
   * registers no targets: ECS does); scaled so that nothing in the fake is not.
   */
  targetHealthy: 150_000,
  /** ACM names a requested certificate's DNS validation records (DomainValidationOptions[].ResourceRecord) within seconds. */
  certificateRecords: 5_000,
  /**
   * ACM validates a name "usually … within a few minutes" of its CNAME being
   * resolvable (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html;
   * up to 30 min at times): 2 min.
   */
  certificateValidation: 120_000,
  /**
   * A Route 53 change is PENDING until every authoritative server has it,
   * then INSYNC: "generally within 60 seconds"
   * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html): 30 s.
   */
  recordInSync: 30_000,
  /**
   * IAM is eventually consistent: a role or instance profile is visible to
   * IAM at once, but other services refuse it for seconds while the change
   * replicates ("a few seconds", commonly 5–10 s; terraform-provider-aws
   * retries RunInstances' "Invalid IAM Instance Profile" for up to 2 min).
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
   */
  iamPropagation: 8_000,
  /**
   * A Fargate task is PROVISIONING while ECS finds capacity and attaches its
   * network interface (awsvpc), then PENDING while the image is pulled and
   * the containers start: ~30–60 s from CreateService to RUNNING for a small
   * image, of which ~15 s provisioning.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
   */
  taskProvisioning: 15_000,
  taskPending: 30_000,
  /** DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED once the task is told to stop (SIGTERM, then the interface detached): ~30 s. */
  taskStopping: 30_000,
  /** "Stopped tasks appear in the returned results for at least one hour" (API_DescribeTasks); INACTIVE services and clusters too. */
  taskStoppedVisible: 3_600_000,
  ecsInactiveVisible: 3_600_000,
  /** A capacity provider deleted is DELETE_IN_PROGRESS for ~20 s before INACTIVE (API_DeleteCapacityProvider is asynchronous). */
  capacityProviderDeleted: 20_000,
  /**
   * An instance is `pending` ~30–60 s before `running` (the ECS-optimised AMI
   * boots and its agent registers the container instance after that), and
   * `shutting-down` ~30–60 s before `terminated`; a terminated instance stays
   * visible about an hour.
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
   */
  instanceRunning: 40_000,
  instanceTerminated: 45_000,
  instanceTerminatedVisible: 3_600_000,
  /** An instance refresh is `Pending` ~10 s before it starts replacing (API_DescribeInstanceRefreshes). */
  instanceRefreshPending: 10_000,
} as const

const NETWORK_CREATES = new Set(['CreateVpc', 'CreateSubnet', 'CreateSecurityGroup', 'CreateRouteTable', 'CreateInternetGateway'])
const ASYNC_CREATES = new Set(['CreateNatGateway', 'CreateVpcEndpoint', 'CreateLoadBalancer'])
const QUICK_WRITES = new Set(['ChangeResourceRecordSets', 'RequestCertificate', 'ImportCertificate'])

/**
 * Real-world latency of one call. Every other front-door write (CreateTargetGroup,
 * CreateListener, CreateRule, Modify*, AddTags…) is a `modify`, its deletes a
 * `delete`, its reads (DescribeCertificate, GetChange, ListResourceRecordSets…)
 * a `read`.
 */
export function callLatencyMs(service: string, operation: string): number {
  if (service === 'ssm') return /^(Get|Describe|List)/.test(operation) ? LATENCY_MS.ssmRead : LATENCY_MS.ssmWrite
  if (/^(Describe|Get|List)/.test(operation)) return LATENCY_MS.read
  if (NETWORK_CREATES.has(operation)) return LATENCY_MS.createNetworkObject
  if (ASYNC_CREATES.has(operation)) return LATENCY_MS.createAsync
  if (QUICK_WRITES.has(operation)) return LATENCY_MS.quickWrite
  if (/^Delete/.test(operation)) return LATENCY_MS.delete
  return LATENCY_MS.modify
}

/**
 * The transition a node waits out after a mutating call of this operation,
 * if it waits (counted only when the node polled after it: see
 * bench/critical-path.ts).
 */
export function transitionAfterMs(operation: string, input: unknown): number {
  switch (operation) {
    case 'CreateNatGateway':
      return TRANSITION_MS.natAvailable
    case 'DeleteNatGateway':
      return TRANSITION_MS.natDeleted
    case 'CreateVpcEndpoint':
      return (input as {VpcEndpointType?: string})?.VpcEndpointType === 'Interface' ? TRANSITION_MS.endpointAvailable : 0
    case 'DeleteVpcEndpoints':
      return TRANSITION_MS.endpointDeleted
    // elbv2.load-balancer waitReady: DescribeLoadBalancers until `active`.
    case 'CreateLoadBalancer':
      return TRANSITION_MS.loadBalancerActive
    // elbv2.load-balancer delete: until describes no longer show it, then until EC2 lists none of its
    // interfaces. Both clocks start at the delete, so the second wait overlaps the first.
    case 'DeleteLoadBalancer':
      return Math.max(TRANSITION_MS.loadBalancerDeleted, TRANSITION_MS.releasedInterfaceAttached + TRANSITION_MS.releasedInterfaceDetached)
    // route53.alias-record create/update: GetChange until INSYNC (validation records and deletes do not wait:
    // they make no read after the change, so no wait is counted for them).
    case 'ChangeResourceRecordSets':
      return TRANSITION_MS.recordInSync
    // acm.certificate create: DescribeCertificate until the validation records are named.
    case 'RequestCertificate':
      return TRANSITION_MS.certificateRecords
    default:
      return 0
  }
}

/**
 * What a node of this kind waits for after it is created without any
 * mutating call of its own. acm.certificate-validation has no AWS object:
 * its create reads the certificate (DescribeCertificate) once its
 * dependency, route53.validation-records, has written the CNAMEs, and its
 * waitReady polls DescribeCertificate until ISSUED: ACM validates the names
 * from when the CNAMEs resolve, which is when this node starts (the fake
 * starts the clock at the first describe that sees them).
 */
export function waitAfterCreateMs(kind: string): number {
  return kind === 'acm.certificate-validation' ? TRANSITION_MS.certificateValidation : 0
}
