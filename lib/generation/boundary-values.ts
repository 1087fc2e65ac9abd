import { schemaTypes, type SchemaObject } from '../openapi';
import { seededRandom, stringFromPattern } from './values';

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

/** A value of the right type that breaks only the format (and any pattern-free length limit it fits in). */
const INVALID_FORMATS: Record<string, string> = {
  email: 'not-an-email',
  'idn-email': 'not-an-email',
  uuid: 'not-a-uuid',
  date: '2024-13-45',
  'date-time': '2024-05-17 25:61',
  time: '25:61:00',
  uri: 'not a uri',
  url: 'not a url',
  hostname: 'not a hostname!',
  ipv4: '999.1.1.1',
  ipv6: 'not:an:ipv6::address::',
  byte: '%%not-base64%%',
};

/** A string of exactly `length` characters that is still valid for the pattern or format, or undefined. */
function stringOfLength(schema: SchemaObject, length: number, seed: string): string | undefined {
  if (typeof schema.pattern === 'string') return stringFromPattern(schema.pattern, seededRandom(`${seed}/${length}`), length, length);
  if (schema.format === 'email' && length >= 'a@example.com'.length) return `${'a'.repeat(length - '@example.com'.length)}@example.com`;
  if (schema.format !== undefined) return undefined;
  return 'x'.repeat(length);
}

function stringBoundaries(schema: SchemaObject, seed: string): BoundaryValue[] {
  const values: BoundaryValue[] = [];
  const min = numberKeyword(schema, 'minLength');
  const max = numberKeyword(schema, 'maxLength');
  const chars = (length: number) => `a ${length}-character string`;
  // Each value breaks (or meets) the length alone: it still matches the pattern and format.
  const push = (constraint: string, length: number, valid: boolean, limit: string) => {
    const value = stringOfLength(schema, length, seed);
    if (value !== undefined) values.push({ constraint, value, valid, description: `${chars(length)} (${limit})` });
  };
  if (min !== undefined && min > 0) {
    push('minLength-1', min - 1, false, `minLength ${min}`);
    push('minLength', min, true, `minLength ${min}`);
  }
  if (max !== undefined && max < MAX_GENERATED_LENGTH) {
    push('maxLength+1', max + 1, false, `maxLength ${max}`);
    if (max > 0 && max !== min) push('maxLength', max, true, `maxLength ${max}`);
  }
  const invalidFormat = typeof schema.format === 'string' ? INVALID_FORMATS[schema.format] : undefined;
  if (invalidFormat !== undefined && schema.pattern === undefined && (max === undefined || invalidFormat.length <= max)) {
    values.push({ constraint: 'format', value: invalidFormat, valid: false, description: `"${invalidFormat}", not a valid ${schema.format}` });
  }
  const mismatch = typeof schema.pattern === 'string' ? patternMismatch(schema.pattern, min ?? 0, max) : undefined;
  if (mismatch !== undefined) values.push({ constraint: 'pattern', value: mismatch, valid: false, description: `"${mismatch}", not matching ${String(schema.pattern)}` });
  return values;
}

/** A string within the length limits that does not match the pattern. */
function patternMismatch(pattern: string, min: number, max: number | undefined): string | undefined {
  const regex = (() => {
    try {
      return new RegExp(pattern, 'u');
    } catch {
      return undefined;
    }
  })();
  if (!regex) return undefined;
  const length = Math.max(min, Math.min(max ?? 8, 8));
  return ['!'.repeat(length), ' '.repeat(length), '0'.repeat(length), 'x'.repeat(length)].find((text) => !regex.test(text));
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

/** Values an enum does not allow: an invented one, and the first value in upper case and with a trailing space. */
function enumOutside(schema: SchemaObject): BoundaryValue[] {
  const allowed = schema.enum;
  if (!Array.isArray(allowed) || !allowed.length) return [];
  if (allowed.every((value) => typeof value === 'string')) {
    const strings = allowed;
    let invented = 'not-in-enum';
    while (strings.includes(invented)) invented += '-x';
    const values: BoundaryValue[] = [{ constraint: 'enum', value: invented, valid: false, description: `"${invented}", not one of the enum values` }];
    const upper = strings[0].toUpperCase();
    if (!strings.includes(upper)) values.push({ constraint: 'enum-case', value: upper, valid: false, description: `"${upper}", an enum value in another case` });
    const padded = `${strings[0]} `;
    if (!strings.includes(padded)) values.push({ constraint: 'enum-whitespace', value: padded, valid: false, description: `"${padded}", an enum value with a trailing space` });
    return values;
  }
  if (allowed.every((value) => typeof value === 'number')) {
    const candidate = Math.max(...(allowed)) + 1;
    return [{ constraint: 'enum', value: candidate, valid: false, description: `${candidate}, not one of the enum values` }];
  }
  return [];
}

/**
 * Values at and just past the length, range, item-count, enum, format and pattern constraints of
 * one schema, each changing only that constraint. `valid` is the schema-valid sample (the filler
 * item for arrays); `seed` keeps pattern-built values stable.
 */
export function boundaryValues(schema: SchemaObject, valid: unknown, seed: string): BoundaryValue[] {
  const types = schemaTypes(schema).filter((type) => type !== 'null');
  if (types.length !== 1) return [];
  const [type] = types;
  const outside = enumOutside(schema);
  if (outside.length) return outside;
  if (type === 'string') return stringBoundaries(schema, seed);
  if (type === 'integer' || type === 'number') return numberBoundaries(schema, type === 'integer');
  if (type === 'array') return arrayBoundaries(schema, Array.isArray(valid) ? valid : []);
  return [];
}
