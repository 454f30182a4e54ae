import {afterEach, describe, expect, it} from 'vitest'
import {teardown} from '../../../src/app/teardown.js'
import {up} from '../../../src/app/up.js'
import type {EngineEvent} from '../../../src/engine/events.js'
import {plainLine} from '../../../src/ui/progress.js'
import type {FakeCloud} from '../../fake-cloud/index.js'
import {stackHarness} from '../../helpers/stack.js'

/**
 * The issue's teardown: an Application Load Balancer was deleted, and its
 * network interfaces hold its subnets and security group for minutes
 * after. The ALB is another service's (the fake ELBv2 will register these
 * interfaces itself); here they are registered as it will register them,
 * one per public subnet with the ALB's group, through env.networkInterfaces.
 */

const ALB = 'ELB app/containrlab-alb/50dc6c495c0c9188'

let cloud: FakeCloud | undefined

afterEach(() => {
  cloud?.restore()
  cloud = undefined
})

/** `up` of the example, then an ALB's interfaces in both public subnets with alb-sg. */
async function stackWithAlbInterfaces() {
  const harness = stackHarness()
  cloud = harness.cloud
  const applied = await up(await harness.open(), harness.yes)
  expect(applied.errors).toEqual([])
  const physical = (id: string) => applied.resources.find((resource) => resource.id === id)!.physicalId!
  const ids = {publicA: physical('subnet/public-a'), publicB: physical('subnet/public-b'), albGroup: physical('security-group/alb-sg'), vpc: physical('vpc')}
  const interfaces = [ids.publicA, ids.publicB].map(
    (subnetId) =>
      harness.cloud.env.networkInterfaces!.add({
        subnetId,
        groupIds: [ids.albGroup],
        description: ALB,
        interfaceType: 'interface',
        requesterId: 'amazon-elb',
        requesterManaged: true,
        attachment: {instanceOwnerId: 'amazon-elb'},
      }).id,
  )
  harness.events.length = 0
  return {...harness, ids, interfaces}
}

/** `text` as a regular expression that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The plain (CI) lines of one task's progress. */
function progressOf(events: EngineEvent[], id: string): string[] {
  return events.filter((event) => event.type === 'node-progress' && event.id === id).map((event) => (event as {message: string}).message)
}

describe('teardown while a deleted load balancer’s network interfaces linger', () => {
  it('waits for them, says whose they are while it waits, and deletes the subnets, the group and the VPC once they go', async () => {
    const {cloud, open, yes, events, ids, interfaces} = await stackWithAlbInterfaces()
    // DeleteLoadBalancer: the interfaces stay attached for the fake's 3 minutes, then go.
    for (const id of interfaces) cloud.env.networkInterfaces!.release(id)
    const started = cloud.clock.now()

    const report = await teardown(await open(), {confirm: yes})

    expect(report.errors).toEqual([])
    expect(report.ok).toBe(true)
    expect(cloud.ec2.resourceCount()).toBe(0)
    expect(cloud.clock.now() - started).toBeGreaterThanOrEqual(3 * 60_000)
    expect(progressOf(events, 'subnet/public-a')).toContain(`1 network interface still in ${ids.publicA}: ${ALB} (1 in use)`)
    expect(progressOf(events, 'subnet/public-b')).toContain(`1 network interface still in ${ids.publicB}: ${ALB} (1 in use)`)
    expect(progressOf(events, 'security-group/alb-sg')).toContain(`2 network interfaces still using security group ${ids.albGroup}: ${ALB} (2 in use)`)
    // A CI log has the lines too.
    const lines = events.map(plainLine).filter((line): line is string => line !== undefined)
    expect(lines.some((line) => line.endsWith(`subnet/public-a: 1 network interface still in ${ids.publicA}: ${ALB} (1 in use)`))).toBe(true)
  })

  it('says when they are detached and still there', async () => {
    const {cloud, open, yes, events, ids, interfaces} = await stackWithAlbInterfaces()
    for (const id of interfaces) cloud.env.networkInterfaces!.release(id, {attachedMs: 0, detachedMs: 2 * 60_000})

    const report = await teardown(await open(), {confirm: yes})

    expect(report.errors).toEqual([])
    expect(progressOf(events, 'security-group/alb-sg')).toContain(`2 network interfaces still using security group ${ids.albGroup}: ${ALB} (2 detached)`)
  })

  it('gives up when they never go, with an error that names them, and keeps the state for the next teardown', async () => {
    const {cloud, open, yes, ids, interfaces} = await stackWithAlbInterfaces()

    const report = await teardown(await open(), {confirm: yes})

    expect(report.ok).toBe(false)
    const failed = (id: string) => report.resources.find((resource) => resource.id === id && resource.status === 'failed')?.error
    // Then the engine's words on its bounded wait (20 minutes here): `— AWS still reports <id> in use after 1200s; …`.
    expect(failed('subnet/public-a')).toMatch(new RegExp(`^${escape(`EC2 DeleteSubnet (HTTP 400): DependencyViolation: 1 network interface still in ${ids.publicA}: ${ALB} (1 in use) — `)}.*\\b1[2-9]\\d\\ds\\b`))
    expect(failed('security-group/alb-sg')).toMatch(
      new RegExp(`^${escape(`EC2 DeleteSecurityGroup (HTTP 400): DependencyViolation: 2 network interfaces still using security group ${ids.albGroup}: ${ALB} (2 in use) — `)}`),
    )
    expect(report.resources.find((resource) => resource.id === 'vpc')).toMatchObject({status: 'blocked'})
    expect(report.errors.some((error) => error.includes(ALB))).toBe(true)

    // Once the load balancer's interfaces go, the next teardown finishes the job.
    for (const id of interfaces) cloud.env.networkInterfaces!.remove(id)
    const again = await teardown(await open(), {confirm: yes})
    expect(again.errors).toEqual([])
    expect(cloud.ec2.resourceCount()).toBe(0)
    expect(ids.vpc).toMatch(/^vpc-/)
  })
})
