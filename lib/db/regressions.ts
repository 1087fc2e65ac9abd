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

/** How far back a test's last outcome is looked for (executions that skipped it are passed over). */
const HISTORY_DEPTH = 20;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/**
 * The completed executions against the same base URL that started before `execution`, newest first:
 * of the same run, or, for a spec run, of every revision of the same spec (`spec:<repository>:<name>@…`),
 * so a schedule that moved to a new revision compares with the tests as they ran before. Fixed once
 * all are stored, so a retry compares the same executions.
 */
export async function previousCompletedExecutions(db: Kysely<Tables>, execution: ExecutionRow, runWorkflowId: string): Promise<ExecutionRow[]> {
  const identity = runWorkflowId.startsWith('spec:') && runWorkflowId.includes('@') ? runWorkflowId.slice(0, runWorkflowId.lastIndexOf('@') + 1) : undefined;
  return db
    .selectFrom('executions')
    .innerJoin('runs', 'runs.id', 'executions.runId')
    .selectAll('executions')
    .where((eb) => (identity ? eb('runs.workflowId', 'like', `${escapeLike(identity)}%`) : eb('executions.runId', '=', execution.runId)))
    .where('executions.status', '=', 'completed')
    .where('executions.id', '!=', execution.id)
    .where('executions.createdAt', '<', execution.createdAt)
    .where(sql<string>`executions.target->>'baseUrl'`, '=', execution.target.baseUrl)
    .orderBy('executions.createdAt', 'desc')
    .limit(HISTORY_DEPTH)
    .execute();
}
