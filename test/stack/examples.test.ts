import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {teardown} from '../../src/app/teardown.js'
import {up} from '../../src/app/up.js'
import {stackHarness, stackParameters} from '../helpers/stack.js'

const examples = join(import.meta.dirname, '..', '..', 'examples')

/** Every shipped example deploys, is idempotent, and tears down to nothing. */
describe.each(readdirSync(examples).filter((name) => name.endsWith('.yaml')))('example %s', (name) => {
  it('up → up (no change) → teardown (nothing left)', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      const file = join(examples, name)
      const first = await up(await open({file}), yes)
      expect(first.errors).toEqual([])
      expect(first.ok).toBe(true)
      // Everything is made, but what exists already (a domain's hosted zone, AWS's ECS-optimised AMI) is only found.
      const found = ['route53.hosted-zone', 'ec2.ami']
      expect(first.summary.create + first.summary.noop).toBe(first.resources.length)
      expect(first.resources.filter((r) => r.action === 'noop').map((r) => r.kind)).toEqual(first.resources.filter((r) => found.includes(r.kind)).map((r) => r.kind))
      cloud.resetCalls()
      const second = await up(await open({file}), yes)
      expect(second.summary.noop).toBe(first.resources.length)
      expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
      const down = await teardown(await open({file}), {confirm: yes})
      expect(down.errors).toEqual([])
      expect(down.ok).toBe(true)
      expect(cloud.resourceCount()).toBe(0)
      expect(stackParameters(cloud, first.stack)).toEqual([])
    } finally {
      cloud.restore()
    }
  })
})
