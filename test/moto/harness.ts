import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import * as ec2sdk from '@aws-sdk/client-ec2'
import {ACMClient, DescribeCertificateCommand, ListTagsForCertificateCommand, paginateListCertificates} from '@aws-sdk/client-acm'
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, DeleteHostedZoneCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, Route53Client, type RRType} from '@aws-sdk/client-route-53'
import {GetParametersByPathCommand, SSMClient} from '@aws-sdk/client-ssm'
import {inject} from 'vitest'
import {parse} from 'yaml'
import type {MotoCloud} from './provided.js'

/*
 * Where moto (5.2.2, as ../shared/moto ships it) departs from AWS in what this
 * suite meets, and what the suite does about it. The reconcilers follow AWS's
 * documentation, never moto.
 *
 * - ECS tasks never run: services report running tasks only when moto is
 *   started with MOTO_ECS_SERVICE_RUNNING (that many, for every service, from
 *   CreateService on). test/moto/moto.sh starts it with 1; without it every
 *   service's deployment stays IN_PROGRESS and `up` waits for it until the
 *   service's wait times out.
 * - DescribeCapacityProviders without `capacityProviders` answers 500;
 *   UpdateService with a new task definition starts no deployment (the old
 *   revision's stays PRIMARY); CreateService drops deploymentConfiguration,
 *   healthCheckGracePeriodSeconds, capacityProviderStrategy and
 *   enableExecuteCommand. The ECS kinds work there as they are, in ways
 *   equally valid on AWS (each cites the API reference): capacity providers
 *   are described by name, a service on its revision with no deployment of it
 *   is steady once running = desired, and the service diff compares only
 *   what DescribeServices returned. The rollout check (steps.ts) accepts the
 *   old revision's deployment there.
 * - ListTaskDefinitionFamilies with status ACTIVE lists families with no
 *   ACTIVE revision: the leftover check lists each family's ACTIVE revisions
 *   (containers.ts).
 * - DescribeTags lists the tags of deleted EC2 objects, DescribeNatGateways
 *   ignores tag filters: `leftovers` below checks that each still exists.
 * - Certificates are ISSUED MOTO_ACM_VALIDATION_WAIT seconds after their
 *   request, whatever the records (moto.sh: 5; moto's default, 60, makes an
 *   example with a domain wait a minute more).
 * - moto serves ECS's public AMI parameters (/aws/service/ecs/optimized-ami/…)
 *   and RunInstances takes that AMI: nothing to provide.
 */

export const ROOT = resolve(import.meta.dirname, '..', '..')
const BIN = join(ROOT, 'bin', 'run.js')
const TAG_STACK = 'containrlab:stack'

/** Every example spec, as `examples/<file>`. */
export const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .map((file) => `examples/${file}`)

export function cloud(): MotoCloud {
  return inject('cloud')
}

/**
 * A stack name no other test (or earlier run against the same endpoint) uses:
 * `moto-<example>-<random>`, within the spec's 40 characters.
 */
export function uniqueStack(example: string): string {
  const base = basename(example, '.yaml')
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 24)
  return `moto-${base}-${randomBytes(4).toString('hex')}`
}

let specs: string | undefined

/** The example's domain (`domain.name`), if it has one. */
function domainOf(text: string): string | undefined {
  const domain = (parse(text) as {domain?: {name?: unknown}} | null)?.domain?.name
  return typeof domain === 'string' ? domain : undefined
}

/**
 * A temp copy of the example whose top-level `name:` is `stack` (removed by
 * `removeSpecs`), and whose domain, if it has one, is `<stack>.test`: stacks
 * side by side each have their own host names, as two real stacks would.
 */
