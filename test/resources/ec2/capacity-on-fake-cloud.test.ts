import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {autoScalingGroup} from '../../../src/resources/autoscaling/group.js'
import type {AutoScalingGroupDesired} from '../../../src/resources/autoscaling/desired.js'
import {ami} from '../../../src/resources/ec2/ami.js'
import type {InstanceDesired, LaunchTemplateDesired} from '../../../src/resources/ec2/desired.js'
import {instance} from '../../../src/resources/ec2/instance.js'
import {launchTemplate} from '../../../src/resources/ec2/launch-template.js'
import {securityGroup} from '../../../src/resources/ec2/security-group.js'
import {subnet} from '../../../src/resources/ec2/subnet.js'
import {vpc} from '../../../src/resources/ec2/vpc.js'
import {FakeCloud} from '../../fake-cloud/index.js'
import {ECS_OPTIMIZED_AMIS} from '../../fake-cloud/ssm.js'
import {testContext} from '../../helpers/context.js'
import {keepData, ownershipTags} from '../../helpers/ec2-mock.js'

/**
 * The ECS-on-EC2 runner's capacity against the fake EC2, SSM and Auto
 * Scaling: seed 002's group behind a capacity provider, seed 001's single
 * instance, and ECS publishing a new AMI.
 */

const AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'
const PROFILE_ARN = 'arn:aws:iam::123456789012:instance-profile/teststack-runner'
const USER_DATA = '#!/bin/bash\necho ECS_CLUSTER=teststack-runner >> /etc/ecs/ecs.config\n'

let cloud: FakeCloud
let ctx: ReturnType<typeof testContext>
let token = 0

function meta(logicalId: string, stack = 'teststack') {
  token++
  return {logicalId, token: token.toString(16).padStart(32, '0'), tags: ownershipTags(logicalId, stack)}
}

beforeEach(() => {
  ctx = testContext()
  cloud = new FakeCloud({clock: ctx.clock}).install()
  // The runner's instance profile, made long ago (IAM is eventually consistent: a new one is refused for seconds).
  cloud.iam.seedInstanceProfile('teststack-runner')
})

afterEach(() => {
  cloud.restore()
})

async function network() {
  const vpcId = (await vpc.create(ctx, {cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true}, meta('vpc'))).id
  const subnetA = await subnet.create(ctx, {vpcId, cidr: '10.0.1.0/24', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false}, meta('subnet/a'))
  const subnetB = await subnet.create(ctx, {vpcId, cidr: '10.0.2.0/24', availabilityZone: 'us-east-1b', mapPublicIpOnLaunch: false}, meta('subnet/b'))
  const group = await securityGroup.create(ctx, {vpcId, namePrefix: 'teststack-runner', description: 'runner'}, meta('security-group/runner'))
  return {vpcId, subnets: [subnetA, subnetB], subnetIds: [subnetA.id, subnetB.id], groupId: group.id, group}
}

async function currentAmi(): Promise<string> {
  const [found] = await ami.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'ami/runner', desired: {parameter: AMI_PARAMETER}}]})
  return found!.imageId
}

function templateDesired(imageId: string, groupId: string): LaunchTemplateDesired {
  return {
    name: 'teststack-runner',
    imageId,
    instanceType: 't3.medium',
    instanceProfileArn: PROFILE_ARN,
    securityGroupIds: [groupId],
    userData: USER_DATA,
    metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2},
  }
}

function groupDesired(launchTemplateId: string, version: string, subnetIds: string[]): AutoScalingGroupDesired {
  return {
    name: 'teststack-runner',
    launchTemplate: {id: launchTemplateId, version},
    minSize: 2,
    maxSize: 10,
    desiredCapacity: 2,
    subnetIds,
    newInstancesProtectedFromScaleIn: true,
    tags: [{key: 'AmazonECSManaged', value: '', propagateAtLaunch: true}],
  }
}

describe('the ECS-optimised AMI', () => {
  it('is read from the public SSM parameter, found whatever the state, and kept by teardown', async () => {
    const [found] = await ami.find(ctx, {stack: 'teststack', wanted: [{logicalId: 'ami/runner', desired: {parameter: AMI_PARAMETER}}]})
    expect(found).toMatchObject({id: AMI_PARAMETER, logicalId: 'ami/runner', stack: 'teststack', imageId: ECS_OPTIMIZED_AMIS[AMI_PARAMETER]})
    expect(ami.notOurs!(found!)).toContain("AWS's public parameter")

    cloud.ssm.publishPublicParameter(AMI_PARAMETER, 'ami-0a1b2c3d4e5f69999')
    expect((await ami.read(ctx, [AMI_PARAMETER])).get(AMI_PARAMETER)?.imageId).toBe('ami-0a1b2c3d4e5f69999')
    expect(await ami.read(ctx, ['/aws/service/ecs/optimized-ami/no-such/image_id'])).toEqual(new Map())
    expect(ami.mustExist!({parameter: '/aws/service/ecs/optimized-ami/no-such/image_id'})).toContain('does not exist in this region')
  })
})

