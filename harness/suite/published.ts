import type { TSchema } from '@sinclair/typebox';

/**
 * A TypeBox schema as the JSON Schema the package publishes for editors and validators (schema/):
 * draft 2020-12, a stable id, a title, and any shared definitions.
 */
export function published(schema: TSchema, name: string, title: string, defs?: Record<string, TSchema>): TSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:sockspec:${name}-schema:v1`,
    title,
    ...schema,
    ...(defs ? { $defs: defs } : {}),
  } as unknown as TSchema;
}