export function specFor(example: string, stack: string): {file: string; domain?: string} {
  const text = readFileSync(join(ROOT, example), 'utf8')
  if (!/^name: .*$/m.test(text)) throw new Error(`${example} has no top-level name:`)
  specs ??= mkdtempSync(join(tmpdir(), 'containrlab-moto-'))
  const file = join(specs, `${stack}.yaml`)
  const exampleDomain = domainOf(text)
  const domain = exampleDomain ? `${stack}.test` : undefined
  const named = text.replace(/^name: .*$/m, `name: ${stack}`)
  writeFileSync(file, exampleDomain ? named.replaceAll(exampleDomain, domain!) : named)
  return {file, ...(domain ? {domain} : {})}
}

/** Removes the spec copies this test file wrote (afterAll). */
export function removeSpecs(): void {
  if (specs) rmSync(specs, {recursive: true, force: true})
  specs = undefined
}

/** One resource of a `--json` report: up / plan / teardown (action, status) or status (condition). */
export interface ReportResource {
  id: string
  kind?: string
  physicalId?: string
  action?: string
  status?: string
  condition?: string
  changes?: unknown[]
  error?: string
  reason?: string
}

/** The fields of the `--json` documents (RunReport, StatusReport, or an error) the checks read. */
export interface Report {
  command?: string
  stack?: string
  ok?: boolean
  deployed?: boolean
  changes?: boolean
  summary?: Record<string, number>
  errors?: string[]
  resources?: ReportResource[]
  /** Logical id → outputs (RunReport). */
  outputs?: Record<string, Record<string, string>>
  /** An error document: `{code, message, …}` (src/cli/base-command.ts). */
  error?: unknown
  /** Every document says the exit code it came with. */
  exitCode?: number
}

export interface CliResult {
  args: string[]
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed (every command here runs with --json: one document, nothing else); undefined if it is not JSON. */
  json?: Report
  /** Set when the command was still running after its time and was killed: the time, in ms. */
  killedAfterMs?: number
}

/**
 * Runs the built CLI exactly as a user would: `node bin/run.js <args>`, stdin
 * closed (/dev/null), CI=true, and the cloud's AWS environment (no other AWS_*
 * variable of this process leaks in).
 */
export function cli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !key.startsWith('VITEST')) env[key] = value
  Object.assign(env, cloud().env, {CI: 'true'})
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', fail)
    child.on('close', (code) => {
      clearTimeout(timer)
      let json: Report | undefined
      try {
        json = JSON.parse(stdout) as Report
      } catch {
        json = undefined
      }
      done({args, code, stdout, stderr, json, ...(killed ? {killedAfterMs: timeoutMs} : {})})
    })
  })
}

/**
 * What to print when a command did not do what the test expects: exit code,
 * ok / summary / errors, the resources that are not as `expected` (an
 * action for up / plan / teardown, `ok` for status), and stderr.
 */
export function explain(result: CliResult, expected?: string): string {
  const json = result.json
  const unexpected = (json?.resources ?? [])
    .filter((r) => (r.condition !== undefined ? r.condition !== 'ok' : r.action !== expected || (r.status !== 'done' && r.status !== 'planned')))
    .map((r) => ({id: r.id, physicalId: r.physicalId, action: r.action, status: r.status, condition: r.condition, changes: r.changes, error: r.error, reason: r.reason}))
  const brief = json ? JSON.stringify({ok: json.ok, summary: json.summary, errors: json.errors, error: json.error, exitCode: json.exitCode, unexpected}, null, 2) : `stdout: ${result.stdout.slice(0, 4000)}`
  // With --json nothing shows progress: a wait that never ends (a service deployment on a moto without
  // MOTO_ECS_SERVICE_RUNNING, whose tasks never run) shows only as this kill.
  const killed = result.killedAfterMs
    ? `\nstill running after ${result.killedAfterMs / 1000} s, killed (against moto: was it started with MOTO_ECS_SERVICE_RUNNING=1, as test/moto/moto.sh does? Without it ECS deployments never complete)`
    : ''
  return `containrlab ${result.args.join(' ')} → exit ${result.code}${killed}\n${brief}\n--- stderr ---\n${result.stderr.trim() ? result.stderr.slice(-4000) : '(empty)'}\n---`
}