describe('an Auto Scaling group on a launch template (seed 002)', () => {
  it('is made, reads back with no diff, is found with the state lost, rolls onto a new AMI keeping capacity, and tears down to nothing', async () => {
    const net = await network()
    const imageId = await currentAmi()

    const template = await launchTemplate.create(ctx, templateDesired(imageId, net.groupId), meta('launch-template/runner'))
    const readTemplate = (await launchTemplate.read(ctx, [template.id])).get(template.id)!
    expect(launchTemplate.diff(templateDesired(imageId, net.groupId), readTemplate)).toEqual([])
    expect(readTemplate).toMatchObject({userData: USER_DATA, metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2}, defaultVersion: 1})

    const desired = groupDesired(template.id, launchTemplate.outputs(readTemplate).defaultVersion!, net.subnetIds)
    const group = await autoScalingGroup.waitReady!(ctx, await autoScalingGroup.create(ctx, desired, meta('autoscaling-group/runner')))
    expect(group.inService).toBe(2)
    expect(autoScalingGroup.diff(desired, (await autoScalingGroup.read(ctx, [group.id])).get(group.id)!)).toEqual([])
    // The instances are spread over both subnets, with the group's propagated tags but not our ownership tags.
    const launched = cloud.autoscaling.instancesOf('teststack-runner')
    expect(launched).toHaveLength(2)
    expect(await instance.find(ctx, {stack: 'teststack', wanted: []})).toEqual([])

    // State lost: everything is found by its tags.
    expect((await launchTemplate.find(ctx, {stack: 'teststack', wanted: []})).map((found) => found.logicalId)).toEqual(['launch-template/runner'])
    expect((await autoScalingGroup.find(ctx, {stack: 'teststack', wanted: []})).map((found) => found.logicalId)).toEqual(['autoscaling-group/runner'])
    expect(await autoScalingGroup.find(ctx, {stack: 'otherstack', wanted: []})).toEqual([])

    // ECS publishes a new AMI: the template sees an imageId change, makes version 2 the default.
    cloud.ssm.publishPublicParameter(AMI_PARAMETER, 'ami-0a1b2c3d4e5f69999')
    const newDesired = templateDesired(await currentAmi(), net.groupId)
    const changes = launchTemplate.diff(newDesired, readTemplate)
    expect(changes).toEqual([{field: 'imageId', before: imageId, after: 'ami-0a1b2c3d4e5f69999', replace: false}])
    const updatedTemplate = await launchTemplate.update(ctx, newDesired, readTemplate, changes)
    expect(launchTemplate.outputs(updatedTemplate)).toMatchObject({defaultVersion: '2', latestVersion: '2'})
    expect(launchTemplate.diff(newDesired, (await launchTemplate.read(ctx, [template.id])).get(template.id)!)).toEqual([])

    // The group follows the new version: an instance refresh that never has fewer than 2 in service.
    const rolled = groupDesired(template.id, '2', net.subnetIds)
    const groupChanges = autoScalingGroup.diff(rolled, group)
    expect(groupChanges.map((change) => change.field)).toEqual(['launchTemplate'])
    const inServiceSeen: number[] = []
    const watching = {
      ...ctx,
      progress: (message: string) => {
        ctx.messages.push(message)
        inServiceSeen.push(cloud.autoscaling.instancesOf('teststack-runner').filter((one) => one.state === 'running').length)
      },
    }
    const updated = await autoScalingGroup.update(watching, rolled, group, groupChanges)
    expect(inServiceSeen.length).toBeGreaterThan(0)
    expect(Math.min(...inServiceSeen)).toBeGreaterThanOrEqual(2)
    expect(ctx.messages.some((message) => message.includes('InProgress'))).toBe(true)
    const after = cloud.autoscaling.instancesOf('teststack-runner').filter((one) => one.state === 'running')
    expect(after.map((one) => one.version)).toEqual([2, 2])
    expect(after.map((one) => one.id).some((id) => launched.some((old) => old.id === id))).toBe(false)
    expect(autoScalingGroup.diff(rolled, updated)).toEqual([])

    // Teardown: the group (its instances terminated), the template, then the subnets, group and VPC.
    await autoScalingGroup.delete(ctx, updated, keepData)
    expect(await autoScalingGroup.read(ctx, [group.id])).toEqual(new Map())
    await launchTemplate.delete(ctx, updatedTemplate, keepData)
    await securityGroup.delete(ctx, net.group, keepData)
    for (const made of net.subnets) await subnet.delete(ctx, made, keepData)
    await vpc.delete(ctx, {id: net.vpcId, cidr: '', state: 'available', enableDnsSupport: true, enableDnsHostnames: true}, keepData)
    // All but the seeded instance profile and its role.
    expect(cloud.resourceCount() - cloud.iam.resourceCount()).toBe(0)
  })

  it('is not deleted without ForceDelete while it has instances (AWS: ResourceInUse), which the kind classifies as in-use', async () => {
    const net = await network()
    const template = await launchTemplate.create(ctx, templateDesired(await currentAmi(), net.groupId), meta('launch-template/runner'))
    await autoScalingGroup.create(ctx, groupDesired(template.id, '1', net.subnetIds), meta('autoscaling-group/runner'))
    const {DeleteAutoScalingGroupCommand} = await import('@aws-sdk/client-auto-scaling')
    const client = await ctx.aws.client('autoscaling')
    ctx.clock.advance(60_000)
    const refused = await client.send(new DeleteAutoScalingGroupCommand({AutoScalingGroupName: 'teststack-runner'})).catch((error: unknown) => error)
    expect(autoScalingGroup.classifyError(refused)).toBe('in-use')
  })
})

