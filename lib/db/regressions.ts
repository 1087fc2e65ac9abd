import { sql, type Kysely } from 'kysely';
import type { ExecutionRow, RegressionRow, Tables } from '../../schema/tables';

export interface NewRegression {
  executionId: string;
  runId: string;
  file: string;
  fullName: string;
  previousExecutionId: string;
  failure?: string;
}

/** Stores an execution's regressions; a retried report finds them stored and adds nothing. */
export async function saveRegressions(db: Kysely<Tables>, regressions: NewRegression[]): Promise<void> {
  if (regressions.length === 0) return;
  await db
    .insertInto('regressions')
    .values(regressions.map((r) => ({ ...r, failure: r.failure ?? null })))
    .onConflict((oc) => oc.columns(['executionId', 'file', 'fullName']).doNothing())
    .execute();
}

export async function markRegressionsReported(db: Kysely<Tables>, executionId: string, where: { commentUrl?: string; issueUrl?: string }): Promise<void> {
  if (!where.commentUrl && !where.issueUrl) return;
  await db
    .updateTable('regressions')
    .set({ ...(where.commentUrl ? { commentUrl: where.commentUrl } : {}), ...(where.issueUrl ? { issueUrl: where.issueUrl } : {}) })
    .where('executionId', '=', executionId)
    .execute();
}

export async function listRegressions(db: Kysely<Tables>, filter: { runId?: string; executionId?: string }): Promise<RegressionRow[]> {
  let query = db.selectFrom('regressions').selectAll();
  if (filter.runId) query = query.where('runId', '=', filter.runId);
  if (filter.executionId) query = query.where('executionId', '=', filter.executionId);
  return query.orderBy('createdAt', 'desc').orderBy('file').orderBy('fullName').execute();
}

/**
 * The completed execution of the same run against the same base URL that started last before
 * `execution`: what "passed last time" means. Fixed once both are stored, so a retry compares the same pair.
 */
export async function previousCompletedExecution(db: Kysely<Tables>, execution: ExecutionRow): Promise<ExecutionRow | undefined> {
  return db
    .selectFrom('executions')
    .selectAll()
    .where('runId', '=', execution.runId)
    .where('status', '=', 'completed')
    .where('id', '!=', execution.id)
    .where('createdAt', '<', execution.createdAt)
    .where(sql<string>`target->>'baseUrl'`, '=', execution.target.baseUrl)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}
