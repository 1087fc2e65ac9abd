import { Context } from '@temporalio/activity';
import { createActivities } from '../../activities';
import type { RepoHost } from '../../lib/repohost/types';
import { listStageEvents } from '../../lib/db/stage-events';
import { git } from '../support/git-cli';
import { STATUS_ATTRIBUTE } from '../../lib/core/search-attributes';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';

describe('transient faults and cancellation (PGlite)', () => {
  let harness: Harness;
  let generateReached: () => void = () => undefined;
  let holdGenerate = false;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', fastRetries: true });
    // The first commit to faults/flaky-git fails inside the stage, as a git outage would.
    let failedOnce = false;
    const flakyHost: RepoHost = {
      kind: 'local',
      getIssue: (repository, number) => harness.repoHost.getIssue(repository, number),
      getPermission: (repository, login) => harness.repoHost.getPermission(repository, login),
      commitFiles: async (request) => {
        if (request.repository === 'faults/flaky-git' && !failedOnce) {
          failedOnce = true;
          throw new Error('simulated outage: git store unavailable');
        }
        return harness.repoHost.commitFiles(request);
      },
      openOrUpdateReview: (request) => harness.repoHost.openOrUpdateReview(request),
      upsertIssueComment: (request) => harness.repoHost.upsertIssueComment(request),
      createIssue: (request) => harness.repoHost.createIssue(request),
      readFiles: (repository, dir) => harness.repoHost.readFiles(repository, dir),
    };
    await harness.startWorker(() => {
      const activities = createActivities({ db: harness.database.db, repoHost: flakyHost });
      return { ...activities, generate: holdableGenerate(activities.generate) };
    });
  });
  afterAll(() => harness?.close());

  function holdableGenerate(generate: ReturnType<typeof createActivities>['generate']): typeof generate {
    return async (subject) => {
      if (!holdGenerate) return generate(subject);
      generateReached();
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100); // rejects once the workflow cancels this activity
      }
    };
  }

  it('retries a stage that failed transiently and completes', async () => {
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: 'faults/flaky-git' });
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');
    const commits = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === 'commit');
    expect(commits.map((e) => [e.attempt, e.outcome, e.error])).toEqual([
      [1, 'failed', 'simulated outage: git store unavailable'],
      [2, 'succeeded', null],
    ]);
    const repoDir = harness.repoHost.repositoryPath('faults/flaky-git');
    expect(await git(repoDir, ['rev-list', '--count', `main..${run.result.commit.branch}`])).toBe('1');
  });

  it('cancels a running run through the API: cancelled at its stage, nothing committed', async () => {
    holdGenerate = true;
    const reached = new Promise<void>((resolve) => (generateReached = resolve));
    try {
      const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: 'faults/cancelled' });
      await reached;
      const live = await apiRequest(harness, 'GET', `/api/v1/runs/${started.body.runId}`);
      expect(live.body.live.state).toMatchObject({ status: 'running', stage: 'generate' });

      const cancel = await apiRequest(harness, 'POST', `/api/v1/runs/${started.body.runId}/cancel`, { reason: 'wrong spec' });
      expect(cancel.status).toBe(202);
      const run = await waitForRunEnd(harness, started.body.runId);
      expect(run).toMatchObject({ status: 'cancelled', stage: 'generate', error: null, details: { cancelReason: 'wrong spec' } });
      expect(run.stages.find((s: { stage: string }) => s.stage === 'generate')).toBeUndefined(); // the held stub never recorded

      const handle = harness.client.workflow.getHandle(started.body.workflowId, run.id);
      expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'wrong spec' });
      expect((await handle.describe()).typedSearchAttributes.get(STATUS_ATTRIBUTE)).toBe('cancelled');
      await expect(git(harness.repoHost.repositoryPath('faults/cancelled'), ['rev-parse', '--verify', '--quiet', run.result?.commit?.branch ?? 'refs/heads/testloom/none']))
        .rejects.toThrow();

      const again = await apiRequest(harness, 'POST', `/api/v1/runs/${started.body.runId}/cancel`, {});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('run_finished');
    } finally {
      holdGenerate = false;
    }
  });
});
