import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express, { type Request } from 'express';
import { generateSpecSuite, type GeneratedSuite } from '../../lib/generation';
import { NODE_MODULES, writeArtifacts } from './spec-fixtures';
import { assertions, runGeneratedSuite, runPytest } from './run-generated';

const OUT_DIR = 'tests/testloom/secured';

/** Four ways to send credentials, each enforced by the server: 401 without, 403 when wrong. */
const SECURED_SPEC = {
  openapi: '3.0.3',
  info: { title: 'Secured', version: '1' },
  components: {
    securitySchemes: {
      headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      queryKey: { type: 'apiKey', in: 'query', name: 'api_key' },
      basicAuth: { type: 'http', scheme: 'basic' },
      token: { type: 'http', scheme: 'bearer' },
    },
  },
  paths: Object.fromEntries(
    ['headerKey', 'queryKey', 'basicAuth', 'token'].map((scheme) => [
      `/${scheme}/things/{thingId}`,
      {
        get: {
          operationId: `get${scheme.charAt(0).toUpperCase()}${scheme.slice(1)}Thing`,
          tags: ['things'],
          security: [{ [scheme]: [] }],
          parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'integer', example: 1 } }],
          responses: { '200': { description: 'the thing' }, '401': { description: 'no credentials' }, '404': { description: 'no such thing' } },
        },
      },
    ]),
  ),
};

const SECRETS = { API_AUTH_HEADER_KEY: 'k-123', API_AUTH_QUERY_KEY: 'q-456', API_AUTH_BASIC_AUTH: 'ada:s3cret', API_AUTH_TOKEN: 't-789' };

async function startSecuredServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const app = express();
  const credential: Record<string, (req: Request) => string | undefined> = {
    headerKey: (req) => req.get('x-api-key'),
    queryKey: (req) => (typeof req.query.api_key === 'string' ? req.query.api_key : undefined),
    basicAuth: (req) => req.get('authorization')?.replace(/^Basic /, ''),
    token: (req) => req.get('authorization')?.replace(/^Bearer /, ''),
  };
  const expected: Record<string, string> = {
    headerKey: SECRETS.API_AUTH_HEADER_KEY,
    queryKey: SECRETS.API_AUTH_QUERY_KEY,
    basicAuth: Buffer.from(SECRETS.API_AUTH_BASIC_AUTH).toString('base64'),
    token: SECRETS.API_AUTH_TOKEN,
  };
  app.get('/:scheme/things/:thingId', (req, res) => {
    const given = credential[req.params.scheme]?.(req);
    if (!given) return res.status(401).json({ message: 'credentials required' });
    if (given !== expected[req.params.scheme]) return res.status(403).json({ message: 'wrong credentials' });
    if (!/^\d+$/.test(req.params.thingId)) return res.status(400).json({ message: 'thingId must be an integer' });
    if (req.params.thingId !== '1') return res.status(404).json({ message: 'no such thing' });
    res.json({ id: 1 });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

describe('generated auth cases against an API that enforces credentials', () => {
  let repoDir: string;
  let server: Awaited<ReturnType<typeof startSecuredServer>>;
  let jestSuite: GeneratedSuite;
  let pytestSuite: GeneratedSuite;
  beforeAll(async () => {
    repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-generated-auth-'));
    jestSuite = generateSpecSuite({ api: SECURED_SPEC, specId: 'secured', outDir: OUT_DIR });
    pytestSuite = generateSpecSuite({ api: SECURED_SPEC, specId: 'secured', outDir: OUT_DIR, framework: 'pytest' });
    await writeArtifacts(repoDir, [...jestSuite.artifacts, ...pytestSuite.artifacts]);
    await fs.writeFile(path.join(repoDir, 'package.json'), '{ "name": "target-repository", "private": true }\n');
    await fs.symlink(NODE_MODULES, path.join(repoDir, 'node_modules'), 'dir');
    server = await startSecuredServer();
  });
  afterAll(async () => {
    await server?.close();
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  test('every scheme gets valid, missing and invalid credential cases', () => {
    const kinds = jestSuite.cases.filter((c) => c.operationId === 'getHeaderKeyThing').map((c) => c.kind);
    expect(kinds).toEqual(['happy-path', 'wrong-type', 'missing-auth', 'invalid-auth', 'not-found']);
    expect(jestSuite.cases).toHaveLength(20);
  });

  test('the Jest suite passes with the real credentials in API_AUTH_* (even with a stale key in API_HEADERS)', async () => {
    const results = await runGeneratedSuite(repoDir, OUT_DIR, { API_BASE_URL: server.baseUrl, API_HEADERS: '{"X-API-Key":"stale"}', ...SECRETS });
    const failures = assertions(results).filter((a) => a.status !== 'passed').map((a) => `${a.fullName}: ${a.failureMessages.join('\n')}`);
    expect(failures).toEqual([]);
    expect(results.numPassedTests).toBe(jestSuite.cases.length);
  });

  test('without the credentials only the cases expecting a 401/403 or any 4xx pass', async () => {
    const results = await runGeneratedSuite(repoDir, OUT_DIR, { API_BASE_URL: server.baseUrl });
    const passed = assertions(results).filter((a) => a.status === 'passed').map((a) => a.fullName).sort();
    const authCases = jestSuite.cases.filter((c) => ['missing-auth', 'invalid-auth', 'wrong-type'].includes(c.kind));
    expect(passed).toEqual(authCases.map((c) => `${c.operationId} ${c.title}`).sort());
  });

  test('the pytest suite passes with the real credentials', async () => {
    const output = await runPytest(repoDir, OUT_DIR, server.baseUrl, SECRETS);
    expect(output.text).toMatch(new RegExp(`^${pytestSuite.cases.length} passed in `, 'm'));
  });
});
