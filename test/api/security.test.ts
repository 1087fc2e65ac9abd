/**
 * HTTP hardening over real sockets: API keys, rate limits, security headers, CORS, body limits,
 * error bodies, the API's own OpenAPI description and the validation compiled from it, and that no
 * secret reaches a log line or a response.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createApp } from '../../api/app';
import type { AppDeps } from '../../api/deps';
import { ApiClient } from '../../cli/http';
import { openApiDocument, RAW_SPEC_TYPES } from '../../api/openapi/document';
import { listen, type RunningServer } from '../../api/server';
import { loadConfig, type Config } from '../../lib/config';
import { createHarness, PETSTORE, type Harness } from '../support/harness';

const KEY_1 = 'k1-0123456789abcdef-first-key';
const KEY_2 = 'k2-fedcba9876543210-second-key';
const WEBHOOK_SECRET = 'whsec-0123456789-abcdef-very-secret';
const DB_PASSWORD = 'Pg-Passw0rd-That-Must-Not-Leak';
const DATABASE_URL = `postgres://testloom:${DB_PASSWORD}@db.internal:5432/testloom`;
const APP_ORIGIN = 'https://app.example.com';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(url: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(url, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** Asserts the one error format every failure has. */
function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
}

function withApi(config: Config, api: Partial<Config['api']>, extra: Partial<Config> = {}): Config {
  return { ...config, ...extra, api: { ...config.api, ...api } };
}

