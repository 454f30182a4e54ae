import type {Filter} from '@aws-sdk/client-ec2'
import {ownedBy, stackFilter} from '../tags.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {chunks, waitFor} from '../wait.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'

/**
 * What the EC2 kinds share: one describe per kind serves read (by an id
 * filter) and find (by the stack tag); NotFound on delete means done;
 * immutable fields force a replacement.
 */

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

/** The items of every page of an SDK paginator (`paginateDescribeSubnets(…)`, `(page) => page.Subnets`). */
export async function collectPages<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined): Promise<Item[]> {
  const out: Item[] = []
  for await (const page of pages) out.push(...(items(page) ?? []))
  return out
}

/** An EC2 kind's reconciler, less what `ec2Kind` fills in. */
export type Ec2KindDefinition<D, O extends Observed> = Omit<Reconciler<D, O>, 'read' | 'find' | 'classifyError'> & {
  /** The describe filter that selects by id: `vpc-id`, `group-id`… */
  readonly idFilter: string
  /** The kind's describe (see DescribeObserved). */
  describe(ctx: ReconcileContext, filters: Filter[]): Promise<O[]>
}

/**
 * A reconciler for a tagged EC2 kind: read is `describe` by the id filter,
 * find is `describe` by the stack tag, errors are EC2's (errors.ts). The
 * definition keeps what differs between kinds: diff, create, update, delete…
 */
export function ec2Kind<D, O extends Observed>(definition: Ec2KindDefinition<D, O>): Reconciler<D, O> {
  const {idFilter, describe, ...reconciler} = definition
  return {
    ...reconciler,
    classifyError: classifyEc2Error,
    read: (ctx, ids) => readByIdFilter(ids, idFilter, (filters) => describe(ctx, filters)),
    find: (ctx, query) => findByStack(query.stack, (filters) => describe(ctx, filters)),
  }
}

/**
 * The changes of `fields` that EC2 cannot make in place (a subnet's CIDR, a
 * NAT gateway's subnet): each one replaces the resource.
 */
export function immutableChanges<D, O>(desired: D, observed: O, fields: readonly (keyof D & keyof O & string)[]): Change[] {
  return fieldChanges(desired, observed, fields, true)
}

/** The changes of `fields` that an update makes in place. */
export function mutableChanges<D, O>(desired: D, observed: O, fields: readonly (keyof D & keyof O & string)[]): Change[] {
  return fieldChanges(desired, observed, fields, false)
}

function fieldChanges<D, O>(desired: D, observed: O, fields: readonly (keyof D & keyof O & string)[], replace: boolean): Change[] {
  const changes: Change[] = []
  for (const field of fields) {
    const after: unknown = desired[field]
    const before: unknown = observed[field]
    if (after !== before) changes.push({field, before, after, replace})
  }
  return changes
}

/** `update` of a kind whose every change is a replacement (diff never asks for an update): nothing to call. */
export async function nothingChangesInPlace<O>(_ctx: ReconcileContext, _desired: unknown, observed: O): Promise<O> {
  return observed
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

/**
 * Sends a delete; an object already gone counts as deleted. Anything else
 * (DependencyViolation…) is thrown for the engine to classify. Returns the
 * call's answer, or undefined when the object was gone (nothing to wait for).
 */
export async function deleteIgnoringNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (error) {
    if (!isEc2NotFound(error)) throw error
    return undefined
  }
}
