import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { redact, secretsOf, type Secret } from './secrets';
import { isHostAllowed, isMethodAllowed, pathUnderBase, type CheckedTarget } from '../core/target';
import { CLEANUP_HEADER, FORWARD_PREFIX, REFUSED_HEADER, TEST_HEADER } from '../frameworks';
import type { Exchange, RefusalReason } from './types';

/**
 * A local HTTP server the suite's API_BASE_URL points at: it forwards to the target, records every
 * exchange, refuses other hosts and destructive methods the user did not allow, and never follows
 * redirects itself (a Location is rewritten to come back through the proxy, where the same policy applies).
 */

export interface RecordingProxyOptions {
  /** Response bodies are recorded up to this many bytes (default 64 KiB). */
  bodyLimitBytes?: number;
  /** Time for the API to answer one request (default 30 s). */
  upstreamTimeoutMs?: number;
}

export interface RecordingProxy {
  /** The base URL to give the suite: the proxy's origin with the target's base path. */
  baseUrl: string;
  origin: string;
  exchanges: Exchange[];
  /** Exchanges recorded from now on belong to this suite run. */
  setRun(run: number): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);
const DEFAULT_BODY_LIMIT = 64 * 1024;
const DEFAULT_UPSTREAM_TIMEOUT = 30_000;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function testOf(headers: IncomingHttpHeaders): Exchange['test'] {
  const raw = headers[TEST_HEADER];
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = JSON.parse(decodeURIComponent(raw)) as { file?: unknown; fullName?: unknown };
    return typeof parsed.file === 'string' && typeof parsed.fullName === 'string' ? { file: parsed.file, fullName: parsed.fullName } : undefined;
  } catch {
    return undefined;
  }
}

/** Where the request was meant to go: the target (same path), or the URL of a forward request or of an absolute-form (HTTP_PROXY) request. */
function intendedUrl(req: IncomingMessage, target: CheckedTarget): URL {
  const raw = req.url ?? '/';
  if (/^https?:\/\//i.test(raw)) return new URL(raw);
  if (raw.startsWith(FORWARD_PREFIX)) return new URL(decodeURIComponent(raw.slice(FORWARD_PREFIX.length)));
  return new URL(raw, target.baseUrl.origin);
}

function recordedHeaders(headers: IncomingHttpHeaders, secrets: Secret[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === TEST_HEADER || name === CLEANUP_HEADER || name === 'host' || HOP_BY_HOP.has(name)) continue;
    result[name] = redact(Array.isArray(value) ? value.join(', ') : value, secrets);
  }
  return result;
}

function upstreamHeaders(headers: IncomingHttpHeaders, url: URL): http.OutgoingHttpHeaders {
  const result: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    // accept-encoding: the API answers uncompressed, so the recording can read the body.
    if (value === undefined || name === TEST_HEADER || name === CLEANUP_HEADER || name === 'host' || name === 'accept-encoding' || HOP_BY_HOP.has(name)) continue;
    result[name] = value;
  }
  result.host = url.host;
  return result;
}

