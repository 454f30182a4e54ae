import {buildDag} from '../graph/dag.js'
import {compileSpec} from '../graph/compile.js'
import {regionOfZone} from '../spec/checks.js'
import {loadSpec} from '../spec/load.js'

export interface ValidateReport {
  file: string
  stack: string
  valid: true
  resources: number
  kinds: Record<string, number>
}

/**
 * Parses, validates and compiles the spec (the graph must be acyclic too); no
 * AWS client is created. The region is --region, else the spec's, else the
 * one its availability zones are in.
 */
export async function validate(file: string, region?: string): Promise<ValidateReport> {
  const spec = await loadSpec(file, {runRegion: region})
  const nodes = compileSpec(spec, region ?? spec.region ?? regionOfZone(spec.network.subnets[0]!.az))
  buildDag(nodes)
  const kinds: Record<string, number> = {}
  for (const node of nodes) kinds[node.kind] = (kinds[node.kind] ?? 0) + 1
  return {file, stack: spec.name, valid: true, resources: nodes.length, kinds}
}