let clients: {ec2: ec2sdk.EC2Client; ssm: SSMClient; elbv2: ElasticLoadBalancingV2Client; acm: ACMClient; route53: Route53Client} | undefined

/** The configuration of the harness's own SDK clients: the cloud's endpoint, region and credentials. */
export function clientConfig() {
  const {endpoint, region, env} = cloud()
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? {accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN} : undefined
  return {endpoint, region, ...(credentials ? {credentials} : {})}
}

function aws() {
  if (!clients) {
    const config = clientConfig()
    clients = {ec2: new ec2sdk.EC2Client(config), ssm: new SSMClient(config), elbv2: new ElasticLoadBalancingV2Client(config), acm: new ACMClient(config), route53: new Route53Client(config)}
  }
  return clients
}

/**
 * The domain's public hosted zone, made as its owner would before the
 * stack's first `up` (the examples do not say createZone): the test's own,
 * deleted by `deleteZone` once the stack is gone.
 */
export async function createZone(domain: string): Promise<string> {
  const {route53} = aws()
  const made = await route53.send(new CreateHostedZoneCommand({Name: domain, CallerReference: `containrlab-moto-${randomBytes(6).toString('hex')}`}))
  return made.HostedZone!.Id!.replace(/^\/hostedzone\//, '')
}

/** The zone's record sets other than its own SOA and NS. */
export async function zoneRecords(zoneId: string): Promise<ResourceRecordSet[]> {
  const {route53} = aws()
  const sets: ResourceRecordSet[] = []
  let start: {StartRecordName?: string; StartRecordType?: RRType} = {}
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({HostedZoneId: zoneId, ...start}))
    sets.push(...(page.ResourceRecordSets ?? []))
    if (!page.IsTruncated) break
    start = {StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType}
  }
  const apex = sets.find((set) => set.Type === 'SOA')?.Name
  return sets.filter((set) => !(set.Name === apex && (set.Type === 'SOA' || set.Type === 'NS')))
}

/** Deletes the test's zone, with whatever records are left in it (a failed test's). */
export async function deleteZone(zoneId: string): Promise<void> {
  const {route53} = aws()
  const left = await zoneRecords(zoneId)
  if (left.length > 0) await route53.send(new ChangeResourceRecordSetsCommand({HostedZoneId: zoneId, ChangeBatch: {Changes: left.map((set) => ({Action: 'DELETE', ResourceRecordSet: set}))}}))
  await route53.send(new DeleteHostedZoneCommand({Id: zoneId}))
}

/** Load balancers, target groups and certificates tagged `containrlab:stack=<stack>`, and the records left in its zone. */
export async function frontDoorLeftovers(stack: string, zoneId?: string): Promise<Leftover[]> {
  const {elbv2, acm} = aws()
  const left: Leftover[] = []
  const tagged = async (type: string, arns: string[]) => {
    // DescribeTags takes at most 20 ARNs.
    for (let i = 0; i < arns.length; i += 20) {
      const {TagDescriptions} = await elbv2.send(new DescribeTagsCommand({ResourceArns: arns.slice(i, i + 20)}))
      for (const description of TagDescriptions ?? []) if (description.Tags?.some((tag) => tag.Key === TAG_STACK && tag.Value === stack)) left.push({type, id: description.ResourceArn!})
    }
  }
  const balancers: string[] = []
  for await (const page of paginateDescribeLoadBalancers({client: elbv2}, {})) balancers.push(...(page.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn!))
  await tagged('loadbalancer', balancers)
  const groups: string[] = []
  for await (const page of paginateDescribeTargetGroups({client: elbv2}, {})) groups.push(...(page.TargetGroups ?? []).map((group) => group.TargetGroupArn!))
  await tagged('targetgroup', groups)
  // ListCertificates lists RSA 2048 keys only unless asked for the others.
  const keyTypes = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1'] as const
  for await (const page of paginateListCertificates({client: acm}, {Includes: {keyTypes: [...keyTypes]}})) {
    for (const certificate of page.CertificateSummaryList ?? []) {
      const {Tags} = await acm.send(new ListTagsForCertificateCommand({CertificateArn: certificate.CertificateArn}))
      if (Tags?.some((tag) => tag.Key === TAG_STACK && tag.Value === stack)) left.push({type: 'certificate', id: certificate.CertificateArn!, state: certificate.Status})
    }
  }
  if (zoneId) for (const set of await zoneRecords(zoneId)) left.push({type: `record ${set.Type}`, id: set.Name!})
  return left
}

