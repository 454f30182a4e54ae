/**
 * The resource graph: what the spec compiles to and the engine executes.
 * A node's desired properties may hold `Ref`s (anywhere, nested) to other
 * nodes' outputs; a node depends on exactly the nodes it refers to.
 */

export interface Ref {
  $ref: string
  /** Output key of the referenced node (`id`, `arn`…). */
  output: string
}

export function ref(node: string, output = 'id'): Ref {
  return {$ref: node, output}
}

export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && typeof (value as Ref).$ref === 'string' && typeof (value as Ref).output === 'string'
}

export interface ResourceNode {
  /** Logical id, unique in the stack: `vpc`, `subnet/public-a`, `security-group/alb-sg`. */
  id: string
  /** Reconciler kind: `ec2.subnet`. */
  kind: string
  /** Desired properties; refs are resolved by the engine just before diff/create. */
  desired: Record<string, unknown>
  /**
   * Nodes this one must wait for although it refers to none of their outputs
   * (a NAT gateway needs the VPC's internet gateway attached, or it fails).
   */
  dependsOn?: string[]
}

/** Everything a node waits for: the nodes its props refer to, then its explicit `dependsOn`. */
export function nodeDependencies(node: ResourceNode): string[] {
  const deps = refsIn(node.desired)
  for (const dep of node.dependsOn ?? []) if (!deps.includes(dep)) deps.push(dep)
  return deps
}

/** Every node id a value refers to, in order of first appearance. */
export function refsIn(value: unknown, into: string[] = []): string[] {
  if (isRef(value)) {
    if (!into.includes(value.$ref)) into.push(value.$ref)
  } else if (Array.isArray(value)) {
    for (const item of value) refsIn(item, into)
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) refsIn(item, into)
  }
  return into
}

/**
 * Replaces refs by the referenced outputs. `lookup` returns undefined for an
 * output not known yet (a plan before the dependency exists); the ref is then
 * shown as `(known after apply: vpc.id)`.
 */
export function resolveRefs<T>(value: T, lookup: (ref: Ref) => string | undefined): T {
  if (isRef(value)) return (lookup(value) ?? knownAfterApply(value)) as T
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, lookup)) as T
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = resolveRefs(item, lookup)
    return out as T
  }
  return value
}

/** Placeholder for a value known only once a dependency exists (plan output). */
export function knownAfterApply(ref: Ref): string {
  return `(known after apply: ${ref.$ref}.${ref.output})`
}
