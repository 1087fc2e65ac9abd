/**
 * The execute stage through the real workflow, worker, database and local git host: the generated
 * suite runs three times against a real local API (the inventory API, correct or with faults), and
 * what is committed, reported and stored is checked exactly. Models: the real `ollama` client against
 * a local server speaking Ollama's API.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { listArtifacts } from '../../lib/db/artifacts';
import { listLocalIssueComments, saveLocalIssue } from '../../lib/db/local-issues';
import { listModelCalls } from '../../lib/db/model-calls';
import { getExecution } from '../../lib/db/executions';
import { listReviews } from '../../lib/db/reviews';
import { git } from '../support/git-cli';
import { validateSuite, type SuiteFile } from '../../lib/execution';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { ISSUE_CASES } from '../support/issue-cases';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';
import { uniqueRepository } from '../support/retrieval';
import { INVENTORY_SPEC, startInventoryApi, type InventoryFaults, type InventoryServer } from '../execution/support/inventory-api';

/** The inventory spec with an example for showItem's id: the happy path still reads an item it created first. */
const SPEC = (() => {
  const spec = JSON.parse(JSON.stringify(INVENTORY_SPEC));
  spec.paths['/items/{itemId}'].get.parameters[0].example = 1;
  return JSON.stringify(spec, null, 2);
})();
const SUITE = 'tests/testloom/inventory/untagged.test.ts';
const ROOT = path.resolve(__dirname, '../..');
const execFileAsync = promisify(execFile);
const FAULTY: InventoryFaults = {
  strictBodies: true, alternatingStatus: true, serverErrorForLimit: 1, seedIds: [2], sampleItemId: 999999999, stringIds: true, lenientNames: true,
};

const FLAKY = 'getStatus returns 200 for a valid request';
/** Picked an "unknown" id that the API serves a sample item under. */
const AT_FAULT = 'showItem returns 404 for an unknown itemId (999999999)';
const API_DEFECT = 'listItems accepts query parameter "limit" set to 1 (minimum 1)';
const OFF_SPEC_BODY = 'listItems returns 200 for a valid request';
/** The answer (201, a valid item) is documented: only the generator knows the request was invalid. */
const ACCEPTS_INVALID = 'createItem rejects a request without required field "name" with 4xx';

/** The committed tree of the run's branch: path → content. */
async function committedFiles(harness: Harness, repository: string, branch: string): Promise<SuiteFile[]> {
  const dir = harness.repoHost.repositoryPath(repository);
  const paths = (await git(dir, ['ls-tree', '-r', '--name-only', branch])).split('\n').filter((p) => p.startsWith('tests/') || p.startsWith('.github/'));
  return Promise.all(paths.map(async (path) => ({ path, content: await git(dir, ['show', `${branch}:${path}`]) })));
}

async function startRun(harness: Harness, repository: string, api: InventoryServer) {
  const started = await apiRequest(harness, 'POST', '/api/v1/runs', {
    spec: { content: SPEC }, repository, target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] },
  });
  expect(started.status).toBe(202);
  return waitForRunEnd(harness, started.body.runId, 180_000);
}

