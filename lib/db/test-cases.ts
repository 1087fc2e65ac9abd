import type { Kysely } from 'kysely';
import type { TestCaseRow, Tables } from '../../schema/tables';
import { parameterBatches } from './batches';

export interface StoredTestCase {
  caseId: string;
  kind: string;
  title: string;
  operationId?: string;
  method?: string;
  path?: string;
  expectedStatus?: string;
  file: string;
}

/** Makes `cases` the run's complete set of test cases, replacing an earlier attempt's. */
export async function replaceTestCases(db: Kysely<Tables>, runId: string, cases: StoredTestCase[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('testCases').where('runId', '=', runId).execute();
    const rows = cases.map((c) => ({
      runId,
      caseId: c.caseId,
      kind: c.kind,
      title: c.title,
      operationId: c.operationId ?? null,
      method: c.method ?? null,
      path: c.path ?? null,
      expectedStatus: c.expectedStatus ?? null,
      file: c.file,
    }));
    for (const batch of parameterBatches(rows)) await tx.insertInto('testCases').values(batch).execute();
  });
}

export async function listTestCases(db: Kysely<Tables>, runId: string): Promise<TestCaseRow[]> {
  return db.selectFrom('testCases').selectAll().where('runId', '=', runId).orderBy('caseId').execute();
}

/** The run's cases as they were handed to replaceTestCases (absent fields undefined, not null). */
export async function listStoredTestCases(db: Kysely<Tables>, runId: string): Promise<StoredTestCase[]> {
  return (await listTestCases(db, runId)).map((row) => ({
    caseId: row.caseId,
    kind: row.kind,
    title: row.title,
    file: row.file,
    ...(row.operationId !== null && { operationId: row.operationId }),
    ...(row.method !== null && { method: row.method }),
    ...(row.path !== null && { path: row.path }),
    ...(row.expectedStatus !== null && { expectedStatus: row.expectedStatus }),
  }));
}
