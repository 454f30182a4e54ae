import {describe, expect, it} from 'vitest'
import {buildDag, GraphError} from '../../src/graph/dag.js'
import {ref, type ResourceNode} from '../../src/graph/types.js'

/** A node whose desired props refer to `deps` (nested, as real props do). */
const node = (id: string, deps: string[] = [], dependsOn?: string[]): ResourceNode => ({
  id,
  kind: 'test.thing',
  desired: {name: id, nested: {refs: deps.map((dep) => ref(dep))}},
  ...(dependsOn ? {dependsOn} : {}),
})

const errorOf = (nodes: ResourceNode[]) => {
  try {
    buildDag(nodes)
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError)
    return (error as Error).message
  }
  throw new Error('expected buildDag to throw')
}

describe('buildDag', () => {
  it('maps dependencies and dependents both ways, refs then dependsOn', () => {
    const dag = buildDag([node('vpc'), node('igw', ['vpc']), node('subnet', ['vpc']), node('nat', ['subnet'], ['igw', 'subnet'])])
    expect([...dag.nodes.keys()]).toEqual(['vpc', 'igw', 'subnet', 'nat'])
    expect(Object.fromEntries(dag.dependencies)).toEqual({vpc: [], igw: ['vpc'], subnet: ['vpc'], nat: ['subnet', 'igw']})
    expect(Object.fromEntries(dag.dependents)).toEqual({vpc: ['igw', 'subnet'], igw: ['nat'], subnet: ['nat'], nat: []})
  })

  it('orders dependencies first, keeping input order among ready nodes', () => {
    // Input in reverse dependency order: the output must still start at the roots.
    const dag = buildDag([node('rules', ['sg-a', 'sg-b']), node('sg-b', ['vpc']), node('sg-a', ['vpc']), node('vpc'), node('lonely')])
    expect(dag.order).toEqual(['vpc', 'sg-b', 'sg-a', 'rules', 'lonely'])
  })

  it('an already sorted input keeps its order', () => {
    const nodes = [node('a'), node('b', ['a']), node('c'), node('d', ['b', 'c'])]
    expect(buildDag(nodes).order).toEqual(['a', 'b', 'c', 'd'])
  })

  it('counts explicit dependsOn in the order', () => {
    const dag = buildDag([node('nat', [], ['igw']), node('igw')])
    expect(dag.order).toEqual(['igw', 'nat'])
    expect(dag.dependents.get('igw')).toEqual(['nat'])
  })

  it('names every missing ref target and who refers to it', () => {
    expect(errorOf([node('vpc'), node('subnet', ['vpc', 'vcp']), node('nat', [], ['internet-gateway'])])).toBe('references to nodes that do not exist: subnet → vcp, nat → internet-gateway')
  })

  it('names the nodes of a cycle, in the direction of waiting', () => {
    expect(errorOf([node('a', ['b']), node('b', ['c']), node('c', ['a'])])).toBe('dependency cycle (each node waits for the next): a → b → c → a')
  })

  it('reports the cycle itself, not the nodes merely stuck behind it', () => {
    expect(errorOf([node('root'), node('blocked', ['x']), node('x', ['root', 'y']), node('y', ['x'])])).toBe('dependency cycle (each node waits for the next): x → y → x')
  })

  it('a node waiting for itself is a cycle', () => {
    expect(errorOf([node('self', ['self'])])).toBe('dependency cycle (each node waits for the next): self → self')
  })

  it('refuses duplicate ids', () => {
    expect(errorOf([node('vpc'), node('subnet'), node('vpc')])).toBe('duplicate node ids: vpc')
  })

  it('an empty graph is fine', () => {
    expect(buildDag([])).toEqual({nodes: new Map(), dependencies: new Map(), dependents: new Map(), order: []})
  })
})
