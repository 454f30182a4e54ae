import {z} from 'zod'
import {specSchema} from './schema.js'

/**
 * JSON Schema of containrlab.yaml for editors (yaml-language-server's
 * `# yaml-language-server: $schema=…`), generated from the zod schema so the
 * two never disagree. Input side: defaults are optional keys. Cross-field
 * rules (checks.ts, refinements) are not expressible here; `validate` has them.
 */
export function specJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(specSchema, {io: 'input', target: 'draft-2020-12'}),
    title: 'containrlab stack spec',
  }
}
