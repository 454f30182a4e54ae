import {readFileSync, writeFileSync} from 'node:fs'
import {expect} from 'vitest'
import {parse} from 'yaml'
import {containerLeftovers, serviceNow} from './containers.js'
import {cli, createZone, deleteZone, explain, frontDoorLeftovers, leftovers, specFor, stateParameters, uniqueStack, type CliResult, type Report, type ReportResource} from './harness.js'

/** Hard checks stop the test at the first failure; soft ones (expect.soft) record it and go on. */
export interface Checks {
  soft?: boolean
}

const checker = (checks: Checks = {}) => (checks.soft ? expect.soft : expect)

const ACTIONS = ['create', 'update', 'replace', 'delete', 'noop'] as const

/** `summary` with every action but `action` at zero, and `action` at `count`. */
function only(action: (typeof ACTIONS)[number], count: number): Record<string, number> {
  return Object.fromEntries(ACTIONS.map((name) => [name, name === action ? count : 0]))
}

/** The parts of a run report the checks compare, with the exit code. */
function outcome(run: CliResult) {
  return {exitCode: run.code, command: run.json?.command, stack: run.json?.stack, ok: run.json?.ok, errors: run.json?.errors, summary: run.json?.summary}
}

export interface Deployed {
  example: string
  stack: string
  file: string
  /** The test's hosted zone for the stack's domain (`<stack>.test`), when the example has a domain. */
  zoneId?: string
  /** The `up --json` document. */
  up: Report & {resources: ReportResource[]}
  /** logical id → AWS id, from `up`. */
  physicalIds: Record<string, string>
}

/**
 * Used, never made: the domain's hosted zone (the spec does not say
 * createZone), and the public SSM parameter naming ECS's optimised AMI (moto
 * serves `/aws/service/ecs/optimized-ami/…` for its regions, as AWS does).
 */
const FOUND_KINDS = new Set(['route53.hosted-zone', 'ec2.ami'])

/** EC2 ids, ARNs, hosted zone ids (AWS's start with Z, moto's need not) and `<zone id>/<name>` record ids. */
const AWS_ID = /^([a-z]+-[0-9a-f]+|arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d{12}:\S+|[A-Z0-9]{1,32}(\/\S+)?)$/

/**
 * Kinds whose AWS id is a name, each name of AWS's form for it: the stack's
 * own (`<stack>` in it; the AMI's is ECS's public parameter).
 */
