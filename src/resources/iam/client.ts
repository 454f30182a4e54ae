import type {IAMClient, Tag as IamTag} from '@aws-sdk/client-iam'
import {ensureCreatedHere, ownerOf, ownerOfCreated} from '../tags.js'
import type {CreateMeta, ReconcileContext} from '../types.js'

/**
 * What the IAM kinds share: the client (global: src/aws/clients.ts pins it to
 * the partition's region) and the ownership check of an entity found by its
 * deterministic name. IAM lists nothing by tag, so both kinds find their
 * entities by the names of the logical ids the run wants, and read the owner
 * from the entity's tags.
 */

export function iamClient(ctx: ReconcileContext): Promise<IAMClient> {
  return ctx.aws.client('iam')
}

/**
 * Throws unless `tags` say the entity is the one `meta` creates (an earlier
 * attempt at this very create, cut short): a role or profile of that name
 * made by someone else, or by another stack, is never adopted.
 */
export function ensureCreatedBy(tags: IamTag[] | undefined, meta: CreateMeta, what: string): void {
  const wanted = ownerOfCreated(meta)
  ensureCreatedHere(ownerOf(tags), {logicalId: wanted.logicalId, stack: wanted.stack ?? ''}, what, 'IAM names are unique per account: rename the stack or remove the other one')
}

/** The names the wanted logical ids' desired properties give (IAM entities are found by name). */
export function wantedNames(wanted: {logicalId: string; desired?: unknown}[]): string[] {
  const names = wanted.map(({desired}) => (desired as {name?: unknown} | undefined)?.name).filter((name): name is string => typeof name === 'string' && name !== '')
  return [...new Set(names)]
}
