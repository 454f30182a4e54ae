import {converge, prepare} from '../engine/converge.js'
import {NotInStateError, type PlannedNode} from '../engine/plan.js'
import {StateWriter} from '../engine/state-writer.js'
import {containerIds, type DeployImage, withDeployedImage} from '../graph/containers.js'
import {withdrawRevision} from '../resources/ecs/task-definition.js'
import {registry} from '../resources/registry.js'
import {currentLockInfo} from '../state/lock.js'
import {RefusedError, UsageError, UserError} from './errors.js'
import {buildReport, type RunReport} from './report.js'
import {findService} from './services.js'
import type {Session} from './session.js'

/**
 * `containrlab deploy SERVICE --image TAG|URI`: for CI after `docker push`.
 * A targeted run of the engine over the service's task definition and
 * service: a new revision with the image, the service rolled to it, the
 * deployment waited for and its failure reported as `up` does. Nothing else
 * of the stack is read or changed; what the two nodes refer to (cluster,
 * subnets, roles, target group) comes from the state.
 */

export interface DeployReport extends RunReport {
  command: 'deploy'
  service: string
  /** As given: a tag of the service's image, or a full URI. */
  image: string
  /** The revision the service ran before, and the one it was rolled to (absent when the run failed before registering it). */
  taskDefinition: {before?: string; after?: string}
}

/** The stack has not made what `deploy` rolls: `up` comes first. */
export class NotDeployedError extends UserError {
  override readonly code: string = 'not-deployed'
  constructor(message: string) {
    super(message)
    this.name = 'NotDeployedError'
  }
}

/** A tag as Docker accepts one (up to 128 characters), or a digest. https://docs.docker.com/reference/cli/docker/image/tag/ */
const TAG = /^([A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[0-9a-f]{64})$/

/** `--image`: a value with a `/` is a full image URI, taken as it is; otherwise a tag (or `sha256:` digest) of the service's image. */
export function parseDeployImage(value: string): DeployImage {
  if (value.includes('/')) return {uri: value}
  if (TAG.test(value)) return {tag: value}
  throw new UsageError(
    `--image ${JSON.stringify(value)} is neither a tag (like v1.2.3 or sha-3f2a1c0, at most 128 letters, digits, "_", "." and "-") nor a full image URI (like 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1.2.3)`,
  )
}

export async function deploy(session: Session, options: {service: string; image: string}): Promise<DeployReport> {
  const nodes = session.requireNodes()
  const service = findService(session, options.service)
  const image = parseDeployImage(options.image)
  if (service.imageSource !== 'deploy') {
    throw new RefusedError(
      `service ${service.name} has imageSource: spec, so the next \`containrlab up\` would roll it back to ${service.image}. Set \`imageSource: deploy\` on it in ${session.options.file} (up then keeps the image deploy sets), or change its \`image\` and run \`containrlab up\`. Nothing was changed.`,
    )
  }
  const taskDefinitionId = containerIds.taskDefinition(service.name)
  const serviceId = containerIds.service(service.name)
  const targets = [taskDefinitionId, serviceId]
  const runNodes = nodes.map((node) => (node.id === taskDefinitionId ? withDeployedImage(node, service, image) : node))
  const notYet = `service ${service.name} of stack ${session.stack} is not deployed yet: run \`containrlab up\` first`

  const lock = await session.store.lock(currentLockInfo(`containrlab deploy ${service.name}`))
  try {
    const doc = await session.store.load()
    if (!doc || targets.some((id) => !doc.resources[id])) throw new NotDeployedError(`${notYet}.`)
    const previous = structuredClone(doc.resources[taskDefinitionId]!)
    const before = previous.outputs.arn
    const common = {nodes: runNodes, registry, context: session.context, state: doc, concurrency: session.options.concurrency}
    const prepared = await prepare({...common, targets}).catch((error: unknown) => {
      throw error instanceof NotInStateError ? new NotDeployedError(`${notYet} (${error.message.replace(/; run .*$/, '')}).`) : error
    })
    refuseOtherChanges(prepared.plan.nodes, {taskDefinitionId, serviceId, container: service.name})
    const writer = new StateWriter(doc, session.store, session.statePacing)
    const result = await converge(prepared, {...common, writer, emit: session.options.emit, signal: session.options.signal})
    const report = buildReport('deploy', {stack: session.stack, region: session.region, serial: doc.serial}, result.results, result.outputs, result)
    let after = result.outputs[taskDefinitionId]?.arn
    if (!result.ok && after && after !== before && result.results.some((r) => r.id === serviceId && r.status === 'failed')) {
      // The deployment failed (rolled back): the new revision is withdrawn, or the next `up` would roll the service onto it.
      await withdrawRevision(session.context(taskDefinitionId), after)
      doc.resources[taskDefinitionId] = previous
      await writer.commit()
      after = undefined
    }
    return {...report, command: 'deploy', service: service.name, image: options.image, taskDefinition: {before, ...(after ? {after} : {})}}
  } finally {
    await lock.release()
  }
}

/**
 * `deploy` rolls the image and nothing else: a spec that changed the service
 * since the last `up` (its size, its variables, its count…), or objects gone
 * from AWS, are for `up`, which shows them first.
 */
function refuseOtherChanges(planned: Map<string, PlannedNode>, ids: {taskDefinitionId: string; serviceId: string; container: string}): void {
  // The image's own change, and what follows from it: the service moves to the new revision.
  const ofTheImage = (id: string, field: string) => (id === ids.taskDefinitionId && field === `containerDefinitions.${ids.container}.image`) || (id === ids.serviceId && field === 'taskDefinitionArn')
  const others: string[] = []
  for (const [id, node] of planned) {
    if (node.action === 'create' || node.action === 'replace')
      throw new NotDeployedError(`${id} must be ${node.action === 'create' ? 'created' : 'replaced'}, which is \`containrlab up\`'s job: run it first. Nothing was changed.`)
    const fields = node.changes.map((change) => change.field).filter((field) => !ofTheImage(id, field))
    if (fields.length > 0) others.push(`${id}: ${fields.join(', ')}`)
  }
  if (others.length > 0) {
    throw new RefusedError(
      `the spec changed more than the image since the last \`containrlab up\` (${others.join('; ')}): deploy rolls the image only. Run \`containrlab up\` first (\`containrlab plan\` shows the changes). Nothing was changed.`,
    )
  }
}