const NAME_IDS: Record<string, (id: string, stack: string) => boolean> = {
  // "The repository name must start with a letter and can only contain lowercase letters, numbers, hyphens, underscores, periods and forward slashes." (API_CreateRepository)
  'ecr.repository': (id, stack) => /^[a-z][a-z0-9._/-]{1,255}$/.test(id) && id.includes(stack),
  // "[\.\-_/#A-Za-z0-9]+" (API_CreateLogGroup)
  'logs.log-group': (id, stack) => /^[.\-_/#A-Za-z0-9]{1,512}$/.test(id) && id.includes(stack),
  // "[\w+=,.@-]+" (API_CreateRole, API_CreateInstanceProfile)
  'iam.role': (id, stack) => /^[\w+=,.@-]{1,64}$/.test(id) && id.includes(stack),
  'iam.instance-profile': (id, stack) => /^[\w+=,.@-]{1,128}$/.test(id) && id.includes(stack),
  // "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed." (API_RegisterTaskDefinition, family)
  'ecs.task-definition': (id, stack) => /^[A-Za-z0-9_-]{1,255}$/.test(id) && id.includes(stack),
  'ec2.ami': (id) => id.startsWith('/aws/service/ecs/optimized-ami/'),
}

/** Whether `id` is an AWS id of the resource's kind. */
function isAwsId(resource: ReportResource, stack: string): boolean {
  const id = String(resource.physicalId ?? '')
  const named = NAME_IDS[resource.kind ?? '']
  return named ? named(id, stack) : AWS_ID.test(id)
}

/**
 * `up -f <file> --yes --json` from nothing: exit 0, ok, no errors, every
 * resource created but the hosted zone, found (the test makes it first).
 */
export async function up(example: string, checks?: Checks): Promise<Deployed> {
  const expect = checker(checks)
  const stack = uniqueStack(example)
  const {file, domain} = specFor(example, stack)
  const zoneId = domain ? await createZone(domain) : undefined
  const run = await cli(['up', '-f', file, '--yes', '--json'])
  const report = run.json
  if (!report?.resources?.length) {
    if (zoneId) await deleteZone(zoneId)
    throw new Error(`up printed no report with resources\n${explain(run)}`)
  }
  const found = report.resources.filter((r) => FOUND_KINDS.has(r.kind ?? '')).length
  expect(outcome(run), explain(run, 'create')).toEqual({exitCode: 0, command: 'up', stack, ok: true, errors: [], summary: {...only('create', report.resources.length - found), noop: found}})
  const physicalIds: Record<string, string> = {}
  for (const resource of report.resources) physicalIds[resource.id] = resource.physicalId ?? ''
  expect(
    report.resources.filter((resource) => !isAwsId(resource, stack)).map((resource) => [resource.id, resource.physicalId]),
    'resources up reports without an AWS id',
  ).toEqual([])
  return {example, stack, file, ...(zoneId ? {zoneId} : {}), up: {...report, resources: report.resources}, physicalIds}
}

/**
 * A second `up -f <file> --yes --json` with nothing changed: exit 0, ok, every
 * resource a no-op (nothing created, updated or replaced: no spurious task
 * definition revision, no service update).
 */
export async function upAgainChangesNothing(stack: Deployed, checks?: Checks): Promise<CliResult> {
  const run = await cli(['up', '-f', stack.file, '--yes', '--json'])
  checker(checks)(outcome(run), explain(run, 'noop')).toEqual({exitCode: 0, command: 'up', stack: stack.stack, ok: true, errors: [], summary: only('noop', stack.up.resources.length)})
  return run
}

interface SpecService {
  name: string
  image: string
  imageSource?: string
}

function servicesOf(text: string): SpecService[] {
  return (parse(text) as {services?: SpecService[]} | null)?.services ?? []
}

/**
 * The service's revision now, as ECS reports it: the service on `revision`,
 * running = desired, in one completed deployment: on AWS the new revision's;
 * moto 5.2.2's UpdateService starts none, so there it is still the `before`
 * revision's (harness.ts).
 */
async function expectRunsOn(expect: ReturnType<typeof checker>, stack: Deployed, service: string, before: string | undefined, revision: string | undefined): Promise<void> {
  const now = await serviceNow(stack.physicalIds[`service/${service}`]!)
  const deployment = {status: 'PRIMARY', taskDefinition: before !== undefined && now.deployments[0]?.taskDefinition === before ? before : revision, rolloutState: 'COMPLETED'}
  expect(now, `service/${service} on ${revision}`).toEqual({taskDefinition: revision, deployments: [deployment], running: now.desired, desired: now.desired})
}

/**
 * A rollout (issue 10: an image change rolls the service): the image of the
 * first service that follows its spec (not `imageSource: deploy`) gets another
 * tag in the spec, and `up` registers a new revision of its task definition
 * and moves the service onto it, changing nothing else; ECS then runs the
 * service on that revision. An example without such a service has nothing to
 * roll: undefined.
 */
export async function rollout(stack: Deployed, checks?: Checks): Promise<CliResult | undefined> {
  const expect = checker(checks)
  const text = readFileSync(stack.file, 'utf8')
  const service = servicesOf(text).find((candidate) => candidate.imageSource !== 'deploy')
  if (!service) return undefined
  // `repo:tag` or a full URI: the tag is what follows the last colon after the last slash.
  const bare = service.image.replace(/:[^:/]*$/, '')
  const image = `${bare}:moto-rollout`
  const line = new RegExp(`^(\\s*image: )${service.image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm')
  if (!line.test(text)) throw new Error(`${stack.file}: no line \`image: ${service.image}\``)
  writeFileSync(stack.file, text.replace(line, `$1${image}`))
  const run = await cli(['up', '-f', stack.file, '--yes', '--json'])
  const changed = (run.json?.resources ?? []).filter((r) => r.action !== 'noop').map((r) => `${r.id} ${r.action} ${r.status}`)
  expect({...outcome(run), changed: changed.sort()}, explain(run, 'noop')).toEqual({
    exitCode: 0,
    command: 'up',
    stack: stack.stack,
    ok: true,
    errors: [],
    summary: {...only('noop', stack.up.resources.length - 2), update: 2},
    changed: [`service/${service.name} update done`, `task-definition/${service.name} update done`],
  })
  const before = stack.up.outputs?.[`task-definition/${service.name}`]?.arn
  const revision = run.json?.outputs?.[`task-definition/${service.name}`]?.arn
  expect(revision, `a new revision of task-definition/${service.name}`).not.toEqual(before)
  await expectRunsOn(expect, stack, service.name, before, revision)
  return run
}

/**
 * `containrlab deploy` (issue 10): the first service with `imageSource:
 * deploy` is rolled to another tag of its image, a new revision of its task
 * definition, and ECS runs it; the next `up` keeps that image (the caller
 * checks it changes nothing). An example without such a service: undefined.
 */
export async function deployImage(stack: Deployed, checks?: Checks): Promise<CliResult | undefined> {
  const expect = checker(checks)
  const service = servicesOf(readFileSync(stack.file, 'utf8')).find((candidate) => candidate.imageSource === 'deploy')
  if (!service) return undefined
  const run = await cli(['deploy', service.name, '--image', 'moto-deploy', '-f', stack.file, '--json'])
  const json = run.json as (Report & {service?: string; taskDefinition?: {before?: string; after?: string}}) | undefined
  expect({exitCode: run.code, command: json?.command, service: json?.service, ok: json?.ok, errors: json?.errors}, explain(run)).toEqual({exitCode: 0, command: 'deploy', service: service.name, ok: true, errors: []})
  const {before, after} = json?.taskDefinition ?? {}
  expect(after, `a new revision of task-definition/${service.name}`).not.toEqual(before)
  await expectRunsOn(expect, stack, service.name, before, after)
  return run
}

/** The kinds `containerLeftovers` looks for, each with the id it names an object by (a task definition: its revision's ARN). */
const CONTAINER_KINDS: Record<string, (resource: ReportResource, stack: Deployed) => string | undefined> = {
  'ecs.cluster': (r) => r.physicalId,
  'ecs.service': (r) => r.physicalId,
  'ecs.task-definition': (r, stack) => stack.up.outputs?.[r.id]?.arn,
  'ecr.repository': (r) => r.physicalId,
  'logs.log-group': (r) => r.physicalId,
  'iam.role': (r) => r.physicalId,
  'iam.instance-profile': (r) => r.physicalId,
  'autoscaling.group': (r) => r.physicalId,
  'ec2.instance': (r) => r.physicalId,
}

/**
 * Before teardown: the leftover checks of the containers see every container
 * object `up` made (so that their finding nothing after teardown means
 * something).
 */
export async function containersAreSeen(stack: Deployed, checks?: Checks): Promise<void> {
  const made = stack.up.resources.filter((r) => CONTAINER_KINDS[r.kind ?? '']).map((r) => `${r.kind} ${CONTAINER_KINDS[r.kind!]!(r, stack)}`)
  const seen = new Set((await containerLeftovers(stack.stack)).map((left) => left.id))
  checker(checks)(
    made.filter((object) => !seen.has(object.split(' ')[1]!)),
    `${stack.stack}: container objects up made that the leftover checks do not see`,
  ).toEqual([])
}

/** `plan -f <file> --detailed-exitcode --json` after `up`: exit 0 (no changes), ok, every resource a no-op. */
export async function planIsEmpty(stack: Deployed, checks?: Checks): Promise<CliResult> {
  const run = await cli(['plan', '-f', stack.file, '--detailed-exitcode', '--json'])
  checker(checks)({...outcome(run), changes: run.json?.changes}, explain(run, 'noop')).toEqual({
    exitCode: 0,
    command: 'plan',
    stack: stack.stack,
    ok: true,
    errors: [],
    summary: only('noop', stack.up.resources.length),
    changes: false,
  })
  return run
}

/** `status -f <file> --json`: exit 0, deployed, the very resources `up` made, each ok (or pending: not ready yet). */
export async function statusIsOk(stack: Deployed, checks?: Checks): Promise<CliResult> {
  const run = await cli(['status', '-f', stack.file, '--json'])
  const resources = run.json?.resources ?? []
  checker(checks)(
    {
      exitCode: run.code,
      stack: run.json?.stack,
      deployed: run.json?.deployed,
      notOk: resources.filter((r) => r.condition !== 'ok' && r.condition !== 'pending').map((r) => `${r.id} (${r.physicalId}): ${r.condition}`),
      physicalIds: Object.fromEntries(resources.map((r) => [r.id, r.physicalId])),
    },
    explain(run),
  ).toEqual({exitCode: 0, stack: stack.stack, deployed: true, notOk: [], physicalIds: stack.physicalIds})
  return run
}

/**
 * `teardown -f <file> --yes --json`: exit 0, ok, exactly the resources `up`
 * made deleted; then nothing tagged with the stack exists and its state
 * parameters are gone.
 */
export async function teardown(stack: Deployed, checks?: Checks): Promise<CliResult> {
  const run = await cli(['teardown', '-f', stack.file, '--yes', '--json'])
  try {
    await tornDown(stack, run, checks)
  } finally {
    if (stack.zoneId) await deleteZone(stack.zoneId)
  }
  return run
}

/** The checks of `teardown` on a teardown run already made. */
export async function tornDown(stack: Deployed, run: CliResult, checks?: Checks): Promise<void> {
  const foundIds = new Set(stack.up.resources.filter((r) => FOUND_KINDS.has(r.kind ?? '')).map((r) => r.id))
  const made = Object.entries(stack.physicalIds)
    .filter(([id]) => !foundIds.has(id))
    .map(([id, physicalId]) => `${id} ${physicalId}`)
  // The hosted zone is left as it was (action noop, status kept).
  const deleted: string[] = (run.json?.resources ?? []).filter((r) => r.action === 'delete').map((r) => `${r.id} ${r.physicalId}`)
  checker(checks)({...outcome(run), deleted: deleted.sort()}, explain(run, 'delete')).toEqual({
    exitCode: 0,
    command: 'teardown',
    stack: stack.stack,
    ok: true,
    errors: [],
    summary: only('delete', made.length),
    deleted: made.sort(),
  })
  checker(checks)(
    {ec2: await leftovers(stack.stack), frontDoor: await frontDoorLeftovers(stack.stack, stack.zoneId), containers: await containerLeftovers(stack.stack), ssm: await stateParameters(stack.stack)},
    `${stack.stack}: EC2 and ELBv2 objects and certificates tagged with the stack, records in its zone, its ECS, ECR, log, IAM and Auto Scaling objects and instances, and SSM parameters under /containrlab/${stack.stack}/ left after teardown`,
  ).toEqual({ec2: [], frontDoor: [], containers: [], ssm: []})
}

/** Best effort, for a test that failed half-way: leave nothing behind for the next test. */
export async function cleanUp(stack: Deployed | undefined): Promise<void> {
  if (!stack) return
  await cli(['teardown', '-f', stack.file, '--yes', '--json'])
  if (stack.zoneId) await deleteZone(stack.zoneId).catch(() => undefined)
}