describe('HTTP API hardening over real sockets (PGlite)', () => {
  let harness: Harness;
  const servers: RunningServer[] = [];
  const deps = (): AppDeps => ({ db: harness.database.db, client: harness.client, config: harness.config, repoHost: harness.repoHost });
  /** Another API on the harness's database and Temporal, served by the real listen(), with other settings. */
  async function serve(config: Config): Promise<string> {
    const server = await listen({ ...deps(), config }, '127.0.0.1', 0);
    servers.push(server);
    return server.url;
  }

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await harness?.close();
  });

  describe('API keys', () => {
    let url: string;
    beforeAll(async () => {
      url = await serve(withApi(harness.config, { apiKeys: [KEY_1, KEY_2] }, { github: { ...harness.config.github, webhookSecret: WEBHOOK_SECRET } }));
    });

    it('answers 401 with WWW-Authenticate for a missing, malformed or wrong key, 200 for each configured key', async () => {
      const missing = await call(`${url}/api/v1/runs`);
      expectError(missing, 401, 'unauthorized');
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="testloom"');
      expect(missing.body.error.message).toContain('Authorization: Bearer');

      const basic = await call(`${url}/api/v1/runs`, { headers: { authorization: `Basic ${Buffer.from(`u:${KEY_1}`).toString('base64')}` } });
      expectError(basic, 401, 'unauthorized');

      const wrongKey = `${KEY_1.slice(0, -1)}X`;
      const wrong = await call(`${url}/api/v1/runs`, { key: wrongKey });
      expectError(wrong, 401, 'unauthorized');
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer realm="testloom", error="invalid_token"/);
      // Neither the presented key nor a configured one is echoed.
      const echoed = wrong.text + JSON.stringify([...wrong.headers]);
      for (const secret of [wrongKey, KEY_1, KEY_2]) expect(echoed).not.toContain(secret);

      // A POST without a key stores nothing and is not even parsed.
      expectError(await call(`${url}/api/v1/runs`, { method: 'POST', json: { spec: { path: PETSTORE } } }), 401, 'unauthorized');

      for (const key of [KEY_1, KEY_2]) {
        const ok = await call(`${url}/api/v1/runs`, { key });
        expect(ok.status).toBe(200);
        expect(ok.body).toHaveProperty('runs');
      }
    });

    it('needs no key for health, the OpenAPI description and the webhook receiver', async () => {
      expect((await call(`${url}/api/health`)).status).toBe(200);
      expect((await call(`${url}/api/openapi.json`)).status).toBe(200);
      // The receiver answers for itself: its signature check, not the API key.
      const webhook = await call(`${url}/api/webhooks/github`, { method: 'POST', json: {} });
      expectError(webhook, 401, 'invalid_signature');
      expect(webhook.headers.get('www-authenticate')).toBeNull();
      expect(webhook.text).not.toContain(WEBHOOK_SECRET);
    });

    it('the CLI client sends TESTLOOM_API_KEY, else the first of TESTLOOM_API_KEYS, and says which to set on 401', async () => {
      const env = { TESTLOOM_API_URL: url, TESTLOOM_DATA_DIR: harness.dataDir };
      const withKey = loadConfig({ ...env, TESTLOOM_API_KEY: KEY_2 });
      expect(withKey.api.apiKey).toBe(KEY_2);
      await expect(ApiClient.fromConfig(withKey).request('GET', '/api/v1/runs')).resolves.toMatchObject({ status: 200 });
      const serverConfig = loadConfig({ ...env, TESTLOOM_API_KEYS: `${KEY_1},${KEY_2}` });
      await expect(ApiClient.fromConfig(serverConfig).request('GET', '/api/v1/runs')).resolves.toMatchObject({ status: 200 });
      await expect(ApiClient.fromConfig(loadConfig(env)).request('GET', '/api/v1/runs')).rejects.toThrow(/API key is required.*set TESTLOOM_API_KEY/);
    });
  });

  describe('loopback without keys', () => {
    it('serves without a key and says so once at start-up', async () => {
      expect(harness.config.api.apiKeys).toEqual([]);
      expect(harness.api.notices).toEqual([expect.stringContaining('no API key is required')]);
      expect((await call(`${harness.api.url}/api/v1/runs`)).status).toBe(200);
    });

    it('refuses to listen on a non-loopback address without keys', async () => {
      await expect(listen(deps(), '0.0.0.0', 0)).rejects.toThrow(/without API keys/);
      const keyed = await listen({ ...deps(), config: withApi(harness.config, { apiKeys: [KEY_1] }) }, '127.0.0.1', 0);
      servers.push(keyed);
      expect(keyed.notices).toEqual([]);
    });
  });

  describe('headers and CORS', () => {
    it('sends helmet\'s security headers and no X-Powered-By', async () => {
      for (const path of ['/api/v1/runs', '/api/health', '/api/nowhere']) {
        const { headers } = await call(`${harness.api.url}${path}`);
        expect(headers.get('x-content-type-options')).toBe('nosniff');
        expect(headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
        expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(headers.get('referrer-policy')).toBe('no-referrer');
        expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(headers.get('x-powered-by')).toBeNull();
      }
    });

    it('has no CORS by default', async () => {
      const { headers } = await call(`${harness.api.url}/api/v1/runs`, { headers: { origin: APP_ORIGIN } });
      expect(headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await call(`${harness.api.url}/api/v1/runs`, {
        method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('allows the configured origins only', async () => {
      const url = await serve(withApi(harness.config, { apiKeys: [KEY_1], corsOrigins: [APP_ORIGIN] }));
      const allowed = await call(`${url}/api/v1/runs`, { key: KEY_1, headers: { origin: APP_ORIGIN } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(allowed.headers.get('access-control-expose-headers')).toContain('Retry-After');
      const preflight = await call(`${url}/api/v1/runs`, {
        method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
      const other = await call(`${url}/api/v1/runs`, { key: KEY_1, headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After after the per-minute limit; health and the description are not limited', async () => {
      const url = await serve(withApi(harness.config, { rateLimitPerMinute: 3 }));
      for (let i = 0; i < 3; i++) expect((await call(`${url}/api/v1/runs`)).status).toBe(200);
      const limited = await call(`${url}/api/v1/runs`);
      expectError(limited, 429, 'rate_limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.error.message).toContain('3 per minute');
      expect(limited.headers.get('ratelimit-policy')).toContain('"per-ip"; q=3; w=60');
      // Without `trust proxy` a client cannot pick its own address.
      expectError(await call(`${url}/api/v1/runs`, { headers: { 'x-forwarded-for': '10.9.9.9' } }), 429, 'rate_limited');
      for (let i = 0; i < 5; i++) {
        expect((await call(`${url}/api/health`)).status).toBe(200);
        expect((await call(`${url}/api/openapi.json`)).status).toBe(200);
      }
    });

    it('counts per API key and per client address (behind a configured proxy), failed key guesses included', async () => {
      const url = await serve(withApi(harness.config, { rateLimitPerMinute: 3, apiKeys: [KEY_1, KEY_2], trustProxy: ['loopback'] }));
      const from = (ip: string, key?: string) => call(`${url}/api/v1/runs`, { key, headers: { 'x-forwarded-for': ip } });
      // One key from three addresses uses up the key's budget…
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await from(ip, KEY_1)).status).toBe(200);
      const keyLimited = await from('10.0.0.4', KEY_1);
      expectError(keyLimited, 429, 'rate_limited');
      expect(keyLimited.body.error.message).toContain('per API key');
      // …while another key from a fresh address goes on.
      expect((await from('10.0.0.5', KEY_2)).status).toBe(200);
      // Guessing keys from one address is limited by the address's budget.
      for (let i = 0; i < 3; i++) expect((await from('10.0.0.6', `guess-${i}-0123456789abcdef`)).status).toBe(401);
      const ipLimited = await from('10.0.0.6', KEY_2);
      expectError(ipLimited, 429, 'rate_limited');
      expect(ipLimited.body.error.message).toContain('per client address');
    });
  });

  describe('bodies and error format', () => {
    let url: string;
    const maxSpecBytes = 2048;
    beforeAll(async () => {
      url = await serve(withApi(harness.config, { maxSpecBytes }));
    });

    it('answers 413 naming the limit for a raw spec, an embedded spec and a small-body route', async () => {
      const spec = `openapi: 3.0.3\ninfo: {title: big, version: '1'}\npaths: {}\nx-padding: "${'a'.repeat(maxSpecBytes)}"\n`;
      const raw = await call(`${url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: spec });
      expectError(raw, 413, 'payload_too_large');
      expect(raw.body.error.message).toContain(`${maxSpecBytes} bytes`);
      const embedded = await call(`${url}/api/v1/runs`, { method: 'POST', json: { spec: { content: spec } } });
      expectError(embedded, 413, 'payload_too_large');
      expect(embedded.body.error.message).toContain(`${maxSpecBytes} bytes`);
      const envelope = await call(`${url}/api/v1/runs`, { method: 'POST', json: { spec: { content: 'x'.repeat(maxSpecBytes + 70 * 1024) } } });
      expectError(envelope, 413, 'payload_too_large');
      expect(envelope.body.error.message).toContain(`${maxSpecBytes + 64 * 1024} bytes`);
      const cancel = await call(`${url}/api/v1/runs/some-run/cancel`, { method: 'POST', json: { reason: 'r'.repeat(70 * 1024) } });
      expectError(cancel, 413, 'payload_too_large');
      expect(cancel.body.error.message).toContain(`${64 * 1024} bytes`);
    });

    it('answers every failure in the one JSON format: 400 malformed JSON, 404, 405, 415', async () => {
      const malformed = await call(`${url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"spec": {' });
      expectError(malformed, 400, 'invalid_json');

      expectError(await call(`${url}/api/v2/nothing`), 404, 'not_found');
      expectError(await call(`${url}/api/v1/runs/00000000-0000-0000-0000-000000000000`), 404, 'not_found');

      const wrongMethod = await call(`${url}/api/v1/runs`, { method: 'DELETE' });
      expectError(wrongMethod, 405, 'method_not_allowed');
      expect(wrongMethod.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
      expectError(await call(`${url}/api/health`, { method: 'POST' }), 405, 'method_not_allowed');

      const xml = await call(`${url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<spec/>' });
      expectError(xml, 415, 'unsupported_media_type');
      expect(xml.body.error.message).toContain('application/json');
      expect(xml.body.error.details).toContainEqual({ field: 'content-type', message: 'accepts application/yaml' });
      expectError(await call(`${url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin-9' }, body: '{}' }), 415, 'unsupported_media_type');
      // A bare POST (Content-Length: 0) is no body of the wrong type: the run id decides.
      expectError(await call(`${url}/api/v1/runs/some-run/cancel`, { method: 'POST' }), 404, 'not_found');
    });
  });

  describe('the API\'s own OpenAPI description', () => {
    let document: any;
    beforeAll(async () => {
      const served = await call(`${harness.api.url}/api/openapi.json`);
      expect(served.status).toBe(200);
      document = served.body;
    });

    it('is a valid OpenAPI 3.1 document covering every route', async () => {
      expect(document.openapi).toMatch(/^3\.1\./);
      await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
      expect(Object.keys(document.paths).sort()).toEqual([
        '/api/health', '/api/openapi.json', '/api/v1/failures', '/api/v1/plans', '/api/v1/runs', '/api/v1/runs/{id}', '/api/v1/runs/{id}/cancel',
        '/api/v1/runs/{id}/execute', '/api/v1/runs/{id}/executions', '/api/v1/runs/{id}/executions/{executionId}', '/api/v1/runs/{id}/files/{path}',
        '/api/v1/runs/{id}/regressions',
        '/api/v1/runs/{id}/retry', '/api/v1/runs/{id}/schedule', '/api/v1/schedules', '/api/v1/schedules/{scheduleId}',
        '/api/v1/schedules/{scheduleId}/pause', '/api/v1/schedules/{scheduleId}/resume', '/api/v1/similar-tests', '/api/v1/webhook-deliveries/{deliveryId}',
        '/api/webhooks/github',
        '/api/webhooks/spec-changed', '/metrics',
      ]);
      const operationIds: string[] = [];
      for (const [path, item] of Object.entries<any>(document.paths)) {
        for (const [method, operation] of Object.entries<any>(item)) {
          if (method === 'parameters') continue;
          operationIds.push(operation.operationId);
          expect(Object.keys(operation.responses ?? {}).length).toBeGreaterThan(0);
          if (path.startsWith('/api/v1/')) {
            expect(operation.security).toBeUndefined(); // the document-wide bearer requirement applies
            expect(operation.responses['401']).toBeDefined();
            expect(operation.responses['429']).toBeDefined();
          } else {
            expect(operation.security).toEqual([]);
          }
        }
      }
      expect(new Set(operationIds).size).toBe(operationIds.length);
      expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(document.security).toEqual([{ bearerAuth: [] }]);
      const startRun = document.paths['/api/v1/runs'].post;
      expect(Object.keys(startRun.requestBody.content).sort()).toEqual(['application/json', ...RAW_SPEC_TYPES].sort());
      const forms = document.components.schemas.StartRunRequest.oneOf.map((s: { $ref: string }) => s.$ref);
      expect(forms).toEqual(['#/components/schemas/SpecRunRequest', '#/components/schemas/IssueRunRequest']);
    });

    it('compiles in strict JSON Schema 2020-12, every schema', () => {
      const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
      addFormats(ajv);
      ajv.addKeyword({ keyword: 'x-error-message', schemaType: 'string' });
      ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'jsonSchemaDialect']);
      ajv.addSchema(openApiDocument, 'https://testloom.local/openapi.json');
      for (const name of Object.keys(openApiDocument.components.schemas)) {
        expect(ajv.getSchema(`https://testloom.local/openapi.json#/components/schemas/${name}`)).toBeInstanceOf(Function);
      }
    });

    it('is what requests are validated against: violations are 400s naming the field', async () => {
      const url = harness.api.url;
      const cases: [string, string, unknown, string, RegExp][] = [
        ['GET', '/api/v1/runs?limit=500', undefined, 'limit', /whole number from 1 to 100/],
        ['GET', '/api/v1/runs?trigger=cron', undefined, 'trigger', /one of spec, issue/],
        ['GET', '/api/v1/runs?colour=blue', undefined, 'colour', /not a known field/],
        ['POST', '/api/v1/runs', { issue: 'owner/repo' }, 'issue', /owner\/repo#number/],
        ['POST', '/api/v1/runs', { issue: 'owner/repo#1', spec: { path: PETSTORE } }, 'spec', /cannot be combined with issue/],
        ['POST', '/api/v1/runs', { spec: { url: 'ftp://example.com/spec.yaml' } }, 'spec.url', /http or https/],
        ['POST', '/api/v1/runs', {}, 'spec', /required \(or issue instead\)/],
        ['POST', '/api/v1/runs', [], 'body', /object/],
        ['POST', '/api/v1/runs/some-run/cancel', { reason: 5 }, 'reason', /string/],
        ['POST', '/api/v1/runs/some-run/cancel', { why: 'x' }, 'why', /not a known field/],
      ];
      for (const [method, path, json, field, message] of cases) {
        const answer = await call(`${url}${path}`, { method, json });
        expectError(answer, 400, 'invalid_request');
        const detail = answer.body.error.details.find((d: { field: string }) => d.field === field);
        expect({ path, json, detail }).toEqual({ path, json, detail: { field, message: expect.stringMatching(message) } });
        expect(answer.body.error.message).toContain(`${field}: `);
      }
      const upload = await call(`${url}/api/v1/runs?repository=not-a-repo`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: 'openapi: 3.0.3' });
      expectError(upload, 400, 'invalid_request');
      expect(upload.body.error.details).toEqual([{ field: 'repository', message: 'must be owner/name' }]);
    });
  });

  describe('secrets', () => {
    it('never appear in a log line or a response', async () => {
      const config = withApi(harness.config, { apiKeys: [KEY_1] }, {
        databaseUrl: DATABASE_URL, github: { ...harness.config.github, webhookSecret: WEBHOOK_SECRET },
      });
      const failure = `could not reach ${DATABASE_URL} (key ${KEY_1}, webhook secret ${WEBHOOK_SECRET}, password ${DB_PASSWORD})`;
      const brokenDb = new Proxy({}, { get() { throw new Error(failure); } }) as AppDeps['db'];
      const logged: unknown[] = [];
      const app = createApp({ ...deps(), config, db: brokenDb }, (err) => logged.push(err));
      const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const internal = await call(`${url}/api/v1/runs`, { key: KEY_1 });
        expectError(internal, 500, 'internal');
        const health = await call(`${url}/api/health`);
        expect(health.status).toBe(503);
        expect(JSON.stringify(health.body)).toContain('[redacted]');
        const wrong = await call(`${url}/api/v1/runs`, { key: 'not-the-key-0123456789' });
        expectError(wrong, 401, 'unauthorized');

        expect(logged.length).toBeGreaterThan(0);
        const logText = logged.map((e) => (e instanceof Error ? `${e.message}\n${e.stack}` : JSON.stringify(e))).join('\n');
        expect(logText).toContain('could not reach postgres://testloom:[redacted]@db.internal');
        const responses = [internal, health, wrong].map((a) => a.text + JSON.stringify([...a.headers])).join('\n');
        for (const secret of [KEY_1, WEBHOOK_SECRET, DB_PASSWORD, DATABASE_URL, 'not-the-key-0123456789']) {
          expect(logText).not.toContain(secret);
          expect(responses).not.toContain(secret);
        }
      } finally {
        await new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); });
      }
    });

    it('configuration errors name the variable, never its value', () => {
      const attempt = () => loadConfig({
        TESTLOOM_API_KEYS: `${KEY_1},short-secret`,
        TESTLOOM_API_KEY: 'tiny-secret',
        GITHUB_WEBHOOK_SECRET: 'also-tiny',
        DATABASE_URL: `postgres://testloom:${DB_PASSWORD}@[not-a-host/db`,
      });
      let message = '';
      try {
        attempt();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/TESTLOOM_API_KEYS: every key must be at least 16 characters/);
      expect(message).toMatch(/TESTLOOM_API_KEY: must be at least 16 characters/);
      expect(message).toMatch(/GITHUB_WEBHOOK_SECRET: must be at least 16 characters/);
      expect(message).toMatch(/DATABASE_URL: is not a valid connection URL/);
      for (const secret of [KEY_1, 'short-secret', 'tiny-secret', 'also-tiny', DB_PASSWORD]) expect(message).not.toContain(secret);
    });

    it('TESTLOOM_TRUST_PROXY takes hops or addresses, never "trust everyone"', () => {
      expect(loadConfig({}).api.trustProxy).toBeUndefined();
      expect(loadConfig({ TESTLOOM_TRUST_PROXY: '1' }).api.trustProxy).toBe(1);
      expect(loadConfig({ TESTLOOM_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).api.trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
      expect(() => loadConfig({ TESTLOOM_TRUST_PROXY: 'true' })).toThrow(/TESTLOOM_TRUST_PROXY=true: must be a number of proxy hops/);
    });
  });
});
