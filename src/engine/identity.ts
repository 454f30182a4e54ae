import {createHash} from 'node:crypto'
import {MANAGED_BY, TAG_ID, TAG_MANAGED_BY, TAG_STACK, type Tag} from '../resources/types.js'

/**
 * Who an object is: the tags that make it findable after a crash and
 * ownable by exactly one stack, and the idempotency token of its create.
 */

/** The tags every resource carries: ownership (for `find` and orphan clean-up) and a readable Name. */
export function ownershipTags(stack: string, logicalId: string): Tag[] {
  return [
    {Key: 'Name', Value: `${stack}-${logicalId.replaceAll('/', '-')}`},
    {Key: TAG_STACK, Value: stack},
    {Key: TAG_ID, Value: logicalId},
    {Key: TAG_MANAGED_BY, Value: MANAGED_BY},
  ]
}

/**
 * Idempotency token of the `generation`-th object ever created for a logical
 * id of a state lineage. The same for every attempt at creating that object
 * (SDK retries, a re-run after a crash that lost the save), different for
 * every other object: EC2 answers a reused token with the object it first
 * made, even once that object is deleted.
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html
 * Desired properties are deliberately not part of it: a re-run with another
 * spec gets IdempotentParameterMismatch rather than a silent second object.
 */
export function idempotencyToken(lineage: string, logicalId: string, generation: number): string {
  return createHash('sha256')
    .update(JSON.stringify([lineage, logicalId, generation]))
    .digest('hex')
    .slice(0, 32)
}

/** JSON with sorted keys, for comparing and hashing values whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
