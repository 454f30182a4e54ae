import {afterEach, describe, expect, it} from 'vitest'
import {teardown} from '../../../src/app/teardown.js'
import {up} from '../../../src/app/up.js'
import type {EngineEvent} from '../../../src/engine/events.js'
import {plainLine} from '../../../src/ui/progress.js'
import type {FakeCloud} from '../../fake-cloud/index.js'
import {stackHarness} from '../../helpers/stack.js'

/**
 * The issue's teardown: a load balancer's network interfaces hold its
 * subnets and security group for minutes after it is deleted. The stack's
 * own load balancer's delete waits for them itself (and says so); a load
 * balancer made by someone else in the stack's subnets (a Kubernetes
 * ingress, a console experiment) is found only when a subnet or group will
 * not go: its interfaces are registered here as the fake ELBv2 registers a
 * load balancer's, one per public subnet with the stack's ALB group, through
 * env.networkInterfaces.
 */

const ALB = 'ELB app/someone-elses-alb/50dc6c495c0c9188'

/** Long enough to outlast the stack's own load balancer's delete (which waits for its own interfaces). */
const LINGER_MS = 10 * 60_000

let cloud: FakeCloud | undefined

afterEach(() => {
  cloud?.restore()
  cloud = undefined
})

/** `up` of the example, then another ALB's interfaces in both public subnets with alb-sg. */
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

describe('teardown of the stack’s own load balancer', () => {
  it('waits until EC2 releases its interfaces, and says so; its subnets and group then go at once', async () => {
    const harness = stackHarness()
    cloud = harness.cloud
    expect((await up(await harness.open(), harness.yes)).errors).toEqual([])
    const interfaces = (cloud.ec2.snapshot() as {networkInterfaces: {description: string}[]}).networkInterfaces
    expect(interfaces.filter((eni) => /^ELB app\/containrlab-alb\/[0-9a-f]{16}$/.test(eni.description))).toHaveLength(2)
    harness.events.length = 0
    const started = cloud.clock.now()

    const report = await teardown(await harness.open(), {confirm: harness.yes})

    expect(report.errors).toEqual([])
    expect(cloud.resourceCount()).toBe(0)
    // The fake EC2 keeps a deleted load balancer's interfaces 3 minutes.
    expect(cloud.clock.now() - started).toBeGreaterThanOrEqual(3 * 60_000)
    expect(progressOf(harness.events, 'load-balancer').some((line) => line.startsWith('waiting for the network interfaces of load balancer containrlab-alb to be released: 2 still in its subnets'))).toBe(true)
    for (const id of ['subnet/public-a', 'subnet/public-b', 'security-group/alb-sg']) expect(progressOf(harness.events, id), id).toEqual([])
  })
})

describe('teardown while another load balancer’s network interfaces linger in the stack’s subnets', () => {
  it('waits for them, says whose they are while it waits, and deletes the subnets, the group and the VPC once they go', async () => {
    const {cloud, open, yes, events, ids, interfaces} = await stackWithAlbInterfaces()
    // Its DeleteLoadBalancer: the interfaces stay attached a while, then go.
    for (const id of interfaces) cloud.env.networkInterfaces!.release(id, {attachedMs: LINGER_MS, detachedMs: 0})
    const started = cloud.clock.now()

    const report = await teardown(await open(), {confirm: yes})

    expect(report.errors).toEqual([])
    expect(report.ok).toBe(true)
    expect(cloud.resourceCount()).toBe(0)
    expect(cloud.clock.now() - started).toBeGreaterThanOrEqual(LINGER_MS)
    expect(progressOf(events, 'subnet/public-a')).toContain(`1 network interface still in ${ids.publicA}: ${ALB} (1 in use)`)
    expect(progressOf(events, 'subnet/public-b')).toContain(`1 network interface still in ${ids.publicB}: ${ALB} (1 in use)`)
    expect(progressOf(events, 'security-group/alb-sg')).toContain(`2 network interfaces still using security group ${ids.albGroup}: ${ALB} (2 in use)`)
    // A CI log has the lines too.
    const lines = events.map(plainLine).filter((line): line is string => line !== undefined)
    expect(lines.some((line) => line.endsWith(`subnet/public-a: 1 network interface still in ${ids.publicA}: ${ALB} (1 in use)`))).toBe(true)
  })

  it('says when they are detached and still there', async () => {
    const {cloud, open, yes, events, ids, interfaces} = await stackWithAlbInterfaces()
    for (const id of interfaces) cloud.env.networkInterfaces!.release(id, {attachedMs: 0, detachedMs: LINGER_MS})

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
    expect(cloud.resourceCount()).toBe(0)
    expect(ids.vpc).toMatch(/^vpc-/)
  })
})
