import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JEST_HELPERS_FILE as HELPERS_FILE } from '../../lib/frameworks/jest';
import { generateSpecSuite, type GeneratedSuite, type TestCase } from '../../lib/generation';
import { SEED_PETS, startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { loadSpec, targetRepository, writeArtifacts } from './spec-fixtures';
import { assertions, runGeneratedSuite, runPytest } from './run-generated';

const OUT_DIR = 'tests/testloom/swagger-petstore';

describe('the generated petstore suite against a live API', () => {
  let suite: GeneratedSuite;
  let repoDir: string;

  beforeAll(async () => {
    suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'swagger-petstore', outDir: OUT_DIR });
    repoDir = await targetRepository(suite.artifacts, 'testloom-generated-');
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

    test('passes every generated test, one per case, including the CRUD sequence and the delete of a created pet', async () => {
      const results = await runGeneratedSuite(repoDir, OUT_DIR, { API_BASE_URL: server.baseUrl });
      const failures = assertions(results).filter((a) => a.status !== 'passed').map((a) => `${a.fullName}: ${a.failureMessages.join('\n')}`);
      expect(failures).toEqual([]);
      expect(results.numTotalTests).toBe(suite.cases.length);
      expect(results.numPassedTests).toBe(suite.cases.length);
      expect(assertions(results).map((a) => a.fullName).sort()).toEqual(suite.cases.map((c) => `${c.operationId} ${c.title}`).sort());
      expect(suite.cases.filter((c) => (c.steps?.length ?? 0) > 1).map((c) => c.id)).toEqual(['createPet/crud-sequence', 'showPetById/happy-path', 'deletePet/happy-path']);
      // The seed pets survive: destructive happy paths worked on pets the tests created, and every
      // pet a test created was deleted after it (DELETE /pets/{petId} is documented).
      const listed = (await (await fetch(`${server.baseUrl}/pets`)).json()) as { id: number }[];
      expect(listed.map((pet) => pet.id)).toEqual(SEED_PETS.map((pet) => pet.id));
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

    test('fails exactly the createPet cases that send an invalid body (missing, wrong type, past a length limit)', async () => {
      const results = await runGeneratedSuite(repoDir, OUT_DIR, { API_BASE_URL: server.baseUrl });
      const failed = assertions(results).filter((a) => a.status === 'failed');
      const invalidBody: TestCase['kind'][] = ['missing-required', 'wrong-type', 'boundary'];
      const expected = suite.cases.filter((c) => c.operationId === 'createPet' && invalidBody.includes(c.kind));
      expect(expected.map((c) => c.id)).toEqual([
        'createPet/missing-required/body', 'createPet/missing-required/body.name', 'createPet/wrong-type/body.name',
        'createPet/wrong-type/body.tag', 'createPet/boundary/body.name.minLength-1', 'createPet/boundary/body.name.maxLength+1',
      ]);
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
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a runtime path, loaded through Jest's require
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
describe('the generated pytest suite against a live API', () => {
  let suite: GeneratedSuite;
  let repoDir: string;
  beforeAll(async () => {
    suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'swagger-petstore', outDir: OUT_DIR, framework: 'pytest' });
    repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-generated-py-'));
    await writeArtifacts(repoDir, suite.artifacts);
  });
  afterAll(async () => {
    if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
  });

  test('served correctly: passes every generated test, one per case', async () => {
    const server = await startPetstoreServer();
    try {
      const output = await runPytest(repoDir, OUT_DIR, server.baseUrl);
      expect(output.text).toMatch(new RegExp(`^${suite.cases.length} passed in `, 'm'));
      expect(output.code).toBe(0);
    } finally {
      await server.close();
    }
  });

  test('served by an API that accepts invalid pets: fails exactly the createPet cases that send an invalid body', async () => {
    const server = await startPetstoreServer({ validateBodies: false });
    try {
      const output = await runPytest(repoDir, OUT_DIR, server.baseUrl);
      const invalidBody: TestCase['kind'][] = ['missing-required', 'wrong-type', 'boundary'];
      const expected = suite.cases.filter((c) => c.operationId === 'createPet' && invalidBody.includes(c.kind)).length;
      const failed = output.text.split('\n').filter((line) => line.startsWith('FAILED '));
      expect(output.text).toMatch(new RegExp(`^${expected} failed, ${suite.cases.length - expected} passed in `, 'm'));
      expect(failed).toHaveLength(expected);
      for (const line of failed) {
        expect(line).toMatch(/^FAILED tests\/testloom\/swagger-petstore\/test_pets\.py::TestCreatePet::test_rejects_/);
        expect(line).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/v1\/pets returned 201, expected a 4xx status/);
      }
    } finally {
      await server.close();
    }
  });
});

