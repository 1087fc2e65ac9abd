import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { getSpec } from '../db/specs';
import { dereferenceSpec } from './dereference';
import { parseSpecDocument } from './intake/document';

export class UnknownSpecError extends Error {
  constructor(specId: string) {
    super(`spec ${specId} is not stored; start the run through the API or CLI`);
    this.name = 'UnknownSpecError';
  }
}

/** Loads a stored spec and dereferences + validates it (internal refs only; nothing outside it is read). */
export async function loadStoredSpec(db: Kysely<Tables>, specId: string) {
  const row = await getSpec(db, specId);
  if (!row) throw new UnknownSpecError(specId);
  const { document } = parseSpecDocument(row.content);
  return { row, api: await dereferenceSpec(document) };
}
