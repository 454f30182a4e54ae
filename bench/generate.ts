import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/**
 * A large network stack for the scale benchmark: 4 AZs × 3 tiers, a NAT
 * gateway per AZ, 5 VPC endpoints and `groups` security groups (each with
 * its rule set) — 33 + 2 × groups resources; 84 groups make 201.
 */
export function generatedSpec(groups = 84): string {
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d']
  const lines = ['name: scale-bench', 'region: us-east-1', 'network:', '  vpc: {cidr: 10.0.0.0/16}', '  nat: per-az', '  subnets:']
  const tiers = ['public', 'private', 'data'] as const
  tiers.forEach((tier, t) => {
    zones.forEach((az, z) => lines.push(`    - {name: ${tier}-${z}, tier: ${tier}, az: ${az}, cidr: 10.0.${t * 10 + z}.0/24}`))
  })
  lines.push('  securityGroups:')
  for (let i = 0; i < groups; i++) {
    lines.push(`    - name: group-${i}`, '      ingress:', `        - {protocol: tcp, port: ${8000 + i}, cidr: 10.0.0.0/16}`)
    if (i > 0) lines.push(`        - {protocol: tcp, port: 443, securityGroup: group-${i - 1}}`)
  }
  lines.push('  endpoints:', '    - {service: s3, type: gateway, tiers: [private, data]}')
  for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'ssm']) lines.push(`    - {service: ${service}, type: interface, tiers: [private], securityGroups: [group-0]}`)
  return `${lines.join('\n')}\n`
}

export function writeGeneratedSpec(groups = 84): string {
  const file = join(mkdtempSync(join(tmpdir(), 'containrlab-bench-')), 'scale.yaml')
  writeFileSync(file, generatedSpec(groups))
  return file
}
