import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * OpenAPI's schema dialect as JSON Schema that Ajv checks: 3.0 and Swagger 2.0 `nullable`,
 * `x-nullable` and boolean exclusive bounds rewritten, OpenAPI's own formats known.
 */

export type SchemaDialect = 'openapi30' | 'openapi31';

export class RecursiveSchema extends Error {}

const MAX_DEPTH = 64;

/** OpenAPI 3.0 / Swagger 2.0 → draft-07: `nullable` and `x-nullable` become a null type, boolean exclusive bounds become numbers. */
export function toJsonSchema(schema: unknown, dialect: SchemaDialect, stack: Set<unknown> = new Set()): unknown {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, dialect, stack));
  if (typeof schema !== 'object' || schema === null) return schema;
  if (stack.has(schema) || stack.size > MAX_DEPTH) throw new RecursiveSchema();
  stack.add(schema);
  const result: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    // Values of these keywords are data, not schemas.
    result[keyword] = ['example', 'examples', 'enum', 'const', 'default', 'required'].includes(keyword) ? value : toJsonSchema(value, dialect, stack);
  }
  stack.delete(schema);
  if (dialect === 'openapi31') return result;
  const nullable = result.nullable === true || result['x-nullable'] === true;
  if (nullable && typeof result.type === 'string') result.type = [result.type, 'null'];
  if (nullable && Array.isArray(result.enum) && !result.enum.includes(null)) result.enum = [...(result.enum as unknown[]), null];
  // Ajv knows `nullable` itself and refuses it without a type; `type` carries its meaning now.
  if (typeof result.nullable === 'boolean') delete result.nullable;
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (result[flag] === true && typeof result[bound] === 'number') {
      result[flag] = result[bound];
      delete result[bound];
    } else if (typeof result[flag] === 'boolean') delete result[flag];
  }
  if (result.type === 'file') delete result.type;
  return result;
}

const NUMBER_FORMATS: Record<string, (n: number) => boolean> = {
  int32: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  int64: (n) => Number.isInteger(n),
  float: (n) => Number.isFinite(n),
  double: (n) => Number.isFinite(n),
};

export function newAjv(dialect: SchemaDialect): Ajv {
  const options = { allErrors: true, strict: false, logger: false } as const;
  const ajv = dialect === 'openapi31' ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  for (const [name, validate] of Object.entries(NUMBER_FORMATS)) ajv.addFormat(name, { type: 'number', validate });
  for (const name of ['byte', 'binary', 'password']) ajv.addFormat(name, { type: 'string', validate: () => true });
  return ajv;
}
