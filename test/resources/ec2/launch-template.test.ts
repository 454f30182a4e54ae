import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2'
import {beforeEach, describe, expect, it} from 'vitest'
import type {LaunchTemplateDesired} from '../../../src/resources/ec2/desired.js'
import {diffLaunchTemplate, launchTemplate, type LaunchTemplateObserved} from '../../../src/resources/ec2/launch-template.js'
import {testContext} from '../../helpers/context.js'
import {awsError, ec2Mock, findQuery, keepData, ownershipTags} from '../../helpers/ec2-mock.js'

const {ec2, inputs, sent} = ec2Mock()

const tags = ownershipTags('launch-template/runner')
const USER_DATA = '#!/bin/bash\necho ECS_CLUSTER=teststack-runner >> /etc/ecs/ecs.config\n'
const USER_DATA_BASE64 = Buffer.from(USER_DATA).toString('base64')
const PROFILE = 'arn:aws:iam::123456789012:instance-profile/teststack-runner'

const desired: LaunchTemplateDesired = {
  name: 'teststack-runner',
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.medium',
  instanceProfileArn: PROFILE,
  securityGroupIds: ['sg-2', 'sg-1'],
  userData: USER_DATA,
  metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2},
}

const observed: LaunchTemplateObserved = {
  id: 'lt-1',
  logicalId: 'launch-template/runner',
  stack: 'teststack',
  name: 'teststack-runner',
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.medium',
  instanceProfileArn: PROFILE,
  securityGroupIds: ['sg-1', 'sg-2'],
  userData: USER_DATA,
  metadataOptions: {httpTokens: 'required', httpPutResponseHopLimit: 2},
  defaultVersion: 1,
  latestVersion: 1,
}

const versionData = {
  ImageId: 'ami-0123456789abcdef0',
  InstanceType: 't3.medium' as const,
  IamInstanceProfile: {Arn: PROFILE},
  SecurityGroupIds: ['sg-1', 'sg-2'],
  UserData: USER_DATA_BASE64,
  MetadataOptions: {HttpTokens: 'required' as const, HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' as const},
}

beforeEach(() => {
  ec2.reset()
})

describe('diffLaunchTemplate', () => {
  it.each([
    ['nothing (group order ignored)', {}, []],
    ['the AMI: a new version', {imageId: 'ami-0fedcba9876543210'}, [{field: 'imageId', before: 'ami-0123456789abcdef0', after: 'ami-0fedcba9876543210', replace: false}]],
    ['the type', {instanceType: 't3.large'}, [{field: 'instanceType', before: 't3.medium', after: 't3.large', replace: false}]],
    ['the user data', {userData: 'echo hi'}, [{field: 'userData', before: USER_DATA, after: 'echo hi', replace: false}]],
    [
      'IMDS',
      {metadataOptions: {httpTokens: 'optional' as const, httpPutResponseHopLimit: 2}},
      [{field: 'metadataOptions', before: observed.metadataOptions, after: {httpTokens: 'optional', httpPutResponseHopLimit: 2}, replace: false}],
    ],
    ['the groups', {securityGroupIds: ['sg-1']}, [{field: 'securityGroupIds', before: ['sg-1', 'sg-2'], after: ['sg-1'], replace: false}]],
    ['the name: a replacement', {name: 'teststack-other'}, [{field: 'name', before: 'teststack-runner', after: 'teststack-other', replace: true}]],
  ])('%s', (_what, change, expected) => {
    expect(diffLaunchTemplate({...desired, ...change}, observed)).toEqual(expected)
  })
})

describe('launchTemplate.read', () => {
  it("reads the default version's data, decoding the user data", async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({LaunchTemplates: [{LaunchTemplateId: 'lt-1', LaunchTemplateName: 'teststack-runner', DefaultVersionNumber: 1, LatestVersionNumber: 1, Tags: tags}]})
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({LaunchTemplateVersions: [{VersionNumber: 1, LaunchTemplateData: versionData}]})

    const found = await launchTemplate.read(testContext(), ['lt-1'])

    expect(found.get('lt-1')).toEqual(observed)
    expect(inputs(DescribeLaunchTemplateVersionsCommand)).toEqual([{LaunchTemplateId: 'lt-1', Versions: ['$Default']}])
  })

  it('asks again one id at a time when one of a batch is gone (the call fails as a whole)', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateId.NotFound'))
    ec2.on(DescribeLaunchTemplatesCommand, {LaunchTemplateIds: ['lt-1']}).resolves({LaunchTemplates: [{LaunchTemplateId: 'lt-1', LaunchTemplateName: 'teststack-runner', Tags: tags}]})
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({LaunchTemplateVersions: [{VersionNumber: 1, LaunchTemplateData: versionData}]})

    const found = await launchTemplate.read(testContext(), ['lt-1', 'lt-gone'])

    expect([...found.keys()]).toEqual(['lt-1'])
    expect(inputs(DescribeLaunchTemplatesCommand).map((input) => input.LaunchTemplateIds)).toEqual([['lt-1', 'lt-gone'], ['lt-1'], ['lt-gone']])
  })
})

