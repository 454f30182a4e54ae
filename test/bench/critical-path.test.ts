import {describe, expect, it} from 'vitest'
import {noopReadBudget} from '../../bench/budget.js'
import {criticalPathMs} from '../../bench/critical-path.js'
import {LATENCY_MS, TRANSITION_MS, transitionAfterMs} from '../../bench/model.js'
import {ref, type ResourceNode} from '../../src/graph/types.js'
import type {CallRecord} from '../fake-cloud/core.js'

/** The benchmark's model of the containers: their waits, IAM's propagation on the critical path, their no-op reads. */

const call = (node: string, service: string, operation: string, fields: Partial<CallRecord> = {}): CallRecord => ({
  service,
  operation,
  node,
  mutating: !/^(Describe|Get|List)/.test(operation),
  input: {},
  at: 0,
  latencyMs: 1,
  ...fields,
})

describe('transitions', () => {
  it('a load-balanced deployment waits for the health checks too, and its deletion for the deregistration delay', () => {
    const started = TRANSITION_MS.taskProvisioning + TRANSITION_MS.taskPending
    expect(transitionAfterMs('CreateService', {loadBalancers: [{targetGroupArn: 'arn'}]})).toBe(started + TRANSITION_MS.targetHealthy)
    expect(transitionAfterMs('CreateService', {})).toBe(started)
    // DeleteService's input names the service only: the node says whether it is load-balanced.
    expect(transitionAfterMs('DeleteService', {service: 'api'}, {loadBalancers: [{targetGroupArn: ref('target-group/api', 'arn')}]})).toBe(TRANSITION_MS.targetDeregistrationDelay + TRANSITION_MS.taskStopping)
    expect(transitionAfterMs('DeleteService', {service: 'runner'}, {loadBalancers: []})).toBe(TRANSITION_MS.taskStopping)
    expect(transitionAfterMs('UpdateService', {desiredCount: 0}, {loadBalancers: []})).toBe(TRANSITION_MS.taskStopping)
    expect(transitionAfterMs('UpdateService', {desiredCount: 2}, {loadBalancers: []})).toBe(0)
  })
})

describe('critical path', () => {
  const nodes: ResourceNode[] = [
    {id: 'instance-profile/instance', kind: 'iam.instance-profile', desired: {}},
    {id: 'instance/runner', kind: 'ec2.instance', desired: {profile: ref('instance-profile/instance', 'arn')}},
  ]
  const profileCalls = [call('instance-profile/instance', 'iam', 'CreateInstanceProfile', {latencyMs: 7}), call('instance-profile/instance', 'iam', 'AddRoleToInstanceProfile', {latencyMs: 7})]
  const run = (error?: string) => [
    call('instance/runner', 'ec2', 'RunInstances', {latencyMs: 10, error}),
    call('instance/runner', 'ec2', 'RunInstances', {latencyMs: 10}),
    call('instance/runner', 'ec2', 'DescribeInstances', {latencyMs: 2}),
  ]
  const scale = 0.01
  const instance = 10 + (TRANSITION_MS.instanceRunning + LATENCY_MS.read) * scale

  it('starts a node EC2 refused until IAM propagated no earlier than its IAM dependency plus the propagation, without the refused attempts', () => {
    const path = criticalPathMs(nodes, [...profileCalls, ...run('InvalidParameterValue')], scale, 'up', new Set())

    expect(path.totalMs).toBeCloseTo(14 + TRANSITION_MS.iamPropagation * scale + instance)
    expect(path.chain).toEqual(['instance-profile/instance', 'instance/runner'])
  })

  it('adds no propagation where nothing was refused (a profile made long ago)', () => {
    const path = criticalPathMs(nodes, [...profileCalls, ...run()], scale, 'up', new Set())

    expect(path.totalMs).toBeCloseTo(14 + 10 + instance)
  })
})

describe('no-op read budget', () => {
  it('counts services per cluster, inline policies per role and the containers’ one-at-a-time reads', () => {
    const nodes: ResourceNode[] = [
      {id: 'service/api', kind: 'ecs.service', desired: {clusterArn: ref('cluster/cluster', 'arn')}},
      {id: 'service/web', kind: 'ecs.service', desired: {clusterArn: ref('cluster/cluster', 'arn')}},
      {id: 'service/runner', kind: 'ecs.service', desired: {clusterArn: ref('cluster/runner', 'arn')}},
      {id: 'role/execution', kind: 'iam.role', desired: {inlinePolicies: {pull: {}, logs: {}}}},
      {id: 'role/task', kind: 'iam.role', desired: {inlinePolicies: {}}},
      {id: 'repository/api', kind: 'ecr.repository', desired: {}},
      {id: 'log-group/api', kind: 'logs.log-group', desired: {}},
      {id: 'cluster/cluster', kind: 'ecs.cluster', desired: {}},
    ]

    const budget = noopReadBudget(nodes, 0)

    // services 2 (one DescribeServices per cluster) + roles 3×2+2 + repository 1+3 + log group 2 + the cluster's batched describe 1
    // + state 3 (two pages of the listing: the old serials not collected yet are in it; the lock check).
    expect(budget.total).toBe(2 + 8 + 4 + 2 + 1 + 3)
    expect(budget.terms).toContain('ecs.service ×3: 2 (DescribeServices per cluster, 10 services a call)')
  })
})
