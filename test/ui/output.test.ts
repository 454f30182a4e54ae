import {describe, expect, it} from 'vitest'
import {buildReport, type RunReport} from '../../src/app/report.js'
import {formatPlan, formatRunSummary, formatStatus} from '../../src/ui/format.js'
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
    expect(text).toContain('  ~ security-group-rules/web (ec2.security-group-rules) sg-1\n      ~ ingress tcp 8000 from sg-2:\n          + present')
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
      'x: not started, route-table/a failed',
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

describe('values in plans and status: lists as items, empty strings visible, long values wrapped', () => {
  const rules = [
    {protocol: 'tcp', fromPort: 8000, toPort: 8000, sourceGroupId: '(known after apply: security-group/alb-sg.id)', description: 'api from the ALB'},
    {protocol: 'tcp', fromPort: 3000, toPort: 3000, sourceGroupId: '(known after apply: security-group/alb-sg.id)', description: 'web from the ALB'},
  ]
  const create = (desired: Record<string, unknown>): RunReport =>
    report({resources: [{id: 'security-group-rules/web', kind: 'ec2.security-group-rules', action: 'create', status: 'planned', changes: [], durationMs: 0, desired}]})
  const update = (changes: RunReport['resources'][number]['changes']): RunReport =>
    report({resources: [{id: 'x', kind: 'ec2.route-table', action: 'update', status: 'planned', physicalId: 'rtb-1', changes, durationMs: 0}]})

  it('a list property of a create is one item per line (an object one key per line when it does not fit), never a 300-character line', () => {
    const text = formatPlan(create({groupId: 'sg-1', ingress: rules, egress: [{protocol: 'all', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0'}]}))
    expect(text).toContain(
      [
        '      ingress =',
        '        + protocol: tcp',
        '          fromPort: 8000',
        '          toPort: 8000',
        '          sourceGroupId: (known after apply: security-group/alb-sg.id)',
        '          description: api from the ALB',
        '        + protocol: tcp',
        '          fromPort: 3000',
      ].join('\n'),
    )
    expect(text).toContain('      egress  = [{protocol: all, fromPort: -1, toPort: -1, cidr: 0.0.0.0/0}]')
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100)
  })

  it('a change to a list shows the items it removes and adds, not both lists', () => {
    const text = formatPlan(update([{field: 'subnetIds', before: ['subnet-1', 'subnet-2'], after: ['subnet-2', 'subnet-3'], replace: false}]))
    expect(text).toContain('      ~ subnetIds:\n          - subnet-1\n          + subnet-3')
    expect(text).not.toContain('subnet-2')
  })

  it('rules added and removed one change each are shown as the items of their field', () => {
    const text = formatPlan(
      update([
        {field: 'ingress', before: 'tcp 22 from 0.0.0.0/0', replace: false},
        {field: 'ingress', after: 'tcp 8001 from sg-2', replace: false},
      ]),
    )
    expect(text).toContain('      ~ ingress:\n          - tcp 22 from 0.0.0.0/0\n          + tcp 8001 from sg-2')
  })

  it('an empty string is shown as "", not as nothing', () => {
    const text = formatPlan(update([{field: 'ingress tcp 8000 from sg-2 description', before: '', after: 'api from the ALB', replace: false}]))
    expect(text).toContain('      ~ ingress tcp 8000 from sg-2 description: "" → api from the ALB')
    expect(formatPlan(create({description: ''}))).toContain('      description = ""')
  })

  it('a long JSON document is pretty-printed, before and after; long text is wrapped at word boundaries', () => {
    const policy = (effect: string) => JSON.stringify({Version: '2012-10-17', Statement: [{Effect: effect, Principal: '*', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::containrlab-artifacts/*'}]})
    const text = formatPlan(update([{field: 'policyDocument', before: policy('Allow'), after: policy('Deny'), replace: false}]))
    expect(text).toContain('      ~ policyDocument:\n          - {\n              "Version": "2012-10-17",')
    expect(text).toContain('          + {\n')
    expect(text).toContain('"Effect": "Deny"')
    const long = 'word '.repeat(40).trim()
    const wrapped = formatPlan(update([{field: 'note', before: 'short', after: long, replace: false}]))
    for (const line of wrapped.split('\n')) expect(line.length).toBeLessThanOrEqual(100)
    expect(wrapped).toContain('          + word word')
  })

  it('status shows drift with the same items, and unknown resources with why', () => {
    const text = formatStatus({
      stack: 'demo',
      deployed: true,
      serial: 3,
      resources: [
        {id: 'security-group-rules/runner-sg', kind: 'ec2.security-group-rules', physicalId: 'sg-1', condition: 'drifted', changes: [{field: 'ingress', before: 'tcp 22 from 0.0.0.0/0', replace: false}]},
        {id: 'nat-gateway/a', kind: 'ec2.nat-gateway', physicalId: 'nat-1', condition: 'unknown', changes: [], error: 'EC2 DescribeNatGateways (HTTP 502): …'},
      ],
      outputs: {},
      summary: {drifted: 1, unknown: 1},
      errors: ['ec2.nat-gateway (nat-gateway/a) could not be read: EC2 DescribeNatGateways (HTTP 502): …'],
      urls: ['https://demo.example.com'],
    })
    expect(text).toContain('security-group-rules/runner-sg drifted (- live, + the spec: what `up` changes):\n  ~ ingress:\n      - tcp 22 from 0.0.0.0/0')
    expect(text).toMatch(/nat-gateway\/a +ec2\.nat-gateway +nat-1 +unknown/)
    expect(text).toContain('Could not be read (shown as unknown):\n  ✖ ec2.nat-gateway (nat-gateway/a) could not be read: EC2 DescribeNatGateways (HTTP 502): …')
    expect(text).toContain('URLs: https://demo.example.com')
  })

  it('outputs are listed by logical id, whatever order resources finished in', () => {
    const results = ['vpc', 'subnet/b', 'internet-gateway', 'subnet/a'].map((id) => ({id, kind: 'k', action: 'create' as const, status: 'done' as const, changes: [], durationMs: 0}))
    const built = buildReport('up', {stack: 'demo'}, results, {vpc: {id: 'vpc-1'}, 'subnet/b': {id: 'subnet-2'}, 'internet-gateway': {id: 'igw-1'}, 'subnet/a': {id: 'subnet-1'}})
    expect(Object.keys(built.outputs)).toEqual(['internet-gateway', 'subnet/a', 'subnet/b', 'vpc'])
    const lines = formatRunSummary(built).split('\n')
    expect(lines.slice(lines.indexOf('Outputs:') + 1).map((line) => line.trim().split(/ +/)[0])).toEqual(['internet-gateway', 'subnet/a', 'subnet/b', 'vpc'])
  })
})

describe('an interrupted run in the summary', () => {
  it('says INTERRUPTED, never FAILED, with what was done, in flight and not started', () => {
    const results = [
      {id: 'vpc', kind: 'ec2.vpc', action: 'create' as const, status: 'done' as const, physicalId: 'vpc-1', changes: [], durationMs: 0},
      {id: 'nat-gateway/a', kind: 'ec2.nat-gateway', action: 'create' as const, status: 'interrupted' as const, physicalId: 'nat-1', changes: [], durationMs: 0, error: 'interrupted before it finished'},
      {id: 'route-table/a', kind: 'ec2.route-table', action: 'create' as const, status: 'blocked' as const, changes: [], durationMs: 0, error: 'not attempted: the run was interrupted'},
    ]
    const built = buildReport('up', {stack: 'demo'}, results, {vpc: {id: 'vpc-1'}}, {stopped: 'the run was interrupted', interrupted: true})
    expect(built).toMatchObject({ok: false, interrupted: true, errors: [], inFlight: ['nat-gateway/a'], notStarted: ['route-table/a']})
    const text = formatRunSummary(built)
    expect(text).toBe(
      [
        'Apply INTERRUPTED for stack demo: 1 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged; 1 in flight, 1 not started.',
        '',
        'Done before the interrupt:',
        '  + vpc  vpc-1',
        '',
        'In flight, cut short (the next `up` finds what they made):',
        '  • nat-gateway/a: create nat-1',
        '',
        'Not started:',
        '  route-table/a',
        '',
        'What was done is saved in the state. Run `containrlab up` again to finish.',
      ].join('\n'),
    )
    // A run whose state another run took is a failure, whatever else.
    const lost = buildReport('up', {stack: 'demo'}, results.slice(0, 1).concat(results[2]!), {}, {stopped: 'the state of stack demo was committed by another run (serial 9)'})
    expect(lost.interrupted).toBeUndefined()
    expect(formatRunSummary(lost)).toMatch(/^Apply FAILED for stack demo/)
  })
})