describe('launchTemplate.find', () => {
  it('filters by the stack tag and keeps only what is ours', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [
        {LaunchTemplateId: 'lt-1', LaunchTemplateName: 'teststack-runner', Tags: tags},
        {LaunchTemplateId: 'lt-2', LaunchTemplateName: 'other', Tags: ownershipTags('launch-template/runner', 'otherstack')},
      ],
    })
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({LaunchTemplateVersions: [{VersionNumber: 1, LaunchTemplateData: versionData}]})

    const found = await launchTemplate.find(testContext(), findQuery)

    expect(found.map((template) => template.id)).toEqual(['lt-1'])
    expect(inputs(DescribeLaunchTemplatesCommand)[0]).toEqual({Filters: [{Name: 'tag:containrlab:stack', Values: ['teststack']}]})
  })
})

describe('launchTemplate.create', () => {
  it('sends the data with base64 user data, IMDSv2, the token and the ownership tags', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({LaunchTemplate: {LaunchTemplateId: 'lt-1', LaunchTemplateName: 'teststack-runner', DefaultVersionNumber: 1, LatestVersionNumber: 1}})

    const created = await launchTemplate.create(testContext(), desired, {logicalId: 'launch-template/runner', token: 'a'.repeat(32), tags})

    expect(inputs(CreateLaunchTemplateCommand)).toEqual([
      {
        LaunchTemplateName: 'teststack-runner',
        LaunchTemplateData: {...versionData, SecurityGroupIds: ['sg-2', 'sg-1']},
        ClientToken: 'a'.repeat(32),
        TagSpecifications: [{ResourceType: 'launch-template', Tags: tags}],
      },
    ])
    expect(launchTemplate.outputs(created)).toEqual({id: 'lt-1', name: 'teststack-runner', defaultVersion: '1', latestVersion: '1', imageId: 'ami-0123456789abcdef0'})
  })
})

describe('launchTemplate.update', () => {
  it('makes a new version with every setting and makes it the default', async () => {
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({LaunchTemplateVersion: {VersionNumber: 2}})
    ec2.on(ModifyLaunchTemplateCommand).resolves({})
    const next = {...desired, imageId: 'ami-0fedcba9876543210'}

    const updated = await launchTemplate.update(testContext(), next, observed, diffLaunchTemplate(next, observed))

    expect(sent()).toEqual(['CreateLaunchTemplateVersion', 'ModifyLaunchTemplate'])
    expect(inputs(CreateLaunchTemplateVersionCommand)[0]?.LaunchTemplateData?.ImageId).toBe('ami-0fedcba9876543210')
    expect(inputs(ModifyLaunchTemplateCommand)).toEqual([{LaunchTemplateId: 'lt-1', DefaultVersion: '2'}])
    expect(updated).toMatchObject({imageId: 'ami-0fedcba9876543210', defaultVersion: 2, latestVersion: 2})
  })
})

describe('launchTemplate.delete', () => {
  it('deletes by id and counts a template already gone as deleted', async () => {
    ec2.on(DeleteLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateId.NotFound'))

    await launchTemplate.delete(testContext(), observed, keepData)

    expect(inputs(DeleteLaunchTemplateCommand)).toEqual([{LaunchTemplateId: 'lt-1'}])
  })
})
