import type { ValidateFunction } from 'ajv';
import type { SchemaObject } from '../../openapi';
import { newAjv, RecursiveSchema, toJsonSchema } from '../../openapi/json-schema';

/** A generated value checked against its schema: valid, invalid with Ajv's reasons, or not checkable (a recursive or malformed schema). */
export type ValueCheck = { valid: true } | { valid: false; errors: string[] } | { valid: 'unchecked' };

/**
 * `oneOf` read as `anyOf`. OpenAPI uses oneOf for alternatives a discriminator tells apart, or whose
 * branches differ only in optional properties; read as JSON Schema, a value of one branch then often
 * matches another too and no value could pass. A value valid for one branch is what an API expects.
 */
function oneOfAsAnyOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(oneOfAsAnyOf);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key === 'oneOf' ? 'anyOf' : key, oneOfAsAnyOf(value)]));
}

/**
 * Checks generated values against their schemas with Ajv (OpenAPI 3.0 `nullable` and boolean
 * bounds rewritten; 3.1 schemas read the same way; oneOf as anyOf). One compiled validator per schema object.
 */
export class ValueValidator {
  private readonly ajv = newAjv('openapi30');
  private readonly compiled = new WeakMap<object, ValidateFunction | 'unchecked'>();

  private validator(schema: SchemaObject): ValidateFunction | 'unchecked' {
    let entry = this.compiled.get(schema);
    if (!entry) {
      try {
        entry = this.ajv.compile(oneOfAsAnyOf(toJsonSchema(schema, 'openapi30')) as object);
      } catch (err) {
        // A recursive schema, or one Ajv refuses (duplicate enum values…): values are then not checked.
        if (!(err instanceof RecursiveSchema) && !(err instanceof Error)) throw err;
        entry = 'unchecked';
      }
      this.compiled.set(schema, entry);
    }
    return entry;
  }

  check(schema: SchemaObject, value: unknown): ValueCheck {
    const validate = this.validator(schema);
    if (validate === 'unchecked') return { valid: 'unchecked' };
    if (validate(value)) return { valid: true };
    return { valid: false, errors: (validate.errors ?? []).map((e) => `${e.instancePath || '(value)'} ${e.message ?? 'is invalid'}`) };
  }
}
