import {createHash} from 'node:crypto'
import type {ResourceState, StateDocument} from '../../src/state/types.js'

/** A deterministic hex id of AWS's shape (`subnet-0a1b…`): hashes compress about as badly as real ids. */
function awsId(prefix: string, seed: string, length = 17): string {
  return `${prefix}-${createHash('sha256').update(seed).digest('hex').slice(0, length)}`
}

const kinds: Array<(i: number) => [string, ResourceState]> = [
  (i) => {
    const id = awsId('subnet', `subnet${i}`)
    return [`subnet/private-${i}`, {kind: 'ec2.subnet', id, deps: ['vpc/main'], outputs: {id, cidrBlock: `10.0.${i % 256}.0/24`, availabilityZone: `us-east-1${'abc'[i % 3]}`}, updatedAt: ''}]
  },
  (i) => {
    const id = awsId('sg', `sg${i}`)
    return [`security-group/svc-${i}`, {kind: 'ec2.security-group', id, deps: ['vpc/main'], outputs: {id, groupName: `teststack-svc-${i}`, vpcId: awsId('vpc', 'main')}, updatedAt: ''}]
  },
  (i) => {
    const id = awsId('rtb', `rtb${i}`)
    return [`route-table/private-${i}`, {kind: 'ec2.route-table', id, deps: ['vpc/main', `nat-gateway/az-${i % 3}`], outputs: {id, vpcId: awsId('vpc', 'main')}, updatedAt: ''}]
  },
  (i) => {
    const arn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-${i}/${awsId('', `tg${i}`, 16).slice(1)}`
    return [`target-group/svc-${i}`, {kind: 'elbv2.target-group', id: arn, deps: ['vpc/main'], outputs: {arn, name: `tg-${i}`, port: String(3000 + i), protocol: 'HTTP'}, updatedAt: ''}]
  },
]

/** A realistic stack state with `count` resources (ids, deps, 2-4 outputs each). */
export function bigDocument(count: number, serial = 1, stack = 'teststack'): StateDocument {
  const resources: Record<string, ResourceState> = {}
  for (let i = 0; i < count; i++) {
    const [logicalId, state] = kinds[i % kinds.length]!(i)
    resources[logicalId] = {...state, updatedAt: new Date(Date.UTC(2026, 10, 26, 5, 0, i)).toISOString()}
  }
  return {schemaVersion: 1, stack, serial, lineage: '9b2f6c1e-6a43-4f0e-9d64-2f1f0c9e7a11', resources}
}
