import {describe, expect, it} from 'vitest'
import {specJsonSchema} from '../../src/spec/json-schema.js'

type Schema = {type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: string[]; additionalProperties?: unknown; pattern?: string; default?: unknown}

describe('specJsonSchema', () => {
  const schema = specJsonSchema() as Schema & {title: string}
  const network = schema.properties!.network!

  it('describes the document with its required keys, closed objects and enums', () => {
    expect(schema.title).toBe('containrlab stack spec')
    expect(schema.required).toEqual(['name', 'network'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties!.name!.pattern).toBe('^[a-z0-9][a-z0-9-]{0,39}$')
    expect(network.required).toEqual(['vpc', 'subnets'])
    const subnet = network.properties!.subnets!.items!
    expect(subnet.required).toEqual(['name', 'tier', 'az', 'cidr'])
    expect(subnet.properties!.tier!.enum).toEqual(['public', 'private', 'data'])
    expect(network.properties!.nat!.enum).toEqual(['none', 'single', 'per-az'])
  })

  it('keeps defaults optional on the input side', () => {
    const vpc = network.properties!.vpc!
    expect(vpc.required).toEqual(['cidr'])
    expect(vpc.properties!.dnsSupport!.default).toBe(true)
    const group = network.properties!.securityGroups!.items!
    expect(group.required).toEqual(['name'])
    expect(group.properties!.description!.default).toBe('Managed by containrlab')
  })
})
