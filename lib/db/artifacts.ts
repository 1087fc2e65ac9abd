import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ArtifactRow, Tables } from '../../schema/tables';
import type { Artifact } from '../core/run';
import { parameterBatches } from './batches';

/** Makes `artifacts` the run's complete set, replacing whatever was stored before (not read back: tens of KB per run). */
export async function replaceArtifacts(db: Kysely<Tables>, runId: string, artifacts: Artifact[]): Promise<void> {
  const seen = new Set<string>();
  for (const { path } of artifacts) {
    if (seen.has(path)) throw new Error(`duplicate artifact path for run ${runId}: ${path}`);
    seen.add(path);
  }
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('artifacts').where('runId', '=', runId).execute();
    const rows = artifacts.map((a) => ({
      runId,
      path: a.path,
      kind: a.kind,
      content: a.content,
      sha256: createHash('sha256').update(a.content, 'utf8').digest('hex'),
    }));
    for (const batch of parameterBatches(rows)) await tx.insertInto('artifacts').values(batch).execute();
  });
}

export async function listArtifacts(db: Kysely<Tables>, runId: string): Promise<ArtifactRow[]> {
  return db.selectFrom('artifacts').selectAll().where('runId', '=', runId).orderBy('path').execute();
}

/** What a run's view shows of each file: no content (tens of KB per run), whether validation edited it. */
export async function listArtifactSummaries(db: Kysely<Tables>, runId: string) {
  return db
    .selectFrom('artifacts')
    .select(['path', 'kind', 'sha256', 'withheldReason'])
    .select((eb) => eb('deliveredContent', 'is not', null).as('edited'))
    .where('runId', '=', runId)
    .orderBy('path')
    .execute();
}

/** One stored file of a run by its exact path (compared as stored text, never resolved on a filesystem). */
export async function getArtifact(db: Kysely<Tables>, runId: string, path: string): Promise<ArtifactRow | undefined> {
  if (path.includes('\0')) return undefined; // Postgres text cannot hold NUL: no file has such a path
  return db.selectFrom('artifacts').selectAll().where('runId', '=', runId).where('path', '=', path).executeTakeFirst();
}

/** What validation decided for one file: delivered with other content, or withheld with the reason. */
export interface DeliveryDecision {
  path: string;
  deliveredContent?: string;
  withheldReason?: string;
}

/**
 * Records the execute stage's decisions for the run's files, replacing any earlier attempt's: files
 * not named are delivered as generated. The generated content itself is never changed, so a retried
 * execution validates the same suite again.
 */
export async function setDelivery(db: Kysely<Tables>, runId: string, decisions: DeliveryDecision[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('artifacts').set({ deliveredContent: null, withheldReason: null }).where('runId', '=', runId).execute();
    for (const decision of decisions) {
      const updated = await tx
        .updateTable('artifacts')
        .set({ deliveredContent: decision.deliveredContent ?? null, withheldReason: decision.withheldReason ?? null })
        .where('runId', '=', runId)
        .where('path', '=', decision.path)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new Error(`run ${runId} has no artifact ${decision.path} to decide on`);
    }
  });
}

/** The files a commit delivers: withheld ones left out, each with the content validation chose. */
export async function listDeliveredArtifacts(db: Kysely<Tables>, runId: string): Promise<Pick<ArtifactRow, 'path' | 'kind' | 'content'>[]> {
  const rows = await listArtifacts(db, runId);
  return rows.filter((row) => row.withheldReason === null).map((row) => ({ path: row.path, kind: row.kind, content: row.deliveredContent ?? row.content }));
}