export async function startRecordingProxy(target: CheckedTarget, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const upstreamTimeout = options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT;
  const secrets = secretsOf(target.env);
  const exchanges: Exchange[] = [];
  let run = 1;
  let origin = '';

  /** A Location back through the proxy: the target's own URLs keep their path, any other goes to the forward path. */
  const proxiedLocation = (location: string, requestUrl: URL): string => {
    const absolute = new URL(location, requestUrl);
    if (absolute.origin === target.baseUrl.origin) return `${origin}${absolute.pathname}${absolute.search}`;
    return `${origin}${FORWARD_PREFIX}${encodeURIComponent(absolute.href)}`;
  };

  const refuse = (res: ServerResponse, exchange: Exchange, reason: RefusalReason, message: string): void => {
    exchange.refused = { reason, message };
    // 5xx, so that no test expecting a 4xx can pass on a request that never reached the API.
    res.writeHead(502, { 'content-type': 'application/json', [REFUSED_HEADER]: encodeURIComponent(message) });
    res.end(JSON.stringify({ testloomRefused: message }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    let url: URL;
    try {
      url = intendedUrl(req, target);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`testloom proxy: unreadable request target ${req.url}`);
      return;
    }
    const exchange: Exchange = {
      sequence: exchanges.length + 1,
      run,
      ...(req.headers[CLEANUP_HEADER] ? { cleanup: true } : { test: testOf(req.headers) }),
      method,
      url: redact(url.href, secrets),
      path: pathUnderBase(target, url),
      query: [...url.searchParams.entries()].map(([name, value]) => [name, redact(value, secrets)]),
      requestHeaders: recordedHeaders(req.headers, secrets),
      durationMs: 0,
    };
    if (body.length) exchange.requestBody = redact(body.toString('utf8'), secrets);
    exchanges.push(exchange);
    try {
      if (!isHostAllowed(target, url)) {
        return refuse(res, exchange, 'other-host', `${method} ${url.origin} refused: only ${target.baseUrl.origin}${target.allowedHosts.length ? ` and ${target.allowedHosts.join(', ')}` : ''} may be called`);
      }
      if (!isMethodAllowed(target, method)) {
        return refuse(res, exchange, 'destructive-method', `${method} ${url.pathname} refused: ${method} is not allowed for ${target.baseUrl.origin} (allow it in the target's allowedMethods)`);
      }
      await forward(req, res, url, method, body, exchange);
    } finally {
      exchange.durationMs = Date.now() - started;
    }
  };

  const forward = (req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: Buffer, exchange: Exchange): Promise<void> =>
    new Promise((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      const upstream = client.request(url, { method, headers: upstreamHeaders(req.headers, url), timeout: upstreamTimeout }, (answer) => {
        const chunks: Buffer[] = [];
        let recorded = 0;
        exchange.status = answer.statusCode;
        exchange.responseContentType = answer.headers['content-type'];
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        if (typeof answer.headers.location === 'string') headers.location = proxiedLocation(answer.headers.location, url);
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.on('data', (chunk: Buffer) => {
          if (recorded < bodyLimit) chunks.push(chunk.subarray(0, bodyLimit - recorded));
          recorded += chunk.length;
          res.write(chunk);
        });
        answer.on('end', () => {
          exchange.responseBody = redact(Buffer.concat(chunks).toString('utf8'), secrets);
          if (recorded > bodyLimit) exchange.responseBodyTruncated = true;
          res.end();
          resolve();
        });
        answer.on('error', (err) => {
          exchange.error = `the response broke off: ${err.message}`;
          res.destroy();
          resolve();
        });
      });
      upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${upstreamTimeout} ms`)));
      upstream.on('error', (err) => {
        exchange.error = `${method} ${url.origin} could not be reached: ${err.message}`;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`testloom proxy: ${exchange.error}`);
        else res.destroy();
        resolve();
      });
      upstream.end(body);
    });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`testloom proxy: ${err.message}`);
      else res.destroy();
    });
  });
  // A tunnel (HTTPS through HTTP_PROXY) could not be recorded: refused, whatever the host.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const message = `CONNECT ${req.url} refused: tunnels cannot be recorded`;
    exchanges.push({
      sequence: exchanges.length + 1, run, test: testOf(req.headers), method: 'CONNECT', url: `https://${req.url ?? ''}`, query: [],
      requestHeaders: recordedHeaders(req.headers, secrets), refused: { reason: 'other-host', message }, durationMs: 0,
    });
    socket.end(`HTTP/1.1 403 Forbidden\r\n${REFUSED_HEADER}: ${encodeURIComponent(message)}\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}${target.baseUrl.pathname.replace(/\/+$/, '')}`,
    origin,
    exchanges,
    setRun: (value) => {
      run = value;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
