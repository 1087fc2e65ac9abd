import type { Kysely } from 'kysely';
import type { SpecFormat, SpecRow, Tables } from '../../schema/tables';
import type { SpecSourceKind } from '../core/run';

export interface NewSpec {
  /** sha256 hex of the normalized spec: the same spec always gets the same id. */
  id: string;
  content: string;
  format: SpecFormat;
  sourceKind: SpecSourceKind;
  sourceLocation?: string | null;
  title?: string | null;
  openapiVersion?: string | null;
}

/** Stores a spec once; saving the same id again keeps the first row and returns it. */
export async function saveSpec(db: Kysely<Tables>, spec: NewSpec): Promise<SpecRow> {
  const inserted = await db
    .insertInto('specs')
    .values({
      id: spec.id,
      content: spec.content,
      format: spec.format,
      sourceKind: spec.sourceKind,
      sourceLocation: spec.sourceLocation ?? null,
      title: spec.title ?? null,
      openapiVersion: spec.openapiVersion ?? null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ?? (await db.selectFrom('specs').selectAll().where('id', '=', spec.id).executeTakeFirstOrThrow());
}

/** The receive stage's validated, dereferenced form; the same for every run of the spec, so rewriting it is harmless. */
export async function saveNormalizedSpec(db: Kysely<Tables>, id: string, normalized: string): Promise<void> {
  await db.updateTable('specs').set({ normalized }).where('id', '=', id).execute();
}

export async function getSpec(db: Kysely<Tables>, id: string): Promise<SpecRow | undefined> {
  return db.selectFrom('specs').selectAll().where('id', '=', id).executeTakeFirst();
}
