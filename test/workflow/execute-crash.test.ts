/**
 * A worker SIGKILLed at the end of the execute stage, after it stored the execution and its
 * delivery decisions but before Temporal heard back: the next worker executes again from the
 * generated suite, and exactly one execution, one set of decisions and one commit remain.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listArtifacts } from '../../lib/db/artifacts';
import { listExecutions } from '../../lib/db/executions';
import { listReviews } from '../../lib/db/reviews';
import { listStageEvents } from '../../lib/db/stage-events';
import { git } from '../support/git-cli';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { kill, spawnWorker } from '../support/worker-process';
import { INVENTORY_SPEC, startInventoryApi, type InventoryServer } from '../execution/support/inventory-api';

describe('worker SIGKILLed during execute (Postgres)', () => {
  let harness: Harness;
  let api: InventoryServer;
  beforeAll(async () => {
    harness = await createHarness({ database: 'postgres', fastRetries: true, chromaUrl: 'off' });
    // A flaky endpoint: the retried execution must find the same test flaky, not a different suite.
    api = await startInventoryApi({ strictBodies: true, alternatingStatus: true });
  });
  afterAll(async () => {
    await harness?.close();
    await api?.close();
  });

  it('is finished by a new worker with one execution, one decision per file and one commit', async () => {
    const doomed = spawnWorker(harness, 'execute');
    await doomed.reached('READY');
    const repository = 'crash/execute';
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', {
      spec: { content: JSON.stringify(INVENTORY_SPEC) }, repository, target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] },
    });
    expect(started.status).toBe(202);
    await doomed.reached('PAUSED execute');
    // Killed with everything stored: the execution row is complete, the file already edited.
    const [killed] = await listExecutions(harness.database.db, started.body.runId);
    expect(killed.status).toBe('completed');
    await kill(doomed.child);

    await harness.startWorker();
    const run = await waitForRunEnd(harness, started.body.runId, 180_000);
    expect(run.status).toBe('completed');
    const attempts = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === 'execute').map((e) => e.outcome);
    // The killed attempt had recorded its own success, but Temporal never heard of it: it ran again.
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]).toBe('succeeded');
    expect(attempts.at(-1)).toBe('succeeded');

    const executions = await listExecutions(harness.database.db, run.id);
    expect(executions.map((e) => [e.id, e.kind, e.status])).toEqual([[run.id, 'pipeline', 'completed']]);
    // The retry validated the generated suite again: the flaky test is found again and removed once.
    expect(run.result.execution.flaky.map((t: { fullName: string }) => t.fullName)).toEqual(['getStatus returns 200 for a valid request']);
    const artifacts = await listArtifacts(harness.database.db, run.id);
    const suite = artifacts.find((a) => a.path.endsWith('untagged.test.ts'))!;
    expect(suite.content).toContain("describe('getStatus'");
    expect(suite.deliveredContent).not.toContain("describe('getStatus'");
    expect(artifacts.filter((a) => a.deliveredContent !== null).map((a) => a.path).sort()).toEqual([suite.path.replace('untagged.test.ts', 'test-cases.md'), suite.path]);

    const repoDir = harness.repoHost.repositoryPath(repository);
    const branch = run.result.commit.branch;
    expect(await git(repoDir, ['rev-list', '--count', `main..${branch}`])).toBe('1');
    expect(await git(repoDir, ['show', `${branch}:${suite.path}`])).toBe(suite.deliveredContent!.trimEnd());
    expect(await listReviews(harness.database.db, repository)).toHaveLength(1);
  });
});

/** The inventory spec with an example for showItem's id, so every test passes on the correct API. */
const withItemExample = (() => {
  const spec = JSON.parse(JSON.stringify(INVENTORY_SPEC));
  spec.paths['/items/{itemId}'].get.parameters[0].example = 1;
  return spec;
})();

/** Processes working in `dir` (the killed worker's private temporary folder) or naming it in their command line. */
function processesUnder(dir: string): string[] {
  const workingIn = (pid: string) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
    } catch {
      return false; // ended meanwhile
    }
  };
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n')
    .filter((line) => line.trim() && (line.includes(dir) || workingIn(line.trim().split(/\s+/)[0])));
}

describe('worker SIGKILLed while the suite runs (Postgres)', () => {
  let harness: Harness;
  let api: InventoryServer;
  let tmp: string;
  beforeAll(async () => {
    harness = await createHarness({ database: 'postgres', fastRetries: true, chromaUrl: 'off' });
    api = await startInventoryApi({ strictBodies: true, holdStatus: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-doomed-'));
  });
  afterAll(async () => {
    await harness?.close();
    await api?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is finished by a new worker when killed mid-run, with no test runner left behind, one execution and one commit', async () => {
    // The doomed worker's workspaces go under its own TMPDIR, so its test runner can be found by path.
    const doomed = spawnWorker(harness, 'never', { TMPDIR: tmp });
    await doomed.reached('READY');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', {
      spec: { content: JSON.stringify(withItemExample) }, repository: 'crash/execute-mid', target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] },
    });
    expect(started.status).toBe(202);
    // GET /status is held: the suite's first run is in the middle of its tests.
    for (const deadline = Date.now() + 120_000; !api.received.includes('GET /v1/status');) {
      if (Date.now() > deadline) throw new Error(`the suite never reached GET /status; the API saw ${api.received.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesUnder(tmp).some((line) => line.includes('jest'))).toBe(true);
    await kill(doomed.child);

    // Nothing of the killed attempt runs on (test/execution/suite-process.test.ts shows the supervisor ending a runner that would).
    for (const deadline = Date.now() + 10_000; processesUnder(tmp).length;) {
      if (Date.now() > deadline) throw new Error(`left behind after the worker died:\n${processesUnder(tmp).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    api.release();
    await harness.startWorker();
    const run = await waitForRunEnd(harness, started.body.runId, 180_000);
    expect(run.status).toBe('completed');
    expect(run.result.execution).toMatchObject({ status: 'executed', tests: 22, passed: 22 });
    const attempts = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === 'execute').map((e) => e.outcome);
    expect(attempts[0]).toBe('abandoned');
    expect(attempts.at(-1)).toBe('succeeded');
    expect((await listExecutions(harness.database.db, run.id)).map((e) => e.status)).toEqual(['completed']);
    const repoDir = harness.repoHost.repositoryPath('crash/execute-mid');
    expect(await git(repoDir, ['rev-list', '--count', `main..${run.result.commit.branch}`])).toBe('1');
  });
});
