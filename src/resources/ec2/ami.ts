import {GetParametersCommand, type SSMClient} from '@aws-sdk/client-ssm'
import {errorCode} from '../../aws/errors.js'
import type {Change, Observed, ReconcileContext, Reconciler} from '../types.js'
import {chunks} from '../wait.js'
import type {AmiDesired} from './desired.js'
import {classifyEc2Error} from './errors.js'

/**
 * The AMI a public SSM parameter names (ECS's optimised AMI), read by the
 * reconciler rather than handed to EC2 as `resolve:ssm:<parameter>`.
 *
 * EC2 does accept `resolve:ssm:` as the ImageId of RunInstances and of a
 * launch template, resolving it at each launch
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html#use-an-ssm-parameter-instead-of-an-ami-id),
 * but then nothing changes when ECS publishes a new AMI: the template still
 * says `resolve:ssm:…`, the plan cannot show which AMI runs, and running
 * instances are never rolled. Read here instead, the AMI id is an output
 * like any other: the plan shows `ami-old → ami-new` on the launch template
 * (or the instance), a new template version follows, and the Auto Scaling
 * group's instance refresh rolls the instances.
 *
 * The parameter is AWS's: found (never made), never deleted (`notOurs`).
 * Its id is the parameter name.
 */
export interface AmiObserved extends Observed {
  parameter: string
  /** `ami-…`. */
  imageId: string
}

/** GetParameters takes at most 10 names. */
const GET_PARAMETERS_LIMIT = 10

async function ssm(ctx: ReconcileContext): Promise<SSMClient> {
  return ctx.aws.ssm()
}

/** The parameters that exist, by name; names SSM does not know are absent (GetParameters lists them as InvalidParameters). */
async function readParameters(ctx: ReconcileContext, names: string[], stack: string): Promise<Map<string, AmiObserved>> {
  const client = await ssm(ctx)
  const found = new Map<string, AmiObserved>()
  for (const batch of chunks([...new Set(names)], GET_PARAMETERS_LIMIT)) {
    const response = await client.send(new GetParametersCommand({Names: batch}))
    for (const parameter of response.Parameters ?? []) {
      const name = parameter.Name!
      found.set(name, {id: name, stack, parameter: name, imageId: parameter.Value ?? ''})
    }
  }
  return found
}

export function diffAmi(desired: AmiDesired, observed: AmiObserved): Change[] {
  // Another parameter is another object; the AMI id itself is an output, never a change of this node.
  return desired.parameter === observed.parameter ? [] : [{field: 'parameter', before: observed.parameter, after: desired.parameter, replace: true}]
}

function missingParameter(desired: AmiDesired): string {
  return `SSM parameter ${desired.parameter} does not exist in this region: ECS publishes its optimised AMIs under /aws/service/ecs/optimized-ami/ (see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html)`
}

export const ami: Reconciler<AmiDesired, AmiObserved> = {
  kind: 'ec2.ami',
  // Nothing is made or deleted: a "replacement" is reading another parameter.
  replaceStrategy: 'create-before-delete',
  typicalMs: {create: 500, delete: 0},

  async read(ctx, ids) {
    // The stack is the run's: the parameter carries no tags, it is AWS's and only used.
    return readParameters(ctx, ids, ctx.stack)
  },

  async find(ctx, query) {
    const byName = new Map<string, string>()
    for (const {logicalId, desired} of query.wanted) {
      const parameter = (desired as Partial<AmiDesired> | undefined)?.parameter
      if (typeof parameter === 'string') byName.set(parameter, logicalId)
    }
    const found = await readParameters(ctx, [...byName.keys()], query.stack)
    return [...found.values()].map((observed) => ({...observed, logicalId: byName.get(observed.parameter)!}))
  },

  diff: diffAmi,

  /** Reached only when find missed it (plan refuses first: mustExist); reads it once more. */
  async create(ctx, desired, meta) {
    const observed = (await readParameters(ctx, [desired.parameter], ctx.stack)).get(desired.parameter)
    if (!observed) throw new Error(missingParameter(desired))
    return {...observed, logicalId: meta.logicalId}
  },

  async update(_ctx, _desired, observed) {
    return observed
  },

  async delete() {
    // AWS's parameter: teardown keeps it (notOurs), and there is nothing of ours to remove.
  },

  outputs(observed) {
    return {id: observed.id, imageId: observed.imageId}
  },

  mustExist: missingParameter,

  notOurs(observed) {
    return `${observed.parameter} is AWS's public parameter (${observed.imageId}): it is only read`
  },

  classifyError(error) {
    if (errorCode(error) === 'ParameterNotFound') return 'not-found'
    return classifyEc2Error(error)
  },
}
