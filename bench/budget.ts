import type {ResourceNode} from '../src/graph/types.js'

/** Reads of one kind in a no-op `up`, for `n` nodes of it, and why. */
interface KindReads {
  reads: (n: number) => number
  why: string
}

/** ELBv2 DescribeTags and DescribeLoadBalancers/TargetGroups/Listeners take at most 20 ARNs a call; Route 53 ListTagsForResources 10 ids. */
const per = (limit: number) => (n: number) => Math.ceil(n / limit)

/**
 * The reads a no-op `up` makes by design, per kind: one batched describe by
 * ids per kind, unless the API answers for one object at a time. Each entry
 * names the APIs; the reconcilers in src/resources/ say the same.
 */
const KIND_READS: Record<string, KindReads> = {
  // DescribeVpcs does not return the DNS attributes; DescribeVpcAttribute answers one attribute of one VPC.
  'ec2.vpc': {reads: (n) => 1 + 2 * n, why: 'DescribeVpcs + 2 DescribeVpcAttribute per VPC'},
  // Attributes and target health: one target group per call.
  'elbv2.target-group': {reads: (n) => 2 * per(20)(n) + 2 * n, why: 'DescribeTargetGroups + DescribeTags + DescribeTargetGroupAttributes and DescribeTargetHealth per group'},
  'elbv2.load-balancer': {reads: (n) => 2 * per(20)(n) + n, why: 'DescribeLoadBalancers + DescribeTags + DescribeLoadBalancerAttributes per load balancer'},
  'elbv2.listener': {reads: (n) => 2 * per(20)(n), why: 'DescribeListeners + DescribeTags'},
  // DescribeRules reads one listener's rules (no tags: the node is the listener's rule set).
  'elbv2.listener-rules': {reads: (n) => n, why: 'DescribeRules per listener'},
  // ACM describes and lists the tags of one certificate per call.
  'acm.certificate': {reads: (n) => 2 * n, why: 'DescribeCertificate + ListTagsForCertificate per certificate'},
  'acm.self-signed-certificate': {reads: (n) => 2 * n, why: 'DescribeCertificate + ListTagsForCertificate per certificate'},
  'acm.certificate-validation': {reads: (n) => n, why: 'DescribeCertificate per validation'},
  'route53.hosted-zone': {reads: (n) => n + per(10)(n), why: 'GetHostedZone per zone + ListTagsForResources'},
  // Route 53 lists record sets from a name: one listing per record's name.
  'route53.alias-record': {reads: (n) => n, why: 'ListResourceRecordSets per record'},
  // The validation CNAMEs' names are ACM's: the zone is listed once (one zone per stack).
  'route53.validation-records': {reads: () => 1, why: 'ListResourceRecordSets of the zone'},
}

/**
 * The read budget of a no-op `up`, computed from the spec's nodes: the
 * reads per kind by design (KIND_READS; any other kind: one batched
 * describe) plus the state's own: its load (GetParametersByPath of the
 * serials, and one GetParameters per 10 chunks of a large document) and the
 * lock check before release (GetParameter). `terms` says where each read comes from.
 */
export function noopReadBudget(nodes: ResourceNode[], stateChunks: number): {total: number; terms: string[]} {
  const counts = new Map<string, number>()
  for (const node of nodes) counts.set(node.kind, (counts.get(node.kind) ?? 0) + 1)
  const terms: string[] = []
  let total = 0
  let batched = 0
  for (const [kind, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const special = KIND_READS[kind]
    if (!special) {
      batched++
      continue
    }
    const reads = special.reads(n)
    total += reads
    terms.push(`${kind} ×${n}: ${reads} (${special.why})`)
  }
  total += batched
  terms.unshift(`${batched} kinds with one batched describe: ${batched}`)
  const stateReads = 2 + Math.ceil(stateChunks / 10)
  total += stateReads
  terms.push(`state: ${stateReads} (GetParametersByPath${stateChunks > 0 ? ` + GetParameters for ${stateChunks} chunks` : ''}, lock check GetParameter)`)
  return {total, terms}
}
