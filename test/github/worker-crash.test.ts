/**
 * A worker process SIGKILLed right after each GitHub side effect of an issue run: the local GitHub
 * server applies the request (branch created, branch moved to the commit, pull request opened,
 * comment posted), tells the test, and never answers; the test kills the real worker process
 * there. A new worker finishes the run, and the repository still holds exactly one branch, one
 * commit, one pull request and one comment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listStageEvents } from '../../lib/db/stage-events';
import type { GitHubRepoHost } from '../../lib/repohost/github';
import type { StageName } from '../../lib/core/run';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { startGitHubServer, type GitHubServer, type StoredRepo } from '../support/github-server/server';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';
import { addLabelledIssue, answered, delivered, ISSUE_CASES } from './support';
import { TYPESCRIPT_LOADER } from '../support/testloom-processes';

const ROOT = path.resolve(__dirname, '../..');

let dir: string;
let server: GitHubServer;
let ollama: FakeOllama;
let harness: Harness<GitHubRepoHost>;
let repo: StoredRepo;

/** The worker as its own process (the TypeScript loader in that very process, so SIGKILL leaves no grandchild). */
function spawnWorker(): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, 'test/support/pausing-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...harness.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready; output: ${output}`)));
  });
  return { child, ready };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-gh-crash-'));
  server = await startGitHubServer({ dir });
  ollama = await startFakeOllama({ models: ['test-model'] });
  harness = await createHarness({
    database: 'postgres',
    fastRetries: true,
    chromaUrl: 'off',
    github: server,
    env: { TESTLOOM_LLM_PROVIDERS: 'ollama', OLLAMA_HOST: ollama.url, TESTLOOM_MODEL: 'test-model' },
  });
  repo = await server.state.createRepo('octo-org', 'crash-shop');
});

afterAll(async () => {
  await harness?.close();
  await ollama?.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(server.violations.splice(0)).toEqual([]);
});

const KILL_POINTS: Array<{ after: string; operationId: string; stage: StageName; issue: number }> = [
  { after: 'the branch ref is created', operationId: 'git/create-ref', stage: 'commit', issue: 21 },
  { after: "the commit's ref update", operationId: 'git/update-ref', stage: 'commit', issue: 22 },
  { after: 'the pull request is created', operationId: 'pulls/create', stage: 'createPr', issue: 23 },
  { after: 'the comment is created', operationId: 'issues/create-comment', stage: 'finalize', issue: 24 },
];

test.each(KILL_POINTS)('worker SIGKILLed right after $after: a new worker finishes with exactly one of each', async ({ operationId, stage, issue }) => {
  const branch = `testloom/issue-${issue}`;
  addLabelledIssue(server, repo, issue);
  ollama.enqueue({ json: ISSUE_CASES });
  const applied = server.holdAfterApplying(operationId);
  const doomed = spawnWorker();
  let runId: string;
  try {
    await within(doomed.ready, 60_000, 'worker start');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repo.owner}/${repo.name}#${issue}` });
    expect(started.status).toBe(202);
    runId = started.body.runId;
    const request = await within(applied, 60_000, `${operationId} applied`);
    expect(request.path).toContain(`/repos/${repo.owner}/${repo.name}/`);
  } finally {
    await kill(doomed.child);
  }

  const worker = await harness.startWorker();
  let run;
  try {
    run = await waitForRunEnd(harness, runId);
  } finally {
    await worker.stop();
  }
  expect(run.status).toBe('completed');

  // The killed attempt never reported back; Temporal ran the stage again and it succeeded.
  const attempts = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === stage).map((e) => e.outcome);
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect(attempts[0]).toBe('abandoned');
  expect(attempts[attempts.length - 1]).toBe('succeeded');

  const d = await delivered(repo, branch);
  expect(d.branches.filter((b) => b === branch)).toEqual([branch]);
  expect(d.commits).toEqual([run.result.commit.commitSha]);
  expect(d.parentOfFirst).toBe(d.defaultHead);
  expect(d.pulls.filter((p) => p.head === branch)).toEqual([expect.objectContaining({ number: run.result.review.id, labels: ['testloom'] })]);
  const comments = d.comments.filter((c) => c.issueNumber === issue);
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toContain(run.result.review.url);
  expect(comments[0].body).toContain(`<!-- testloom:workflow=${run.workflowId} -->`);

  // What the retry found instead of creating again.
  if (operationId === 'git/update-ref') expect(run.result.commit.created).toBe(false);
  if (operationId === 'pulls/create') expect(run.result.review.created).toBe(false);
  const posts = answered(server, 'issues/create-comment').filter((r) => r.path.endsWith(`/issues/${issue}/comments`));
  expect(posts).toHaveLength(1);
  if (operationId === 'issues/create-comment') {
    expect(answered(server, 'issues/update-comment').some((r) => (r.requestBody as { body: string }).body.includes(`issue:${repo.owner}/${repo.name}#${issue}`))).toBe(true);
  }
});
