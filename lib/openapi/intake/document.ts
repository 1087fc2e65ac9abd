import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { SpecInputError } from './errors';

export interface SpecDocument {
  /** sha256 of the canonical JSON form: the same API in YAML or JSON, any key order, has one id. */
  id: string;
  document: Record<string, unknown>;
  format: 'json' | 'yaml';
  title?: string;
  openapiVersion?: string;
}

class CyclicDocumentError extends Error {}

function canonicalJson(value: unknown, ancestors = new Set<object>()): string {
  if (!value || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // A YAML alias to one of its own ancestors makes a cycle no JSON can hold.
  if (ancestors.has(value)) throw new CyclicDocumentError();
  ancestors.add(value);
  const text = Array.isArray(value)
    ? `[${value.map((item) => canonicalJson(item, ancestors)).join(',')}]`
    : `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], ancestors)}`).join(',')}}`;
  ancestors.delete(value);
  return text;
}

/** Parses YAML or JSON text into an object and identifies it; syntax errors name line and column. */
export function parseSpecDocument(text: string, field = 'spec'): SpecDocument {
  const format = /^\s*[{[]/.test(text) ? 'json' : 'yaml';
  const document = (format === 'json' ? parseStrictJson(text) : undefined) ?? parseYaml(text, format, field);
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new SpecInputError(`${field}: an OpenAPI document must be a YAML or JSON object`, field);
  }
  const doc = document as Record<string, unknown>;
  if (typeof doc.openapi !== 'string' && typeof doc.swagger !== 'string') {
    throw new SpecInputError(`${field}: not an OpenAPI document (no "openapi" or "swagger" version field)`, field);
  }
  let canonical: string;
  try {
    canonical = canonicalJson(doc);
  } catch (err) {
    if (err instanceof CyclicDocumentError) throw new SpecInputError(`${field}: not usable: a YAML alias refers to a node that contains it`, field);
    if (err instanceof RangeError) throw new SpecInputError(`${field}: not usable: nested too deeply`, field);
    throw err;
  }
  return {
    id: createHash('sha256').update(canonical).digest('hex'),
    document: doc,
    format,
    title: titleOf(doc.info),
    openapiVersion: String(doc.openapi ?? doc.swagger),
  };
}

/**
 * JSON text through JSON.parse: the YAML parser (JSON is YAML) takes seconds on a spec of a few
 * megabytes, JSON.parse milliseconds. Only when the text is valid JSON with no repeated key in any
 * object (JSON.parse keeps the last silently; the YAML parser names the line): otherwise undefined,
 * and the YAML parser reports what is wrong.
 */
function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  try {
    return memberSeparators(text) === memberCount(value) ? value : undefined;
  } catch (err) {
    // Nested deeper than the stack: the YAML path reports it.
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/** The colons outside string literals: one per object member in valid JSON. */
function memberSeparators(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) count++;
    else if (c === 0x22) {
      // Skip the string: to the next quote not escaped by a backslash.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    }
  }
  return count;
}

function memberCount(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + memberCount(item), 0);
  let count = 0;
  for (const key of Object.keys(value)) count += 1 + memberCount((value as Record<string, unknown>)[key]);
  return count;
}

function parseYaml(text: string, format: 'json' | 'yaml', field: string): unknown {
  const parsed = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (parsed.errors.length) {
    const first = parsed.errors[0];
    const where = first.linePos ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    throw new SpecInputError(`${field}: not valid ${format.toUpperCase()}${where}: ${first.message.split('\n')[0]}`, field);
  }
  try {
    return parsed.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // yaml refuses a document whose aliases would expand it beyond reason (a "billion laughs").
    const why = /alias/i.test((err as Error).message) ? 'its YAML aliases expand it too far' : (err as Error).message;
    throw new SpecInputError(`${field}: not usable: ${why}`, field);
  }
}

/** `info.title` when it is a string. */
function titleOf(info: unknown): string | undefined {
  return typeof info === 'object' && info !== null && 'title' in info && typeof info.title === 'string' ? info.title : undefined;
}
