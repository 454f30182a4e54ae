import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {EXIT} from '../../src/app/errors.js'
import {up} from '../../src/app/up.js'
import Plan from '../../src/commands/plan.js'
import StateUnlock from '../../src/commands/state/unlock.js'
import Status from '../../src/commands/status.js'
import Up from '../../src/commands/up.js'
import Validate from '../../src/commands/validate.js'
import {FakeCloud} from '../fake-cloud/index.js'
import {EXAMPLE, exampleCloud, exampleWith, INSTANT, stackHarness} from '../helpers/stack.js'
import {ROOT, runCommand} from './run-command.js'

describe('exit codes', () => {
  let cloud: FakeCloud | undefined
  afterEach(() => {
    cloud?.restore()
    cloud = undefined
  })

  it('the README documents every exit code the CLI returns, and only those', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Exit codes'), readme.indexOf('\n## ', readme.indexOf('## Exit codes') + 1))
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]))
    expect(documented.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b))
  })

  // 2 means "plan found changes": a typo in a CI drift check must never read as that.
  describe('usage errors exit 64, never 2', () => {
    const cases: [string, {run: typeof Plan.run}, string[], RegExp][] = [
      ['an unknown flag, with the closest one', Plan, ['-f', EXAMPLE, '--offline', '--detailed-exitcod'], /unknown flag --detailed-exitcod for `containrlab plan`: did you mean --detailed-exitcode\?/],
      ['a flag value out of range', Plan, ['-f', EXAMPLE, '--offline', '--concurrency', '0'], /--concurrency: Expected an integer greater than or equal to 1/],
      ['a flag value of the wrong type', Plan, ['-f', EXAMPLE, '--offline', '--concurrency', 'ten'], /--concurrency: Expected an integer/],
      ['an unexpected argument', Plan, ['-f', EXAMPLE, '--offline', 'extra'], /Unexpected argument: extra/],
      ['a flag of another command', Validate, ['-f', EXAMPLE, '--concurrency', '4'], /unknown flag --concurrency for `containrlab validate`: only `plan`, `status`, `teardown`, `up` take it/],
      ['state unlock without --force', StateUnlock, ['--stack', 'containrlab', '--region', 'us-east-1'], /without --force/],
    ]
    for (const [name, command, argv, message] of cases) {
      it(name, async () => {
        cloud = exampleCloud()
        const result = await runCommand(command, argv)
        expect(result.exitCode).toBe(64)
        expect(result.error?.message).toMatch(message)
        expect(result.error?.message).not.toMatch(/See more help with --help/)
        expect(cloud.calls).toEqual([])
      })
    }

    it('plan --detailed-exitcode still exits 2 for changes and 0 without', async () => {
      expect((await runCommand(Plan, ['-f', EXAMPLE, '--offline', '--detailed-exitcode'])).exitCode).toBe(2)
      expect((await runCommand(Plan, ['-f', EXAMPLE, '--offline'])).exitCode).toBe(0)
    })
  })

  describe('a kind AWS does not answer for', () => {
    it('status shows the rest, marks it unknown and exits 1; plan --json says which kind in a small document', async () => {
      const harness = stackHarness()
      cloud = harness.cloud
      expect((await up(await harness.open(), harness.yes)).ok).toBe(true)
      // A proxy's 403 page: not retried (a 502 would be, on the wall clock of a command run).
      cloud.faults.garbage('DescribeNatGateways', {status: 403})
      const status = await runCommand(Status, ['-f', EXAMPLE, '--json'])
      const doc = JSON.parse(status.stdout)
      expect(doc.resources.find((entry: {id: string}) => entry.id === 'nat-gateway/us-east-1a').condition).toBe('unknown')
      expect(doc.resources.filter((entry: {condition: string}) => entry.condition === 'ok')).toHaveLength(51)
      expect(status.exitCode).toBe(1)
      const planned = await runCommand(Plan, ['-f', EXAMPLE, '--json'])
      const error = JSON.parse(planned.stdout)
      expect(planned.exitCode).toBe(1)
      expect(error).toMatchObject({ok: false, exitCode: 1, error: {code: 'unreadable', kinds: {'ec2.nat-gateway': {ids: ['nat-gateway/us-east-1a']}}}})
    })
  })

  describe('status --detailed-exitcode', () => {
    it('exits 2 when a resource is not ok (never deployed: not-created), 0 without the flag', async () => {
      cloud = exampleCloud()
      const detailed = await runCommand(Status, ['-f', EXAMPLE, '--detailed-exitcode'])
      expect(detailed.error).toBeUndefined()
      expect(detailed.exitCode).toBe(2)
      expect((await runCommand(Status, ['-f', EXAMPLE])).exitCode).toBe(0)
    })

    it('exits 0 when every resource is ok, 2 once one drifted', async () => {
      const harness = stackHarness()
      cloud = harness.cloud
      expect((await up(await harness.open(), harness.yes)).ok).toBe(true)

      const ok = await runCommand(Status, ['-f', EXAMPLE, '--detailed-exitcode', '--json'])
      const okDoc = JSON.parse(ok.stdout)
      expect(okDoc.resources.every((entry: {condition: string}) => entry.condition === 'ok')).toBe(true)
      expect(ok.exitCode).toBe(0)
      expect(okDoc.exitCode).toBe(0)

      const drifted = await runCommand(Status, ['-f', exampleWith('description: Internet-facing load balancer', 'description: Changed'), '--detailed-exitcode', '--json'])
      const driftedDoc = JSON.parse(drifted.stdout)
      expect(driftedDoc.summary.drifted).toBeGreaterThan(0)
      expect(drifted.exitCode).toBe(2)
      expect(driftedDoc.exitCode).toBe(2)
    })
    it('exits 2 when a service is degraded (its first deployment failed); --json carries its details as fields', async () => {
      const harness = stackHarness()
      cloud = harness.cloud
      cloud.ecs.failTasks({taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/containrlab-web:1'}, 'CannotPullContainerError: not found')
      expect((await up(await harness.open(), harness.yes)).ok).toBe(false)

      const degraded = await runCommand(Status, ['-f', EXAMPLE, '--detailed-exitcode', '--json'])
      const doc = JSON.parse(degraded.stdout)
      expect(doc.summary).toMatchObject({degraded: 1})
      const web = doc.resources.find((entry: {id: string}) => entry.id === 'service/web')
      expect(web).toMatchObject({condition: 'degraded', health: {degraded: expect.stringMatching(/^the deployment of containrlab-web:1 failed/)}})
      expect(web.details.fields).toMatchObject({running: 0, desired: 1, revision: 'containrlab-web:1', lastDeployment: {rolloutState: 'FAILED'}})
      expect(web.details.fields.stoppedTasks[0]).toMatchObject({revision: 'containrlab-web:1', stoppedReason: 'CannotPullContainerError: not found'})
      expect(doc.resources.find((entry: {id: string}) => entry.id === 'cluster/runner-ec2').details.fields).toMatchObject({launch: 'EC2', registeredContainerInstances: 1})
      expect(degraded.exitCode).toBe(2)
      expect((await runCommand(Status, ['-f', EXAMPLE])).exitCode).toBe(0)
    })
  })

  describe('up --json: a failed run says its exit code in the document too', () => {
    it('a resource that fails: ok false, exitCode 1', async () => {
      cloud = exampleCloud(INSTANT)
      cloud.faults.latencyMs = (_service, operation) => {
        if (operation === 'CreateInternetGateway') throw Object.assign(new Error('You are not authorized to perform this operation.'), {name: 'UnauthorizedOperation'})
        return 0
      }
      const result = await runCommand(Up, ['-f', exampleWith('nat: single', 'nat: none'), '--yes', '--json'])
      expect(result.error).toBeUndefined()
      const doc = JSON.parse(result.stdout)
      expect(doc.ok).toBe(false)
      expect(doc.errors.join('\n')).toMatch(/UnauthorizedOperation/)
      expect(result.exitCode).toBe(1)
      expect(doc.exitCode).toBe(1)
    })

    it('Ctrl-C: the run stops, exit code 130, and the document says exitCode 130', async () => {
      cloud = exampleCloud(INSTANT)
      let interrupted = false
      cloud.faults.latencyMs = (_service, operation) => {
        // Interrupt while the VPC is being created: it finishes, nothing new starts.
        if (operation === 'CreateVpc' && !interrupted) {
          interrupted = true
          process.emit('SIGINT', 'SIGINT')
        }
        return 0
      }
      const result = await runCommand(Up, ['-f', exampleWith('nat: single', 'nat: none'), '--yes', '--json'])
      expect(interrupted).toBe(true)
      expect(result.error).toBeUndefined()
      const doc = JSON.parse(result.stdout)
      expect(doc.ok).toBe(false)
      expect(doc.stopped).toBeTruthy()
      expect(result.exitCode).toBe(130)
      expect(doc.exitCode).toBe(130)
      // What was made is saved and the lock released.
      expect(cloud.ssm.names().some((name) => name.endsWith('/lock'))).toBe(false)
    })

    it('Ctrl-C before anything was applied (while reading): still 130, in the process and in the document', async () => {
      cloud = exampleCloud()
      let interrupted = false
      cloud.faults.latencyMs = (_service, operation) => {
        if (operation.startsWith('Describe') && !interrupted) {
          interrupted = true
          process.emit('SIGINT', 'SIGINT')
        }
        return 0
      }
      const result = await runCommand(Up, ['-f', EXAMPLE, '--yes', '--json'])
      expect(interrupted).toBe(true)
      const doc = JSON.parse(result.stdout)
      expect(doc.ok).toBe(false)
      expect(result.exitCode).toBe(130)
      expect(doc.exitCode).toBe(130)
      expect(cloud.mutatingCalls().filter((call) => call.service === 'ec2')).toEqual([])
    })
  })
})
