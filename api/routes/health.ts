import { Router } from 'express';
import { sql } from 'kysely';
import type { AppDeps } from '../app';

type CheckResult = { status: 'ok' } | { status: 'down'; reason: string };

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await probe();
    return { status: 'ok' };
  } catch (err) {
    return { status: 'down', reason: (err as Error).message };
  }
}

export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const [temporal, database] = await Promise.all([
      check(() => deps.client.withDeadline(Date.now() + 2_000, () => deps.client.connection.workflowService.getSystemInfo({}))),
      check(() => sql`select 1`.execute(deps.db)),
    ]);
    const checks = { temporal, database };
    const ok = Object.values(checks).every((c) => c.status === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'down', checks });
  });
  return router;
}
