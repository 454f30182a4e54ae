import type {ResourceType, Tag as Ec2Tag} from '@aws-sdk/client-ec2'
import {TAG_ID, TAG_STACK, type CreateMeta, type Observed, type Tag} from './types.js'

/** Reads a tag value from an EC2-style tag list. */
export function tagValue(tags: Ec2Tag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value
}

/** Whose an object is, from its tags: the logical id it was created for and its stack. */
export function ownerOf(tags: Ec2Tag[] | undefined): {logicalId?: string; stack?: string} {
  const owner: {logicalId?: string; stack?: string} = {}
  const logicalId = tagValue(tags, TAG_ID)
  const stack = tagValue(tags, TAG_STACK)
  if (logicalId !== undefined) owner.logicalId = logicalId
  if (stack !== undefined) owner.stack = stack
  return owner
}

/**
 * The owner of an object `create` just made, from the tags it was created
 * with: create responses often carry no tags (CreateNatGateway's, for one).
 */
export function ownerOfCreated(meta: CreateMeta): {logicalId: string; stack?: string} {
  return {...ownerOf(meta.tags), logicalId: meta.logicalId}
}

/** Whose an object is, in words: "repository/api of stack other", or "not tagged by containrlab". */
export function holderOf(owner: {logicalId?: string; stack?: string}): string {
  return owner.stack ? `${owner.logicalId ?? 'an object'} of stack ${owner.stack}` : 'not tagged by containrlab'
}

/**
 * Throws unless `owner` (the tags of an object found under the name a create
 * uses) says it is the object `wanted` creates: an earlier attempt at this
 * very create, which the caller adopts. Anything else of that name, another
 * stack's or no one's, is refused, naming what holds it; `hint` says what to do.
 */
export function ensureCreatedHere(owner: {logicalId?: string; stack?: string}, wanted: {logicalId: string; stack: string}, what: string, hint = ''): void {
  if (owner.stack === wanted.stack && owner.logicalId === wanted.logicalId) return
  throw new Error(`${what} already exists and is ${holderOf(owner)}, not ${wanted.logicalId} of stack ${wanted.stack}${hint ? `; ${hint}` : ''}`)
}

/**
 * A fresh describe of an object we already knew, keeping the owner we knew
 * where the describe shows no tags (a wait's poll of a just-created id).
 */
export function withOwner<O extends Observed>(fresh: O, known: Pick<Observed, 'logicalId' | 'stack'>): O {
  const owner: {logicalId?: string; stack?: string} = {}
  const logicalId = fresh.logicalId ?? known.logicalId
  const stack = fresh.stack ?? known.stack
  if (logicalId !== undefined) owner.logicalId = logicalId
  if (stack !== undefined) owner.stack = stack
  return {...fresh, ...owner}
}

/** EC2 `TagSpecifications` for a create call. */
export function tagSpecifications(resourceType: ResourceType, tags: Tag[]): {ResourceType: ResourceType; Tags: Tag[]}[] {
  return [{ResourceType: resourceType, Tags: tags}]
}

/** EC2 describe filter selecting what a stack owns (a hint only: callers check ownership on the client too). */
export function stackFilter(stack: string): {Name: string; Values: string[]} {
  return {Name: `tag:${TAG_STACK}`, Values: [stack]}
}

/**
 * Keeps the objects that belong to `stack` and carry a logical id. Some
 * endpoints ignore tag filters (moto's DescribeNatGateways; any emulator, or
 * a future API change), so what a server-side filter returned is never
 * trusted alone.
 */
export function ownedBy<O extends {stack?: string; logicalId?: string}>(stack: string, objects: O[]): O[] {
  return objects.filter((object) => object.stack === stack && object.logicalId !== undefined)
}
