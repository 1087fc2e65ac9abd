/**
 * Before a run: `POST /api/v1/plans` (and `testloom plan`) tell which cases and which credential
 * variables a spec's suite has; a misspelt credential variable is refused; a repeated request with
 * other options is a 409 naming them, and `rerun` starts a new run of the same workflow.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const ROOT = path.resolve(__dirname, '../..');
const SPEC = `openapi: 3.0.3
info: {title: Notes, version: '1'}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
    legacyKey: {type: apiKey, in: header, name: X-Legacy-Key}
security: [{bearerAuth: []}]
paths:
  /notes:
    get:
      operationId: listNotes
      responses:
        '200': {description: ok}
    post:
      operationId: createNote
      security: [{legacyKey: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [text]
              properties:
                text: {type: string, minLength: 1, maxLength: 80}
      responses:
        '201': {description: created}
        '400': {description: invalid}
`;

async function storedCounts(harness: Harness) {
  const { rows } = await sql<{ specs: number; runs: number }>`
    select (select count(*)::int from specs) as specs, (select count(*)::int from runs) as runs`.execute(harness.database.db);
  return rows[0];
}

describe('planning a run and choosing its options', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off', env: { TESTLOOM_TARGET_VARIABLES: 'STAGING_*' } });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('plans the cases per operation and names each credential variable, storing nothing', async () => {
    const before = await storedCounts(harness);
    const response = await apiRequest(harness, 'POST', '/api/v1/plans', { spec: { content: SPEC }, repository: 'local/plans' });
    expect(response.status).toBe(200);
    const plan = response.body;
    expect(plan).toMatchObject({ title: 'Notes', openapiVersion: '3.0.3', repository: 'local/plans', framework: 'jest', operationCount: 2, skipped: [], target: null, limitErrors: [] });
    expect(plan.operations.map((o: { operationId: string; credentials: string[] }) => [o.operationId, o.credentials])).toEqual([
      ['listNotes', ['API_AUTH_BEARER_AUTH']],
      ['createNote', ['API_AUTH_LEGACY_KEY']],
    ]);
    expect(plan.operations[1].cases).toMatchObject({ 'happy-path': 1, 'missing-required': 2, 'missing-auth': 1, 'invalid-auth': 1 });
    expect(plan.cases.total).toBe(plan.operations.reduce((sum: number, o: { caseCount: number }) => sum + o.caseCount, 0));
    expect(plan.credentials).toEqual([
      expect.objectContaining({ variable: 'API_AUTH_BEARER_AUTH', scheme: 'bearerAuth', holds: 'the bearer token, sent as `Authorization: Bearer …`', operations: ['listNotes'] }),
      expect.objectContaining({ variable: 'API_AUTH_LEGACY_KEY', scheme: 'legacyKey', holds: 'the API key, sent as header `X-Legacy-Key`', operations: ['createNote'] }),
    ]);
    expect(await storedCounts(harness)).toEqual(before);
  });

  it('`testloom plan` prints the same plan without a server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-plan-'));
    try {
      fs.writeFileSync(path.join(dir, 'notes.yaml'), SPEC);
      const { stdout } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'cli/main.ts'), 'plan', '--spec', path.join(dir, 'notes.yaml'), '--repository', 'local/plans', '--json'], {
        cwd: ROOT, env: { ...process.env, TESTLOOM_API_URL: 'http://127.0.0.1:9' },
      });
      const api = await apiRequest(harness, 'POST', '/api/v1/plans', { spec: { content: SPEC }, repository: 'local/plans' });
      expect(JSON.parse(stdout)).toEqual(api.body);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an API_AUTH_* variable no security scheme reads, naming the ones the suite reads, before anything is stored', async () => {
    const before = await storedCounts(harness);
    const target = { baseUrl: 'http://127.0.0.1:9/v1', env: { API_AUTH_BEARER: '${STAGING_TOKEN}' } };
    for (const route of ['/api/v1/runs', '/api/v1/plans']) {
      const response = await apiRequest(harness, 'POST', route, { spec: { content: SPEC }, repository: 'local/plans', target });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{
        field: 'target.env.API_AUTH_BEARER',
        message: 'no security scheme of this spec reads API_AUTH_BEARER; the suite reads API_AUTH_BEARER_AUTH, API_AUTH_LEGACY_KEY',
      }]);
    }
    expect(await storedCounts(harness)).toEqual(before);
  });

  it('answers a repeated request with other options with 409 naming them; `rerun` starts a new run of the same workflow', async () => {
    const repository = uniqueRepository('options');
    const first = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository });
    expect(first.status).toBe(202);
    const ended = await waitForRunEnd(harness, first.body.runId, 120_000);
    expect(ended.status).toBe('completed');

    const same = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ runId: first.body.runId, existing: true });

    const other = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository, framework: 'pytest' });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({
      code: 'run_conflict',
      message: expect.stringContaining('ask again with "rerun": true'),
      details: [{ field: 'framework', message: `is jest in run ${first.body.runId}, pytest in this request` }],
    });

    const rerun = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository, framework: 'pytest', rerun: true });
    expect(rerun.status).toBe(202);
    expect(rerun.body.workflowId).toBe(first.body.workflowId);
    expect(rerun.body.runId).not.toBe(first.body.runId);
    const second = await waitForRunEnd(harness, rerun.body.runId, 120_000);
    expect(second.status).toBe('completed');
    expect(second.artifacts.map((a: { path: string }) => a.path)).toEqual(expect.arrayContaining([expect.stringMatching(/\/test_untagged\.py$/)]));
    // The run now found is the pytest one: the jest request is the one that differs.
    const back = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository });
    expect(back.status).toBe(409);
    expect(back.body.error.details).toEqual([{ field: 'framework', message: `is pytest in run ${rerun.body.runId}, jest in this request` }]);
  });
});
