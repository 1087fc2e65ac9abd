import { type RawBuilder, sql } from 'kysely';
import type { JsonbInput } from '../../schema/tables';

/**
 * Serializes a value for a jsonb column. Explicit because `pg` would send a JS array as a
 * Postgres array literal; PGlite passes a string through to jsonb unchanged.
 */
export function jsonb(value: unknown): RawBuilder<JsonbInput> {
  if (value === undefined) throw new TypeError('jsonb(): undefined is not JSON; pass null for SQL NULL');
  return sql<JsonbInput>`cast(${JSON.stringify(value)} as jsonb)`;
}

/** Like `jsonb()`, but null and undefined become SQL NULL. */
export function nullableJsonb(value: unknown): RawBuilder<JsonbInput> | null {
  return value === null || value === undefined ? null : jsonb(value);
}
