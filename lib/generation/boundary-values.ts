import { schemaTypes, type SchemaObject } from '../openapi';

/** A value at (valid) or just past (invalid) one constraint of a schema. */
export interface BoundaryValue {
  /** Id suffix naming the constraint: `maxLength+1`, `minimum`, `enum`. */
  constraint: string;
  value: unknown;
  valid: boolean;
  /** For titles: `a 65-character string (maxLength 64)`. */
  description: string;
}

/** Longer strings make unreadable tests and can trip request-size limits instead of the constraint. */
const MAX_GENERATED_LENGTH = 10_000;
const MAX_GENERATED_ITEMS = 1_000;

function numberKeyword(schema: SchemaObject, keyword: string): number | undefined {
  const value = schema[keyword];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringBoundaries(schema: SchemaObject): BoundaryValue[] {
  const values: BoundaryValue[] = [];
  const min = numberKeyword(schema, 'minLength');
  const max = numberKeyword(schema, 'maxLength');
  // A pattern or format could reject the filler text for another reason than its length.
  const plain = schema.pattern === undefined && schema.format === undefined && schema.enum === undefined;
  const text = (length: number) => 'x'.repeat(length);
  const chars = (length: number) => `a ${length}-character string`;
  if (min !== undefined && min > 0) {
    values.push({ constraint: 'minLength-1', value: text(min - 1), valid: false, description: `${chars(min - 1)} (minLength ${min})` });
    if (plain) values.push({ constraint: 'minLength', value: text(min), valid: true, description: `${chars(min)} (minLength ${min})` });
  }
  if (max !== undefined && max < MAX_GENERATED_LENGTH) {
    values.push({ constraint: 'maxLength+1', value: text(max + 1), valid: false, description: `${chars(max + 1)} (maxLength ${max})` });
    if (plain && max > 0 && max !== min) values.push({ constraint: 'maxLength', value: text(max), valid: true, description: `${chars(max)} (maxLength ${max})` });
  }
  return values;
}

/** OpenAPI 3.0 / Swagger 2.0 write `exclusiveMinimum: true` next to `minimum`; 3.1 writes the bound itself. */
function bound(schema: SchemaObject, side: 'minimum' | 'maximum'): { limit: number; exclusive: boolean } | undefined {
  const exclusiveKeyword = side === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum';
  const exclusiveNumber = numberKeyword(schema, exclusiveKeyword);
  if (exclusiveNumber !== undefined) return { limit: exclusiveNumber, exclusive: true };
  const limit = numberKeyword(schema, side);
  return limit === undefined ? undefined : { limit, exclusive: schema[exclusiveKeyword] === true };
}

function numberBoundaries(schema: SchemaObject, integer: boolean): BoundaryValue[] {
  const values: BoundaryValue[] = [];
  for (const side of ['minimum', 'maximum'] as const) {
    const found = bound(schema, side);
    if (!found || (integer && !Number.isInteger(found.limit))) continue;
    const { limit, exclusive } = found;
    const sign = side === 'minimum' ? -1 : 1;
    const keyword = exclusive ? `exclusive${side === 'minimum' ? 'Minimum' : 'Maximum'}` : side;
    if (exclusive) {
      values.push({ constraint: keyword, value: limit, valid: false, description: `${limit} (${keyword} ${limit})` });
      if (integer) values.push({ constraint: `${keyword}${sign < 0 ? '+1' : '-1'}`, value: limit - sign, valid: true, description: `${limit - sign} (${keyword} ${limit})` });
    } else {
      const outside = limit + sign;
      values.push({ constraint: `${side}${sign < 0 ? '-1' : '+1'}`, value: outside, valid: false, description: `${outside} (${side} ${limit})` });
      values.push({ constraint: side, value: limit, valid: true, description: `${limit} (${side} ${limit})` });
    }
  }
  return values;
}

function arrayBoundaries(schema: SchemaObject, validItems: unknown[]): BoundaryValue[] {
  const values: BoundaryValue[] = [];
  const min = numberKeyword(schema, 'minItems');
  const max = numberKeyword(schema, 'maxItems');
  const item = validItems[0];
  const items = (count: number) => Array.from({ length: count }, () => structuredClone(item));
  if (min !== undefined && min > 0) {
    values.push({ constraint: 'minItems-1', value: items(min - 1), valid: false, description: `${min - 1} items (minItems ${min})` });
  }
  if (max !== undefined && max < MAX_GENERATED_ITEMS && item !== undefined && schema.uniqueItems !== true) {
    values.push({ constraint: 'maxItems+1', value: items(max + 1), valid: false, description: `${max + 1} items (maxItems ${max})` });
  }
  return values;
}

function enumOutside(schema: SchemaObject): BoundaryValue | undefined {
  const allowed = schema.enum;
  if (!Array.isArray(allowed) || !allowed.length) return undefined;
  if (allowed.every((value) => typeof value === 'string')) {
    let candidate = 'not-in-enum';
    while (allowed.includes(candidate)) candidate += '-x';
    return { constraint: 'enum', value: candidate, valid: false, description: `"${candidate}", not one of the enum values` };
  }
  if (allowed.every((value) => typeof value === 'number')) {
    const candidate = Math.max(...allowed) + 1;
    return { constraint: 'enum', value: candidate, valid: false, description: `${candidate}, not one of the enum values` };
  }
  return undefined;
}

/**
 * Values at and just past the length, range, item-count and enum constraints of one schema.
 * `valid` is the schema-valid sample, used as the filler item for arrays.
 */
export function boundaryValues(schema: SchemaObject, valid: unknown): BoundaryValue[] {
  const types = schemaTypes(schema).filter((type) => type !== 'null');
  if (types.length !== 1) return [];
  const [type] = types;
  const outside = enumOutside(schema);
  if (outside) return [outside];
  if (type === 'string') return stringBoundaries(schema);
  if (type === 'integer' || type === 'number') return numberBoundaries(schema, type === 'integer');
  if (type === 'array') return arrayBoundaries(schema, Array.isArray(valid) ? valid : []);
  return [];
}
