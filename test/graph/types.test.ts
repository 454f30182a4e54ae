import {describe, expect, it} from 'vitest'
import {nodeDependencies, ref, refsIn, resolveRefs} from '../../src/graph/types.js'

describe('refs', () => {
  const desired = {vpcId: ref('vpc'), routes: [{natGatewayId: ref('nat-gateway/a')}, {gatewayId: ref('internet-gateway')}], subnetIds: [ref('subnet/a'), ref('subnet/a')], cidr: '10.0.0.0/16'}

  it('finds every node a value refers to, once, in order', () => {
    expect(refsIn(desired)).toEqual(['vpc', 'nat-gateway/a', 'internet-gateway', 'subnet/a'])
  })

  it('adds explicit dependsOn after the refs, without repeats', () => {
    expect(nodeDependencies({id: 'nat', kind: 'ec2.nat-gateway', desired: {subnetId: ref('subnet/a')}, dependsOn: ['internet-gateway', 'subnet/a']})).toEqual(['subnet/a', 'internet-gateway'])
  })

  it('resolves known outputs and names the ones known only after apply', () => {
    const outputs: Record<string, Record<string, string>> = {vpc: {id: 'vpc-1'}, 'subnet/a': {id: 'subnet-1'}}
    expect(resolveRefs(desired, (r) => outputs[r.$ref]?.[r.output])).toEqual({
      vpcId: 'vpc-1',
      routes: [{natGatewayId: '(known after apply: nat-gateway/a.id)'}, {gatewayId: '(known after apply: internet-gateway.id)'}],
      subnetIds: ['subnet-1', 'subnet-1'],
      cidr: '10.0.0.0/16',
    })
  })
})
