/**
 * HTTP hardening of the API: security headers, CORS, rate limits, bearer API keys, body limits and
 * secret redaction. app.ts applies it in four places: `applySecurity` for every request,
 * `v1Guard` in front of /api/v1, `mcpGuard` in front of /mcp, `redactingLog` around the error log.
 */
import cors from 'cors';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import type { Config } from '../../lib/config';
import { RAW_SPEC_TYPES, SMALL_JSON_LIMIT_BYTES } from '../openapi/document';
import { requireDocumentedMediaType } from '../openapi/enforce';
import { bearerAuth } from './auth';
import { rateLimits } from './rate-limit';
import { redactJsonResponses, secretsOf } from './redact';

type RateLimits = ReturnType<typeof rateLimits>;

export { redactingLog, secretsOf } from './redact';
export { rateLimits } from './rate-limit';
export { createRelayToken, RELAY_HEADER } from './relay';

/** The JSON envelope may add this much around an embedded spec; the spec's own limit is checked after. */
const ENVELOPE_BYTES = 64 * 1024;

/**
 * For every request: `trust proxy` (only when TESTLOOM_TRUST_PROXY is set), helmet's headers with a
 * CSP fit for a JSON API, CORS for the configured origins only, and redaction of JSON bodies.
 */
export function applySecurity(app: Express, config: Config): void {
  if (config.api.trustProxy !== undefined) app.set('trust proxy', config.api.trustProxy);
  app.use(helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  }));
  if (config.api.corsOrigins.length > 0) {
    app.use(cors({
      origin: config.api.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      exposedHeaders: ['Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
      maxAge: 600,
      // OPTIONS goes on to answerOptions, which adds `Allow` (an unknown path is then a 404).
      preflightContinue: true,
    }));
  }
  app.use(redactJsonResponses(secretsOf(config)));
}

/**
 * In front of /api/v1: the per-IP rate limit, the API key, the per-key rate limit, the documented
 * content types, then the bodies within their limits — a spec run's (or plan's) body up to
 * TESTLOOM_MAX_SPEC_BYTES (plus the JSON envelope), every other JSON body up to 64 KiB.
 */
export function v1Guard(config: Config, limits: RateLimits = rateLimits(config.api.rateLimitPerMinute)): Router {
  const router = Router();
  router.use(limits.perIp, bearerAuth(config.api.apiKeys), limits.perKey, requireDocumentedMediaType());
  router.post(['/runs', '/plans'],
    express.json({ limit: config.api.maxSpecBytes + ENVELOPE_BYTES }),
    express.text({ type: RAW_SPEC_TYPES, limit: config.api.maxSpecBytes }));
  router.use(express.json({ limit: SMALL_JSON_LIMIT_BYTES }));
  return router;
}

/**
 * In front of /mcp: the same rate limits (`limits`: the budgets /api/v1 counts in too) and API keys
 * as /api/v1, then JSON-RPC bodies up to a spec's limit (a `generate_tests` call may embed a spec).
 */
export function mcpGuard(config: Config, limits: RateLimits): Router {
  const router = Router();
  router.use(limits.perIp, bearerAuth(config.api.apiKeys), limits.perKey);
  router.use(express.json({ limit: config.api.maxSpecBytes + ENVELOPE_BYTES }));
  return router;
}

/** What the server says once when it starts listening. */
export function startupNotices(config: Config, host: string): string[] {
  const notices: string[] = [];
  // listen() refuses a non-loopback address without keys, so no keys means loopback here.
  if (config.api.apiKeys.length === 0) {
    notices.push(`no API key is required: TESTLOOM_API_KEYS is unset, so the API listens on ${host} for this machine only`);
  }
  return notices;
}
