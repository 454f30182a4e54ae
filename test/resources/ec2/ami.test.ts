import {GetParametersCommand, ParameterNotFound, SSMClient} from '@aws-sdk/client-ssm'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'
import {ami, diffAmi} from '../../../src/resources/ec2/ami.js'
import {testContext} from '../../helpers/context.js'

const ssm = mockClient(SSMClient)
const PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id'

beforeEach(() => {
  ssm.reset()
})

describe('ami', () => {
  it('reads the parameter; a name SSM does not know is absent', async () => {
    ssm.on(GetParametersCommand).resolves({Parameters: [{Name: PARAMETER, Value: 'ami-0123456789abcdef0'}], InvalidParameters: ['/aws/service/nothing']})

    const found = await ami.read(testContext(), [PARAMETER, '/aws/service/nothing'])

    expect([...found.values()]).toEqual([{id: PARAMETER, stack: 'teststack', parameter: PARAMETER, imageId: 'ami-0123456789abcdef0'}])
    expect(ami.outputs(found.get(PARAMETER)!)).toEqual({id: PARAMETER, imageId: 'ami-0123456789abcdef0'})
  })

  it('finds what the spec wants by its parameter name, with the logical id', async () => {
    ssm.on(GetParametersCommand).resolves({Parameters: [{Name: PARAMETER, Value: 'ami-0123456789abcdef0'}]})

    const found = await ami.find(testContext(), {stack: 'teststack', wanted: [{logicalId: 'ami/runner', desired: {parameter: PARAMETER}}, {logicalId: 'ami/unresolved'}]})

    expect(found).toEqual([{id: PARAMETER, logicalId: 'ami/runner', stack: 'teststack', parameter: PARAMETER, imageId: 'ami-0123456789abcdef0'}])
    expect(ssm.commandCalls(GetParametersCommand).map((call) => call.args[0].input)).toEqual([{Names: [PARAMETER]}])
  })

  it('is another object only for another parameter: a new AMI is an output change, not a diff', () => {
    const observed = {id: PARAMETER, parameter: PARAMETER, imageId: 'ami-0123456789abcdef0'}
    expect(diffAmi({parameter: PARAMETER}, observed)).toEqual([])
    expect(diffAmi({parameter: '/other'}, observed)).toEqual([{field: 'parameter', before: PARAMETER, after: '/other', replace: true}])
  })

  it('is never deleted and never made: teardown keeps it, a missing one is refused before any change', async () => {
    const observed = {id: PARAMETER, parameter: PARAMETER, imageId: 'ami-0123456789abcdef0'}
    expect(ami.notOurs!(observed)).toBe(`${PARAMETER} is AWS's public parameter (ami-0123456789abcdef0): it is only read`)
    expect(ami.mustExist!({parameter: PARAMETER})).toContain(`SSM parameter ${PARAMETER} does not exist in this region`)
    ssm.on(GetParametersCommand).resolves({Parameters: [], InvalidParameters: [PARAMETER]})
    await expect(ami.create(testContext(), {parameter: PARAMETER}, {logicalId: 'ami/runner', token: '0'.repeat(32), tags: []})).rejects.toThrow('does not exist in this region')
    expect(ami.classifyError(new ParameterNotFound({$metadata: {}, message: 'x'}))).toBe('not-found')
  })
})
