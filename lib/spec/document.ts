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

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Parses YAML or JSON text into an object and identifies it; syntax errors name line and column. */
export function parseSpecDocument(text: string, field = 'spec'): SpecDocument {
  const format = /^\s*[{[]/.test(text) ? 'json' : 'yaml';
  const parsed = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (parsed.errors.length) {
    const first = parsed.errors[0];
    const where = first.linePos ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    throw new SpecInputError(`${field}: not valid ${format.toUpperCase()}${where}: ${first.message.split('\n')[0]}`, field);
  }
  const document = parsed.toJS({ maxAliasCount: 100 }) as unknown;
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new SpecInputError(`${field}: an OpenAPI document must be a YAML or JSON object`, field);
  }
  const doc = document as Record<string, any>;
  if (typeof doc.openapi !== 'string' && typeof doc.swagger !== 'string') {
    throw new SpecInputError(`${field}: not an OpenAPI document (no "openapi" or "swagger" version field)`, field);
  }
  return {
    id: createHash('sha256').update(canonicalJson(doc)).digest('hex'),
    document: doc,
    format,
    title: typeof doc.info?.title === 'string' ? doc.info.title : undefined,
    openapiVersion: String(doc.openapi ?? doc.swagger),
  };
}
