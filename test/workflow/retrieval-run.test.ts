import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { listArtifacts } from '../../lib/db/artifacts';
import { listStageEvents } from '../../lib/db/stage-events';
import { listReviews } from '../../lib/db/reviews';
import { freePort } from '../../lib/net/free-port';
import { ensureChromaServer, type ChromaServer } from '../../lib/retrieval/chroma-server';
import { statusQuery } from '../../lib/core/workflows';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const petstore = fs.readFileSync(PETSTORE, 'utf8');
/** The petstore spec as a later release: other content, so another spec id and another workflow. */
const petstoreVersion = (version: string) => petstore.replace(/^(\s+version:\s*).+$/m, `$1${version}`);

async function runSpec(harness: Harness, repository: string, yaml: string) {
  const started = await apiRequest(harness, 'POST', `/api/v1/runs?repository=${encodeURIComponent(repository)}`, yaml);
  expect(started.status).toBe(202);
  return { started: started.body, run: await waitForRunEnd(harness, started.body.runId) };
}

describe('retrieval in a spec run (real Chroma, real embedding weights)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('finds the cases an earlier run indexed and shows them in run status, test-case document and review', async () => {
    const repository = uniqueRepository('learn');
    const first = await runSpec(harness, repository, petstoreVersion('1.0.0'));
    expect(first.run.status).toBe('completed');
    const firstCount = first.run.result.generation.caseCount as number;
    expect(first.run.result.indexing).toEqual({ status: 'ok', indexed: firstCount });

    const second = await runSpec(harness, repository, petstoreVersion('1.1.0'));
    expect(second.run.status).toBe('completed');
    const retrieval = second.run.result.retrieval;
    expect(retrieval.status).toBe('ok');
    expect(retrieval.documents).toHaveLength(harness.config.retrieval.topK);
    const firstFiles = new Set((await listArtifacts(harness.database.db, first.run.id)).map((a) => a.path));
    for (const doc of retrieval.documents) {
      expect(firstFiles.has(doc.path)).toBe(true);
      expect(doc.origin).toBe('spec');
      expect(doc.score).toBeGreaterThanOrEqual(harness.config.retrieval.minScore);
    }
    const scores = retrieval.documents.map((d: { score: number }) => d.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0.8); // the same operations, tested the same way
    expect(second.run.details.retrieval).toEqual(retrieval);

    const testCases = (await listArtifacts(harness.database.db, second.run.id)).find((a) => a.path.endsWith('test-cases.md'))!;
    expect(testCases.content).toContain('## Similar existing tests');
    for (const doc of retrieval.documents) expect(testCases.content).toContain(doc.title.replace(/\|/g, '\\|'));
    const [review] = (await listReviews(harness.database.db, repository)).filter((r) => r.runId === second.run.id);
    expect(review.body).toContain(`Retrieval: ${retrieval.documents.length} similar existing tests were used as context`);
    expect(review.body).toContain(retrieval.documents[0].score.toFixed(2));

    // Both runs' cases are in the index; indexing a run again (a retried finalize) adds nothing.
    const total = firstCount + second.run.result.generation.caseCount;
    expect(await harness.retrieval!.store.count(repository)).toBe(total);
    const activities = createActivities({ db: harness.database.db, repoHost: harness.repoHost, retrieval: harness.retrieval });
    const again = await new MockActivityEnvironment({ workflowExecution: { workflowId: second.started.workflowId, runId: second.run.id } })
      .run(activities.indexRunCases, second.run.result.subject);
    expect(again).toEqual({ status: 'ok', indexed: second.run.result.generation.caseCount });
    expect(await harness.retrieval!.store.count(repository)).toBe(total);
  });
});

describe('retrieval when Chroma goes away mid-run', () => {
  let chroma: ChromaServer;
  let chromaDir: string;
  let harness: Harness;

  beforeAll(async () => {
    chromaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-chroma-'));
    chroma = await ensureChromaServer({ url: `http://127.0.0.1:${await freePort()}`, dataDir: chromaDir });
    harness = await createHarness({ database: 'pglite', fastRetries: true, chromaUrl: chroma.url });
    // Chroma dies right after receive, before retrieve: every retrieve attempt then finds it down.
    await harness.startWorker((activities) => ({
      ...activities,
      receive: async (input) => {
        const subject = await activities.receive(input);
        await chroma.stop();
        return subject;
      },
    }));
  });
  afterAll(async () => {
    await harness?.close();
    await chroma?.stop();
    fs.rmSync(chromaDir, { recursive: true, force: true });
  });

  it('completes the run without context and marks it degraded', async () => {
    const repository = uniqueRepository('degraded');
    const { started, run } = await runSpec(harness, repository, petstore);
    expect(run.status).toBe('completed');
    expect(run.result.retrieval).toMatchObject({ status: 'degraded', documents: [] });
    expect(run.result.retrieval.reason).toBe(`retrieval unavailable: Chroma at ${chroma.url} does not answer (connection failed)`);
    expect(run.details.retrieval).toEqual(run.result.retrieval);
    expect(run.result.indexing).toMatchObject({ status: 'degraded', indexed: 0 });
    expect(run.result.commit.commitSha).toMatch(/^[0-9a-f]{40}$/);

    // Every retrieve attempt the policy allows was made and recorded as failed; the rest went on.
    const events = await listStageEvents(harness.database.db, run.id);
    const retrieves = events.filter((e) => e.stage === 'retrieve');
    expect(retrieves.map((e) => e.outcome)).toEqual(Array(harness.config.temporal.stages.retrieve.retry.maximumAttempts).fill('failed'));
    expect(events.filter((e) => e.stage !== 'retrieve').every((e) => e.outcome === 'succeeded')).toBe(true);

    const state = await harness.client.workflow.getHandle(started.workflowId, run.id).query(statusQuery);
    expect(state.retrieval).toBe('degraded');
    expect(state.stages.retrieve.progress).toBe('completed');
    const [review] = await listReviews(harness.database.db, repository);
    expect(review.body).toContain('Retrieval: degraded (retrieval unavailable: ');
  });
});
