import { Router } from 'express';
import { apiMetrics } from '../../lib/monitoring/metrics';
import type { AppDeps } from '../deps';

/**
 * `GET /metrics` in the Prometheus text format: run and stage figures read from the database at
 * scrape time, plus this process's HTTP, webhook and Node.js metrics. Outside /api/v1, like
 * /api/health: no API key (expose it to the scraper's network only).
 */
export function metricsRouter(deps: Pick<AppDeps, 'db'>): Router {
  const router = Router();
  const metrics = apiMetrics(deps.db);
  router.get('/metrics', async (_req, res) => {
    const body = await metrics.scrape();
    res.type(metrics.contentType).send(body);
  });
  return router;
}
