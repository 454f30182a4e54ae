import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {Session} from '../../src/app/session.js'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {up} from '../../src/app/up.js'
import {EXAMPLE, writeSpec} from '../helpers/stack.js'

/**
 * The whole-stack scenario against whatever endpoint and credentials the
 * environment provides (an AWS account, LocalStack, moto via
 * AWS_ENDPOINT_URL). Creates real resources (a NAT gateway costs money by the
 * hour) and always tears them down. Opt in with CONTAINRLAB_E2E=1.
 */
const enabled = process.env.CONTAINRLAB_E2E === '1'

describe.skipIf(!enabled)('e2e: up → up → status → teardown', () => {
  it('converges, is idempotent, reports ok, and leaves nothing behind', async () => {
    const stack = `e2e-${Date.now().toString(36)}`
    const file = writeSpec(readFileSync(EXAMPLE, 'utf8').replace(/^name: .*$/m, `name: ${stack}`))
    const calls: {service: string; operation: string}[] = []
    const open = () => Session.open({file, concurrency: 10, onCall: (service, operation) => calls.push({service, operation})})
    const yes = async () => true
    try {
      const first = await up(await open(), yes)
      expect(first.errors).toEqual([])
      calls.length = 0
      const second = await up(await open(), yes)
      expect(second.summary.noop).toBe(second.resources.length)
      const mutating = calls.filter((call) => !/^(Describe|Get|List)/.test(call.operation))
      expect(mutating.map((call) => call.operation).sort()).toEqual(['DeleteParameter', 'PutParameter'])
      const report = await status(await open())
      expect(report.resources.filter((r) => r.condition !== 'ok' && r.condition !== 'pending')).toEqual([])
    } finally {
      const down = await teardown(await open(), {confirm: yes})
      expect(down.errors).toEqual([])
    }
  })
})
