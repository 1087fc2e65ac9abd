import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ArtifactRow, Tables } from '../../schema/tables';
import type { Artifact } from '../runs/types';

/** Makes `artifacts` the run's complete set, replacing whatever was stored before. */
export async function replaceArtifacts(db: Kysely<Tables>, runId: string, artifacts: Artifact[]): Promise<ArtifactRow[]> {
  const seen = new Set<string>();
  for (const { path } of artifacts) {
    if (seen.has(path)) throw new Error(`duplicate artifact path for run ${runId}: ${path}`);
    seen.add(path);
  }
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('artifacts').where('runId', '=', runId).execute();
    if (artifacts.length === 0) return;
    await tx
      .insertInto('artifacts')
      .values(
        artifacts.map((a) => ({
          runId,
          path: a.path,
          kind: a.kind,
          content: a.content,
          sha256: createHash('sha256').update(a.content, 'utf8').digest('hex'),
        })),
      )
      .execute();
  });
  return listArtifacts(db, runId);
}

export async function listArtifacts(db: Kysely<Tables>, runId: string): Promise<ArtifactRow[]> {
  return db.selectFrom('artifacts').selectAll().where('runId', '=', runId).orderBy('path').execute();
}
