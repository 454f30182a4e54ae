import type {Filter} from '@aws-sdk/client-ec2'
import {stackFilter} from '../tags.js'
import type {Observed} from '../types.js'
import {chunks} from '../wait.js'

/**
 * One kind's describe: every resource the filters match, as observed. The
 * kind decides how to send the filters (DescribeNatGateways takes `Filter`,
 * the others `Filters`) and leaves out what counts as gone for it (a
 * `deleted` NAT gateway).
 */
export type DescribeObserved<O extends Observed> = (filters: Filter[]) => Promise<O[]>

/**
 * Batched read by AWS ids, keyed by id; ids that no longer exist are absent.
 * A filter on `filterName` (`vpc-id`, `group-id`…) omits ids that are gone,
 * where the id-list parameter (`VpcIds`, `GroupIds`…) would fail the whole
 * call with the kind's NotFound. A filter takes at most 200 values.
 */
export async function readByIdFilter<O extends Observed>(
  ids: string[],
  filterName: string,
  /** Also given the batch of ids the filter holds. */
  describe: (filters: Filter[], batch: string[]) => Promise<O[]>,
): Promise<Map<string, O>> {
  const found = new Map<string, O>()
  for (const batch of chunks(ids)) {
    for (const observed of await describe([{Name: filterName, Values: batch}], batch)) found.set(observed.id, observed)
  }
  return found
}

/** Everything tagged `containrlab:stack=<stack>` that also carries its `containrlab:id` tag. */
export async function findByStack<O extends Observed>(stack: string, describe: DescribeObserved<O>): Promise<O[]> {
  return (await describe([stackFilter(stack)])).filter((observed) => observed.logicalId)
}
