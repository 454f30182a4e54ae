import {describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {formatPlan} from '../../src/ui/format.js'
import {EXAMPLE_CREATED, EXAMPLE_DOMAIN, exampleEdited, stackHarness} from '../helpers/stack.js'

/**
 * Ownership is checked on the client: an object tagged with another stack is
 * never adopted, changed or deleted, whatever a server-side filter returned.
 * moto's DescribeNatGateways ignores `tag:` filters; here every describe does.
 */
describe('two stacks side by side, with an endpoint that ignores tag filters', () => {
  it('up of one adopts nothing of the other; teardown of one deletes only its own', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      for (const operation of ['DescribeVpcs', 'DescribeSubnets', 'DescribeInternetGateways', 'DescribeAddresses', 'DescribeNatGateways', 'DescribeRouteTables', 'DescribeSecurityGroups', 'DescribeVpcEndpoints']) {
        cloud.faults.ignoreTagFilters.add(operation)
      }
      // Its own domain, whose zone the user made too.
      const other = exampleEdited((text) => text.replace(/^name: containrlab$/m, 'name: other').replaceAll(EXAMPLE_DOMAIN, 'other.click'))
      cloud.route53.seedZone('other.click')
      const first = await up(await open(), yes)
      expect(first.summary.create).toBe(EXAMPLE_CREATED)
      const one = cloud.resourceCount()
      const second = await up(await open({file: other}), yes)
      expect(second.errors).toEqual([])
      expect(second.summary).toMatchObject({create: EXAMPLE_CREATED, replace: 0, delete: 0})
      expect(cloud.ec2.resourceCount()).toBe(30)
      expect(cloud.resourceCount()).toBe(2 * one)

      const down = await teardown(await open(), {confirm: yes})
      expect(down.errors).toEqual([])
      expect(down.summary.delete).toBe(EXAMPLE_CREATED)
      expect(down.orphans).toEqual([])
      // The other stack is whole: nothing missing, nothing to change.
      expect(cloud.ec2.resourceCount()).toBe(15)
      expect(cloud.resourceCount()).toBe(one)
      const report = await status(await open({file: other}))
      expect(report.resources.filter((r) => r.condition !== 'ok')).toEqual([])
      expect((await plan(await open({file: other}), {offline: false})).changes).toBe(false)
      expect((await teardown(await open({file: other}), {confirm: yes})).errors).toEqual([])
      expect(cloud.resourceCount()).toBe(0)
    } finally {
      cloud.restore()
    }
  })
})

describe('two stacks that claim the same host names', () => {
  it('the second is refused before any change, naming whose the records are; the first one’s stay as they were', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      const other = exampleEdited((text) => text.replace(/^name: containrlab$/m, 'name: other'))
      expect((await up(await open(), yes)).ok).toBe(true)
      const zoneId = cloud.route53.zoneIds()[0]!
      const before = cloud.route53.recordSets(zoneId)
      const owned = (host: string) =>
        `record/${host}: ${host} is managed by containrlab record/${host} of stack containrlab (its TXT marker), not record/${host} of stack other: containrlab never overwrites another owner's records`
      const hosts = ['api.containrlab.click', 'containrlab.click', 'app.containrlab.click']

      const preview = await plan(await open({file: other}), {offline: false})
      expect(preview.conflicts).toEqual(hosts.map(owned))
      expect(formatPlan(preview)).toContain(`\`up\` will refuse this plan, before any change:\n  ✖ ${owned(hosts[0]!)}`)
      cloud.resetCalls()
      await expect(up(await open({file: other}), yes)).rejects.toThrow(`refusing to apply: ${hosts.map(owned).join('; ')}. Nothing was changed.`)
      expect(cloud.mutatingCalls().filter((call) => call.service !== 'ssm')).toEqual([])
      expect(cloud.route53.recordSets(zoneId)).toEqual(before)
      expect((await plan(await open(), {offline: false})).changes).toBe(false)
    } finally {
      cloud.restore()
    }
  })
})
