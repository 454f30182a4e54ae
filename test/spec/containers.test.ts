import {describe, expect, it} from 'vitest'
import {fargateMemoryFor, repositoryOfImage} from '../../src/spec/containers.js'
import {parseSpec} from '../../src/spec/load.js'
import {EXAMPLE_TEXT, example, issuesOf} from './support.js'

describe('the containers of the example (seed 000/001)', () => {
  it('parse with the defaults filled', () => {
    const spec = parseSpec(EXAMPLE_TEXT, 'containrlab.yaml')
    expect(spec.repositories.map((repository) => repository.name)).toEqual(['api', 'web', 'runner', 'runnerd'])
    expect(spec.repositories[0]).toEqual({name: 'api', scanOnPush: true, tagMutability: 'MUTABLE', keepLastImages: 10})
    expect(spec.logs).toEqual({retentionDays: 7})
    expect(spec.clusters).toEqual([
      {name: 'cluster', containerInsights: false},
      {name: 'runner-ec2', containerInsights: false, instances: {type: 't3.medium', architecture: 'x86_64', count: 1, tier: 'private', securityGroups: ['runner-sg']}},
    ])
    expect(spec.services.map((service) => [service.name, service.cluster, service.image, service.cpu, service.memory, service.architecture, service.port, service.targetGroup])).toEqual([
      ['api', 'cluster', 'api:latest', 512, 1024, 'arm64', 8000, 'api'],
      ['web', 'cluster', 'web:latest', 512, 1024, 'arm64', 3000, 'web'],
      ['runner', 'runner-ec2', 'runnerd:latest', 1024, 2048, 'x86_64', 8080, undefined],
    ])
    // CI rolls api's and web's images (`containrlab deploy`); the runner follows its `image`.
    expect(spec.services.map((service) => service.imageSource)).toEqual(['deploy', 'deploy', 'spec'])
    expect(spec.services[2]).toMatchObject({privileged: true, dockerSocket: true, desiredCount: 1, deployment: {minHealthyPercent: 100, maxPercent: 200, healthCheckGracePeriod: 60}})
    expect(spec.services[0]!.secrets).toEqual({GITHUB_CLIENT_ID: '/containrlab/GITHUB_CLIENT_ID', GITHUB_CLIENT_SECRET: '/containrlab/GITHUB_CLIENT_SECRET', GEMINI_API_KEY: '/containrlab/GEMINI_API_KEY'})
  })
})

describe('container problems, each at its path', () => {
  const cases: [string, string, [string, RegExp][]][] = [
    ['an unknown cluster', example(['    cluster: cluster\n    image: api:latest', '    cluster: clustr\n    image: api:latest']), [['services[0].cluster', /unknown cluster "clustr"; declared: cluster, runner-ec2/]]],
    [
      'an image of no repository of the stack',
      example(['image: web:latest', 'image: nginx:1.27']),
      [['services[1].image', /"nginx:1.27" names no repository of this stack .*full URI, like docker.io\/library\/nginx:1.27/]],
    ],
    [
      'a Fargate size that does not exist',
      example(['    cpu: 512\n    memory: 1024\n    architecture: arm64\n    port: 8000', '    cpu: 512\n    memory: 512\n    architecture: arm64\n    port: 8000']),
      [['services[0].memory', /a Fargate task with cpu 512 takes memory 1024, 2048, 3072, 4096 \(MiB\), not 512/]],
    ],
    [
      'a Fargate cpu that does not exist',
      example(['    cpu: 512\n    memory: 1024\n    architecture: arm64\n    port: 3000', '    cpu: 768\n    memory: 1024\n    architecture: arm64\n    port: 3000']),
      [['services[1].cpu', /Fargate tasks take cpu 256, 512, 1024, 2048, 4096, 8192 or 16384, not 768/]],
    ],
    ['a privileged Fargate service', example(['    targetGroup: api\n', '    targetGroup: api\n    privileged: true\n']), [['services[0].privileged', /Fargate runs no privileged containers/]]],
    [
      'a Fargate service on an instance target group',
      example(['    port: 3000\n    targetGroup: web', '    port: 3000\n    targetGroup: runner']),
      [['services[1].targetGroup', /target group "runner" has targetType instance, but Fargate \(awsvpc\) tasks register as ip: set its targetType to ip/]],
    ],
    ['a target group with no port', example(['    port: 3000\n    targetGroup: web', '    targetGroup: web']), [['services[1].port', /a service behind a target group needs port/]]],
    [
      'a target group no listener uses (the internal-only runner group)',
      example(['    port: 8080\n    privileged: true', '    port: 8080\n    targetGroup: runner\n    privileged: true']),
      [['services[2].targetGroup', /target group "runner" is in no rule and is not the default: ECS attaches a service only to a target group a listener sends requests to/]],
    ],
    ['an unknown target group', example(['targetGroup: web\n    securityGroups', 'targetGroup: webb\n    securityGroups']), [['services[1].targetGroup', /unknown target group "webb"; declared: api, web, runner/]]],
    ['an EC2 cluster with neither count nor autoScaling', example(['count: 1, securityGroups', 'securityGroups']), [['clusters[1].instances', /either count .* or autoScaling/]]],
    [
      'an unknown security group of a cluster',
      example(['securityGroups: [runner-sg]}', 'securityGroups: [runner]}']),
      [['clusters[1].instances.securityGroups[0]', /unknown security group "runner"; declared groups: alb-sg, ecs-tasks-sg, runner-sg/]],
    ],
    [
      'an architecture its instances do not have',
      example(['    cpu: 1024\n    memory: 2048\n', '    cpu: 1024\n    memory: 2048\n    architecture: arm64\n']),
      [['services[2].architecture', /the service is arm64 but cluster "runner-ec2"'s instances are x86_64/]],
    ],
    ['a retention CloudWatch Logs does not have', example(['retentionDays: 7', 'retentionDays: 10']), [['logs.retentionDays', /10 is not a retention CloudWatch Logs accepts/]]],
    [
      'an image source that does not exist',
      example(['    imageSource: deploy\n    cpu: 512\n    memory: 1024\n    architecture: arm64\n    port: 3000', '    imageSource: ci\n    cpu: 512\n    memory: 1024\n    architecture: arm64\n    port: 3000']),
      [['services[1].imageSource', /"ci" is not one of: spec, deploy/]],
    ],
    ['a duplicate repository', example(['  - {name: runner}\n', '  - {name: api}\n']), [['repositories[2].name', /duplicate repository name "api" \(first at repositories\[0\]\)/]]],
  ]
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const issues = issuesOf(text)
      for (const [path, message] of expected) expect(issues.find((issue) => issue.path === path)?.message, `${path} in ${JSON.stringify(issues)}`).toMatch(message)
    })
  }
})

describe('helpers', () => {
  it.each([
    ['api:latest', 'api'],
    ['api@sha256:' + 'a'.repeat(64), 'api'],
    ['team/api:1.0', 'team/api'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/api:latest', undefined],
    ['public.ecr.aws/nginx/nginx:1.27', undefined],
    ['localhost:5000/api:dev', undefined],
  ])('the repository of %s is %s', (image, repository) => {
    expect(repositoryOfImage(image)).toBe(repository)
  })

  it('Fargate sizes follow AWS’s table', () => {
    expect(fargateMemoryFor(256)).toEqual([512, 1024, 2048])
    expect(fargateMemoryFor(8192)).toEqual([16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60].map((gib) => gib * 1024))
    expect(fargateMemoryFor(300)).toBeUndefined()
  })
})
