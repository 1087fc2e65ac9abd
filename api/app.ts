import express, { type Express } from 'express';
import { rootLogger } from '../lib/observability/logger';
import { requestObservability } from '../lib/monitoring/http';
import type { AppDeps } from './deps';
import { errorHandler, notFound } from './errors';
import { answerOptions, methodNotAllowed, openApiRouter } from './openapi/enforce';
import { applySecurity, redactingLog, secretsOf, v1Guard } from './security';
import { healthRouter } from './routes/health';
import { metricsRouter } from './routes/metrics';
import { plansRouter } from './routes/plans';
import { runsRouter } from './routes/runs';
import { schedulesRouter } from './routes/schedules';
import { webhooksRouter } from './routes/webhooks';

const logUnhandled = (err: unknown) => rootLogger().error({ err }, 'unhandled error answering a request');

/** The HTTP API: validates, starts or queries workflows, answers. Stage work happens in workers. */
export function createApp(deps: AppDeps, log: (err: unknown) => void = logUnhandled): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestObservability()); // request id, JSON request log (req.log), route on the trace span, HTTP metrics
  applySecurity(app, deps.config); // trust proxy, helmet, CORS, secret redaction of JSON bodies
  app.use(answerOptions()); // OPTIONS: 204 with every method the path has
  app.use('/api', openApiRouter());
  app.use('/api/webhooks', webhooksRouter(deps)); // signed by GitHub: its own raw-body parser, no API key
  app.use('/api', healthRouter(deps));
  app.use(metricsRouter(deps)); // GET /metrics (Prometheus), no API key
  app.use('/api/v1', v1Guard(deps.config)); // rate limits, API key, content types, body limits
  app.use('/api/v1', runsRouter(deps));
  app.use('/api/v1', schedulesRouter(deps));
  app.use('/api/v1', plansRouter(deps));
  app.use(methodNotAllowed());
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorHandler(redactingLog(log, secretsOf(deps.config))));
  return app;
}
