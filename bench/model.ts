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
 * region; we take the middle. The containers' waits (IAM propagation, ECS
 * tasks and deployments behind the target groups' health checks and
 * deregistration delay, EC2 instances) cite their sources where they are
 * defined below.
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
  /**
   * IAM writes (CreateRole, PutRolePolicy, AttachRolePolicy, CreateInstanceProfile,
   * AddRoleToInstanceProfile…): IAM's control plane is in us-east-1 whatever
   * the stack's region, ~0.5–1 s a call.
   */
  iamWrite: 700,
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
   * (API_CreateTargetGroup), which the example's target groups keep: ~150 s.
   * ECS registers a load-balanced service's tasks and completes its
   * deployment only once they are healthy
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-healthcheck.html).
   */
  targetHealthy: 150_000,
  /**
   * A target being deregistered drains for the target group's deregistration
   * delay (`deregistration_delay.timeout_seconds`, default 300 s, which the
   * example keeps) before ECS stops the task (DEACTIVATING).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay
   */
  targetDeregistrationDelay: 300_000,
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
const QUICK_WRITES = new Set([
  'ChangeResourceRecordSets',
  'RequestCertificate',
  'ImportCertificate',
  // ECR and CloudWatch Logs: small synchronous writes (the repository or group exists when they answer).
  'CreateRepository',
  'PutLifecyclePolicy',
  'PutImageScanningConfiguration',
  'PutImageTagMutability',
  'CreateLogGroup',
  'PutRetentionPolicy',
  // ECS: a revision is registered, a cluster ACTIVE (no capacity provider of its own) when the call returns.
  'RegisterTaskDefinition',
  'CreateCluster',
  // EC2 launch templates: versions are data, nothing is launched.
  'CreateLaunchTemplate',
  'CreateLaunchTemplateVersion',
])
/** Control-plane calls that return at once while the work (tasks, instances) starts after: ~1 s. */
const ASYNC_STARTS = new Set(['CreateService', 'RunInstances', 'CreateAutoScalingGroup', 'CreateCapacityProvider', 'StartInstanceRefresh'])

/**
 * Real-world latency of one call. Every other front-door write (CreateTargetGroup,
 * CreateListener, CreateRule, Modify*, AddTags…) is a `modify`, its deletes a
 * `delete`, its reads (DescribeCertificate, GetChange, ListResourceRecordSets…)
 * a `read`; so are the containers' (UpdateService, DeregisterTaskDefinition,
 * TerminateInstances, TagResource… are `modify`; DeleteService, DeleteCluster,
 * DeleteRepository, DeleteLogGroup… `delete`; ListTasks, DescribeTasks… `read`),
 * except IAM's writes (`iamWrite`) and the creates listed above.
 */
export function callLatencyMs(service: string, operation: string): number {
  if (service === 'ssm') return /^(Get|Describe|List)/.test(operation) ? LATENCY_MS.ssmRead : LATENCY_MS.ssmWrite
  if (/^(Describe|Get|List)/.test(operation)) return LATENCY_MS.read
  if (service === 'iam') return LATENCY_MS.iamWrite
  if (NETWORK_CREATES.has(operation)) return LATENCY_MS.createNetworkObject
  if (ASYNC_CREATES.has(operation) || ASYNC_STARTS.has(operation)) return LATENCY_MS.createAsync
  if (QUICK_WRITES.has(operation)) return LATENCY_MS.quickWrite
  if (/^Delete/.test(operation)) return LATENCY_MS.delete
  return LATENCY_MS.modify
}

/**
 * The transition a node waits out after a mutating call of this operation,
 * if it waits (counted only when the node polled after it: see
 * bench/critical-path.ts). `desired`: the node's desired properties, for
 * calls whose input does not say (DeleteService names the service, not its
 * load balancers).
 */
export function transitionAfterMs(operation: string, input: unknown, desired?: Record<string, unknown>): number {
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
    // ecs.service waitReady: DescribeServices until the deployment is COMPLETED, its tasks RUNNING (and healthy behind a load balancer).
    case 'CreateService':
      return serviceDeployed(loadBalanced(input, desired))
    // ecs.service update (a new revision: a deployment) or delete (scaled to 0 first: its tasks stop from then).
    case 'UpdateService': {
      const update = input as {desiredCount?: number; taskDefinition?: string}
      if (update.desiredCount === 0) return serviceStopped(loadBalanced(input, desired))
      return update.taskDefinition !== undefined ? serviceDeployed(loadBalanced(input, desired)) : 0
    }
    // ecs.service delete: DescribeServices/DescribeTasks until INACTIVE and every task STOPPED.
    case 'DeleteService':
      return serviceStopped(loadBalanced(input, desired))
    // ec2.instance waitReady: DescribeInstances until `running`; delete: until `terminated`.
    case 'RunInstances':
      return TRANSITION_MS.instanceRunning
    case 'TerminateInstances':
      return TRANSITION_MS.instanceTerminated
    // autoscaling.group waitReady: until its instances are InService (running); delete: until they are terminated.
    case 'CreateAutoScalingGroup': {
      const group = input as {DesiredCapacity?: number; MinSize?: number}
      return (group.DesiredCapacity ?? group.MinSize ?? 0) > 0 ? TRANSITION_MS.instanceRunning : 0
    }
    case 'DeleteAutoScalingGroup':
      return TRANSITION_MS.instanceTerminated
    // ecs.capacity-provider delete: DescribeCapacityProviders until INACTIVE.
    case 'DeleteCapacityProvider':
      return TRANSITION_MS.capacityProviderDeleted
    default:
      return 0
  }
}

/** Whether a service's tasks sit behind a load balancer: from the call's input (CreateService) or the node's desired properties. */
function loadBalanced(input: unknown, desired: Record<string, unknown> | undefined): boolean {
  const bindings = (input as {loadBalancers?: unknown[]})?.loadBalancers ?? (desired?.loadBalancers as unknown[] | undefined)
  return (bindings?.length ?? 0) > 0
}

/** A deployment: tasks provisioned, images pulled and started, then (behind a load balancer) healthy. */
function serviceDeployed(behindLoadBalancer: boolean): number {
  return TRANSITION_MS.taskProvisioning + TRANSITION_MS.taskPending + (behindLoadBalancer ? TRANSITION_MS.targetHealthy : 0)
}

/** Tasks told to stop: drained from their target groups first (behind a load balancer), then stopped. */
function serviceStopped(behindLoadBalancer: boolean): number {
  return (behindLoadBalancer ? TRANSITION_MS.targetDeregistrationDelay : 0) + TRANSITION_MS.taskStopping
}

/**
 * A call another service refused because an IAM role or instance profile made
 * moments ago has not propagated yet: RunInstances answers
 * InvalidParameterValue "Invalid IAM Instance Profile ARN" (what
 * src/resources/ec2/errors.ts `isInstanceProfileNotYetVisible` retries). The
 * node that made it could not have succeeded before its IAM dependencies
 * were made plus `iamPropagation`; the refused attempts themselves are not
 * work (bench/critical-path.ts).
 */
export function refusedUntilIamPropagates(call: {service: string; operation: string; error?: string}): boolean {
  return call.service === 'ec2' && call.operation === 'RunInstances' && (call.error === 'InvalidParameterValue' || call.error === 'InvalidParameterCombination')
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