describe('a single instance (seed 001)', () => {
  function instanceDesired(imageId: string, subnetId: string, groupId: string): InstanceDesired {
    return {
      name: 'teststack-runner',
      imageId,
      instanceType: 't3.medium',
      subnetId,
      securityGroupIds: [groupId],
      instanceProfileArn: PROFILE_ARN,
      userData: USER_DATA,
      metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2},
    }
  }

  it('runs, reads back with no diff, is replaced create-before-delete on a new AMI, and its subnet and group delete once it is terminated', async () => {
    const net = await network()
    const desired = instanceDesired(await currentAmi(), net.subnetIds[0]!, net.groupId)
    const created = await instance.create(ctx, desired, meta('instance/runner'))
    expect(created.state).toBe('pending')
    const running = await instance.waitReady!(ctx, created)
    expect(running.state).toBe('running')
    expect(instance.diff(desired, (await instance.read(ctx, [created.id])).get(created.id)!)).toEqual([])

    // A retried create (same token) is the same instance.
    const again = await instance.create(ctx, desired, {...meta('instance/runner'), token: (token - 1).toString(16).padStart(32, '0')})
    expect(again.id).toBe(created.id)
    expect((await instance.find(ctx, {stack: 'teststack', wanted: []})).map((found) => found.id)).toEqual([created.id])

    // A new AMI: replaced. The new one runs before the old one goes.
    cloud.ssm.publishPublicParameter(AMI_PARAMETER, 'ami-0a1b2c3d4e5f69999')
    const newDesired = instanceDesired(await currentAmi(), net.subnetIds[0]!, net.groupId)
    expect(instance.diff(newDesired, running)).toEqual([{field: 'imageId', before: running.imageId, after: 'ami-0a1b2c3d4e5f69999', replace: true}])
    const replacement = await instance.waitReady!(ctx, await instance.create(ctx, newDesired, meta('instance/runner')))
    expect((await instance.read(ctx, [created.id, replacement.id])).size).toBe(2)
    await instance.delete(ctx, running, keepData)
    expect([...(await instance.read(ctx, [created.id, replacement.id])).keys()]).toEqual([replacement.id])

    // The subnet is held by the running instance's network interface until it is terminated, and the error names it.
    await expect(subnet.delete(ctx, net.subnets[0]!, keepData)).rejects.toThrow(`instance ${replacement.id} (1 in use)`)
    await instance.delete(ctx, replacement, keepData)
    await securityGroup.delete(ctx, net.group, keepData)
    for (const made of net.subnets) await subnet.delete(ctx, made, keepData)
    await vpc.delete(ctx, {id: net.vpcId, cidr: '', state: 'available', enableDnsSupport: true, enableDnsHostnames: true}, keepData)
    // All but the seeded instance profile and its role.
    expect(cloud.resourceCount() - cloud.iam.resourceCount()).toBe(0)
  })

  it('classifies an instance profile EC2 does not see yet as not-yet-visible', async () => {
    const net = await network()
    cloud.env.iamUsable = () => false
    const refused = await instance.create(ctx, instanceDesired(await currentAmi(), net.subnetIds[0]!, net.groupId), meta('instance/runner')).catch((error: unknown) => error)
    expect(instance.classifyError(refused)).toBe('not-yet-visible')
  })
})