/** A resource that still exists: its EC2 resource type and id. */
export interface Leftover {
  type: string
  id: string
  state?: string
}

/**
 * Whether an EC2 object still exists, by a describe filtered on its id (a
 * filter returns nothing for a deleted id, where the id list would throw
 * NotFound). NAT gateways and VPC endpoints stay visible a while as `deleted`:
 * that counts as gone. An id of a type not known here counts as existing.
 */
async function stillThere(id: string): Promise<string | undefined | false> {
  if (id.startsWith('arn:')) return arnStillThere(id)
  const {ec2} = aws()
  const prefix = id.slice(0, id.lastIndexOf('-'))
  const byId = (name: string) => [{Name: name, Values: [id]}]
  switch (prefix) {
    case 'vpc':
      return (await ec2.send(new ec2sdk.DescribeVpcsCommand({Filters: byId('vpc-id')}))).Vpcs?.[0]?.State ?? false
    case 'subnet':
      return (await ec2.send(new ec2sdk.DescribeSubnetsCommand({Filters: byId('subnet-id')}))).Subnets?.[0]?.State ?? false
    case 'sg':
      return (await ec2.send(new ec2sdk.DescribeSecurityGroupsCommand({Filters: byId('group-id')}))).SecurityGroups?.length ? 'exists' : false
    case 'sgr':
      return (await ec2.send(new ec2sdk.DescribeSecurityGroupRulesCommand({Filters: byId('security-group-rule-id')}))).SecurityGroupRules?.length ? 'exists' : false
    case 'rtb':
      return (await ec2.send(new ec2sdk.DescribeRouteTablesCommand({Filters: byId('route-table-id')}))).RouteTables?.length ? 'exists' : false
    case 'igw':
      return (await ec2.send(new ec2sdk.DescribeInternetGatewaysCommand({Filters: byId('internet-gateway-id')}))).InternetGateways?.length ? 'exists' : false
    case 'eipalloc':
      return (await ec2.send(new ec2sdk.DescribeAddressesCommand({Filters: byId('allocation-id')}))).Addresses?.length ? 'exists' : false
    case 'nat': {
      const state = (await ec2.send(new ec2sdk.DescribeNatGatewaysCommand({Filter: byId('nat-gateway-id')}))).NatGateways?.find((gateway) => gateway.NatGatewayId === id)?.State
      return state && state !== 'deleted' ? state : false
    }
    case 'lt':
      return (await ec2.send(new ec2sdk.DescribeLaunchTemplatesCommand({Filters: byId('launch-template-id')}))).LaunchTemplates?.length ? 'exists' : false
    case 'i': {
      // Terminated instances stay visible for about an hour (EC2 User Guide, "Terminate Amazon EC2 instances"): that counts as gone.
      const state = (await ec2.send(new ec2sdk.DescribeInstancesCommand({Filters: byId('instance-id')}))).Reservations?.[0]?.Instances?.[0]?.State?.Name
      return state && state !== 'terminated' ? state : false
    }
    case 'vpce': {
      const state = (await ec2.send(new ec2sdk.DescribeVpcEndpointsCommand({Filters: byId('vpc-endpoint-id')}))).VpcEndpoints?.[0]?.State
      return state && state.toLowerCase() !== 'deleted' ? state : false
    }
    default:
      return undefined
  }
}