describe('executing the generated suite before committing it', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('against a correct API: every test passes three times, exact coverage, the suite is committed as generated', async () => {
    const api = await startInventoryApi({ strictBodies: true });
    try {
      const repository = uniqueRepository('exec-ok');
      const run = await startRun(harness, repository, api);
      expect(run.status).toBe('completed');
      if (process.env.RECORD_HISTORY) {
        // `npm run record-history` refreshes the fixture the replay test checks determinism against.
        const history = await harness.client.workflow.getHandle(run.workflowId, run.id).fetchHistory();
        fs.writeFileSync(path.resolve(__dirname, '../fixtures/histories/spec-run-with-execution.json'), historyToJSON(history));
      }
      const execution = run.result.execution;
      expect(execution).toMatchObject({ status: 'executed', baseUrl: api.baseUrl, runs: 3, tests: 22, passed: 22, healed: [], flaky: [], dropped: [], apiDefects: [], blocked: [], withheldFiles: [] });
      // 5 operations; 9 documented statuses (listItems 200/400, createItem 201/400, showItem 200/404, deleteItem 204/404, getStatus 200);
      // parameters limit, tag (free text), itemId (show, delete) sent, X-Trace never; body properties name, price, tag.
      expect(execution.coverage).toEqual({
        operations: { covered: 5, total: 5, percent: 100 },
        statusCodes: { covered: 9, total: 9, percent: 100 },
        parameters: { covered: 4, total: 5, percent: 80 },
        requestBodyProperties: { covered: 3, total: 3, percent: 100 },
      });
      expect(run.stages.filter((s: { stage: string }) => s.stage === 'execute').map((s: { outcome: string }) => s.outcome)).toEqual(['succeeded']);

      // Stored: one execution of the pipeline, with each test's outcome, duration and failure message per run.
      expect(run.executions).toEqual([expect.objectContaining({ id: run.id, kind: 'pipeline', status: 'completed', target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] } })]);
      const stored = await getExecution(harness.database.db, run.id);
      const report = stored!.report as { runs: { tests: { file: string; fullName: string; outcome: string; durationMs: number }[] }[] };
      expect(report.runs).toHaveLength(3);
      for (const suiteRun of report.runs) {
        expect(suiteRun.tests).toHaveLength(22);
        for (const test of suiteRun.tests) expect(test).toEqual({ file: SUITE, fullName: expect.any(String), outcome: 'passed', durationMs: expect.any(Number) });
      }

      // The test files are committed exactly as generated; test-cases.md gains the execution report.
      const artifacts = await listArtifacts(harness.database.db, run.id);
      const committed = await committedFiles(harness, repository, run.result.commit.branch);
      expect(committed.map((f) => f.path).sort()).toEqual(artifacts.map((a) => a.path).sort());
      for (const artifact of artifacts.filter((a) => !a.path.endsWith('test-cases.md'))) {
        expect(committed.find((f) => f.path === artifact.path)!.content).toBe(artifact.content.trimEnd());
      }
      expect(committed.find((f) => f.path.endsWith('test-cases.md'))!.content).toContain(`### Execution against ${api.baseUrl}`);
      const [review] = await listReviews(harness.database.db, repository);
      expect(review.body).toContain(`### Execution against ${api.baseUrl}`);
      expect(review.body).toContain('| operations | 5 | 5 | 100% |');
      expect(review.body).toContain('| parameters | 4 | 5 | 80% |');
    } finally {
      await api.close();
    }
  });

  it('against a faulty API: the flaky test and the unrepairable one are left out, the undocumented 500 is reported with a reproducer', async () => {
    const api = await startInventoryApi(FAULTY);
    try {
      const repository = uniqueRepository('exec-faulty');
      const run = await startRun(harness, repository, api);
      expect(run.status).toBe('completed');
      const execution = run.result.execution;
      expect(execution.flaky).toEqual([{ file: SUITE, fullName: FLAKY, outcomes: ['passed', 'failed', 'passed'], failure: `GET ${api.baseUrl}/status returned 503, expected 200` }]);
      expect(execution.dropped).toEqual([{
        file: SUITE,
        fullName: AT_FAULT,
        reason: expect.stringContaining('GET /items/999999999 → 200, is documented for showItem: the test\'s expectation is wrong) and no model is configured to repair it'),
        failure: `GET ${api.baseUrl}/items/999999999 returned 200, expected 404`,
      }]);
      expect(execution.apiDefects).toEqual([{
        // The ids are strings: the happy path's schema check fails on them.
        file: SUITE,
        fullName: OFF_SPEC_BODY,
        operationId: 'listItems',
        // Every item's id (the store grows as the runs create items).
        reasons: [expect.stringMatching(/^GET \/items answered 200 with a body that does not match the documented schema for 200: \/0\/id must be integer; \/1\/id must be integer/)],
        reproducer: `curl -sS -i '${api.baseUrl}/items'`,
      }, {
        file: SUITE,
        fullName: API_DEFECT,
        operationId: 'listItems',
        reasons: ['GET /items answered 500: a server error', 'GET /items answered 500, which listItems does not document (documented: 200, 400)'],
        reproducer: `curl -sS -i '${api.baseUrl}/items?limit=1'`,
      }, {
        file: SUITE,
        fullName: ACCEPTS_INVALID,
        operationId: 'createItem',
        reasons: ['POST /items answered 201: the API accepted a request the spec says it must reject (a required field is missing)'],
        // The tag is varied per request (an API may keep text fields unique).
        reproducer: expect.stringMatching(new RegExp(`^curl -sS -i -X POST '${api.baseUrl}/items' -H 'content-type: application/json' --data-raw '\\{"price":1,"tag":"[a-z]{3}"\\}'$`)),
      }]);
      expect(execution).toMatchObject({ tests: 22, passed: 17, healed: [], blocked: [], withheldFiles: [] });

      // The committed file lacks exactly the flaky and the dropped test; the API-defect test stays.
      const committed = await committedFiles(harness, repository, run.result.commit.branch);
      const file = committed.find((f) => f.path === SUITE)!.content;
      expect(file).not.toContain(`test('returns 200 for a valid request', async () => {\n    const response = await api.request({\n      method: 'GET',\n      path: '/status'`);
      expect(file).toContain("describe('listItems'");
      expect(file).not.toContain("describe('getStatus'");
      // Run as committed (once, the flaky endpoint's test is gone): the only failures are the possible API defects.
      const rerun = await validateSuite({ files: committed, api: JSON.parse(SPEC), runs: 1, target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] } });
      expect(rerun.runs[0].tests).toHaveLength(20);
      expect(rerun.runs[0].tests.filter((t) => t.outcome === 'failed').map((t) => t.fullName)).toEqual([OFF_SPEC_BODY, API_DEFECT, ACCEPTS_INVALID]);

      const [review] = await listReviews(harness.database.db, repository);
      expect(review.body).toContain('#### Possible API defects (tests kept)');
      expect(review.body).toContain(`curl -sS -i '${api.baseUrl}/items?limit=1'`);
      expect(review.body).toContain(`- **${OFF_SPEC_BODY}** in \`${SUITE}\` (listItems)`);
      expect(review.body).toContain('| possible API defect (kept, failing) | 3 |');
      expect(review.body).toContain(`- **${FLAKY}** in \`${SUITE}\`: passed, failed, passed`);
      expect(review.body).toContain(`- **${AT_FAULT}** in \`${SUITE}\`: the test fails through its own fault`);
      const artifact = (await listArtifacts(harness.database.db, run.id)).find((a) => a.path === SUITE)!;
      expect(artifact.withheldReason).toBeNull();
      expect(artifact.deliveredContent).toBe(file.endsWith('\n') ? file : `${file}\n`);
    } finally {
      await api.close();
    }
  });

  it('executes a finished run again on request (API and CLI): its own stored execution, the commit untouched', async () => {
    const api = await startInventoryApi({ strictBodies: true });
    try {
      const repository = uniqueRepository('exec-later');
      const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository });
      const run = await waitForRunEnd(harness, started.body.runId, 180_000);
      expect(run.status).toBe('completed');
      expect(run.result.execution).toBeUndefined(); // no target: no execute stage
      const head = await git(harness.repoHost.repositoryPath(repository), ['rev-parse', run.result.commit.branch]);

      const target = { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] };
      const first = await apiRequest(harness, 'POST', `/api/v1/runs/${run.id}/execute`, { target });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ runId: run.id, existing: false, workflowId: expect.stringMatching(new RegExp(`^execute:${run.id}:[0-9a-f]{16}$`)) });
      const again = await apiRequest(harness, 'POST', `/api/v1/runs/${encodeURIComponent(run.workflowId)}/execute`, { target });
      // While it runs, the same request finds it.
      if (again.body.existing) expect(again.body.executionId).toBe(first.body.executionId);
      expect(again.body.workflowId).toBe(first.body.workflowId);

      let execution;
      for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
        execution = (await apiRequest(harness, 'GET', first.body.links.self)).body;
        if (execution.status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(execution).toMatchObject({ id: first.body.executionId, kind: 'request', status: 'completed', summary: { tests: 22, passed: 22, apiDefects: [], flaky: [] } });
      expect(execution.report.runs).toHaveLength(3);
      expect(execution.report.coverage.byOperation.map((op: { operationId: string }) => op.operationId)).toEqual(['listItems', 'createItem', 'showItem', 'deleteItem', 'getStatus']);
      expect(await git(harness.repoHost.repositoryPath(repository), ['rev-parse', run.result.commit.branch])).toBe(head);

      // The CLI against the same API server.
      const cli = await execFileAsync(process.execPath, ['bin/testloom', 'execute', run.id, '--base-url', api.baseUrl, '--allow-methods', 'POST,DELETE'], {
        cwd: ROOT, env: { ...process.env, ...harness.env, TESTLOOM_API_URL: harness.api.url }, timeout: 120_000,
      });
      expect(cli.stdout).toContain(`execution   ${api.baseUrl}, 3 runs: 22/22 passed, 0 possible API defects, 0 flaky, 0 dropped, 0 not verified`);
      expect(cli.stdout).toContain('coverage    operations 5/5 (100%), status codes 9/9 (100%), parameters 4/5 (80%), body properties 3/3 (100%)');
      const listed = (await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/executions`)).body.executions;
      expect(listed.map((e: { kind: string; status: string }) => [e.kind, e.status])).toEqual([['request', 'completed'], ['request', 'completed']]);
      expect(listed[0].report).toBeUndefined();

      const unknown = await apiRequest(harness, 'POST', '/api/v1/runs/no-such-run/execute', { target });
      expect(unknown.status).toBe(404);
      const noTarget = await apiRequest(harness, 'POST', `/api/v1/runs/${run.id}/execute`, {});
      expect(noTarget.status).toBe(400);
      expect(noTarget.body.error.details).toEqual([{ field: 'target', message: `is required (no target is configured for ${repository} in TESTLOOM_TARGETS_FILE)` }]);
    } finally {
      await api.close();
    }
  });

  it('against an API that answers nothing: the run fails at execute, nothing is committed or reviewed', async () => {
    // A port that was free a moment ago: connections are refused.
    const closed = await startInventoryApi();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const repository = uniqueRepository('exec-down');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository, target: { baseUrl, allowedMethods: ['POST', 'DELETE'] } });
    expect(started.status).toBe(202);
    const run = await waitForRunEnd(harness, started.body.runId, 180_000);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ stage: 'execute', message: expect.stringContaining(`the API at ${baseUrl} answered none of the 5 baseline requests (connection refused)`) });
    // Not retried: the stage ran once.
    expect(run.stages.filter((s: { stage: string }) => s.stage === 'execute').map((s: { attempt: number }) => s.attempt)).toEqual([1]);
    expect(await listReviews(harness.database.db, repository)).toEqual([]);
    const dir = harness.repoHost.repositoryPath(repository);
    const branches = fs.existsSync(dir) ? (await git(dir, ['branch', '--list', 'testloom/*'])).trim() : '';
    expect(branches).toBe('');
  });

  it('refuses a target the operator does not allow, or credentials given as values, before anything is stored', async () => {
    const repository = uniqueRepository('exec-refused');
    const outside = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository, target: { baseUrl: 'http://10.1.2.3:8080/v1' } });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details).toEqual([{ field: 'target.baseUrl', message: 'target baseUrl host "10.1.2.3" is not one testloom may run suites against (TESTLOOM_EXECUTION_HOSTS: localhost, 127.0.0.1, ::1)' }]);
    const literal = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository, target: { baseUrl: 'http://127.0.0.1:9/v1', env: { API_AUTH_BEARER: 'tok-123' } } });
    expect(literal.status).toBe(400);
    expect(literal.body.error.details[0]).toEqual({ field: 'target.env.API_AUTH_BEARER', message: expect.stringContaining('carries credentials: give a reference to a variable of the worker\'s environment') });
    const badMethod = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository, target: { baseUrl: 'http://127.0.0.1:9/v1', allowedMethods: ['GET'] } });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.error.details[0].field).toBe('target.allowedMethods.0');
    expect((await apiRequest(harness, 'GET', `/api/v1/runs?repository=${encodeURIComponent(repository)}`)).body.runs).toEqual([]);
  });
});

describe('healing a test at fault with a model', () => {
  let harness: Harness;
  let ollama: FakeOllama;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: ['test-model'] });
    harness = await createHarness({
      database: 'pglite',
      chromaUrl: 'off',
      env: { TESTLOOM_LLM_PROVIDERS: 'ollama', OLLAMA_HOST: ollama.url, TESTLOOM_MODEL: 'test-model', TESTLOOM_HEAL_ROUNDS: '3' },
    });
    await harness.startWorker();
  });
  afterAll(async () => {
    await harness?.close();
    await ollama?.close();
  });

  it('repairs it in the third round, after answers that renamed it and did not type-check; the repaired test is what is committed', async () => {
    const repaired = [
      "test('returns 404 for an unknown itemId (999999999)', async () => {",
      "  const created = await api.request({ method: 'POST', path: '/items', body: { name: 'lamp' } });",
      '  api.expectStatus(created, 201);',
      '  const item = api.expectJson(created) as { id: number };',
      "  api.expectStatus(await api.request({ method: 'DELETE', path: '/items/{itemId}', pathParams: { itemId: item.id } }), 204);",
      "  const response = await api.request({ method: 'GET', path: '/items/{itemId}', pathParams: { itemId: item.id } });",
      '  api.expectStatus(response, 404);',
      '});',
    ].join('\n');
    ollama.enqueue(
      { json: { scenarios: [] } },
      { json: { code: "test('reads a deleted item', async () => {\n  api.expectStatus(await api.request({ method: 'GET', path: '/items/{itemId}', pathParams: { itemId: 0 } }), 404);\n});", explanation: 'use another id' } },
      // Runs and passes, but does not type-check: Jest strips types, the gates do not.
      { json: { code: repaired.replace("  api.expectStatus(response, 404);", "  const status: string = response.status;\n  api.expectStatus(response, Number(status));"), explanation: 'read a created item' } },
      { json: { code: repaired, explanation: 'item 999999999 exists: read an item that was deleted' } },
    );
    const api = await startInventoryApi(FAULTY);
    try {
      const repository = uniqueRepository('exec-heal');
      const run = await startRun(harness, repository, api);
      expect(run.status).toBe('completed');
      const execution = run.result.execution;
      expect(execution.healed).toEqual([{ file: SUITE, fullName: AT_FAULT, rounds: 3, explanation: 'item 999999999 exists: read an item that was deleted' }]);
      expect(execution.dropped).toEqual([]);
      expect(execution.apiDefects.map((d: { fullName: string }) => d.fullName)).toEqual([OFF_SPEC_BODY, API_DEFECT, ACCEPTS_INVALID]);
      expect(execution.passed).toBe(18);

      // The second prompt carried the first answer and why it was refused.
      const healPrompts = ollama.generations.slice(1).map((g) => g.body.messages.at(-1).content as string);
      expect(healPrompts).toHaveLength(3);
      expect(healPrompts[0]).toContain(`The generated API test "${AT_FAULT}"`);
      expect(healPrompts[0]).toContain('GET /items/999999999\n→ 200');
      expect(healPrompts[1]).toContain('did not work: the repair renamed the test to "reads a deleted item"; the title must stay "returns 404 for an unknown itemId (999999999)"');
      expect(healPrompts[2]).toMatch(/did not work: the repaired file fails a quality gate: does not type-check \(1 error\): .*Type 'number' is not assignable to type 'string'/);
      expect((await listModelCalls(harness.database.db, run.id)).map((c) => [c.task, c.outcome])).toEqual([['scenario-tests', 'ok'], ['heal', 'ok'], ['heal', 'ok'], ['heal', 'ok']]);

      const committed = await committedFiles(harness, repository, run.result.commit.branch);
      const file = committed.find((f) => f.path === SUITE)!.content;
      expect(file).toContain("  test('returns 404 for an unknown itemId (999999999)', async () => {\n    const created = await api.request({ method: 'POST', path: '/items', body: { name: 'lamp' } });");
      const [review] = await listReviews(harness.database.db, repository);
      expect(review.body).toContain(`- **${AT_FAULT}** in \`${SUITE}\` (round 3): item 999999999 exists: read an item that was deleted`);
    } finally {
      await api.close();
    }
  });
});

