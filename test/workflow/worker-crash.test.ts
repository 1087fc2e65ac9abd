import { listArtifacts } from '../../lib/db/artifacts';
import { listReviews } from '../../lib/db/reviews';
import { listStageEvents } from '../../lib/db/stage-events';
import { git } from '../support/git-cli';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { kill, spawnWorker } from '../support/worker-process';

describe.each(['generate', 'commit'])('worker SIGKILLed during %s (Postgres)', (stage) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ database: 'postgres', fastRetries: true });
  });
  afterAll(() => harness?.close());

  it('is finished by a new worker with exactly one commit, one review and one set of files', async () => {
    const doomed = spawnWorker(harness, stage);
    await doomed.reached('READY');
    const repository = `crash/${stage}`;
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository });
    expect(started.status).toBe(202);
    await doomed.reached(`PAUSED ${stage}`);
    await kill(doomed.child);

    await harness.startWorker();
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');

    const events = await listStageEvents(harness.database.db, run.id);
    const attempts = events.filter((e) => e.stage === stage).map((e) => [e.attempt, e.outcome]);
    // The killed attempt never reported back, so Temporal ran the stage again (at least once more:
    // a heartbeat timeout can also hit a slow retry); the earlier attempts ended succeeded or
    // abandoned, never failed, and the last one succeeded.
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[attempts.length - 1][1]).toBe('succeeded');
    for (const [, outcome] of attempts.slice(0, -1)) expect(['abandoned', 'succeeded']).toContain(outcome);
    if (stage === 'commit') expect(attempts[0]).toEqual([1, 'abandoned']);

    const repoDir = harness.repoHost.repositoryPath(repository);
    const branch = run.result.commit.branch;
    expect(await git(repoDir, ['rev-list', '--count', `main..${branch}`])).toBe('1');
    expect(await git(repoDir, ['for-each-ref', '--format=%(refname)', 'refs/heads/testloom/'])).toBe(`refs/heads/${branch}`);
    expect(await listReviews(harness.database.db, repository)).toHaveLength(1);
    const artifacts = await listArtifacts(harness.database.db, run.id);
    expect(new Set(artifacts.map((a) => a.path)).size).toBe(artifacts.length);
    expect(run.result.generation.files).toHaveLength(artifacts.length);
    if (stage === 'commit') expect(run.result.commit.created).toBe(false); // the retry found its own commit
  });
});
