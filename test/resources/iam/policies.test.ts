import {describe, expect, it} from 'vitest'
import type {PolicyDocument} from '../../../src/resources/iam/desired.js'
import {decodePolicyDocument, ecsInstanceRolePolicyArns, normalisePolicy, samePolicy, taskExecutionPolicy, trustPolicy} from '../../../src/resources/iam/policies.js'

const account = '123456789012'
const repository = (name: string) => `arn:aws:ecr:us-east-1:${account}:repository/${name}`
const logGroup = (name: string) => `arn:aws:logs:us-east-1:${account}:log-group:${name}`
const parameter = (name: string) => `arn:aws:ssm:us-east-1:${account}:parameter/containrlab/teststack/${name}`

describe('trustPolicy', () => {
  it('lets the services assume the role, one principal as a string, several as a sorted list', () => {
    expect(trustPolicy(['ecs-tasks.amazonaws.com'])).toEqual({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
    expect(trustPolicy(['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com', 'ec2.amazonaws.com']).Statement[0]!.Principal).toEqual({Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']})
  })
})

describe('taskExecutionPolicy', () => {
  it('grants the pull, the logs and the secrets on the stack’s resources only; the ECR token on "*"', () => {
    const policy = taskExecutionPolicy({
      repositoryArns: [repository('containrlab-web'), repository('containrlab-api'), repository('containrlab-api')],
      // DescribeLogGroups' `arn` ends with `:*` already; `logGroupArn` does not: both give one resource.
      logGroupArns: [logGroup('/containrlab/api'), `${logGroup('/containrlab/web')}:*`],
      parameterArns: [parameter('DATABASE_URL')],
    })
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {Sid: 'EcrAuthorization', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*'},
        {Sid: 'EcrPull', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: [repository('containrlab-api'), repository('containrlab-web')]},
        {Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroup('/containrlab/api')}:*`, `${logGroup('/containrlab/web')}:*`]},
        {Sid: 'Secrets', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [parameter('DATABASE_URL')]},
      ],
    })
  })

  it('grants kms:Decrypt only for a key that is given, and leaves out statements with no resources', () => {
    const key = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
    expect(taskExecutionPolicy({repositoryArns: [], logGroupArns: [], parameterArns: []}).Statement.map((statement) => statement.Sid)).toEqual(['EcrAuthorization'])
    const withKey = taskExecutionPolicy({repositoryArns: [], logGroupArns: [], parameterArns: [parameter('TOKEN')], kmsKeyArn: key})
    expect(withKey.Statement.at(-1)).toEqual({Sid: 'SecretsKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: key})
    expect(JSON.stringify(taskExecutionPolicy({repositoryArns: [], logGroupArns: [], parameterArns: [parameter('TOKEN')]}))).not.toContain('kms:')
  })
})

describe('ecsInstanceRolePolicyArns', () => {
  it('names the ECS agent’s managed policy and ECR read access, in the run’s partition', () => {
    expect(ecsInstanceRolePolicyArns()).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'])
    expect(ecsInstanceRolePolicyArns('aws-cn')[0]).toBe('arn:aws-cn:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role')
  })
})

describe('decodePolicyDocument', () => {
  const document: PolicyDocument = trustPolicy(['ec2.amazonaws.com'])

  it.each([
    ['URL-encoded, as GetRole and GetRolePolicy return it', encodeURIComponent(JSON.stringify(document))],
    ['URL-encoded with the whitespace it was submitted with', encodeURIComponent(JSON.stringify(document, null, 2))],
    ['JSON already (an emulator)', JSON.stringify(document)],
  ])('reads a document %s', (_case, raw) => {
    expect(decodePolicyDocument(raw)).toEqual(document)
  })

  it('keeps what is not a document as text, and nothing as undefined', () => {
    expect(decodePolicyDocument('%E0%A4%A')).toBe('%E0%A4%A')
    expect(decodePolicyDocument('not%20json')).toBe('not json')
    expect(decodePolicyDocument(undefined)).toBeUndefined()
    expect(decodePolicyDocument('')).toBeUndefined()
  })
})

describe('samePolicy', () => {
  const base: PolicyDocument = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: ['logs:PutLogEvents', 'logs:CreateLogStream'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:x:*'}]}

  it.each([
    ['keys in another order', {Statement: [{Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:x:*', Action: ['logs:PutLogEvents', 'logs:CreateLogStream'], Effect: 'Allow'}], Version: '2012-10-17'}],
    ['a one-item list for a single Resource', {...base, Statement: [{...base.Statement[0]!, Resource: ['arn:aws:logs:us-east-1:123456789012:log-group:x:*']}]}],
    ['actions in another order, one repeated', {...base, Statement: [{...base.Statement[0]!, Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:CreateLogStream']}]}],
    ['a single Statement object instead of a list', {...base, Statement: base.Statement[0]}],
  ])('is true for %s', (_case, other) => {
    expect(samePolicy(base, other as PolicyDocument)).toBe(true)
  })

  it.each([
    ['another action', {...base, Statement: [{...base.Statement[0]!, Action: 'logs:PutLogEvents'}]}],
    ['another effect', {...base, Statement: [{...base.Statement[0]!, Effect: 'Deny'}]}],
    ['another resource', {...base, Statement: [{...base.Statement[0]!, Resource: '*'}]}],
  ])('is false for %s', (_case, other) => {
    expect(samePolicy(base, other as PolicyDocument)).toBe(false)
  })

  it('compares principals and conditions as sets too, and statements in any order', () => {
    const trust = trustPolicy(['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'])
    const reordered = {Version: '2012-10-17', Statement: [{Action: ['sts:AssumeRole'], Principal: {Service: ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com']}, Effect: 'Allow'}]}
    expect(samePolicy(trust, reordered as PolicyDocument)).toBe(true)
    const two: PolicyDocument = {Version: '2012-10-17', Statement: [base.Statement[0]!, {Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*', Condition: {StringEquals: {'aws:SourceAccount': ['1', '2']}}}]}
    const swapped: PolicyDocument = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*', Condition: {StringEquals: {'aws:SourceAccount': ['2', '1']}}}, base.Statement[0]!]}
    expect(samePolicy(two, swapped)).toBe(true)
    expect(normalisePolicy('text')).toBe('text')
  })
})
