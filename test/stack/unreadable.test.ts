import {describe, expect, it} from 'vitest'
import {status} from '../../src/app/status.js'
import {teardown} from '../../src/app/teardown.js'
import {plan, up} from '../../src/app/up.js'
import {formatStatus} from '../../src/ui/format.js'
import {EXAMPLE_RESOURCES, stackHarness, stackParameters} from '../helpers/stack.js'

/** What describeError says of DescribeNatGateways answered by a proxy's "502 Bad Gateway" page, after the SDK's 8 attempts. */
const NAT_UNREADABLE = /^EC2 DescribeNatGateways \(HTTP 502, 8 attempts\): the answer is not AWS's: an HTML page titled "502 Bad Gateway" \(XML parse error: mismatched tags/

/**
 * One kind whose describe is answered by something that is not AWS (a
 * proxy's HTML page): `status` shows every other resource and that one
 * unknown, with the service, operation and HTTP status; `plan` and `up`
 * refuse to plan without it, naming them; `teardown` deletes what does not
 * depend on knowing it and keeps the state for the next one.
 */
describe('a kind that cannot be read (its describe answered by a proxy HTML page)', () => {
  it('status shows it unknown with the error and every other resource as usual', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      await up(await open(), yes)
      cloud.faults.garbage('DescribeNatGateways')
      const report = await status(await open())
      const nat = report.resources.find((r) => r.id === 'nat-gateway/us-east-1a')!
      expect(nat).toMatchObject({condition: 'unknown', physicalId: expect.stringMatching(/^nat-/)})
      expect(nat.error).toMatch(NAT_UNREADABLE)
      // Everything else as usual: the route tables that point at the NAT gateway are not taken for drifted.
      expect(report.resources.filter((r) => r.id !== nat.id).map((r) => `${r.id}: ${r.condition}`)).toEqual(report.resources.filter((r) => r.id !== nat.id).map((r) => `${r.id}: ok`))
      expect(report.summary).toEqual({ok: EXAMPLE_RESOURCES - 1, unknown: 1})
      expect(report.errors).toHaveLength(1)
      expect(report.errors[0]).toMatch(/^ec2\.nat-gateway \(nat-gateway\/us-east-1a\) could not be read: EC2 DescribeNatGateways \(HTTP 502, 8 attempts\)/)
      const text = formatStatus(report)
      expect(text).toMatch(/nat-gateway\/us-east-1a +ec2\.nat-gateway +nat-\w+ +unknown/)
      expect(text).toContain('Could not be read (shown as unknown):\n  ✖ ec2.nat-gateway (nat-gateway/us-east-1a) could not be read: EC2 DescribeNatGateways (HTTP 502, 8 attempts)')
      expect(text).not.toMatch(/\$response|Deserialization error/)
    } finally {
      cloud.restore()
    }
  })

  it('plan and up fail naming the kind, the operation and the HTTP status, and change nothing', async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      await up(await open(), yes)
      cloud.faults.garbage('DescribeNatGateways')
      const message =
        /^cannot plan: one kind of resource could not be read, so what exists is not known \(nothing was changed\):\n {2}- ec2\.nat-gateway \(nat-gateway\/us-east-1a\): EC2 DescribeNatGateways \(HTTP 502, 8 attempts\): the answer is not AWS's: an HTML page titled "502 Bad Gateway"/
      await expect(plan(await open(), {offline: false})).rejects.toThrow(message)
      cloud.resetCalls()
      await expect(up(await open(), yes)).rejects.toThrow(message)
      expect(cloud.mutatingCalls().filter((call) => call.service === 'ec2')).toEqual([])
      expect(stackParameters(cloud).some((name) => name.endsWith('/lock'))).toBe(false)
    } finally {
      cloud.restore()
    }
  })

  it("teardown deletes what does not depend on knowing it, fails that kind's deletions and what they block, keeps the state; the next teardown finishes", async () => {
    const {cloud, open, yes} = stackHarness()
    try {
      await up(await open(), yes)
      cloud.faults.garbage('DescribeNatGateways')
      const down = await teardown(await open(), {confirm: yes})
      expect(down.ok).toBe(false)
      const byId = new Map(down.resources.map((r) => [r.id, r]))
      expect(byId.get('nat-gateway/us-east-1a')).toMatchObject({status: 'failed', error: 'not deleted: whether it still exists is not known, its kind could not be read (EC2 DescribeNatGateways (HTTP 502, 8 attempts))'})
      // What the NAT gateway sits in (and what that sits in) waits for it; the rest is gone.
      for (const id of ['elastic-ip/nat-us-east-1a', 'subnet/public-a', 'vpc']) expect(byId.get(id)!.status, id).toBe('blocked')
      for (const id of ['route-table/private-us-east-1a', 'security-group/alb-sg', 'subnet/private-a']) expect(byId.get(id)!.status, id).toBe('done')
      expect(down.errors[0]).toMatch(
        /^ec2\.nat-gateway \(nat-gateway\/us-east-1a\) could not be read: EC2 DescribeNatGateways \(HTTP 502, 8 attempts\).*; not deleted, nor what it depends on, and objects of this kind the state lost were not looked for$/,
      )
      expect(stackParameters(cloud).filter((name) => name.includes('/serial/')).length).toBeGreaterThan(0)

      cloud.faults.garbage('DescribeNatGateways', {times: 0})
      const again = await teardown(await open(), {confirm: yes})
      expect(again.errors).toEqual([])
      expect(cloud.ec2.resourceCount()).toBe(0)
      expect(stackParameters(cloud)).toEqual([])
    } finally {
      cloud.restore()
    }
  })
})
