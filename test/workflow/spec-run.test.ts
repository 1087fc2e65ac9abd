import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { git } from '../support/git-cli';
import { listArtifacts } from '../../lib/db/artifacts';
import { listStageEvents } from '../../lib/db/stage-events';
import { listReviews } from '../../lib/db/reviews';
import { STAGE_ATTRIBUTE, STATUS_ATTRIBUTE, TRIGGER_ATTRIBUTE } from '../../lib/core/search-attributes';
import { statusQuery } from '../../lib/core/workflows';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const REPO = uniqueRepository('acme');

describe('spec run end to end (PGlite, real Temporal, real git)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('turns the petstore spec into one commit on a branch and one review record', async () => {
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: REPO });
    expect(started.status).toBe(202);
    expect(started.body.existing).toBe(false);
    expect(started.body.specId).toMatch(/^[0-9a-f]{64}$/);
    // Identity: the repository and the spec's name (its title by default), then the content hash.
    expect(started.body.workflowId).toBe(`spec:${REPO}:swagger-petstore@${started.body.specId}`);

    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');
    expect(run.error).toBeNull();
    expect(run.stages.map((s: { stage: string; outcome: string }) => `${s.stage}:${s.outcome}`)).toEqual([
      'receive:succeeded', 'retrieve:succeeded', 'generate:succeeded', 'commit:succeeded', 'createPr:succeeded', 'finalize:succeeded',
    ]);
    // A repository with no earlier tests: retrieval works and finds nothing; finalize indexes every case.
    expect(run.details.retrieval).toEqual({ status: 'ok', documents: [] });
    expect(run.result.indexing).toEqual({ status: 'ok', indexed: run.result.generation.caseCount });
    expect(await harness.retrieval!.store.count(REPO)).toBe(run.result.generation.caseCount);
    expect(run.subject).toMatchObject({ title: 'Swagger Petstore', operationCount: 4, openapiVersion: '3.0.3' });

    // The branch holds exactly one commit on top of main, with exactly the run's artifacts.
    const repoDir = harness.repoHost.repositoryPath(REPO);
    const branch = run.result.commit.branch as string;
    expect(branch).toBe('testloom/spec-swagger-petstore');
    expect(await git(repoDir, ['rev-list', '--count', `main..${branch}`])).toBe('1');
    expect(await git(repoDir, ['rev-parse', branch])).toBe(run.result.commit.commitSha);
    const committed = (await git(repoDir, ['diff', '--name-only', `main...${branch}`])).split('\n').sort();
    const artifacts = await listArtifacts(harness.database.db, run.id);
    expect(committed).toEqual(artifacts.map((a) => a.path).sort());
    expect(committed).toEqual(expect.arrayContaining([expect.stringMatching(/^tests\/testloom\/swagger-petstore\/.+\.test\.ts$/)]));
    expect(committed.some((file) => file.endsWith('.md'))).toBe(true);
    for (const artifact of artifacts) {
      expect(await git(repoDir, ['show', `${branch}:${artifact.path}`])).toBe(artifact.content.replace(/\n$/, ''));
    }

    const reviews = await listReviews(harness.database.db, REPO);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ headBranch: branch, baseBranch: 'main', headSha: run.result.commit.commitSha, status: 'open' });
    expect(reviews[0].diff).toContain('tests/testloom/swagger-petstore/');
    expect(reviews[0].body).toContain(`testloom:workflow=${started.body.workflowId}`);
    expect(run.review).toMatchObject({ headBranch: branch });

    // Temporal's view: completed, with the custom search attributes set by the workflow.
    const handle = harness.client.workflow.getHandle(started.body.workflowId, run.id);
    await handle.result();
    if (process.env.RECORD_HISTORY) {
      // `npm run record-history` refreshes the fixture the replay test checks determinism against.
      const file = path.resolve(__dirname, '../fixtures/histories/spec-run.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, historyToJSON(await handle.fetchHistory()));
    }
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(STAGE_ATTRIBUTE)).toBe('finalize');
    expect(description.typedSearchAttributes.get(STATUS_ATTRIBUTE)).toBe('completed');
    expect(description.typedSearchAttributes.get(TRIGGER_ATTRIBUTE)).toBe('spec');
    const state = await handle.query(statusQuery);
    expect(state.status).toBe('completed');
    // No target: the execute stage is skipped, every other stage completed.
    expect(Object.fromEntries(Object.entries(state.stages).map(([name, s]) => [name, s.progress]))).toEqual({
      receive: 'completed', retrieve: 'completed', generate: 'completed', execute: 'skipped', commit: 'completed', createPr: 'completed', finalize: 'completed',
    });

    // The same request again finds the same workflow and changes nothing.
    const again = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: REPO });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ existing: true, runId: run.id, workflowId: started.body.workflowId });
    // Same spec as YAML upload: same content id, same workflow.
    const upload = await apiRequest(harness, 'POST', `/api/v1/runs?repository=${REPO}`, fs.readFileSync(PETSTORE, 'utf8'));
    expect(upload.body).toMatchObject({ existing: true, runId: run.id });
    expect(await git(repoDir, ['rev-list', '--count', `main..${branch}`])).toBe('1');
    expect(await listReviews(harness.database.db, REPO)).toHaveLength(1);

    const listed = await apiRequest(harness, 'GET', `/api/v1/runs?repository=${encodeURIComponent(REPO)}&status=completed`);
    expect(listed.body.runs.map((r: { id: string }) => r.id)).toEqual([run.id]);
  });

  it('fails a broken spec at receive after one attempt, with the parser message', async () => {
    const spec = path.resolve(__dirname, '../fixtures/specs/broken-ref.yaml');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: spec }, repository: REPO });
    expect(started.status).toBe(202);
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('failed');
    expect(run.error.stage).toBe('receive');
    expect(run.error.message).toContain('#/components/schemas/Item');
    const events = await listStageEvents(harness.database.db, run.id);
    expect(events.map((e) => [e.stage, e.attempt, e.outcome])).toEqual([['receive', 1, 'failed']]);
    const handle = harness.client.workflow.getHandle(started.body.workflowId, run.id);
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect((await handle.describe()).typedSearchAttributes.get(STATUS_ATTRIBUTE)).toBe('failed');
  });
});
