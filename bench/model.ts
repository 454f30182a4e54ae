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
  /** Asynchronous creates that return at once and then transition (NAT gateway, endpoint). */
  createAsync: 1_000,
  /** Deleting a VPC, subnet, group, route table, gateway. */
  delete: 1_000,
  /** Attributes, attachments, associations, routes, rules, addresses. */
  modify: 400,
} as const

/** State transitions (real-world ms). */
export const TRANSITION_MS = {
  natAvailable: 90_000, // 60–120 s
  natDeleted: 60_000, // ~60 s
  endpointAvailable: 90_000, // interface endpoints: ~1–2 min
  endpointDeleted: 30_000,
} as const

const NETWORK_CREATES = new Set(['CreateVpc', 'CreateSubnet', 'CreateSecurityGroup', 'CreateRouteTable', 'CreateInternetGateway'])
const ASYNC_CREATES = new Set(['CreateNatGateway', 'CreateVpcEndpoint'])

/** Real-world latency of one call. */
export function callLatencyMs(service: string, operation: string): number {
  if (service === 'ssm') return /^(Get|Describe|List)/.test(operation) ? LATENCY_MS.ssmRead : LATENCY_MS.ssmWrite
  if (/^(Describe|Get|List)/.test(operation)) return LATENCY_MS.read
  if (NETWORK_CREATES.has(operation)) return LATENCY_MS.createNetworkObject
  if (ASYNC_CREATES.has(operation)) return LATENCY_MS.createAsync
  if (/^Delete/.test(operation)) return LATENCY_MS.delete
  return LATENCY_MS.modify
}

/** The transition a node waits out after a mutating call of this operation, if it waits. */
export function transitionAfterMs(operation: string, input: unknown): number {
  if (operation === 'CreateNatGateway') return TRANSITION_MS.natAvailable
  if (operation === 'DeleteNatGateway') return TRANSITION_MS.natDeleted
  if (operation === 'CreateVpcEndpoint') return (input as {VpcEndpointType?: string})?.VpcEndpointType === 'Interface' ? TRANSITION_MS.endpointAvailable : 0
  if (operation === 'DeleteVpcEndpoints') return TRANSITION_MS.endpointDeleted
  return 0
}
