import fs from 'node:fs';
import { replaceArtifacts } from '../../lib/db/artifacts';
import { listRuns, upsertRun } from '../../lib/db/runs';
import { listTestCases, replaceTestCases } from '../../lib/db/test-cases';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

/** A valid spec with `operations` operations (five per resource), about 2 MB at 5,000. */
function largeSpec(operations: number): string {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
  for (let i = 0; i < operations / 5; i++) {
    const thing = { $ref: `#/components/schemas/Thing${i}` };
    const body = { required: true, content: { 'application/json': { schema: thing } } };
    const one = { description: 'ok', content: { 'application/json': { schema: thing } } };
    schemas[`Thing${i}`] = {
      type: 'object',
      required: ['name'],
      properties: { id: { type: 'integer', readOnly: true }, name: { type: 'string', minLength: 1, maxLength: 40 }, count: { type: 'integer', minimum: 0, maximum: 100 } },
    };
    paths[`/things${i}`] = {
      get: { operationId: `listThings${i}`, responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'array', items: thing } } } } } },
      post: { operationId: `createThing${i}`, requestBody: body, responses: { 201: one, 400: { description: 'bad' } } },
    };
    paths[`/things${i}/{id}`] = {
      get: { operationId: `getThing${i}`, parameters: [id], responses: { 200: one, 404: { description: 'none' } } },
      put: { operationId: `putThing${i}`, parameters: [id], requestBody: body, responses: { 200: one, 404: { description: 'none' } } },
      delete: { operationId: `deleteThing${i}`, parameters: [id], responses: { 204: { description: 'gone' }, 404: { description: 'none' } } },
    };
  }
  return JSON.stringify({ openapi: '3.0.3', info: { title: 'Large', version: '1' }, paths, components: { schemas } });
}

describe('one very large spec does not wedge the service (PGlite)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('fails its own run at receive with the real reason; earlier and later runs are unaffected', async () => {
    const petstore = fs.readFileSync(PETSTORE, 'utf8');
    const before = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: petstore }, repository: uniqueRepository('before-large') });
    expect((await waitForRunEnd(harness, before.body.runId)).status).toBe('completed');

    const spec = largeSpec(5_000);
    expect(Buffer.byteLength(spec)).toBeLessThan(harness.config.api.maxSpecBytes);
    const large = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: spec }, repository: uniqueRepository('large') });
    expect(large.status).toBe(202);
    const failed = await waitForRunEnd(harness, large.body.runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      stage: 'receive',
      message: 'the spec has 5000 operations, more than the 1000 one run generates tests for (TESTLOOM_MAX_OPERATIONS): split the spec or raise the limit',
    });

    const after = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: petstore }, repository: uniqueRepository('after-large') });
    expect(after.status).toBe(202);
    expect((await waitForRunEnd(harness, after.body.runId)).status).toBe('completed');
    const listed = await apiRequest(harness, 'GET', '/api/v1/runs?limit=100');
    expect(listed.body.runs.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([before.body.runId, large.body.runId, after.body.runId]));
    expect((await apiRequest(harness, 'GET', `/api/v1/runs/${before.body.runId}`)).status).toBe(200);
  });

  it('stores tens of thousands of cases and files in one run and keeps answering afterwards', async () => {
    // The root cause of the wedge: one insert of 36,000 cases carried more bind parameters than the
    // wire protocol counts, and PGlite's parser then answered every later query of the process wrongly.
    const db = harness.database.db;
    await upsertRun(db, { id: 'large-run', workflowId: 'large-workflow', trigger: 'spec', repository: 'local/large', specId: null });
    const cases = Array.from({ length: 40_000 }, (_, i) => ({ caseId: `op${i}/happy`, kind: 'happy', title: `case ${i}`, operationId: `op${i}`, method: 'get', path: `/p${i}`, expectedStatus: '200', file: 'tests/a.test.ts' }));
    await replaceTestCases(db, 'large-run', cases);
    await replaceArtifacts(db, 'large-run', Array.from({ length: 12_000 }, (_, i) => ({ path: `tests/f${i}.test.ts`, kind: 'test' as const, content: `// ${i}\n` })));
    expect(await listTestCases(db, 'large-run')).toHaveLength(40_000);
    expect((await listRuns(db, { limit: 100 })).runs.map((r) => r.id)).toContain('large-run');
  });
});
