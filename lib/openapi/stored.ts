import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { getSpec, saveNormalizedSpec } from '../db/specs';
import { dereferenceSpec, normalizeSpec, readNormalizedSpec } from './dereference';
import { parseSpecDocument } from './intake/document';

export class UnknownSpecError extends Error {
  constructor(specId: string) {
    super(`spec ${specId} is not stored; start the run through the API or CLI`);
    this.name = 'UnknownSpecError';
  }
}

async function storedRow(db: Kysely<Tables>, specId: string) {
  const row = await getSpec(db, specId);
  if (!row) throw new UnknownSpecError(specId);
  return row;
}

/**
 * The receive stage's one full read of a stored spec: parsed, validated and dereferenced (internal
 * refs only; nothing outside it is read), and kept in normalized form for the stages after it.
 */
export async function normalizeStoredSpec(db: Kysely<Tables>, specId: string) {
  const row = await storedRow(db, specId);
  const { api, normalized } = await normalizeSpec(parseSpecDocument(row.content).document);
  if (row.normalized !== normalized) await saveNormalizedSpec(db, specId, normalized);
  return { row, api };
}

/** A stored spec, dereferenced: from its normalized form when receive wrote one, else validated afresh (specs stored before it existed). */
export async function loadStoredSpec(db: Kysely<Tables>, specId: string) {
  const row = await storedRow(db, specId);
  if (row.normalized) return { row, api: await readNormalizedSpec(row.normalized) };
  return { row, api: await dereferenceSpec(parseSpecDocument(row.content).document) };
}
