import type { Kysely } from 'kysely';
import type { ModelCallRow, Tables } from '../../schema/tables';

export interface ModelCallTotals {
  calls: number;
  cacheHits: number;
  tokensIn: number;
  tokensOut: number;
  /** Null when any call's cost is unknown (a hosted model missing from the price table). */
  costUsd: number | null;
}

export async function listModelCalls(db: Kysely<Tables>, runId: string): Promise<ModelCallRow[]> {
  return db.selectFrom('modelCalls').selectAll().where('runId', '=', runId).orderBy('id').execute();
}

/** What a run's model calls cost, all attempts and repairs included. */
export async function modelCallTotals(db: Kysely<Tables>, runId: string): Promise<ModelCallTotals> {
  const rows = await listModelCalls(db, runId);
  const answered = rows.filter((r) => r.outcome === 'ok' || r.outcome === 'invalid');
  return {
    calls: answered.filter((r) => !r.cacheHit).length,
    cacheHits: answered.filter((r) => r.cacheHit).length,
    tokensIn: rows.reduce((sum, r) => sum + r.tokensIn, 0),
    tokensOut: rows.reduce((sum, r) => sum + r.tokensOut, 0),
    costUsd: rows.some((r) => r.costUsd === null) ? null : rows.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
  };
}
