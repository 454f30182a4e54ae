import {DescribeTagsCommand, type ElasticLoadBalancingV2Client, type Tag as ElbTag} from '@aws-sdk/client-elastic-load-balancing-v2'
import {ensureCreatedHere, ownedBy, ownerOf, ownerOfCreated} from '../tags.js'
import type {Change, CreateMeta, Observed, ReconcileContext} from '../types.js'
import {chunks} from '../wait.js'
import {isElbv2Gone} from './errors.js'

/**
 * What the ELBv2 kinds share: the client, reads by ARN in batches that
 * survive an ARN that is gone, tags (ELBv2 describes carry none, and no
 * describe filters by tag: ownership is read with DescribeTags), and the
 * stack's objects found by listing and reading their tags.
 */

export function elbv2Client(ctx: ReconcileContext): Promise<ElasticLoadBalancingV2Client> {
  return ctx.aws.client('elbv2')
}

/**
 * "You can specify up to 20 resources in a single call" (API_DescribeTags);
 * DescribeLoadBalancers takes up to 20 load balancers too
 * (API_DescribeLoadBalancers), and the same bound is used for target groups
 * and listeners by ARN.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTags.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancers.html
 */
export const ARN_BATCH = 20

/**
 * The largest page a describe returns ("The maximum number of results to
 * return with this call": 1–400). ELBv2's SDK paginators set no page size of
 * their own: it goes in the input.
 */
export const PAGE_SIZE = 400

/**
 * Describes `arns` in batches. A describe by ARN fails as a whole when one of
 * them is gone (LoadBalancerNotFound, TargetGroupNotFound…): such a batch is
 * described again one ARN at a time, and the ARNs that are gone are left out.
 */
export async function describeByArns<T>(arns: string[], describe: (batch: string[]) => Promise<T[]>): Promise<T[]> {
  const found: T[] = []
  for (const batch of chunks([...new Set(arns)], ARN_BATCH)) {
    try {
      found.push(...(await describe(batch)))
    } catch (error) {
      if (!isElbv2Gone(error)) throw error
      // Alone, the ARN that is gone is left out; in a batch, each is asked for alone.
      if (batch.length > 1) for (const arn of batch) found.push(...(await describeByArns([arn], describe)))
    }
  }
  return found
}

/** The tags of each ARN; ARNs that are gone are absent. */
export async function tagsOf(client: ElasticLoadBalancingV2Client, arns: string[]): Promise<Map<string, ElbTag[]>> {
  const descriptions = await describeByArns(arns, async (batch) => (await client.send(new DescribeTagsCommand({ResourceArns: batch}))).TagDescriptions ?? [])
  return new Map(descriptions.map((description) => [description.ResourceArn!, description.Tags ?? []]))
}

/** The objects with their owner (logical id and stack) from their tags; objects whose tags cannot be read (gone since) are left out. */
export async function withTags<O extends Observed>(client: ElasticLoadBalancingV2Client, objects: O[]): Promise<O[]> {
  if (objects.length === 0) return []
  const tags = await tagsOf(
    client,
    objects.map((object) => object.id),
  )
  return objects.filter((object) => tags.has(object.id)).map((object) => ({...object, ...ownerOf(tags.get(object.id))}))
}

/**
 * The objects that belong to `stack` and carry a logical id, from every object
 * of the kind: no ELBv2 describe filters by tag, so the tags of each are read
 * (20 per call) and ownership is decided on them.
 */
export async function ownedObjects<O extends Observed>(client: ElasticLoadBalancingV2Client, stack: string, objects: O[]): Promise<O[]> {
  return ownedBy(stack, await withTags(client, objects))
}

/**
 * Throws unless the object's tags say it is the one `meta` creates (an
 * earlier attempt at this very create), naming what holds it otherwise:
 * ELBv2's creates return, or refuse with a Duplicate… code, an object of the
 * same name (or port) whoever made it.
 */
export async function ensureCreatedBy(client: ElasticLoadBalancingV2Client, arn: string, meta: CreateMeta, what: string, hint = ''): Promise<void> {
  const wanted = ownerOfCreated(meta)
  ensureCreatedHere(ownerOf((await tagsOf(client, [arn])).get(arn)), {logicalId: wanted.logicalId, stack: wanted.stack ?? ''}, `${what} (${arn})`, hint)
}

/** Ids, order and duplicates aside: subnets and security groups are sets. */
export function sortedSet(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort()
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = sortedSet(a)
  const right = sortedSet(b)
  return left.length === right.length && left.every((id, i) => id === right[i])
}

/** A change of a set-valued field (subnets, security groups), shown sorted. */
export function setChange(field: string, before: readonly string[], after: readonly string[], replace = false): Change[] {
  return sameSet(before, after) ? [] : [{field, before: sortedSet(before), after: sortedSet(after), replace}]
}

/** The name in an ELBv2 ARN (`…:targetgroup/<name>/<id>` → `<name>`), for plans; anything else as it is. */
export function nameInArn(arn: string): string {
  const match = /:(?:targetgroup|loadbalancer\/app)\/([^/]+)\/[0-9a-f]+$/.exec(arn)
  return match ? match[1]! : arn
}
