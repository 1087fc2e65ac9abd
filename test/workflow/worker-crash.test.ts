import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { listArtifacts } from '../../lib/db/artifacts';
import { listReviews } from '../../lib/db/reviews';
import { listStageEvents } from '../../lib/db/stage-events';
import { git } from '../../lib/repohost/git';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');

/** Starts the pausing worker as its own process and resolves once it reports `line`. */
function spawnWorker(harness: Harness, pauseAt: string): { child: ChildProcess; reached: (line: string) => Promise<void> } {
  // tsx as a loader in this very process (not the tsx CLI, which would fork a grandchild that
  // survives the SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pausing-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...harness.env, PAUSE_AT: pauseAt },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) if (output.includes(waiter.line)) waiter.resolve();
  });
  return {
    child,
    reached: (line) => new Promise((resolve, reject) => {
      if (output.includes(line)) return resolve();
      waiters.push({ line, resolve });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before "${line}"; output: ${output}`)));
    }),
  };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

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
