import { Router } from 'express';
import { planSpecRun } from '../../lib/runs/plan';
import type { AppDeps } from '../deps';
import { parsePlanBody } from '../validation';

/** `POST /api/v1/plans`: what a spec run would generate; nothing is stored or started. Bodies are parsed by v1Guard. */
export function plansRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/plans', async (req, res) => {
    res.json(await planSpecRun(deps, parsePlanBody(req.body ?? {})));
  });
  return router;
}
