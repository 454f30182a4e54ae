import type {Filter} from '@aws-sdk/client-ec2'
import {ownedBy, stackFilter} from '../tags.js'
import type {Observed, ReconcileContext} from '../types.js'
import {chunks, waitFor} from '../wait.js'
import {isEc2NotFound} from './errors.js'

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

/**
 * Everything tagged `containrlab:stack=<stack>` that also carries its
 * `containrlab:id` tag. The tag filter narrows the answer; ownership is
 * checked again here on the tags themselves (see `ownedBy`).
 */
export async function findByStack<O extends Observed>(stack: string, describe: DescribeObserved<O>): Promise<O[]> {
  return ownedBy(stack, await describe([stackFilter(stack)]))
}

/**
 * Sends a follow-up call on an id created moments ago (ModifyVpcAttribute
 * after CreateVpc, AttachInternetGateway after CreateInternetGateway…),
 * retrying while it answers NotFound: EC2 is eventually consistent. Only
 * this call is retried, not the create, which has no idempotency token and
 * would make a second resource if the engine ran it again. Any other error
 * is thrown at once; the wait is bounded by `ctx.waitTimeoutMs`.
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export async function retryWhileNewIdNotFound<T>(ctx: ReconcileContext, what: string, call: () => Promise<T>): Promise<T> {
  const sent = await waitFor(ctx, {
    what,
    poll: async () => ({value: await call()}),
    state: (result) => (result ? 'done' : 'not visible yet'),
    done: (result) => result !== undefined,
    isGone: isEc2NotFound,
  })
  return sent!.value
}

/** Sends a delete; an object already gone counts as deleted. Anything else (DependencyViolation…) is thrown for the engine to classify. */
export async function deleteIgnoringNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call()
  } catch (error) {
    if (!isEc2NotFound(error)) throw error
  }
}
