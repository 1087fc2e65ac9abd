import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSpecSuite, HELPERS_FILE, JEST_CONFIG_FILE, type GeneratedSuite } from '../../lib/generation';
import { startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { loadSpec, NODE_MODULES, writeArtifacts } from './spec-fixtures';

const OUT_DIR = 'tests/testloom/swagger-petstore';
const JEST_BIN = path.join(NODE_MODULES, 'jest/bin/jest.js');

interface JestResults {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { fullName: string; title: string; status: string; failureMessages: string[] }[] }[];
}

/**
 * Runs the generated suite the way a user of the target repository would: the project's Jest with
 * the generated jest.config.json, dependencies found through `<repo>/node_modules`. Asynchronous,
 * so the API server in this process keeps answering.
 */
async function runGeneratedSuite(repoDir: string, env: Record<string, string>): Promise<JestResults> {
  const outputFile = path.join(repoDir, 'jest-results.json');
  const args = [
    JEST_BIN,
    '--config', path.join(repoDir, OUT_DIR, JEST_CONFIG_FILE),
    '--json', '--outputFile', outputFile,
    '--ci', '--no-watchman', '--cacheDirectory', path.join(repoDir, '.jest-cache'),
  ];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.JEST_WORKER_ID;
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoDir, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stderr: output }));
  });
  const results = await fs.readFile(outputFile, 'utf8').catch(() => {
    throw new Error(`jest exited with ${code} and wrote no results:\n${stderr}`);
  });
  return JSON.parse(results) as JestResults;
}

function assertions(results: JestResults) {
  return results.testResults.flatMap((file) => file.assertionResults);
}

describe('the generated petstore suite against a live API', () => {
  let suite: GeneratedSuite;
  let repoDir: string;

  beforeAll(async () => {
    suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'swagger-petstore', outDir: OUT_DIR });
    repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-generated-'));
    await writeArtifacts(repoDir, suite.artifacts);
    // A target repository has a package.json; Jest 30 also needs one to anchor its project root.
    await fs.writeFile(path.join(repoDir, 'package.json'), '{ "name": "target-repository", "private": true }\n');
    await fs.symlink(NODE_MODULES, path.join(repoDir, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  describe('served correctly', () => {
    let server: PetstoreServer;
    beforeAll(async () => {
      server = await startPetstoreServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    test('passes every generated test, one per case', async () => {
      const results = await runGeneratedSuite(repoDir, { API_BASE_URL: server.baseUrl });
      const failures = assertions(results).filter((a) => a.status !== 'passed').map((a) => `${a.fullName}: ${a.failureMessages.join('\n')}`);
      expect(failures).toEqual([]);
      expect(results.numTotalTests).toBe(suite.cases.length);
      expect(results.numPassedTests).toBe(suite.cases.length);
      expect(assertions(results).map((a) => a.fullName).sort()).toEqual(suite.cases.map((c) => `${c.operationId} ${c.title}`).sort());
    });
  });

  describe('served by an API that accepts invalid pets', () => {
    let server: PetstoreServer;
    beforeAll(async () => {
      server = await startPetstoreServer({ validateBodies: false });
    });
    afterAll(async () => {
      await server?.close();
    });

    test('fails exactly the createPet cases that send an invalid body', async () => {
      const results = await runGeneratedSuite(repoDir, { API_BASE_URL: server.baseUrl });
      const failed = assertions(results).filter((a) => a.status === 'failed');
      const expected = suite.cases.filter((c) => c.operationId === 'createPet' && c.kind !== 'happy-path');
      expect(failed.map((a) => a.fullName).sort()).toEqual(expected.map((c) => `${c.operationId} ${c.title}`).sort());
      for (const assertion of failed) expect(assertion.failureMessages.join('\n')).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/v1\/pets returned 201, expected a 4xx status/);
      expect(results.numPassedTests).toBe(suite.cases.length - expected.length);
    });
  });

  describe('the generated request helper', () => {
    type Helpers = {
      baseUrl(): string;
      buildUrl(request: { method: string; path: string; pathParams?: object; query?: object }): string;
      request(request: { method: string; path: string; pathParams?: object }): Promise<{ status: number; text: string }>;
    };
    let helpers: Helpers;
    let server: PetstoreServer;
    const saved = { API_BASE_URL: process.env.API_BASE_URL, API_HEADERS: process.env.API_HEADERS };

    beforeAll(async () => {
      // Jest's transform compiles the generated TypeScript on require.
      helpers = require(path.join(repoDir, OUT_DIR, HELPERS_FILE)) as Helpers;
      server = await startPetstoreServer();
    });
    afterAll(async () => {
      await server?.close();
    });
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    test('fails with a clear message when API_BASE_URL is not set', () => {
      delete process.env.API_BASE_URL;
      expect(() => helpers.baseUrl()).toThrow('API_BASE_URL is not set: point it at the API under test, e.g. API_BASE_URL=http://localhost:4010/v1');
    });

    test('appends the documented path, encoded path parameters and repeated query parameters to the base URL', () => {
      process.env.API_BASE_URL = 'http://api.test/v1/';
      expect(helpers.buildUrl({ method: 'GET', path: '/pets/{petId}', pathParams: { petId: 'a b/c' }, query: { tag: ['x', 'y'], limit: 5 } })).toBe(
        'http://api.test/v1/pets/a%20b%2Fc?tag=x&tag=y&limit=5',
      );
    });

    test('rejects API_HEADERS that is not a JSON object', async () => {
      process.env.API_BASE_URL = server.baseUrl;
      process.env.API_HEADERS = '["Authorization"]';
      await expect(helpers.request({ method: 'GET', path: '/pets' })).rejects.toThrow(/API_HEADERS must be a JSON object/);
    });

    test('returns the status and body of a real response', async () => {
      process.env.API_BASE_URL = server.baseUrl;
      const response = await helpers.request({ method: 'GET', path: '/pets/{petId}', pathParams: { petId: 2 } });
      expect(response).toMatchObject({ status: 200, text: JSON.stringify({ id: 2, name: 'Tom', tag: 'cat' }) });
    });
  });
});
