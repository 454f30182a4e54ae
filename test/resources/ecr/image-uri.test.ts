import {describe, expect, it} from 'vitest'
import {hasRegistryHost, imageUri, registryHost} from '../../../src/resources/ecr/image-uri.js'

const location = {accountId: '123456789012', region: 'eu-west-1'}
const repositories = {api: 'containrlab-api', web: 'containrlab-web'}
const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'

describe('imageUri', () => {
  it.each([
    ['a repository key with a tag', 'api:latest', `${host}/containrlab-api:latest`],
    ['a repository key without a tag', 'web', `${host}/containrlab-web`],
    ['a repository key with a digest', 'api@sha256:abc', `${host}/containrlab-api@sha256:abc`],
    ['a repository’s own name', 'containrlab-api:v2', `${host}/containrlab-api:v2`],
    ['another account’s ECR image, as it is', '210987654321.dkr.ecr.us-east-1.amazonaws.com/x:1', '210987654321.dkr.ecr.us-east-1.amazonaws.com/x:1'],
    ['a public image with its host, as it is', 'public.ecr.aws/nginx/nginx:1.27', 'public.ecr.aws/nginx/nginx:1.27'],
    ['Docker Hub with its host, as it is', 'docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['a registry with a port, as it is', 'localhost:5000/app:dev', 'localhost:5000/app:dev'],
  ])('%s', (_name, image, expected) => {
    expect(imageUri(image, location, repositories)).toBe(expected)
  })

  it('refuses a name without a host that is none of the stack’s repositories, saying how to name another registry’s image', () => {
    expect(() => imageUri('nginx:1.27', location, repositories)).toThrow(
      'image "nginx:1.27": the stack has no repository "nginx" (it has api, web); an image from another registry is written with its host, e.g. docker.io/library/nginx:1.27',
    )
  })

  it('uses the China partition’s domain in its regions', () => {
    expect(registryHost({accountId: '123456789012', region: 'cn-north-1'})).toBe('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')
  })

  it.each([
    ['library/nginx', false],
    ['nginx', false],
    ['ghcr.io/owner/image', true],
    ['localhost/image', true],
    ['registry:5000/image', true],
  ])('knows whether %s names a registry host', (image, expected) => {
    expect(hasRegistryHost(image)).toBe(expected)
  })
})
