import { sql, type Kysely } from 'kysely';
import type { ExecutionRow, Tables } from '../../schema/tables';
import type { ExecutionSummary } from '../core/contract';
import type { ExecutionKind, ExecutionStatus } from '../core/run';
import type { TargetConfig } from '../core/target';
import { jsonb, nullableJsonb } from './json';

export interface NewExecution {
  id: string;
  runId: string;
  workflowId: string;
  kind: ExecutionKind;
  target: TargetConfig;
}

/**
 * Records an execution as running. The activity resets its own row when retried; the API only
 * creates it (`keepExisting`), never rewinding one a worker already got to.
 */
export async function startExecution(db: Kysely<Tables>, execution: NewExecution, options: { keepExisting?: boolean } = {}): Promise<void> {
  const row = { ...execution, target: jsonb(execution.target), status: 'running' as const };
  await db
    .insertInto('executions')
    .values(row)
    .onConflict((oc) => options.keepExisting
      ? oc.column('id').doNothing()
      : oc.column('id').doUpdateSet({ target: row.target, status: 'running', summary: null, report: null, error: null, finishedAt: null, updatedAt: new Date() }))
    .execute();
}

export async function finishExecution(
  db: Kysely<Tables>,
  id: string,
  outcome: { status: Exclude<ExecutionStatus, 'running'>; summary?: ExecutionSummary; report?: unknown; error?: string },
): Promise<void> {
  await db
    .updateTable('executions')
    .set({
      status: outcome.status,
      summary: nullableJsonb(outcome.summary),
      report: nullableJsonb(outcome.report),
      error: outcome.error ?? null,
      finishedAt: new Date(),
      updatedAt: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function getExecution(db: Kysely<Tables>, id: string): Promise<ExecutionRow | undefined> {
  if (id.includes('\0')) return undefined; // Postgres text cannot hold NUL: no execution has such an id
  return db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A run's executions, newest first, without their (large) reports. */
export async function listExecutions(db: Kysely<Tables>, runId: string): Promise<Omit<ExecutionRow, 'report'>[]> {
  return db
    .selectFrom('executions')
    .select(['id', 'runId', 'workflowId', 'kind', 'target', 'status', 'summary', 'error', 'createdAt', 'updatedAt', 'finishedAt'])
    .where('runId', '=', runId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * Per-test outcomes (`report.tests`) of the last `limit` completed executions of the same suite,
 * oldest first: of the runs of `repository` whose spec has the name `specName` (a spec's identity
 * across revisions), or of the one run `runId` when it has none. For prioritised execution.
 */
export async function executionHistory(
  db: Kysely<Tables>,
  suite: { repository: string; specName?: string; runId: string },
  limit = 50,
): Promise<{ id: string; tests: { file: string; fullName: string; stability: string }[] }[]> {
  let query = db
    .selectFrom('executions')
    .innerJoin('runs', 'runs.id', 'executions.runId')
    .select(['executions.id as id', sql<unknown>`executions.report -> 'tests'`.as('tests')])
    .where('executions.status', '=', 'completed')
    .where('runs.repository', '=', suite.repository);
  query = suite.specName !== undefined
    ? query.where(sql<string>`runs.subject ->> 'name'`, '=', suite.specName)
    : query.where('runs.id', '=', suite.runId);
  const rows = await query.orderBy('executions.finishedAt', 'desc').orderBy('executions.id', 'desc').limit(limit).execute();
  type RecordedTest = { file: string; fullName: string; stability: string };
  return rows.reverse().map((row) => ({ id: row.id, tests: Array.isArray(row.tests) ? (row.tests as RecordedTest[]) : [] }));
}
