import {AutoScalingClient, paginateDescribeAutoScalingGroups} from '@aws-sdk/client-auto-scaling'
import {CloudWatchLogsClient, paginateDescribeLogGroups} from '@aws-sdk/client-cloudwatch-logs'
import * as ec2sdk from '@aws-sdk/client-ec2'
import {ECRClient, paginateDescribeRepositories} from '@aws-sdk/client-ecr'
import {DescribeClustersCommand, DescribeServicesCommand, ECSClient, paginateListClusters, paginateListServices, paginateListTaskDefinitionFamilies, paginateListTaskDefinitions} from '@aws-sdk/client-ecs'
import {IAMClient, paginateListInstanceProfiles, paginateListRoles} from '@aws-sdk/client-iam'
import {clientConfig, type Leftover} from './harness.js'

const TAG_STACK = 'containrlab:stack'

let clients: {ecs: ECSClient; ecr: ECRClient; logs: CloudWatchLogsClient; iam: IAMClient; autoscaling: AutoScalingClient; ec2: ec2sdk.EC2Client} | undefined

function aws() {
  if (!clients) {
    const config = clientConfig()
    clients = {ecs: new ECSClient(config), ecr: new ECRClient(config), logs: new CloudWatchLogsClient(config), iam: new IAMClient(config), autoscaling: new AutoScalingClient(config), ec2: new ec2sdk.EC2Client(config)}
  }
  return clients
}

async function all<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined): Promise<Item[]> {
  const out: Item[] = []
  for await (const page of pages) out.push(...(items(page) ?? []))
  return out
}

/** In tens: DescribeClusters and DescribeServices take at most 10 names. */
function tens<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += 10) out.push(items.slice(i, i + 10))
  return out
}

/**
 * The stack's container objects that still exist. Every name the stack gives
 * starts with `<stack>-` (log groups: `/ecs/<stack>-`), and stack names here
 * are unique (`uniqueStack`), so the name says whose an object is; IAM is
 * global: only the stack's roles and instance profiles count.
 *
 * - ECS clusters and services that are ACTIVE (deleted ones stay visible as
 *   INACTIVE for a while, on AWS as on moto), and ACTIVE task definition
 *   revisions of the stack's families. moto departs from AWS here:
 *   ListTaskDefinitionFamilies with status ACTIVE lists families whose every
 *   revision is deregistered (AWS: "only task definition families that have an
 *   ACTIVE task definition revision are returned",
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitionFamilies.html),
 *   so each family's ACTIVE revisions are listed and counted.
 * - ECR repositories, CloudWatch log groups, IAM roles and instance profiles.
 * - Auto Scaling groups tagged with the stack, and its EC2 instances that are
 *   not terminated (launch templates are EC2 objects tagged with the stack:
 *   `leftovers` in harness.ts finds them).
 */
export async function containerLeftovers(stack: string): Promise<Leftover[]> {
  const {ecs, ecr, logs, iam, autoscaling, ec2} = aws()
  const prefix = `${stack}-`
  const left: Leftover[] = []

  const clusterArns = (await all(paginateListClusters({client: ecs}, {}), (page) => page.clusterArns)).filter((arn) => arn.split('/').pop()!.startsWith(prefix))
  for (const batch of tens(clusterArns)) {
    const {clusters} = await ecs.send(new DescribeClustersCommand({clusters: batch}))
    for (const cluster of clusters ?? []) {
      if (cluster.status === 'ACTIVE') left.push({type: 'ecs cluster', id: cluster.clusterArn!, state: cluster.status})
      if (cluster.status === 'INACTIVE') continue
      const serviceArns = await all(paginateListServices({client: ecs}, {cluster: cluster.clusterArn}), (page) => page.serviceArns)
      for (const names of tens(serviceArns)) {
        const {services} = await ecs.send(new DescribeServicesCommand({cluster: cluster.clusterArn, services: names}))
        for (const service of services ?? []) if (service.status === 'ACTIVE' && service.serviceName?.startsWith(prefix)) left.push({type: 'ecs service', id: service.serviceArn!, state: service.status})
      }
    }
  }
  const families = await all(paginateListTaskDefinitionFamilies({client: ecs}, {familyPrefix: prefix, status: 'ACTIVE'}), (page) => page.families)
  for (const family of families.filter((name) => name.startsWith(prefix))) {
    const revisions = await all(paginateListTaskDefinitions({client: ecs}, {familyPrefix: family, status: 'ACTIVE'}), (page) => page.taskDefinitionArns)
    for (const arn of revisions) left.push({type: 'ecs task definition', id: arn, state: 'ACTIVE'})
  }

  for (const repository of await all(paginateDescribeRepositories({client: ecr}, {}), (page) => page.repositories)) {
    if (repository.repositoryName?.startsWith(prefix)) left.push({type: 'ecr repository', id: repository.repositoryName})
  }
  for (const group of await all(paginateDescribeLogGroups({client: logs}, {logGroupNamePrefix: `/ecs/${prefix}`}), (page) => page.logGroups)) {
    left.push({type: 'log group', id: group.logGroupName!})
  }
  for (const role of await all(paginateListRoles({client: iam}, {}), (page) => page.Roles)) if (role.RoleName?.startsWith(prefix)) left.push({type: 'iam role', id: role.RoleName})
  for (const profile of await all(paginateListInstanceProfiles({client: iam}, {}), (page) => page.InstanceProfiles)) {
    if (profile.InstanceProfileName?.startsWith(prefix)) left.push({type: 'iam instance profile', id: profile.InstanceProfileName})
  }

  for (const group of await all(paginateDescribeAutoScalingGroups({client: autoscaling}, {Filters: [{Name: `tag:${TAG_STACK}`, Values: [stack]}]}), (page) => page.AutoScalingGroups)) {
    if (group.Tags?.some((tag) => tag.Key === TAG_STACK && tag.Value === stack)) left.push({type: 'auto scaling group', id: group.AutoScalingGroupName!, ...(group.Status ? {state: group.Status} : {})})
  }
  const instances = await all(
    ec2sdk.paginateDescribeInstances(
      {client: ec2},
      {
        Filters: [
          {Name: `tag:${TAG_STACK}`, Values: [stack]},
          {Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped']},
        ],
      },
    ),
    (page) => page.Reservations,
  )
  for (const instance of instances.flatMap((reservation) => reservation.Instances ?? [])) {
    if (instance.Tags?.some((tag) => tag.Key === TAG_STACK && tag.Value === stack)) left.push({type: 'ec2 instance', id: instance.InstanceId!, state: instance.State?.Name})
  }
  return left
}

/** What ECS says of a service (by ARN): the revision it runs, its deployments, running and desired counts. */
export async function serviceNow(serviceArn: string): Promise<{taskDefinition?: string; deployments: {status?: string; taskDefinition?: string; rolloutState?: string}[]; running?: number; desired?: number}> {
  const {ecs} = aws()
  // arn:aws:ecs:<region>:<account>:service/<cluster>/<service>
  const [, cluster, name] = serviceArn.split(':').pop()!.split('/')
  const {services} = await ecs.send(new DescribeServicesCommand({cluster, services: [name!]}))
  const service = services?.[0]
  return {
    taskDefinition: service?.taskDefinition,
    deployments: (service?.deployments ?? []).map((deployment) => ({status: deployment.status, taskDefinition: deployment.taskDefinition, rolloutState: deployment.rolloutState})),
    running: service?.runningCount,
    desired: service?.desiredCount,
  }
}