describe('an issue run executing against its repository\'s configured target', () => {
  const repository = uniqueRepository('exec-issue');
  let harness: Harness;
  let ollama: FakeOllama;
  let api: InventoryServer;
  let dir: string;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: ['test-model'] });
    api = await startInventoryApi({ strictBodies: true, serverErrorForLimit: 1 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-targets-'));
    const targetsFile = path.join(dir, 'targets.yaml');
    fs.writeFileSync(targetsFile, `repositories:\n  ${repository}:\n    baseUrl: ${api.baseUrl}\n`);
    harness = await createHarness({
      database: 'pglite',
      chromaUrl: 'off',
      env: { TESTLOOM_LLM_PROVIDERS: 'ollama', OLLAMA_HOST: ollama.url, TESTLOOM_MODEL: 'test-model', TESTLOOM_TARGETS_FILE: targetsFile },
    });
    await harness.startWorker();
  });
  afterAll(async () => {
    await harness?.close();
    await ollama?.close();
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('executes the suite for the operations the issue names and reports the defect on the issue', async () => {
    await harness.repoHost.commitFiles({
      repository, branch: 'main', files: [{ path: 'openapi.json', content: SPEC }], ownedDirs: [], message: 'Add the API description', date: new Date('2026-01-02T03:04:05Z'),
    });
    const criterion = 'a page of one item can be listed';
    await saveLocalIssue(harness.database.db, {
      repository, number: 5, title: 'Paging the item list', body: `\`GET /items\` with a small limit fails.\n\n- [ ] ${criterion}\n`, labels: ['generate-tests'], author: 'alice', state: 'open',
    });
    ollama.enqueue({ json: { cases: [{ ...ISSUE_CASES.cases[0], criterion }] } });
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repository}#5` });
    expect(started.status).toBe(202);
    const run = await waitForRunEnd(harness, started.body.runId, 180_000);
    expect(run.status).toBe('completed');

    const suite = 'tests/testloom/issue-5/api/untagged.test.ts';
    // Only listItems's tests (GET /items), read-only: the configured target allows no destructive method.
    expect(run.result.execution).toMatchObject({ status: 'executed', baseUrl: api.baseUrl, tests: 5, passed: 4, flaky: [], dropped: [], blocked: [] });
    expect(run.result.execution.apiDefects).toEqual([expect.objectContaining({ file: suite, fullName: API_DEFECT, reproducer: `curl -sS -i '${api.baseUrl}/items?limit=1'` })]);
    const [comment] = await listLocalIssueComments(harness.database.db, repository, 5);
    expect(comment.body).toContain(`### Execution against ${api.baseUrl}`);
    expect(comment.body).toContain(`- **${API_DEFECT}** in \`${suite}\` (listItems): GET /items answered 500: a server error`);
    expect(comment.body).toContain(`curl -sS -i '${api.baseUrl}/items?limit=1'`);
    expect(comment.body).toContain('| operations | 1 | 5 | 20% |');
  });
});
