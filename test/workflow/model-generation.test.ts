/**
 * Issue runs write their test cases with a model, spec runs add model-planned scenarios: the real `ollama` client against a local server
 * speaking Ollama's HTTP API, scripted per test (a good answer, broken JSON then a repair, a stalled
 * stream, an HTTP 500), through the real workflow, worker and database.
 */
import fs from 'node:fs';
import { listArtifacts } from '../../lib/db/artifacts';
import { saveLocalIssue } from '../../lib/db/local-issues';
import { listModelCalls } from '../../lib/db/model-calls';
import { listStageEvents } from '../../lib/db/stage-events';
import { listTestCases } from '../../lib/db/test-cases';
import { regenerateIssueRun } from '../../lib/runs/start';
import { git } from '../support/git-cli';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { CRITERIA, ISSUE_BODY, ISSUE_CASES, ISSUE_TITLE } from '../support/issue-cases';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';
import { uniqueRepository } from '../support/retrieval';

const GOOD_DOCUMENT = ISSUE_CASES;

describe('generation with a model (Ollama API, real workflow)', () => {
  let harness: Harness;
  let ollama: FakeOllama;
  let repository: string;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: ['test-model'] });
    harness = await createHarness({
      database: 'pglite',
      fastRetries: true,
      chromaUrl: 'off',
      env: { TESTLOOM_LLM_PROVIDERS: 'ollama', OLLAMA_HOST: ollama.url, TESTLOOM_MODEL: 'test-model' },
    });
    await harness.startWorker();
  });
  afterAll(async () => {
    await harness?.close();
    await ollama?.close();
  });
  beforeEach(async () => {
    ollama.reset();
    repository = uniqueRepository('model');
  });

  async function runIssue(number: number) {
    await saveLocalIssue(harness.database.db, {
      repository,
      number,
      title: ISSUE_TITLE,
      body: ISSUE_BODY,
      labels: ['generate-tests'],
      author: 'alice',
      state: 'open',
    });
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repository}#${number}` });
    expect(started.status).toBe(202);
    return waitForRunEnd(harness, started.body.runId);
  }

  const generateAttempts = async (runId: string) =>
    (await listStageEvents(harness.database.db, runId)).filter((e) => e.stage === 'generate').map((e) => e.outcome);

  it('delivers the test-case document (JSON and Markdown) and records the call', async () => {
    ollama.enqueue({ json: GOOD_DOCUMENT, promptTokens: 420, evalTokens: 180 });
    const run = await runIssue(3);
    expect(run.status).toBe('completed');

    // The request the model got: schema-constrained, with the issue and its criteria in the prompt.
    expect(ollama.generations).toHaveLength(1);
    const request = ollama.generations[0].body;
    expect(request).toMatchObject({ model: 'test-model', stream: true, format: { type: 'object', required: ['cases'] } });
    expect(request.format.properties.cases.items.properties.criterion.enum).toEqual([...CRITERIA, 'none']);
    expect(request.messages.at(-1).content).toContain(`${repository}#3`);
    expect(request.messages.at(-1).content).toContain(`- ${CRITERIA[1]}`);

    const artifacts = await listArtifacts(harness.database.db, run.id);
    expect(artifacts.map((a) => a.path).sort()).toEqual(['tests/testloom/issue-3/test-cases.json', 'tests/testloom/issue-3/test-cases.md']);
    const json = JSON.parse(artifacts.find((a) => a.path.endsWith('.json'))!.content);
    expect(json).toEqual({ issue: expect.objectContaining({ repository, number: 3 }), model: 'ollama/test-model', cases: GOOD_DOCUMENT.cases });
    const markdown = artifacts.find((a) => a.path.endsWith('.md'))!.content;
    expect(markdown).toContain('| TC-2 | Filtering by an unknown tag returns an empty list | negative | medium | an unknown tag returns an empty list |');
    expect(markdown).toContain('1. Send GET /pets?tag=dog\n1. Read the returned list');
    expect(markdown).not.toContain('Not covered');

    expect((await listTestCases(harness.database.db, run.id)).map((c) => [c.caseId, c.kind])).toEqual([['TC-1', 'functional'], ['TC-2', 'negative']]);
    const calls = await listModelCalls(harness.database.db, run.id);
    expect(calls).toEqual([expect.objectContaining({ task: 'issue-test-cases', provider: 'ollama', model: 'test-model', tokensIn: 420, tokensOut: 180, outcome: 'ok', cacheHit: false, repository })]);
    expect(run.result.generation.model).toMatchObject({ status: 'ok', models: { 'issue-test-cases': 'ollama/test-model' }, calls: 1, tokensIn: 420, tokensOut: 180, costUsd: 0 });

    // Delivered: the branch holds exactly these files.
    const files = await git(harness.repoHost.repositoryPath(repository), ['ls-tree', '-r', '--name-only', run.result.commit.branch, 'tests/testloom']);
    expect(files.split('\n').sort()).toEqual(artifacts.map((a) => a.path).sort());
  });

  it('asks again after broken JSON and keeps the repaired answer', async () => {
    ollama.enqueue({ text: '{"cases": [{"id": "TC-1", "title": "half an answer"' }, { json: GOOD_DOCUMENT });
    const run = await runIssue(4);
    expect(run.status).toBe('completed');
    expect(ollama.generations).toHaveLength(2);
    expect(ollama.generations[1].body.messages.at(-1).content).toContain('Your previous answer was not valid');
    expect((await listModelCalls(harness.database.db, run.id)).map((c) => [c.attempt, c.outcome])).toEqual([[0, 'invalid'], [1, 'ok']]);
    expect(await generateAttempts(run.id)).toEqual(['succeeded']);
  });

  it('retries a stalled model stream after the heartbeat timeout', async () => {
    ollama.enqueue({ fault: 'hang', afterChunks: 2, text: JSON.stringify(GOOD_DOCUMENT) }, { json: GOOD_DOCUMENT });
    const run = await runIssue(5);
    expect(run.status).toBe('completed');
    const attempts = await generateAttempts(run.id);
    expect(attempts[attempts.length - 1]).toBe('succeeded');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.slice(0, -1).every((o) => o === 'failed' || o === 'abandoned')).toBe(true);
    expect(await listArtifacts(harness.database.db, run.id)).toHaveLength(2);
  });

  it('retries after an HTTP 500 from the model server', async () => {
    ollama.enqueue({ fault: 'status', status: 500, error: 'model runner crashed' }, { json: GOOD_DOCUMENT });
    const run = await runIssue(6);
    expect(run.status).toBe('completed');
    const events = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === 'generate');
    expect(events.map((e) => e.outcome)).toEqual(['failed', 'succeeded']);
    expect(events[0].error).toMatch(/model unavailable: .*HTTP 500/);
    expect((await listModelCalls(harness.database.db, run.id)).map((c) => c.outcome)).toEqual(['unavailable', 'ok']);
  });

  it('answers a regeneration of the same issue from the cache: no model call', async () => {
    ollama.enqueue({ json: GOOD_DOCUMENT });
    const first = await runIssue(7);
    expect(first.status).toBe('completed');
    expect(ollama.generations).toHaveLength(1);

    const again = await regenerateIssueRun({ client: harness.client, config: harness.config, db: harness.database.db }, { repository, number: 7 }, '');
    const second = await waitForRunEnd(harness, again.runId);
    expect(second.status).toBe('completed');
    expect(ollama.generations).toHaveLength(1);
    expect(await listModelCalls(harness.database.db, second.id)).toEqual([expect.objectContaining({ cacheHit: true, outcome: 'ok', tokensIn: 0, tokensOut: 0 })]);
    expect(second.result.generation.model).toMatchObject({ calls: 0, cacheHits: 1 });
    expect(second.result.commit).toMatchObject({ commitSha: first.result.commit.commitSha, created: false });
  });

  it('fails the run with the model output when repairs do not help', async () => {
    ollama.enqueue({ text: 'not json' }, { text: 'still not json' }, { text: '{"cases": []}' });
    const run = await runIssue(8);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ stage: 'generate', message: expect.stringMatching(/does not match the schema, also after 2 repairs/) });
    expect(await generateAttempts(run.id)).toEqual(['failed']);
  });

  it('retries a failed run with its own input once the model answers: the retry completes, the failed run keeps its history', async () => {
    ollama.enqueue({ text: 'not json' }, { text: 'still not json' }, { text: '{"cases": []}' });
    const failed = await runIssue(9);
    expect(failed.status).toBe('failed');
    ollama.enqueue({ text: 'not json' }, { text: 'still not json' }, { text: '{"cases": []}' });
    const failedToo = await runIssue(10);
    expect(failedToo.status).toBe('failed');

    // Both failed in generate for the same reason: one group.
    const failures = await apiRequest(harness, 'GET', `/api/v1/failures?repository=${encodeURIComponent(repository)}`);
    expect(failures.status).toBe(200);
    expect(failures.body.groups).toEqual([
      expect.objectContaining({ stage: 'generate', count: 2, runIds: [failedToo.id, failed.id], reason: expect.stringContaining('also after 2 repairs') }),
    ]);

    ollama.enqueue({ json: GOOD_DOCUMENT });
    const retried = await apiRequest(harness, 'POST', `/api/v1/runs/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ retryOf: failed.id, workflowId: failed.workflowId, existing: false });
    expect(retried.body.runId).not.toBe(failed.id);
    const run = await waitForRunEnd(harness, retried.body.runId);
    expect(run.status).toBe('completed');
    expect(run.details.retryOf).toBe(failed.id);
    expect(run.result.commit.branch).toBe('testloom/issue-9');
    // The failed run is still there as it ended.
    const before = await apiRequest(harness, 'GET', `/api/v1/runs/${failed.id}`);
    expect(before.body).toMatchObject({ status: 'failed', error: { stage: 'generate' } });

    // Retrying it again finds the retry; a completed run and an unknown one cannot be retried.
    const again = await apiRequest(harness, 'POST', `/api/v1/runs/${failed.id}/retry`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ runId: run.id, existing: true, retryOf: failed.id });
    const completed = await apiRequest(harness, 'POST', `/api/v1/runs/${run.id}/retry`);
    expect(completed.status).toBe(409);
    expect(completed.body.error).toMatchObject({ code: 'not_retryable', message: expect.stringContaining('is completed') });
    expect((await apiRequest(harness, 'POST', '/api/v1/runs/no-such-run/retry')).status).toBe(404);
  });

  it('adds model-planned scenario tests to a spec run', async () => {
    const scenario = {
      title: 'A created pet can be read back and deleted',
      rule: 'what createPet stores, showPetById returns, until deletePet removes it',
      steps: [
        { operationId: 'createPet', pathParams: {}, query: {}, body: { id: 77, name: 'Rex' }, expectStatus: 201, save: {} },
        { operationId: 'showPetById', pathParams: { petId: 77 }, query: {}, expectStatus: 200, save: { petName: 'name' } },
        { operationId: 'deletePet', pathParams: { petId: 77 }, query: {}, expectStatus: 204, save: {} },
        { operationId: 'showPetById', pathParams: { petId: '${petId}' }, query: {}, expectStatus: 404, save: {} },
      ],
    };
    const broken = { ...scenario, title: 'Uses a value nobody saved' };
    ollama.enqueue({ json: { scenarios: [{ ...scenario, steps: scenario.steps.slice(0, 3) }, broken] } });
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository });
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');

    const prompt = ollama.generations[0].body.messages.at(-1).content;
    expect(prompt).toContain('- createPet: POST /pets');
    expect(ollama.generations[0].body.format.properties.scenarios.items.properties.steps.items.properties.operationId.enum).toEqual(
      expect.arrayContaining(['listPets', 'createPet', 'showPetById', 'deletePet']),
    );
    const artifacts = await listArtifacts(harness.database.db, run.id);
    const file = artifacts.find((a) => a.path.endsWith('/scenarios.test.ts'))!;
    expect(file.content).toContain("test('A created pet can be read back and deleted', async () => {");
    expect(file.content).toContain("saved['petName'] = pick(api.expectJson(step1), 'name');");
    expect(file.content).toContain("path: '/pets/{petId}'");
    expect(run.result.generation.notes).toContain('Model scenario "Uses a value nobody saved" dropped: step 4 (showPetById): uses ${petId} before any step saves it.');
    const cases = await listTestCases(harness.database.db, run.id);
    expect(cases.filter((c) => c.kind === 'scenario').map((c) => c.title)).toEqual(['A created pet can be read back and deleted']);
    expect(run.result.generation.model).toMatchObject({ status: 'ok', models: { 'scenario-tests': 'ollama/test-model' }, calls: 1 });
  });

  it('delivers the deterministic suite and says so when the model is unavailable', async () => {
    ollama.enqueue({ fault: 'status', status: 503, error: 'server busy' });
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository });
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');
    expect(run.result.generation.model).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/HTTP 503/) });
    expect(run.result.generation.notes).toContainEqual(expect.stringMatching(/^No model-written scenarios: model unavailable \(.*HTTP 503/));
    const artifacts = await listArtifacts(harness.database.db, run.id);
    expect(artifacts.some((a) => a.path.endsWith('/scenarios.test.ts'))).toBe(false);
    expect((await listTestCases(harness.database.db, run.id)).length).toBeGreaterThan(10);
    expect(await generateAttempts(run.id)).toEqual(['succeeded']);
  });

  it('generates a pytest suite when the request asks for one', async () => {
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository, framework: 'pytest' });
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');
    const paths = (await listArtifacts(harness.database.db, run.id)).map((a) => a.path.split('/').pop());
    expect(paths).toEqual(expect.arrayContaining(['test_pets.py', 'testloom_api.py', 'requirements.txt', 'test-cases.md']));
    expect(paths.some((p) => p!.endsWith('.ts'))).toBe(false);
    expect(run.result.generation.dropped).toEqual([]);
    expect(ollama.generations).toHaveLength(0);

    const bad = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository, framework: 'mocha' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'framework', message: 'must be one of jest, pytest' }]);
  });

  it('adds executable tests for the operations an issue names when the repository has an OpenAPI spec', async () => {
    await harness.repoHost.commitFiles({
      repository,
      branch: 'main',
      files: [{ path: 'openapi.yaml', content: fs.readFileSync(PETSTORE, 'utf8') }],
      ownedDirs: [],
      message: 'Add the API description',
      date: new Date('2026-01-02T03:04:05Z'),
    });
    await saveLocalIssue(harness.database.db, {
      repository,
      number: 9,
      title: 'Creating a pet without a name must fail',
      body: '`POST /pets` with `{}` answers 201; it must answer 400.\n\n- [ ] a pet without a name is rejected\n',
      labels: ['generate-tests'],
      author: 'alice',
      state: 'open',
    });
    ollama.enqueue({ json: { cases: [{ ...GOOD_DOCUMENT.cases[0], criterion: 'a pet without a name is rejected' }] } });
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repository}#9` });
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');

    const paths = (await listArtifacts(harness.database.db, run.id)).map((a) => a.path);
    expect(paths).toEqual(expect.arrayContaining([
      'tests/testloom/issue-9/test-cases.md',
      'tests/testloom/issue-9/test-cases.json',
      'tests/testloom/issue-9/api/pets.test.ts',
      'tests/testloom/issue-9/api/helpers.ts',
    ]));
    const cases = await listTestCases(harness.database.db, run.id);
    expect(new Set(cases.filter((c) => c.file.startsWith('tests/testloom/issue-9/api/')).map((c) => c.operationId))).toEqual(new Set(['createPet']));
    expect(cases.some((c) => c.caseId === 'createPet/missing-required/body.name')).toBe(true);
    expect(run.result.generation.notes).toContain('Executable tests in tests/testloom/issue-9/api/ for the operations the issue names, from openapi.yaml: createPet (POST /pets).');
    expect(run.result.generation.dropped).toEqual([]);
  });
});
