import express, { type Express } from 'express';
import { rootLogger } from '../lib/observability/logger';
import { requestObservability } from '../lib/monitoring/http';
import type { AppDeps } from './deps';
import { errorHandler, notFound } from './errors';
import { answerOptions, methodNotAllowed, openApiRouter } from './openapi/enforce';
import { mcpRouter } from '../mcp/http';
import { applySecurity, createRelayToken, mcpGuard, rateLimits, redactingLog, RELAY_HEADER, secretsOf, v1Guard } from './security';
import { healthRouter } from './routes/health';
import { metricsRouter } from './routes/metrics';
import { plansRouter } from './routes/plans';
import { runFilesRouter } from './routes/run-files';
import { runsRouter } from './routes/runs';
import { schedulesRouter } from './routes/schedules';
import { similarTestsRouter } from './routes/similar-tests';
import { webhookDeliveriesRouter } from './routes/webhook-deliveries';
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
  // One budget per client address and per key for /api/v1 and /mcp; the MCP server's own calls to
  // /api/v1 carry the relay token, so they count against the key but not again against the address.
  const relayToken = createRelayToken();
  const limits = rateLimits(deps.config.api.rateLimitPerMinute, relayToken);
  app.use('/mcp', mcpGuard(deps.config, limits), mcpRouter({ relayHeaders: { [RELAY_HEADER]: relayToken } })); // MCP (Streamable HTTP) for coding agents
  app.use('/api/v1', v1Guard(deps.config, limits)); // rate limits, API key, content types, body limits
  app.use('/api/v1', runsRouter(deps));
  app.use('/api/v1', runFilesRouter(deps));
  app.use('/api/v1', similarTestsRouter(deps));
  app.use('/api/v1', schedulesRouter(deps));
  app.use('/api/v1', webhookDeliveriesRouter(deps));
  app.use('/api/v1', plansRouter(deps));
  app.use(methodNotAllowed());
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorHandler(redactingLog(log, secretsOf(deps.config))));
  return app;
}
