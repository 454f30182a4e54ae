import {GC_BATCH} from '../src/state/ssm-store.js'
import type {ResourceNode} from '../src/graph/types.js'

/** Reads of one kind in a no-op `up`, for its nodes (`n` of them), and why. */
interface KindReads {
  reads: (n: number, nodes: ResourceNode[]) => number
  why: string
}

/** ELBv2 DescribeTags and DescribeLoadBalancers/TargetGroups/Listeners take at most 20 ARNs a call; Route 53 ListTagsForResources 10 ids. */
const per = (limit: number) => (n: number) => Math.ceil(n / limit)

/** Nodes grouped by a key (Map.groupBy is Node 21+). */
function groupBy(nodes: ResourceNode[], key: (node: ResourceNode) => string): Map<string, ResourceNode[]> {
  const groups = new Map<string, ResourceNode[]>()
  for (const node of nodes) groups.set(key(node), [...(groups.get(key(node)) ?? []), node])
  return groups
}

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
  // The containers. ECR describes repositories by name in one call, then each one's tags, lifecycle policy
  // and images (a repository that holds images outlives teardown without --purge): one repository per call.
  'ecr.repository': {reads: (n) => per(100)(n) + 3 * n, why: 'DescribeRepositories + ListTagsForResource, GetLifecyclePolicy and DescribeImages per repository'},
  // DescribeLogGroups finds groups by name prefix: one group per call; its tags by ARN, one group per call.
  'logs.log-group': {reads: (n) => 2 * n, why: 'DescribeLogGroups + ListTagsForResource per group'},
  // IAM answers for one role at a time, and one inline policy per GetRolePolicy.
  'iam.role': {
    reads: (n, nodes) => 3 * n + nodes.reduce((sum, node) => sum + Object.keys((node.desired.inlinePolicies as object | undefined) ?? {}).length, 0),
    why: 'GetRole + ListAttachedRolePolicies + ListRolePolicies per role, GetRolePolicy per inline policy',
  },
  'iam.instance-profile': {reads: (n) => n, why: 'GetInstanceProfile per profile'},
  // DescribeTaskDefinition names one family (its ACTIVE revision, with tags).
  'ecs.task-definition': {reads: (n) => n, why: 'DescribeTaskDefinition per family'},
  // DescribeServices takes one cluster and up to 10 services.
  'ecs.service': {
    reads: (_n, nodes) => [...groupBy(nodes, (node) => JSON.stringify(node.desired.clusterArn)).values()].reduce((sum, group) => sum + per(10)(group.length), 0),
    why: 'DescribeServices per cluster, 10 services a call',
  },
  // DescribeInstances does not return user data; DescribeInstanceAttribute does, one instance per call.
  'ec2.instance': {reads: (n) => 1 + n, why: 'DescribeInstances + DescribeInstanceAttribute (userData) per instance'},
  // DescribeLaunchTemplates does not return the data; DescribeLaunchTemplateVersions does, one template per call.
  'ec2.launch-template': {reads: (n) => 1 + n, why: 'DescribeLaunchTemplates + DescribeLaunchTemplateVersions per template'},
}

/**
 * The read budget of a no-op `up`, computed from the spec's nodes: the
 * reads per kind by design (KIND_READS; any other kind: one batched
 * describe) plus the state's own: its load (GetParametersByPath of the
 * serials, and one GetParameters per 10 chunks of a large document) and the
 * lock check before release (GetParameter). `terms` says where each read comes from.
 */
/** GetParametersByPath's largest page ("MaxResults … 10"). */
const NAMES_PER_PAGE = 10

export function noopReadBudget(nodes: ResourceNode[], stateChunks: number): {total: number; terms: string[]} {
  const byKind = groupBy(nodes, (node) => node.kind)
  const terms: string[] = []
  let total = 0
  let batched = 0
  for (const [kind, ofKind] of [...byKind].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const special = KIND_READS[kind]
    if (!special) {
      batched++
      continue
    }
    const reads = special.reads(ofKind.length, ofKind)
    total += reads
    terms.push(`${kind} ×${ofKind.length}: ${reads} (${special.why})`)
  }
  total += batched
  terms.unshift(`${batched} kinds with one batched describe: ${batched}`)
  // The listing holds the current serial, the lock, the chunks and the old serials not collected yet
  // (up to GC_BATCH - 1 of them: a run of many saves leaves that many), 10 names a page.
  const listed = GC_BATCH - 1 + 2 + stateChunks
  const listingPages = Math.ceil(listed / NAMES_PER_PAGE)
  const stateReads = listingPages + Math.ceil(stateChunks / 10) + 1
  total += stateReads
  terms.push(
    `state: ${stateReads} (GetParametersByPath: ${listingPages} pages of up to ${listed} names, old serials not collected yet included${stateChunks > 0 ? `; GetParameters for ${stateChunks} chunks` : ''}; lock check GetParameter)`,
  )
  return {total, terms}
}
