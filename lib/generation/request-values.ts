import { schemaTypes, type OperationParameter, type SchemaObject } from '../openapi';
import type { QueryValue, ScalarValue } from './types';
import { checkValue, NoValidValueError, validRequestValue } from './values';

/** The operation needs input this generator cannot produce; the operation is skipped with this reason. */
export class UnsupportedInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedInputError';
  }
}

export interface ValueSource {
  /** Seeds the generated value: the same operation and field always get the same value. */
  seed: string;
  /** The field's name, to make generated text readable (`name`, `email`). */
  hint?: string;
  /** The spec's example for the field, used when it is valid for the schema. */
  example?: unknown;
}

/**
 * A value valid for the schema, checked by Ajv before it is rendered: the spec's example when it is
 * valid, else one built from the schema (types, formats, patterns, enums, limits, composition).
 */
export function sampleRequestValue(schema: SchemaObject, what: string, source: ValueSource): unknown {
  if (source.example !== undefined && checkValue(schema, source.example).valid !== false) return source.example;
  try {
    return validRequestValue(schema, source.seed, source.hint);
  } catch (err) {
    if (err instanceof NoValidValueError) throw new UnsupportedInputError(`cannot build a valid value for ${what}: ${err.reason}`);
    throw err;
  }
}

const ARRAY_SEPARATORS: Record<string, string> = { csv: ',', ssv: ' ', tsv: '\t', pipes: '|' };

function isScalar(value: unknown): value is ScalarValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A parameter value as sent: scalars as is, arrays repeated (`multi`) or joined per the parameter's style. */
export function serializeParameterValue(parameter: OperationParameter, value: unknown): QueryValue {
  const what = `${parameter.in} parameter "${parameter.name}"`;
  if (isScalar(value)) return value;
  if (Array.isArray(value) && value.every(isScalar)) {
    if (parameter.arrayStyle === 'multi' && parameter.in === 'query') return value;
    return value.join(ARRAY_SEPARATORS[parameter.arrayStyle ?? 'csv'] ?? ',');
  }
  throw new UnsupportedInputError(`${what} takes an object or null value; only scalar and array parameter values are generated`);
}

export interface WrongValue {
  value: unknown;
  sentType: string;
  expectedType: string;
}

function describeTypes(types: string[]): string {
  return types.join(' or ');
}

/** `not-an-integer`, `not-a-number`: obviously wrong, and readable in a failing request. */
function notA(type: string): string {
  return `not-${/^[aeiou]/.test(type) ? 'an' : 'a'}-${type}`;
}

/** A string where a path/query/header parameter must be a number or boolean; nothing for string-like parameters. */
export function wrongParameterValue(schema: SchemaObject): WrongValue | undefined {
  const types = schemaTypes(schema).filter((type) => type !== 'null');
  if (!types.length || types.some((type) => !['integer', 'number', 'boolean'].includes(type))) return undefined;
  return { value: notA(types[0]), sentType: 'string', expectedType: describeTypes(types) };
}

/** A JSON value of a type the schema does not allow, or nothing when the schema allows every scalar type. */
export function wrongJsonValue(schema: SchemaObject): WrongValue | undefined {
  const types = schemaTypes(schema);
  if (!types.length) return undefined;
  const expectedType = describeTypes(types);
  const allowsNumber = types.includes('number') || types.includes('integer');
  if (!types.includes('string')) return { value: notA(types.find((t) => t !== 'null') ?? 'value'), sentType: 'string', expectedType };
  if (!allowsNumber) return { value: 12345, sentType: 'number', expectedType };
  if (!types.includes('boolean')) return { value: true, sentType: 'boolean', expectedType };
  return undefined;
}
