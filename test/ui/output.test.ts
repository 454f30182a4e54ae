import {describe, expect, it} from 'vitest'
import type {RunReport} from '../../src/app/report.js'
import {formatPlan, formatRunSummary} from '../../src/ui/format.js'
import {ProgressView, plainLine} from '../../src/ui/progress.js'

const report = (overrides: Partial<RunReport> = {}): RunReport => ({
  command: 'plan',
  stack: 'demo',
  region: 'us-east-1',
  ok: true,
  summary: {create: 1, update: 1, replace: 1, delete: 0, noop: 2},
  resources: [
    {id: 'vpc', kind: 'ec2.vpc', action: 'noop', status: 'planned', physicalId: 'vpc-1', changes: [], durationMs: 0},
    {id: 'subnet/a', kind: 'ec2.subnet', action: 'create', status: 'planned', changes: [], durationMs: 0, desired: {cidr: '10.0.1.0/24', vpcId: 'vpc-1'}},
    {
      id: 'security-group-rules/web',
      kind: 'ec2.security-group-rules',
      action: 'update',
      status: 'planned',
      physicalId: 'sg-1',
      changes: [{field: 'ingress tcp 8000 from sg-2', before: undefined, after: 'present', replace: false}],
      durationMs: 0,
    },
    {
      id: 'subnet/b',
      kind: 'ec2.subnet',
      action: 'replace',
      status: 'planned',
      physicalId: 'subnet-2',
      changes: [{field: 'cidr', before: '10.0.2.0/24', after: '10.0.3.0/24', replace: true}],
      reason: 'cidr cannot change in place',
      durationMs: 0,
    },
    {id: 'secret', kind: 'ssm.parameter', action: 'noop', status: 'planned', changes: [], durationMs: 0},
  ],
  outputs: {},
  errors: [],
  changes: true,
  ...overrides,
})

describe('plan output', () => {
  it('shows creates with their properties, updates and replacements field by field, and the count', () => {
    const text = formatPlan(report())
    expect(text).toContain('  + subnet/a (ec2.subnet)\n      cidr  = 10.0.1.0/24\n      vpcId = vpc-1')
    expect(text).toContain('  ~ security-group-rules/web (ec2.security-group-rules) sg-1\n      ~ ingress tcp 8000 from sg-2: (none) → present')
    expect(text).toContain('  -/+ subnet/b (ec2.subnet) subnet-2  # cidr cannot change in place\n      ~ cidr: 10.0.2.0/24 → 10.0.3.0/24  # forces replacement')
    expect(text).not.toContain('vpc (ec2.vpc)')
    expect(text).toContain('Plan: 1 to create, 1 to update, 1 to replace, 0 to delete, 2 unchanged.')
  })

  it('says so when nothing changes', () => {
    const text = formatPlan(report({resources: [], summary: {create: 0, update: 0, replace: 0, delete: 0, noop: 5}, changes: false}))
    expect(text).toMatch(/^No changes\. Stack demo matches the spec\./)
  })

  it('summarises a failed run with its errors and no outputs', () => {
    const text = formatRunSummary(report({command: 'up', ok: false, errors: ['nat-gateway/a: Gateway.NotAttached'], outputs: {vpc: {id: 'vpc-1'}}}))
    expect(text).toContain('Apply FAILED for stack demo')
    expect(text).toContain('  ✖ nat-gateway/a: Gateway.NotAttached')
    expect(text).not.toContain('Outputs:')
  })
})

describe('progress output', () => {
  it('plain mode prints one line per event and nothing for no-ops', () => {
    const lines: string[] = []
    const view = new ProgressView('plain', (line) => lines.push(line))
    view.emit({type: 'run-start', nodes: [{id: 'vpc', kind: 'ec2.vpc', waitsFor: []}]})
    view.emit({type: 'node-start', id: 'vpc', kind: 'ec2.vpc', action: 'noop', changes: []})
    view.emit({type: 'node-done', id: 'vpc', kind: 'ec2.vpc', action: 'noop', durationMs: 1})
    expect(lines).toEqual([])
    view.emit({type: 'node-start', id: 'nat-gateway/a', kind: 'ec2.nat-gateway', action: 'create', changes: []})
    view.emit({type: 'node-progress', id: 'nat-gateway/a', message: 'waiting for nat-1 to be available: pending, 48s'})
    view.emit({type: 'node-done', id: 'nat-gateway/a', kind: 'ec2.nat-gateway', action: 'create', physicalId: 'nat-1', durationMs: 92_000})
    view.emit({type: 'node-failed', id: 'route-table/a', kind: 'ec2.route-table', action: 'update', error: 'RouteAlreadyExists'})
    view.emit({type: 'node-blocked', id: 'x', kind: 'ec2.route-table', blockedBy: ['route-table/a']})
    expect(lines.map((line) => line.slice(9))).toEqual([
      'nat-gateway/a: creating…',
      'nat-gateway/a: waiting for nat-1 to be available: pending, 48s',
      'nat-gateway/a: created nat-1 (92s)',
      'route-table/a: FAILED to update: RouteAlreadyExists',
      'x: not attempted, route-table/a failed',
    ])
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d /)
  })

  it('silent mode prints nothing', () => {
    const lines: string[] = []
    const view = new ProgressView('silent', (line) => lines.push(line))
    view.emit({type: 'node-start', id: 'vpc', kind: 'ec2.vpc', action: 'create', changes: []})
    expect(lines).toEqual([])
    expect(plainLine({type: 'run-start', nodes: []})).toBeUndefined()
  })
})

describe('data and refusals in what is printed', () => {
  it('a plan shows what a deletion loses, and the replacements up would refuse', () => {
    const text = formatPlan(
      report({
        resources: [
          {
            id: 'db',
            kind: 'rds.instance',
            action: 'delete',
            status: 'planned',
            physicalId: 'db-1',
            changes: [],
            durationMs: 0,
            reason: 'no longer in the spec',
            dataLoss: 'a PostgreSQL database: final snapshot unless --purge',
          },
        ],
        unsafe: ['db must be replaced (engine cannot change in place), which deletes a PostgreSQL database: change the spec so that it need not be replaced, or move the data first'],
      }),
    )
    expect(text).toContain('! holds data: a PostgreSQL database: final snapshot unless --purge')
    expect(text).toContain('`up` will refuse this plan, before any change:')
    expect(text).toContain('✖ db must be replaced')
  })

  it('a teardown summary lists what it kept', () => {
    const text = formatRunSummary(report({command: 'teardown', kept: ['repo/api (api): holds 12 images']}))
    expect(text).toContain('Kept, because they hold data (teardown --purge deletes them):\n  • repo/api (api): holds 12 images')
  })
})

describe("the run's own progress", () => {
  it('is printed as a line of its own before the task list exists, in a terminal too', () => {
    const lines: string[] = []
    const view = new ProgressView('tty', (line) => lines.push(line))
    view.emit({type: 'node-progress', id: '', message: 'waiting for vpc, made moments before the last run stopped, to show in AWS describes, 4s'})
    expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d waiting for vpc, made moments before the last run stopped/)])
  })
})
