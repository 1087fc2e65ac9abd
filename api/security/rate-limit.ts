import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HttpError } from '../errors';
import { apiKeyId } from './auth';
import { isRelayed } from './relay';

const WINDOW_MS = 60_000;

function limiter(limit: number, name: string, what: string, options: Parameters<typeof rateLimit>[0]): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // express-rate-limit has set Retry-After (seconds until the window resets) before this runs.
    handler: (_req, res, next) => next(new HttpError(
      429, 'rate_limited',
      `too many requests: the limit is ${limit} per minute ${what}; retry after ${res.get('Retry-After') ?? 60} seconds`,
    )),
    ...options,
  });
}

/**
 * Two budgets of `perMinute` requests: per client IP, counted before authentication so failed key
 * guesses are limited too, and per API key, counted after it so one key spread over many
 * addresses is limited as well. The client IP is the socket's address unless `trust proxy` is set.
 * IPv6 clients are grouped by /56, as express-rate-limit does by default. `relayToken`: the MCP
 * endpoint's calls to /api/v1 that carry it skip the per-IP budget (see relay.ts).
 */
export function rateLimits(perMinute: number, relayToken?: string): { perIp: RequestHandler; perKey: RequestHandler } {
  return {
    // A call the MCP endpoint relays was counted against its client's address at /mcp; it still counts against the key.
    perIp: limiter(perMinute, 'per-ip', 'per client address', { skip: (req) => isRelayed(req, relayToken) }),
    perKey: limiter(perMinute, 'per-key', 'per API key', {
      skip: (_req, res) => apiKeyId(res) === undefined,
      keyGenerator: (_req, res) => apiKeyId(res)!,
    }),
  };
}
