import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { SchemaObject } from '../openapi';

/** Checks a response body against its documented schema with Ajv, after turning OpenAPI's dialect into JSON Schema. */

export type SchemaDialect = 'openapi30' | 'openapi31';

export type BodyCheck = { valid: true } | { valid: false; errors: string[] } | { valid: 'unchecked'; reason: string };

class RecursiveSchema extends Error {}

const MAX_DEPTH = 64;

/** OpenAPI 3.0 / Swagger 2.0 → draft-07: `nullable` and `x-nullable` become a null type, boolean exclusive bounds become numbers. */
function toJsonSchema(schema: unknown, dialect: SchemaDialect, stack: Set<unknown> = new Set()): unknown {
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

function newAjv(dialect: SchemaDialect): Ajv {
  const ajv = dialect === 'openapi31' ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(NUMBER_FORMATS)) ajv.addFormat(name, { type: 'number', validate });
  for (const name of ['byte', 'binary', 'password']) ajv.addFormat(name, { type: 'string', validate: () => true });
  return ajv;
}

export class ResponseBodyChecker {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<object, ValidateFunction | string>();

  constructor(private readonly dialect: SchemaDialect) {
    this.ajv = newAjv(dialect);
  }

  private validator(schema: SchemaObject): ValidateFunction | string {
    let entry = this.compiled.get(schema);
    if (!entry) {
      try {
        entry = this.ajv.compile(toJsonSchema(schema, this.dialect) as object);
      } catch (err) {
        entry = err instanceof RecursiveSchema ? 'the documented schema is recursive' : `the documented schema does not compile: ${(err as Error).message}`;
      }
      this.compiled.set(schema, entry);
    }
    return entry;
  }

  check(schema: SchemaObject, body: string): BodyCheck {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (err) {
      return { valid: false, errors: [`the body is not JSON: ${(err as Error).message}`] };
    }
    const validate = this.validator(schema);
    if (typeof validate === 'string') return { valid: 'unchecked', reason: validate };
    if (validate(data)) return { valid: true };
    return { valid: false, errors: (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`) };
  }
}
