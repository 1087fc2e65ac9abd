import { Router } from 'express';
import { checkHealth, defaultProbes, type HealthProbes } from '../../lib/monitoring/health';
import type { AppDeps } from '../deps';

/**
 * `GET /api/health`: every dependency — Temporal, database, vector store, model provider,
 * repository host — as `ok | degraded | down | not configured` with a reason, each probe within a
 * short time limit. 200 when nothing is down, 503 otherwise. No API key (load balancers, probes).
 */
export function healthRouter(deps: Pick<AppDeps, 'db' | 'client' | 'config'> & Partial<Pick<AppDeps, 'repoHost'>>, probes: HealthProbes = defaultProbes(deps)): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const report = await checkHealth(probes);
    res.status(report.status === 'down' ? 503 : 200).json(report);
  });
  return router;
}
