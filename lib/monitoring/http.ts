/**
 * What every HTTP request gets, first in the Express app: a request id (X-Request-Id, taken from
 * the caller when it sent a sane one), a pino-http request logger (`req.log`, bound to the request
 * id and, for GitHub deliveries, the `deliveryId` from X-GitHub-Delivery), the matched route on the
 * trace span, and the request counters of /metrics.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { RequestHandler } from 'express';
import { pinoHttp, type Options } from 'pino-http';
import { maskUrlPasswords, rootLogger, type Logger } from '../observability/logger';
import { recordHttpRequest } from './metrics';

const REQUEST_ID_HEADER = 'x-request-id';
const DELIVERY_ID_HEADER = 'x-github-delivery';
/** Label of requests no route matched (404s, requests refused before routing): keeps label values bounded. */
const UNMATCHED_ROUTE = 'unmatched';

const ROUTE = Symbol('testloom.route');
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Polled by Prometheus and probes: logged at debug unless they fail. */
const QUIET_PATHS = new Set(['/metrics', '/api/health']);

type WithRoute = IncomingMessage & { [ROUTE]?: string; baseUrl?: string; originalUrl?: string };

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The matched route pattern (`/api/v1/runs/:id`), or `unmatched`. */
function routeOf(req: IncomingMessage): string {
  return (req as WithRoute)[ROUTE] ?? UNMATCHED_ROUTE;
}

/**
 * Express sets `req.route` when a route matches, while `req.baseUrl` is still the mount path of its
 * router (it is reset once the router is left, e.g. on the way to an error handler). Catching the
 * assignment gives the full pattern whatever happens next; it also names the HTTP server span
 * (`POST /api/v1/runs`, attribute http.route) the way the HTTP instrumentation expects.
 */
function captureRoute(req: WithRoute): void {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (typeof value?.path !== 'string') return;
      const full = `${req.baseUrl ?? ''}${value.path}` || '/';
      req[ROUTE] = full;
      const rpc = getRPCMetadata(context.active());
      if (rpc?.type === RPCType.HTTP) rpc.route = full;
    },
  });
}

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = header(req, REQUEST_ID_HEADER);
  const id = given && SANE_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

function pathOf(req: IncomingMessage): string {
  return ((req as WithRoute).originalUrl ?? req.url ?? '').split('?')[0];
}

export interface RequestObservabilityOptions {
  /** Default: the process's root logger at the time the app is built. */
  logger?: Logger;
}

/** The middleware, to be mounted before everything else. */
export function requestObservability(options: RequestObservabilityOptions = {}): RequestHandler[] {
  const httpLogger = pinoHttp({
    logger: options.logger ?? rootLogger(),
    genReqId: requestId,
    customProps: (req) => {
      const deliveryId = header(req, DELIVERY_ID_HEADER);
      return deliveryId ? { deliveryId } : {};
    },
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      return QUIET_PATHS.has(pathOf(req)) ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${routeOf(req)} ${res.statusCode} in ${ms} ms`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req)} ${res.statusCode}`,
    customSuccessObject: (req, _res, value: Record<string, unknown>) => ({ ...value, route: routeOf(req) }),
    customErrorObject: (req, res, err, value: Record<string, unknown>) => {
      // pino-http makes up an Error for a 5xx answered without one (a 503 health report): leave it out.
      const madeUp = !res.err && err.message === `failed with status code ${res.statusCode}`;
      const { err: _omitted, ...rest } = value;
      return { ...(madeUp ? rest : value), route: routeOf(req) };
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: maskUrlPasswords(req.url),
        headers: req.headers,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  } satisfies Options);

  const measure: RequestHandler = (req, res, next) => {
    captureRoute(req as WithRoute);
    const started = process.hrtime.bigint();
    let recorded = false;
    const done = () => {
      if (recorded) return;
      recorded = true;
      recordHttpRequest(req.method, routeOf(req), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };

  return [measure, httpLogger];
}
