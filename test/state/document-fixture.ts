import {createHash} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import type {ResourceEntry, StateDocument} from '../../src/state/types.js'
import type {FakeSsm} from '../fake-cloud/ssm.js'

/** A deterministic hex id of AWS's shape (`subnet-0a1b…`): hashes compress about as badly as real ids. */
function awsId(prefix: string, seed: string, length = 17): string {
  return `${prefix}-${createHash('sha256').update(seed).digest('hex').slice(0, length)}`
}

const kinds: Array<(i: number) => [string, ResourceEntry]> = [
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

const LINEAGE = '9b2f6c1e-6a43-4f0e-9d64-2f1f0c9e7a11'

function resourcesOf(count: number): Record<string, ResourceEntry> {
  const resources: Record<string, ResourceEntry> = {}
  for (let i = 0; i < count; i++) {
    const [logicalId, entry] = kinds[i % kinds.length]!(i)
    resources[logicalId] = {...entry, updatedAt: new Date(Date.UTC(2026, 10, 26, 5, 0, i)).toISOString()}
  }
  return resources
}

/**
 * A realistic schema-2 stack state with `count` resources (ids, deps, 2-4
 * outputs each), a generation per resource, and for larger stacks a retired
 * object and a create in flight.
 */
export function bigDocument(count: number, serial = 1, stack = 'teststack'): StateDocument {
  const resources = resourcesOf(count)
  const generations = Object.fromEntries(Object.keys(resources).map((logicalId, i) => [logicalId, 1 + (i % 3 === 0 ? 1 : 0)]))
  const doc: StateDocument = {schemaVersion: 2, stack, serial, lineage: LINEAGE, resources, retired: [], intents: {}, generations}
  if (count >= 10) {
    doc.retired.push({logicalId: 'subnet/private-0', kind: 'ec2.subnet', id: awsId('subnet', 'old0'), deps: ['vpc/main'], reason: 'replaced', since: '2026-11-26T05:10:00.000Z'})
    doc.intents['security-group/svc-new'] = {kind: 'ec2.security-group', token: `teststack-${awsId('', 'token', 24).slice(1)}`, startedAt: '2026-11-26T05:11:00.000Z'}
  }
  return doc
}

/** A document as the first release (schema 1) wrote it. */
export interface V1Document {
  schemaVersion: 1
  stack: string
  serial: number
  lineage: string
  resources: Record<string, ResourceEntry>
}

/**
 * A schema-1 document: `count` resources plus the old half of a replacement
 * (`subnet/private-0#retired-<id>`) and an orphan found at teardown
 * (`security-group/svc-1#orphan-<id>`).
 */
export function bigV1Document(count: number, serial = 1, stack = 'teststack'): V1Document {
  const resources = resourcesOf(count)
  const retiredId = awsId('subnet', 'old0')
  const orphanId = awsId('sg', 'orphan1')
  resources[`subnet/private-0#retired-${retiredId}`] = {kind: 'ec2.subnet', id: retiredId, deps: ['vpc/main'], outputs: {id: retiredId}, updatedAt: '2026-11-26T04:00:00.000Z'}
  resources[`security-group/svc-1#orphan-${orphanId}`] = {kind: 'ec2.security-group', id: orphanId, deps: [], outputs: {id: orphanId}, updatedAt: '2026-11-26T04:30:00.000Z'}
  return {schemaVersion: 1, stack, serial, lineage: LINEAGE, resources}
}

/**
 * Writes a state exactly as the first release did: one `state` header
 * (overwritten on every save) holding the gzip+base64 document when it fits
 * in 4096 characters, else chunks at `state-chunks/<serial>/<i>`.
 */
export function putV1State(fake: FakeSsm, doc: V1Document): {header: string; chunks: string[]} {
  const prefix = `/containrlab/${doc.stack}/`
  const data = gzipSync(Buffer.from(JSON.stringify(doc), 'utf8'), {level: 9}).toString('base64')
  const inline = JSON.stringify({v: 1, serial: doc.serial, encoding: 'gzip+base64', data})
  const put = (Name: string, Value: string) => fake.putParameter({Name, Value, Type: 'String', Tier: 'Standard', Overwrite: true})
  if (inline.length <= 4096) {
    put(`${prefix}state`, inline)
    return {header: `${prefix}state`, chunks: []}
  }
  const chunks: string[] = []
  for (let start = 0, i = 0; start < data.length; start += 4096, i++) {
    const name = `${prefix}state-chunks/${doc.serial}/${i}`
    put(name, data.slice(start, start + 4096))
    chunks.push(name)
  }
  const sha256 = createHash('sha256').update(data).digest('hex')
  put(`${prefix}state`, JSON.stringify({v: 1, serial: doc.serial, encoding: 'gzip+base64', chunks: chunks.length, sha256}))
  return {header: `${prefix}state`, chunks}
}
