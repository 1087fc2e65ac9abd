/**
 * A Temporal namespace of a test's own on the shared dev server. Schedules are listed per namespace,
 * not per task queue: a test that lists and deletes every schedule it can see (Schemathesis follows
 * GET /api/v1/schedules to DELETE) needs one, or it deletes the schedules other test files made.
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../../lib/config';
import { ensureSearchAttributes } from '../../lib/temporal/search-attributes';

/** Registers `<prefix>-<random>` and waits until the frontend knows it; with testloom's search attributes unless `bare`. */
export async function freshNamespace(connection: Connection, prefix: string, options: { bare?: boolean } = {}): Promise<string> {
  const namespace = `${prefix}-${randomBytes(4).toString('hex')}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  // The new namespace reaches the frontend's cache within a few seconds.
  for (let i = 0; i < 50; i++) {
    if (await connection.operatorService.listSearchAttributes({ namespace }).then(() => true, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!options.bare) await ensureSearchAttributes(connection.operatorService, namespace, loadConfig({}).temporal.searchAttributes);
  return namespace;
}
