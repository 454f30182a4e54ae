import {describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {exampleEdited, stackHarness} from '../helpers/stack.js'

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
      const other = exampleEdited((text) => text.replace(/^name: containrlab$/m, 'name: other'))
      const first = await up(await open(), yes)
      expect(first.summary.create).toBe(17)
      const second = await up(await open({file: other}), yes)
      expect(second.errors).toEqual([])
      expect(second.summary).toMatchObject({create: 17, replace: 0, delete: 0})
      expect(cloud.ec2.resourceCount()).toBe(28)

      const down = await teardown(await open(), {confirm: yes})
      expect(down.errors).toEqual([])
      expect(down.summary.delete).toBe(17)
      expect(down.orphans).toEqual([])
      // The other stack is whole: nothing missing, nothing to change.
      expect(cloud.ec2.resourceCount()).toBe(14)
      const report = await status(await open({file: other}))
      expect(report.resources.filter((r) => r.condition !== 'ok')).toEqual([])
      expect((await plan(await open({file: other}), {offline: false})).changes).toBe(false)
      expect((await teardown(await open({file: other}), {confirm: yes})).errors).toEqual([])
      expect(cloud.ec2.resourceCount()).toBe(0)
    } finally {
      cloud.restore()
    }
  })
})
