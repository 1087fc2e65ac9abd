import { asSchema, objectShape, schemaExample, schemaTypes, type SchemaObject } from '../../openapi';
import type { Random } from './random';
import { stringValue } from './strings';

/**
 * A value valid for a schema by construction: `const`, `enum`, `default` and (when asked for)
 * examples first, then a value built from the type and its constraints. Requests leave `readOnly`
 * properties out, responses `writeOnly` ones. Callers validate the result (values/validator.ts):
 * a constraint combination this cannot satisfy is caught there, at generation, not at the API.
 */
export interface ValueOptions {
  random: Random;
  direction: 'request' | 'response';
  /** Use the spec's examples where a schema has one. */
  examples: boolean;
  /** Send optional properties too (a fuller request), or only the required ones. */
  optional: boolean;
  /** Which oneOf/anyOf branch to take (the first usable one when out of range). */
  branch: number;
  /** Whether a value the spec gives (example, default) is valid for its schema; invalid ones are not used. */
  accepts(schema: SchemaObject, value: unknown): boolean;
}

const MAX_DEPTH = 8;

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The members of allOf folded into one schema (later members' keywords win; properties and required merged). */
function merged(schema: SchemaObject, depth = 0): SchemaObject {
  if (!Array.isArray(schema.allOf) || depth > MAX_DEPTH) return schema;
  const result: SchemaObject = { ...schema };
  delete result.allOf;
  for (const member of schema.allOf.map((m) => merged(asSchema(m), depth + 1))) {
    for (const [key, value] of Object.entries(member)) {
      if (key === 'properties' && isRecord(value)) result.properties = { ...(result.properties ?? {}), ...(value as Record<string, SchemaObject>) };
      else if (key === 'required' && Array.isArray(value)) result.required = [...new Set([...(result.required ?? []), ...(value as string[])])];
      else if (!(key in result)) result[key] = value;
    }
  }
  return result;
}

function numberValue(schema: SchemaObject, integer: boolean): number {
  const multipleOf = num(schema.multipleOf);
  const step = integer ? 1 : (multipleOf ?? 0.5);
  let min = num(schema.minimum);
  let max = num(schema.maximum);
  const exclusiveMin = num(schema.exclusiveMinimum) ?? (schema.exclusiveMinimum === true ? min : undefined);
  const exclusiveMax = num(schema.exclusiveMaximum) ?? (schema.exclusiveMaximum === true ? max : undefined);
  if (exclusiveMin !== undefined) min = Math.max(min ?? -Infinity, exclusiveMin + (integer ? 1 : step / 2));
  if (exclusiveMax !== undefined) max = Math.min(max ?? Infinity, exclusiveMax - (integer ? 1 : step / 2));
  if (integer) {
    if (min !== undefined) min = Math.ceil(min);
    if (max !== undefined) max = Math.floor(max);
  }
  // 1 where allowed: ids, counts and quantities are positive in most APIs.
  let value = (min ?? -Infinity) <= 1 && 1 <= (max ?? Infinity) ? 1 : min ?? max ?? 1;
  if (multipleOf) {
    const lower = Math.ceil(value / multipleOf) * multipleOf;
    value = lower <= (max ?? Infinity) ? lower : Math.floor(value / multipleOf) * multipleOf;
    value = Number(value.toFixed(10));
  }
  return value;
}

/** The i-th of several distinct values: another enum value, a larger number, a suffixed string. */
function distinct(value: unknown, items: SchemaObject, i: number): unknown {
  if (Array.isArray(items.enum) && items.enum.length > i) return items.enum[i];
  if (typeof value === 'number') return value + i * (num(items.multipleOf) ?? 1);
  if (typeof value === 'string') return `${value.slice(0, Math.max(0, (num(items.maxLength) ?? Infinity) - String(i).length - 1))}-${i}`;
  return value;
}

function arrayValue(schema: SchemaObject, options: ValueOptions, hint: string, depth: number): unknown[] {
  const minItems = num(schema.minItems) ?? 0;
  const maxItems = num(schema.maxItems) ?? Infinity;
  const count = Math.min(Math.max(minItems, 1), maxItems);
  const items = asSchema(schema.items);
  const first = buildValue(items, options, hint, depth + 1);
  return Array.from({ length: count }, (_, i) => (i === 0 ? first : schema.uniqueItems === true ? distinct(first, items, i) : structuredClone(first)));
}

function objectValue(schema: SchemaObject, options: ValueOptions, depth: number, discriminated?: [string, string]): Record<string, unknown> {
  const shape = objectShape(schema);
  const value: Record<string, unknown> = {};
  const skip = options.direction === 'request' ? 'readOnly' : 'writeOnly';
  for (const [name, property] of shape?.properties ?? []) {
    const required = shape?.required.includes(name) ?? false;
    if (!required && (property[skip] === true || !options.optional || depth >= MAX_DEPTH - 2)) continue;
    value[name] = buildValue(property, options, name, depth + 1);
  }
  for (const name of shape?.required ?? []) if (!(name in value)) value[name] = 'value';
  if (discriminated) value[discriminated[0]] = discriminated[1];
  return value;
}

/** The discriminator's property and the value naming `branch` (its mapping key, else the schema name of a $ref'd branch). */
function discriminatorValue(schema: SchemaObject, branch: SchemaObject, index: number): [string, string] | undefined {
  const discriminator = isRecord(schema.discriminator) ? schema.discriminator : undefined;
  const property = typeof discriminator?.propertyName === 'string' ? discriminator.propertyName : undefined;
  if (!property) return undefined;
  const mapping = isRecord(discriminator?.mapping) ? Object.keys(discriminator.mapping) : [];
  const own = asSchema(objectShape(branch)?.properties.find(([name]) => name === property)?.[1]);
  const declared = Array.isArray(own.enum) && typeof own.enum[0] === 'string' ? own.enum[0] : typeof own.const === 'string' ? own.const : undefined;
  const name = declared ?? mapping[index] ?? (typeof branch.title === 'string' ? branch.title : undefined);
  return name ? [property, name] : undefined;
}

function buildValue(raw: SchemaObject, options: ValueOptions, hint: string, depth: number): unknown {
  const schema = merged(raw);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) {
    return schema.enum.find((v) => v !== null && options.accepts(schema, v)) ?? schema.enum.find((v) => v !== null) ?? schema.enum[0];
  }
  const given = [options.examples ? schemaExample(schema) : undefined, schema.default];
  const usable = given.find((value) => value !== undefined && options.accepts(schema, value));
  if (usable !== undefined) return usable;
  if (depth > MAX_DEPTH) return null;
  const choices = (Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : []).map(asSchema);
  if (choices.length) {
    const usable = choices.map((choice, i) => [choice, i] as const).filter(([choice]) => !schemaTypes(choice).length || schemaTypes(choice).some((t) => t !== 'null'));
    const index = (usable[options.branch] ?? usable[0] ?? [choices[0], 0])[1];
    const branch = merged({ ...schema, oneOf: undefined, anyOf: undefined, allOf: [choices[index]] });
    const discriminated = discriminatorValue(schema, choices[index], index);
    if (discriminated || objectShape(branch)) return objectValue(branch, options, depth, discriminated);
    return buildValue(branch, options, hint, depth + 1);
  }
  const type = schemaTypes(schema).find((t) => t !== 'null') ?? (objectShape(schema) ? 'object' : 'string');
  switch (type) {
    case 'integer':
      return numberValue(schema, true);
    case 'number':
      return numberValue(schema, false);
    case 'boolean':
      return true;
    case 'array':
      return arrayValue(schema, options, hint, depth);
    case 'object':
      return objectValue(schema, options, depth);
    default:
      return stringValue(schema, options.random, hint) ?? 'value';
  }
}

export function validValue(schema: SchemaObject, options: ValueOptions, hint = 'value'): unknown {
  return buildValue(schema, options, hint, 0);
}