/** Whether a load balancer, target group, listener or certificate still exists (undefined: another kind of ARN). */
async function arnStillThere(arn: string): Promise<string | undefined | false> {
  const {elbv2, acm} = aws()
  const gone = (error: unknown) => /NotFound/.test((error as Error).name)
  try {
    if (arn.includes(':loadbalancer/')) return (await elbv2.send(new DescribeLoadBalancersCommand({LoadBalancerArns: [arn]}))).LoadBalancers?.[0]?.State?.Code ?? false
    if (arn.includes(':targetgroup/')) return (await elbv2.send(new DescribeTargetGroupsCommand({TargetGroupArns: [arn]}))).TargetGroups?.length ? 'exists' : false
    if (arn.includes(':listener/')) return (await elbv2.send(new DescribeListenersCommand({ListenerArns: [arn]}))).Listeners?.length ? 'exists' : false
    if (arn.startsWith('arn:aws:acm:')) return (await acm.send(new DescribeCertificateCommand({CertificateArn: arn}))).Certificate?.Status ?? false
  } catch (error) {
    if (gone(error)) return false
    throw error
  }
  return undefined
}

/**
 * Every EC2 object tagged `containrlab:stack=<stack>` that still exists.
 *
 * DescribeTags (key `containrlab:stack`, value the stack) lists the candidates.
 * moto disagrees with AWS here: it keeps the tags of a deleted resource for
 * good (its TagBackend is never cleaned on delete), so DescribeTags still
 * lists every object the stack ever had. AWS documents DescribeTags as
 * describing the tags of your EC2 resources, and that deleting a resource
 * deletes its tags (EC2 User Guide, "Tag your Amazon EC2 resources").
 * Following AWS, a candidate counts only if a describe still finds it: on AWS
 * that changes nothing, on moto it ignores the stale tags. NAT gateways are
 * also listed with DescribeNatGateways (unfiltered, tags checked here:
 * moto ignores its tag filters), `deleted` ones left out (AWS, like moto,
 * keeps them visible for about an hour).
 */
export async function leftovers(stack: string): Promise<Leftover[]> {
  const {ec2} = aws()
  const candidates = new Map<string, string>()
  for await (const page of ec2sdk.paginateDescribeTags(
    {client: ec2},
    {
      Filters: [
        {Name: 'key', Values: [TAG_STACK]},
        {Name: 'value', Values: [stack]},
      ],
    },
  )) {
    for (const tag of page.Tags ?? []) if (tag.Key === TAG_STACK && tag.Value === stack && tag.ResourceId) candidates.set(tag.ResourceId, tag.ResourceType ?? '?')
  }
  const left: Leftover[] = []
  for (const [id, type] of candidates) {
    const state = await stillThere(id)
    if (state === undefined) left.push({type, id, state: 'unknown type: cannot tell whether it still exists'})
    else if (state !== false) left.push({type, id, state})
  }
  for await (const page of ec2sdk.paginateDescribeNatGateways({client: ec2}, {})) {
    for (const gateway of page.NatGateways ?? []) {
      const owned = gateway.Tags?.some((tag) => tag.Key === TAG_STACK && tag.Value === stack)
      if (owned && gateway.State !== 'deleted' && !candidates.has(gateway.NatGatewayId!)) left.push({type: 'natgateway', id: gateway.NatGatewayId!, state: gateway.State})
    }
  }
  return left
}

/** Whether each of these EC2 ids still exists (undefined: a type this helper cannot check). */
export async function existing(ids: string[]): Promise<Record<string, string | false | undefined>> {
  const out: Record<string, string | false | undefined> = {}
  for (const id of ids) out[id] = await stillThere(id)
  return out
}

/** The names of the stack's SSM parameters (state, chunks, lock): `/containrlab/<stack>/`, recursive. */
export async function stateParameters(stack: string): Promise<string[]> {
  const {ssm} = aws()
  const names: string[] = []
  let NextToken: string | undefined
  do {
    const page = await ssm.send(new GetParametersByPathCommand({Path: `/containrlab/${stack}/`, Recursive: true, NextToken}))
    names.push(...(page.Parameters ?? []).map((parameter) => parameter.Name!))
    NextToken = page.NextToken
  } while (NextToken)
  return names
}
