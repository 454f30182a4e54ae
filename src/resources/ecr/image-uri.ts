import {partitionOf} from '../../aws/clients.js'

/** Where a registry lives: the account (its registry id) and the region. */
export interface RegistryLocation {
  accountId: string
  region: string
}

/**
 * The host of an account's private registry: `<account>.dkr.ecr.<region>.amazonaws.com`
 * (`.amazonaws.com.cn` in the China regions).
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
 */
export function registryHost({accountId, region}: RegistryLocation): string {
  const suffix = partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `${accountId}.dkr.ecr.${region}.${suffix}`
}

/** A repository's URI, as DescribeRepositories gives it in `repositoryUri`. */
export function repositoryUri(location: RegistryLocation, name: string): string {
  return `${registryHost(location)}/${name}`
}

/**
 * Whether an image reference names its registry: as Docker reads a
 * reference, the part before the first `/` is a host when it has a `.` or a
 * `:` (a port), or is `localhost` (`public.ecr.aws/nginx/nginx:1.27`,
 * `ghcr.io/o/i`, `localhost:5000/i`); else it is a path on Docker Hub.
 */
export function hasRegistryHost(image: string): boolean {
  const slash = image.indexOf('/')
  if (slash < 0) return false
  const first = image.slice(0, slash)
  return first.includes('.') || first.includes(':') || first === 'localhost'
}

/**
 * The image reference a task definition gets for an image the spec names:
 * - `api:latest` (no registry host): the stack's repository `api` in this
 *   account and region, with the tag (or `@sha256:…` digest) as written;
 *   `repositories` maps the spec's repository keys to their names
 *   (`{api: 'containrlab-api'}`), and a repository's own name is accepted too;
 * - a full reference (`public.ecr.aws/nginx/nginx:1.27`,
 *   `123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1`): as it is.
 * A name without a host that is none of the stack's repositories is refused
 * (a Docker Hub image is written with its host: `docker.io/library/nginx:1.27`).
 */
export function imageUri(image: string, location: RegistryLocation, repositories: Record<string, string>): string {
  if (hasRegistryHost(image)) return image
  const at = image.indexOf('@')
  const colon = image.indexOf(':')
  const end = at >= 0 ? at : colon >= 0 ? colon : image.length
  const repository = image.slice(0, end)
  const reference = image.slice(end)
  const name = Object.hasOwn(repositories, repository) ? repositories[repository]! : Object.values(repositories).includes(repository) ? repository : undefined
  if (name === undefined) {
    const known = Object.keys(repositories).sort()
    throw new Error(
      `image "${image}": the stack has no repository "${repository}"${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}; an image from another registry is written with its host, e.g. docker.io/library/${image}`,
    )
  }
  return `${repositoryUri(location, name)}${reference}`
}
