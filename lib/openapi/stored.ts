import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { getSpec, saveNormalizedSpec } from '../db/specs';
import { dereferenceSpec, normalizeSpec, readNormalizedSpec } from './dereference';
import { parseSpecDocument } from './intake/document';
import { HTTP_METHODS } from './operation';

export class UnknownSpecError extends Error {
  constructor(specId: string) {
    super(`spec ${specId} is not stored; start the run through the API or CLI`);
    this.name = 'UnknownSpecError';
  }
}

export class SpecTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecTooLargeError';
  }
}

async function storedRow(db: Kysely<Tables>, specId: string) {
  const row = await getSpec(db, specId);
  if (!row) throw new UnknownSpecError(specId);
  return row;
}

/** Operations written out under `paths` (path items behind a `$ref` not followed): a lower bound, cheap to count before validating. */
function declaredOperationCount(document: unknown): number {
  const paths = (document as { paths?: unknown } | null)?.paths;
  if (typeof paths !== 'object' || paths === null) return 0;
  const methods = new Set<string>(HTTP_METHODS);
  const items: unknown[] = Object.values(paths);
  return items.reduce<number>((count, item) => count + (typeof item === 'object' && item !== null ? Object.keys(item).filter((key) => methods.has(key)).length : 0), 0);
}

/**
 * The receive stage's one full read of a stored spec: parsed, validated and dereferenced (internal
 * refs only; nothing outside it is read), and kept in normalized form for the stages after it.
 * `tooLarge` sees the operations the document declares before the costly validation, and again after
 * dereferencing; what it returns is thrown as a SpecTooLargeError.
 */
export async function normalizeStoredSpec(db: Kysely<Tables>, specId: string, tooLarge: (operationCount: number) => string | undefined = () => undefined) {
  const row = await storedRow(db, specId);
  const { document } = parseSpecDocument(row.content);
  const refused = tooLarge(declaredOperationCount(document));
  if (refused) throw new SpecTooLargeError(refused);
  const { api, normalized } = await normalizeSpec(document);
  if (row.normalized !== normalized) await saveNormalizedSpec(db, specId, normalized);
  return { row, api };
}

/** A stored spec, dereferenced: from its normalized form when receive wrote one, else validated afresh (specs stored before it existed). */
export async function loadStoredSpec(db: Kysely<Tables>, specId: string) {
  const row = await storedRow(db, specId);
  if (row.normalized) return { row, api: await readNormalizedSpec(row.normalized) };
  return { row, api: await dereferenceSpec(parseSpecDocument(row.content).document) };
}
