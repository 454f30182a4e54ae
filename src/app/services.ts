import type {ServiceSpec} from '../spec/schema.js'
import {UsageError} from './errors.js'
import type {Session} from './session.js'

/** The runbook commands' SERVICE argument: the spec's service of that name; unknown, a usage error naming the ones there are. */
export function findService(session: Session, name: string): ServiceSpec {
  const services = session.spec?.services ?? []
  const service = services.find((candidate) => candidate.name === name)
  if (service) return service
  const known = services.map((candidate) => candidate.name)
  throw new UsageError(`unknown service "${name}": ${known.length > 0 ? `${session.options.file} has ${known.join(', ')}` : `${session.options.file} has no services`}`)
}
