import {nodeDependencies, type ResourceNode} from './types.js'

/** The resource graph with its edges both ways and one topological order. */
export interface Dag {
  nodes: Map<string, ResourceNode>
  /** id → the ids it waits for (refs, then explicit dependsOn). */
  dependencies: Map<string, string[]>
  /** id → the ids that wait for it, in node order. */
  dependents: Map<string, string[]>
  /** Every id, dependencies before dependents; ties keep the input order. */
  order: string[]
}

export class GraphError extends Error {
  override name = 'GraphError'
}

/**
 * Builds the DAG and checks it: unique ids, every ref pointing at a node, no
 * cycle. Throws a GraphError naming the offending nodes.
 */
export function buildDag(nodes: ResourceNode[]): Dag {
  const byId = new Map<string, ResourceNode>()
  const duplicated: string[] = []
  for (const node of nodes) {
    if (byId.has(node.id)) duplicated.push(node.id)
    byId.set(node.id, node)
  }
  if (duplicated.length) throw new GraphError(`duplicate node ids: ${[...new Set(duplicated)].join(', ')}`)

  const dependencies = new Map<string, string[]>()
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.id, []]))
  const missing: string[] = []
  for (const node of nodes) {
    const deps = nodeDependencies(node)
    for (const dep of deps) {
      if (byId.has(dep)) dependents.get(dep)!.push(node.id)
      else missing.push(`${node.id} → ${dep}`)
    }
    dependencies.set(node.id, deps)
  }
  if (missing.length) throw new GraphError(`references to nodes that do not exist: ${missing.join(', ')}`)

  // Kahn's algorithm, always taking the earliest ready node in input order, so the order is stable.
  const position = new Map(nodes.map((node, index) => [node.id, index]))
  const waiting = new Map(nodes.map((node) => [node.id, dependencies.get(node.id)!.length]))
  const ready = nodes.filter((node) => waiting.get(node.id) === 0).map((node) => node.id)
  const order: string[] = []
  while (ready.length) {
    ready.sort((a, b) => position.get(a)! - position.get(b)!)
    const id = ready.shift()!
    order.push(id)
    for (const dependent of dependents.get(id)!) {
      const left = waiting.get(dependent)! - 1
      waiting.set(dependent, left)
      if (left === 0) ready.push(dependent)
    }
  }
  if (order.length < nodes.length) {
    const stuck = new Set(nodes.map((node) => node.id).filter((id) => !order.includes(id)))
    throw new GraphError(`dependency cycle (each node waits for the next): ${findCycle(stuck, dependencies).join(' → ')}`)
  }
  return {nodes: byId, dependencies, dependents, order}
}

/**
 * One cycle among nodes that never became ready. Each of them waits for at
 * least one other stuck node, so walking "waits for" edges inside the set
 * must revisit a node; the path from its first visit is the cycle.
 */
function findCycle(stuck: Set<string>, dependencies: Map<string, string[]>): string[] {
  const path: string[] = []
  let current = stuck.values().next().value!
  while (!path.includes(current)) {
    path.push(current)
    current = dependencies.get(current)!.find((dep) => stuck.has(dep))!
  }
  return [...path.slice(path.indexOf(current)), current]
}
