import {describe, expect, it} from 'vitest'
import {FAKE_TIMINGS, scaledTimings} from '../../bench/scenario.js'
import {TRANSITION_MS} from '../../bench/model.js'
import {DEFAULT_ACM_TIMINGS} from '../fake-cloud/acm.js'
import {DEFAULT_AUTOSCALING_TIMINGS} from '../fake-cloud/autoscaling.js'
import {DEFAULT_EC2_TIMINGS} from '../fake-cloud/ec2.js'
import {DEFAULT_ECS_TIMINGS} from '../fake-cloud/ecs.js'
import {DEFAULT_ELBV2_TIMINGS} from '../fake-cloud/elbv2.js'
import {DEFAULT_IAM_TIMINGS} from '../fake-cloud/iam.js'
import {DEFAULT_ROUTE53_TIMINGS} from '../fake-cloud/route53.js'

/** The bench's simulated cloud: no fake waits at its unscaled, test-friendly default. */
describe('the simulated cloud', () => {
  it('scales every timing knob of every fake from bench/model.ts but the ACM limits', () => {
    const defaults = {
      timings: DEFAULT_EC2_TIMINGS,
      elbv2Timings: DEFAULT_ELBV2_TIMINGS,
      acmTimings: DEFAULT_ACM_TIMINGS,
      route53Timings: DEFAULT_ROUTE53_TIMINGS,
      iamTimings: DEFAULT_IAM_TIMINGS,
      ecsTimings: DEFAULT_ECS_TIMINGS,
      autoscalingTimings: DEFAULT_AUTOSCALING_TIMINGS,
    }
    const unscaled = Object.entries(defaults).flatMap(([option, knobs]) =>
      Object.keys(knobs)
        .filter((knob) => !(knob in FAKE_TIMINGS[option as keyof typeof FAKE_TIMINGS]))
        .map((knob) => `${option}.${knob}`),
    )

    expect(unscaled).toEqual(['acmTimings.validationTimeoutMs', 'acmTimings.lifetimeMs'])
    expect(scaledTimings(0.01).iamTimings).toEqual({propagationMs: TRANSITION_MS.iamPropagation * 0.01})
  })
})
