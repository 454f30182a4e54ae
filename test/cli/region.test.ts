import {describe, expect, it} from 'vitest'
import {Session} from '../../src/app/session.js'
import {validate} from '../../src/app/validate.js'
import {SpecError} from '../../src/spec/errors.js'
import {exampleEdited} from '../helpers/stack.js'

/** The example moved to eu-west-1, with no `region:` line: its region is only known from its AZs. */
const inIreland = () => exampleEdited((text) => text.replace(/^region: .*\n/m, '').replaceAll('us-east-1', 'eu-west-1'))

describe('a spec without region:', () => {
  it('validates where its availability zones are, whatever the default region', async () => {
    const report = await validate(inIreland())
    expect(report.valid).toBe(true)
    expect(report.resources).toBe(52)
  })

  it('against another --region: a located spec error, not a bare Error', async () => {
    const error = await validate(inIreland(), 'us-east-1').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).message).toMatch(/network\.subnets\[0\]\.az \(line \d+\): "eu-west-1a" is not in us-east-1 \(the region of this run/)
  })

  it('a run in another region (AWS_REGION) fails before any AWS client exists, naming the subnet and line', async () => {
    const error = await Session.open({file: inIreland(), concurrency: 1, region: 'us-west-2'}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).issues[0]).toMatchObject({path: 'network.subnets[0].az'})
  })
})
