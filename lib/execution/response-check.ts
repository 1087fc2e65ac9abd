import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { SchemaObject } from '../openapi';
import { newAjv, RecursiveSchema, toJsonSchema, type SchemaDialect } from '../openapi/json-schema';

export type { SchemaDialect } from '../openapi/json-schema';

export type BodyCheck = { valid: true } | { valid: false; errors: string[] } | { valid: 'unchecked'; reason: string };

/** Checks a response body against its documented schema with Ajv, after turning OpenAPI's dialect into JSON Schema. */

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
