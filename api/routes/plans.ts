import { Router } from 'express';
import type * as PlanModule from '../../lib/runs/plan';
import type { AppDeps } from '../deps';
import { parsePlanBody } from '../validation';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the planner (OpenAPI intake, generation) is loaded by the first plan
const planner = () => require('../../lib/runs/plan') as typeof PlanModule;

/** `POST /api/v1/plans`: what a spec run would generate; nothing is stored or started. Bodies are parsed by v1Guard. */
export function plansRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/plans', async (req, res) => {
    res.json(await planner().planSpecRun(deps, parsePlanBody(req.body ?? {})));
  });
  return router;
}
