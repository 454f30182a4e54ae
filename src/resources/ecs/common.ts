import type {ECSClient, Tag as EcsTag} from '@aws-sdk/client-ecs'
import {TAG_ID, TAG_STACK, type CreateMeta, type Observed, type ReconcileContext} from '../types.js'
import {ensureCreatedHere} from '../tags.js'

/**
 * What the ECS kinds share: the client and tags. ECS writes tags in lower
 * case (`{key, value}`, API_Tag), unlike EC2's `{Key, Value}` the engine
 * hands to `create`.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
 */

export function ecsClient(ctx: ReconcileContext): Promise<ECSClient> {
  return ctx.aws.client('ecs')
}

export function toEcsTags(meta: Pick<CreateMeta, 'tags'>): EcsTag[] {
  return meta.tags.map((tag) => ({key: tag.Key, value: tag.Value}))
}

export function ecsTagValue(tags: EcsTag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.key === key)?.value
}

/** Whose an object is, from its ECS tags. */
export function ownerOfEcs(tags: EcsTag[] | undefined): Pick<Observed, 'logicalId' | 'stack'> {
  const owner: Pick<Observed, 'logicalId' | 'stack'> = {}
  const logicalId = ecsTagValue(tags, TAG_ID)
  const stack = ecsTagValue(tags, TAG_STACK)
  if (logicalId !== undefined) owner.logicalId = logicalId
  if (stack !== undefined) owner.stack = stack
  return owner
}

/**
 * Refuses to adopt an object of the name we are about to create that belongs
 * to someone else (another stack, another logical id, or no tags at all):
 * ECS's creates answer with the existing object instead of failing.
 */
export function ensureOurs(owner: Pick<Observed, 'logicalId' | 'stack'>, meta: CreateMeta, ctxStack: string, what: string): void {
  ensureCreatedHere(owner, {logicalId: meta.logicalId, stack: ctxStack}, what)
}

/** Splits a list into chunks of `size` (DescribeClusters and DescribeServices take up to 100 and 10). */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Order-free comparison of string lists. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort()
  const right = [...new Set(b)].sort()
  return left.length === right.length && left.every((value, i) => value === right[i])
}
