import {AccessDeniedException, ClientException, InvalidParameterException} from '@aws-sdk/client-ecs'
import {DeleteConflictException, EntityAlreadyExistsException, NoSuchEntityException} from '@aws-sdk/client-iam'
import {describe, expect, it} from 'vitest'
import {classifyIamError, isIamPropagationError} from '../../../src/resources/iam/errors.js'
import {awsError} from '../../helpers/ec2-mock.js'
import {iamError, queryError} from './iam-mock.js'

describe('isIamPropagationError', () => {
  const ecs = <E>(Exception: new (options: {$metadata: object; message: string}) => E, message: string) => new Exception({$metadata: {httpStatusCode: 400}, message})

  it.each([
    // ECS RegisterTaskDefinition with an execution or task role ECS cannot see yet (terraform-provider-aws retries it).
    ['ECS RegisterTaskDefinition', ecs(ClientException, 'Role is not valid')],
    // ECS CreateService with a load balancer (hashicorp/terraform#4375).
    ['ECS CreateService', ecs(InvalidParameterException, 'Unable to assume role and validate the listeners configured on your load balancer.  Please verify the role being passed has the proper permissions.')],
    [
      'ECS CreateService (service role)',
      ecs(InvalidParameterException, 'Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.'),
    ],
    ['ECS CreateCluster', ecs(InvalidParameterException, 'Unable to assume the service linked role. Please verify that the ECS service linked role exists.')],
    ['ECS task start', ecs(InvalidParameterException, "ECS was unable to assume the role 'arn:aws:iam::111111111111:role/service-task-6cba4ed' that was provided for this task.")],
    // EC2 RunInstances (aws/aws-sdk-js-v3#5253, terraform-provider-aws#27516).
    ['EC2 RunInstances (name)', awsError('InvalidParameterValue', 'Value (teststack-runner) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name')],
    ['EC2 RunInstances (ARN)', awsError('InvalidParameterValue', 'Value (arn:aws:iam::123456789012:instance-profile/teststack-runner) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN')],
    // Auto Scaling launching from a launch template, and a launch configuration (spinnaker/clouddriver#883).
    [
      'Auto Scaling (launch template)',
      queryError('ValidationError', 'You must use a valid fully-formed launch template. Value (teststack-runner) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name'),
    ],
    ['Auto Scaling (launch configuration)', queryError('ValidationError', 'Invalid IamInstanceProfile: teststack-runner')],
    // Passing a role made moments ago (terraform-aws-modules/terraform-aws-ecs#414).
    ['ECS iam:PassRole', ecs(AccessDeniedException, 'User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/teststack-execution')],
  ])('recognises %s', (_case, error) => {
    expect(isIamPropagationError(error)).toBe(true)
  })

  it.each([
    ['an ECS parameter error of another kind', ecs(InvalidParameterException, 'The container web does not exist in the task definition.')],
    ['an EC2 parameter error of another kind', awsError('InvalidParameterValue', 'Value (t3.huge) for parameter instanceType is invalid.')],
    ['the message under another code', awsError('InvalidAMIID.NotFound', 'Invalid IAM Instance Profile name')],
    ['IAM’s own NoSuchEntity', iamError(NoSuchEntityException)],
    ['a plain error', new Error('Role is not valid')],
    ['not an error', undefined],
  ])('leaves out %s', (_case, error) => {
    expect(isIamPropagationError(error)).toBe(false)
  })
})

describe('classifyIamError', () => {
  it.each([
    ['NoSuchEntity', iamError(NoSuchEntityException), 'not-found'],
    ['NoSuchEntity from the wire', Object.assign(iamError(NoSuchEntityException), {Code: 'NoSuchEntity'}), 'not-found'],
    ['DeleteConflict', iamError(DeleteConflictException), 'in-use'],
    ['ConcurrentModification', queryError('ConcurrentModification'), 'retryable'],
    ['ServiceFailure', queryError('ServiceFailure'), 'retryable'],
    ['EntityAlreadyExists (the kinds handle it)', iamError(EntityAlreadyExistsException), undefined],
    ['LimitExceeded (the kinds handle it)', queryError('LimitExceeded'), undefined],
    ['MalformedPolicyDocument', queryError('MalformedPolicyDocument'), undefined],
    ['EC2’s DependencyViolation', awsError('DependencyViolation'), undefined],
  ])('%s', (_case, error, expected) => {
    expect(classifyIamError(error)).toBe(expected)
  })
})
