/**
 * Runs delivering to GitHub: the real workflow and worker with the GitHub host (real @octokit/rest)
 * against the local GitHub server, whose every exchange is checked against GitHub's OpenAPI
 * description. One branch, one commit, one pull request and (for issues) one comment; a rate
 * limit waits the announced delay; a 401 ends the run naming the credential; regenerate updates
 * the same pull request and comment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listArtifacts } from '../../lib/db/artifacts';
import { listStageEvents } from '../../lib/db/stage-events';
import type { GitHubRepoHost } from '../../lib/repohost/github';
import { regenerateIssueRun } from '../../lib/runs/start';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { runGit } from '../support/github-server/git';
import { startGitHubServer, type GitHubServer, type StoredRepo } from '../support/github-server/server';
import { startFakeOllama, type FakeOllama } from '../support/ollama-server';
import { addLabelledIssue, answered, delivered, ISSUE_CASES } from './support';

let dir: string;
let server: GitHubServer;
let ollama: FakeOllama;
let harness: Harness<GitHubRepoHost>;
let repoCount = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-gh-delivery-'));
  server = await startGitHubServer({ dir });
  ollama = await startFakeOllama({ models: ['test-model'] });
  harness = await createHarness({
    database: 'pglite',
    fastRetries: true,
    chromaUrl: 'off',
    github: server,
    env: { TESTLOOM_LLM_PROVIDERS: 'ollama', OLLAMA_HOST: ollama.url, TESTLOOM_MODEL: 'test-model' },
  });
  await harness.startWorker();
});

afterAll(async () => {
  await harness?.close();
  await ollama?.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  server.faults.clear();
  expect(server.violations.splice(0)).toEqual([]);
});

async function newRepo(): Promise<StoredRepo> {
  repoCount += 1;
  return server.state.createRepo('octo-org', `shop-${repoCount}`);
}

const fullName = (repo: StoredRepo) => `${repo.owner}/${repo.name}`;

async function runSpec(repo: StoredRepo) {
  const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository: fullName(repo) });
  expect(started.status).toBe(202);
  return waitForRunEnd(harness, started.body.runId);
}

async function runIssue(repo: StoredRepo, number: number) {
  addLabelledIssue(server, repo, number);
  ollama.enqueue({ json: ISSUE_CASES });
  const started = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${fullName(repo)}#${number}` });
  expect(started.status).toBe(202);
  return waitForRunEnd(harness, started.body.runId);
}

test('a spec run: one branch from the default head, one commit with every artifact, one labelled pull request', async () => {
  const repo = await newRepo();
  const run = await runSpec(repo);
  expect(run.status).toBe('completed');
  const branch = run.result.commit.branch;
  expect(branch).toBe('testloom/spec-swagger-petstore');

  const d = await delivered(repo, branch);
  expect(d.branches).toEqual([branch]);
  expect(d.commits).toEqual([run.result.commit.commitSha]);
  expect(d.parentOfFirst).toBe(d.defaultHead);
  const artifacts = await listArtifacts(harness.database.db, run.id);
  const outDir = run.result.generation.outDir as string;
  expect((await runGit(repo.gitDir, ['ls-tree', '-r', '--name-only', branch, outDir])).split('\n').sort())
    .toEqual(artifacts.map((a) => a.path).filter((file) => file.startsWith(`${outDir}/`)).sort());
  // Beside the suite: the CI workflow that runs it in the repository's own CI.
  expect(artifacts.map((a) => a.path).filter((file) => !file.startsWith(`${outDir}/`))).toEqual(['.github/workflows/testloom.yml']);
  expect(await runGit(repo.gitDir, ['ls-tree', '--name-only', branch, '.github/workflows/testloom.yml'])).toBe('.github/workflows/testloom.yml');

  expect(d.pulls).toEqual([
    expect.objectContaining({ number: run.result.review.id, head: branch, base: 'main', state: 'open', labels: ['testloom'], title: expect.stringContaining('Swagger Petstore') }),
  ]);
  const body = d.pulls[0].body!;
  expect(body).toContain(`<!-- testloom:workflow=${run.workflowId} -->`);
  expect(body).toContain(run.result.commit.commitSha.slice(0, 12));
  expect(body).toContain(`| **total** | **${run.result.generation.caseCount}** |`);
  expect(run.result.review.url).toBe(`https://github.com/${fullName(repo)}/pull/${run.result.review.id}`);
  expect(d.comments).toEqual([]); // a spec has no issue to comment on
});

test('a new revision of a named spec: one more commit on the same branch, the same pull request with the change summary, the removed operation\'s file deleted', async () => {
  const repo = await newRepo();
  const revisionSpec = (file: string) => fs.readFileSync(path.resolve(__dirname, '../fixtures/specs/revisions', file), 'utf8');
  const runRevision = async (file: string) => {
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revisionSpec(file) }, name: 'api/shop.yaml', repository: fullName(repo) });
    expect(started.status).toBe(202);
    return waitForRunEnd(harness, started.body.runId);
  };
  const v1 = await runRevision('shop-v1.yaml');
  const v2 = await runRevision('shop-v2.yaml');
  expect([v1.status, v2.status]).toEqual(['completed', 'completed']);
  const branch = 'testloom/spec-api-shop-yaml';
  expect(v2.result.commit.branch).toBe(branch);

  const d = await delivered(repo, branch);
  expect(d.commits).toEqual([v2.result.commit.commitSha, v1.result.commit.commitSha]);
  expect(d.pulls).toHaveLength(1);
  expect(v2.result.review).toMatchObject({ id: v1.result.review.id, created: false });
  expect(d.pulls[0].body).toContain('1 added, 1 changed (1 breaking), 1 removed');
  const blob = (commit: string, file: string) => runGit(repo.gitDir, ['rev-parse', `${commit}:tests/testloom/api-shop-yaml/${file}`]).catch(() => undefined);
  expect(await blob(v2.result.commit.commitSha, 'legacy.test.ts')).toBeUndefined();
  expect(await blob(v1.result.commit.commitSha, 'legacy.test.ts')).toBeDefined();
  expect(await blob(v2.result.commit.commitSha, 'users.test.ts')).toBe(await blob(v1.result.commit.commitSha, 'users.test.ts'));
});

test('an issue run: one branch, one commit, one pull request, one comment linking it and saying how to regenerate', async () => {
  const repo = await newRepo();
  const run = await runIssue(repo, 7);
  expect(run.status).toBe('completed');
  expect(run.result.commit.branch).toBe('testloom/issue-7');

  const d = await delivered(repo, 'testloom/issue-7');
  expect(d.branches).toEqual(['testloom/issue-7']);
  expect(d.commits).toHaveLength(1);
  expect(d.parentOfFirst).toBe(d.defaultHead);
  expect(d.pulls).toEqual([expect.objectContaining({ head: 'testloom/issue-7', labels: ['testloom'], title: expect.stringContaining('#7 Pets can be filtered by tag') })]);
  expect(d.comments).toHaveLength(1);
  const comment = d.comments[0];
  expect(comment).toMatchObject({ issueNumber: 7, user: 'testloom-bot' });
  expect(comment.body).toContain(run.result.review.url);
  expect(comment.body).toContain('/testloom regenerate');
  expect(comment.body).toContain(`${harness.config.api.url}/api/v1/runs/${run.id}`);
  expect(comment.body).toContain(`/workflows/${encodeURIComponent(run.workflowId)}/${run.id}`);
  expect(comment.body).toContain(`<!-- testloom:workflow=${run.workflowId} -->`);
  expect(comment.body).toContain('2 test cases (1 functional, 1 negative)');
});

test('regenerate: the same branch, pull request and comment are updated; still one of each', async () => {
  const repo = await newRepo();
  const first = await runIssue(repo, 8);
  expect(first.status).toBe('completed');
  const before = await delivered(repo, 'testloom/issue-8');

  const changed = { cases: [...ISSUE_CASES.cases, { ...ISSUE_CASES.cases[1], id: 'TC-3', title: 'Filtering by two tags returns pets with either' }] };
  ollama.enqueue({ json: changed });
  const again = await regenerateIssueRun({ db: harness.database.db, client: harness.client, config: harness.config }, { repository: fullName(repo), number: 8 }, 'also cover two tags');
  const second = await waitForRunEnd(harness, again.runId);
  expect(second.status).toBe('completed');
  expect(second.workflowId).toBe(first.workflowId);

  const after = await delivered(repo, 'testloom/issue-8');
  expect(after.branches).toEqual(['testloom/issue-8']);
  expect(after.commits).toHaveLength(2); // the new generation on top of the first
  expect(after.commits[1]).toBe(before.commits[0]);
  expect(after.pulls.map((p) => p.number)).toEqual(before.pulls.map((p) => p.number));
  expect(after.pulls[0].body).toContain(second.result.commit.commitSha.slice(0, 12));
  expect(after.comments.map((c) => c.id)).toEqual(before.comments.map((c) => c.id));
  expect(after.comments[0].body).toContain(`/api/v1/runs/${second.id}`);
  expect(after.comments[0].body).toContain('3 test cases');
  expect(answered(server, 'pulls/update').length).toBeGreaterThanOrEqual(1);
  expect(answered(server, 'issues/update-comment').length).toBeGreaterThanOrEqual(1);
});

test('a 429 with retry-after on a write: the stage is tried again no sooner than announced, and the run completes', async () => {
  const repo = await newRepo();
  server.faults.inject({ method: 'POST', path: `/repos/${repo.owner}/${repo.name}/git/commits`, status: 429, retryAfter: 2 });
  const run = await runIssue(repo, 9);
  expect(run.status).toBe('completed');
  expect(server.faults.pending()).toEqual([]);

  const commits = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === 'commit');
  expect(commits.map((e) => e.outcome)).toEqual(['failed', 'succeeded']);
  expect(commits[0].error).toMatch(/rate limit while committing to testloom\/issue-9 in .* \(429 API rate limit exceeded/);
  const waited = commits[1].startedAt.getTime() - commits[0].endedAt!.getTime();
  expect(waited).toBeGreaterThanOrEqual(2000);
  const d = await delivered(repo, run.result.commit.branch);
  expect(d.commits).toHaveLength(1);
  expect(d.pulls).toHaveLength(1);
});

test('a 401: the run fails at the stage that met it, naming the credential to fix', async () => {
  const repo = await newRepo();
  server.faults.inject({ method: 'POST', path: `/repos/${repo.owner}/${repo.name}/pulls`, status: 401, times: 5 });
  const run = await runIssue(repo, 10);
  expect(run.status).toBe('failed');
  expect(run.error.stage).toBe('createPr');
  expect(run.error.message).toMatch(/401 Bad credentials.*fix GITHUB_TOKEN/);
  const attempts = (await listStageEvents(harness.database.db, run.id)).filter((e) => e.stage === 'createPr');
  expect(attempts.map((e) => e.outcome)).toEqual(['failed']); // not retried
  expect(repo.pulls.size).toBe(0);
});
