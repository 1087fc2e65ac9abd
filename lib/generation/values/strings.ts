import RandExp from 'randexp';
import type { SchemaObject } from '../../openapi';
import type { Random } from './random';

/** A value of each common `format`, as an API would accept it (RFC 3339 dates, RFC 5322 addresses…). */
const FORMAT_VALUES: Record<string, (random: Random, hint: string) => string> = {
  date: () => '2024-05-17',
  'date-time': () => '2024-05-17T10:30:00Z',
  time: () => '10:30:00Z',
  duration: () => 'P3D',
  email: (_random, hint) => `${slug(hint) || 'user'}@example.com`,
  'idn-email': (_random, hint) => `${slug(hint) || 'user'}@example.com`,
  uuid: (random) => uuid(random),
  uri: (_random, hint) => `https://example.com/${slug(hint) || 'resource'}`,
  url: (_random, hint) => `https://example.com/${slug(hint) || 'resource'}`,
  iri: (_random, hint) => `https://example.com/${slug(hint) || 'resource'}`,
  'uri-reference': (_random, hint) => `/${slug(hint) || 'resource'}`,
  'iri-reference': (_random, hint) => `/${slug(hint) || 'resource'}`,
  'uri-template': () => 'https://example.com/{id}',
  hostname: () => 'api.example.com',
  'idn-hostname': () => 'api.example.com',
  ipv4: () => '192.0.2.10',
  ipv6: () => '2001:db8::10',
  byte: () => 'dGVzdGxvb20=',
  binary: () => 'testloom',
  password: () => 'Secret-Passw0rd!',
  'json-pointer': () => '/items/0',
  'relative-json-pointer': () => '0/id',
  regex: () => '^[a-z]+$',
  int32: () => '42',
  int64: () => '42',
  phone: () => '+14155550100',
  'country-code': () => 'US',
  'currency-code': () => 'EUR',
  'language-code': () => 'en',
};

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
}

function uuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[random.int(0, 3)];
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Pads or cuts `text` into [minLength, maxLength] (code points, as JSON Schema counts). */
export function fitLength(text: string, minLength = 0, maxLength = Infinity): string {
  const chars = [...text];
  while (chars.length < minLength) chars.push('x');
  return chars.slice(0, Math.max(minLength, Math.min(maxLength, chars.length))).join('');
}

export function lengthOf(text: string): number {
  return [...text].length;
}

/** JSON Schema patterns are ECMA-262 regular expressions; many specs also rely on the lenient non-Unicode reading (a literal `{`). */
function compilePattern(pattern: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

/** A string matching `pattern` (ECMA-262, as JSON Schema reads it: unanchored), within the length limits, or undefined. */
export function stringFromPattern(pattern: string, random: Random, minLength = 0, maxLength = Infinity): string | undefined {
  const regex = compilePattern(pattern);
  if (!regex) return undefined;
  const generator = new RandExp(pattern);
  generator.randInt = (a, b) => random.int(a, b);
  // Open-ended repetitions (`+`, `*`) kept short, but long enough to reach a minLength.
  generator.max = Math.max(3, Math.min(minLength, 64));
  for (let attempt = 0; attempt < 24; attempt++) {
    const candidate = generator.gen();
    const length = lengthOf(candidate);
    if (regex.test(candidate) && length >= minLength && length <= maxLength) return candidate;
  }
  return undefined;
}

/** A string valid for `schema`'s format, pattern and length limits; `hint` (the field name) makes it readable. */
export function stringValue(schema: SchemaObject, random: Random, hint: string): string | undefined {
  const minLength = num(schema.minLength) ?? 0;
  const maxLength = num(schema.maxLength) ?? Infinity;
  if (typeof schema.pattern === 'string') return stringFromPattern(schema.pattern, random, minLength, maxLength);
  const format = typeof schema.format === 'string' ? FORMAT_VALUES[schema.format] : undefined;
  if (format) {
    const value = format(random, hint);
    return lengthOf(value) >= minLength && lengthOf(value) <= maxLength ? value : fitLength(value, minLength, maxLength);
  }
  return fitLength(slug(hint) || 'value', Math.max(minLength, 1), maxLength);
}
