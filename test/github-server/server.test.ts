/**
 * The local GitHub server (test/support/github-server), driven by the real @octokit/rest client:
 * state lands in a real bare git repository, every request and response passes GitHub's OpenAPI
 * description, and injected faults reach the client exactly as GitHub sends them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkResponse, descriptionLoadMs, findOperation } from '../support/github-server/contract';
import { runGit } from '../support/github-server/git';
import { loadOctokit, type Octokit, type OctokitConstructor } from '../support/github-server/octokit';
import { startGitHubServer, type GitHubServer, type StoredRepo } from '../support/github-server/server';

const OWNER = 'octo-org';
const REPO = 'shop-api';

let dir: string;
let server: GitHubServer;
let repo: StoredRepo;
let octokit: Octokit;
let Octokit: OctokitConstructor;

function client(token = 'test-token'): Octokit {
  return new Octokit({ auth: token, baseUrl: server.url, request: { retries: 0 }, log: { debug() {}, info() {}, warn() {}, error() {} } });
}

async function status(p: Promise<unknown>): Promise<{ status: number; message: string; headers: Record<string, string | number | undefined>; body: any }> {
  try {
    await p;
  } catch (error: any) {
    return { status: error.status, message: error.message, headers: error.response?.headers ?? {}, body: error.response?.data };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  Octokit = await loadOctokit();
});

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-ghs-'));
  server = await startGitHubServer({ dir });
  repo = await server.state.createRepo(OWNER, REPO);
  server.state.addIssue(repo, { title: 'Orders endpoint returns 500 on empty cart', body: 'POST /orders with [] → 500', user: 'alice' });
  server.state.setPermission(repo, 'alice', 'admin');
  server.state.setPermission(repo, 'bob', 'triage');
  server.state.userId('mallory');
  octokit = client();
});

afterEach(async () => {
  const violations = server.violations.splice(0);
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  expect(violations).toEqual([]);
});

test('loads the published description and matches operations by method and path template', () => {
  expect(descriptionLoadMs).toBeGreaterThan(0);
  expect(findOperation('GET', '/repos/o/r/git/ref/heads/testloom/issue-1')).toMatchObject({ operationId: 'git/get-ref', params: { ref: 'heads/testloom/issue-1' } });
  expect(findOperation('GET', '/repos/o/r/git/ref/heads%2Fmain')).toMatchObject({ operationId: 'git/get-ref', params: { ref: 'heads/main' } });
  expect(findOperation('PATCH', '/repos/o/r/issues/comments/12')).toMatchObject({ operationId: 'issues/update-comment', params: { comment_id: '12' } });
  expect(findOperation('GET', '/repos/o/r/collaborators/alice/permission')?.operationId).toBe('repos/get-collaborator-permission-level');
});

test('repository, issue and collaborator permissions', async () => {
  const { data: r } = await octokit.repos.get({ owner: OWNER, repo: REPO });
  expect(r).toMatchObject({ full_name: `${OWNER}/${REPO}`, default_branch: 'main', owner: { login: OWNER } });

  const { data: issue } = await octokit.issues.get({ owner: OWNER, repo: REPO, issue_number: 1 });
  expect(issue).toMatchObject({ number: 1, title: 'Orders endpoint returns 500 on empty cart', state: 'open', user: { login: 'alice' } });
  expect(await status(octokit.issues.get({ owner: OWNER, repo: REPO, issue_number: 99 }))).toMatchObject({ status: 404 });

  const perm = async (username: string) => (await octokit.repos.getCollaboratorPermissionLevel({ owner: OWNER, repo: REPO, username })).data;
  expect(await perm('alice')).toMatchObject({ permission: 'admin', role_name: 'admin', user: { login: 'alice' } });
  expect(await perm('bob')).toMatchObject({ permission: 'read', role_name: 'triage' });
  expect(await perm('mallory')).toMatchObject({ permission: 'none' });
  expect(await status(perm('nobody-at-all'))).toMatchObject({ status: 404 });
});

test('blobs → tree → commit → ref land as real objects in the bare repository', async () => {
  const { data: main } = await octokit.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' });
  expect(main.ref).toBe('refs/heads/main');
  const { data: parent } = await octokit.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: main.object.sha });
  expect(parent.message).toBe('Initial commit');

  const { data: blob } = await octokit.git.createBlob({ owner: OWNER, repo: REPO, content: "test('orders', () => {});\n", encoding: 'utf-8' });
  const { data: binary } = await octokit.git.createBlob({ owner: OWNER, repo: REPO, content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' });
  const { data: tree } = await octokit.git.createTree({
    owner: OWNER,
    repo: REPO,
    base_tree: parent.tree.sha,
    tree: [
      { path: 'tests/orders.test.ts', mode: '100644', type: 'blob', sha: blob.sha },
      { path: 'tests/fixture.bin', mode: '100644', type: 'blob', sha: binary.sha },
      { path: 'tests/inline.txt', mode: '100644', type: 'blob', content: 'inline\n' },
    ],
  });
  expect(tree.tree.map((e) => e.path).sort()).toEqual(['README.md', 'tests']);

  const { data: commit } = await octokit.git.createCommit({
    owner: OWNER,
    repo: REPO,
    message: 'testloom: tests for issue #1',
    tree: tree.sha,
    parents: [main.object.sha],
    author: { name: 'testloom', email: 'testloom@example.com', date: '2026-02-03T04:05:06Z' },
  });
  expect(commit.author).toEqual({ name: 'testloom', email: 'testloom@example.com', date: '2026-02-03T04:05:06Z' });
  const { data: created } = await octokit.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/heads/testloom/issue-1', sha: commit.sha });
  expect(created.object.sha).toBe(commit.sha);

  const { data: readBack } = await octokit.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/testloom/issue-1' });
  expect(readBack.object.sha).toBe(commit.sha);
  const { data: again } = await octokit.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: commit.sha });
  expect(again).toMatchObject({ sha: commit.sha, tree: { sha: tree.sha }, parents: [{ sha: main.object.sha }], message: 'testloom: tests for issue #1' });

  // The objects are really there.
  const gitDir = repo.gitDir;
  expect(await runGit(gitDir, ['cat-file', '-t', commit.sha])).toBe('commit');
  expect(await runGit(gitDir, ['rev-parse', 'refs/heads/testloom/issue-1'])).toBe(commit.sha);
  expect(await runGit(gitDir, ['show', `${commit.sha}:tests/orders.test.ts`])).toBe("test('orders', () => {});");
  expect(await runGit(gitDir, ['show', `${commit.sha}:tests/inline.txt`])).toBe('inline');
  expect(await runGit(gitDir, ['show', `${commit.sha}:README.md`])).toBe(`# ${REPO}`);
  expect(await runGit(gitDir, ['cat-file', '-s', binary.sha])).toBe('4');
  expect(await runGit(gitDir, ['fsck', '--strict'])).toBe('');

  // Creating it again is GitHub's 422.
  const dup = await status(octokit.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/heads/testloom/issue-1', sha: commit.sha }));
  expect(dup).toMatchObject({ status: 422, body: { message: 'Reference already exists' } });
  expect(await status(octokit.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/nope' }))).toMatchObject({ status: 404 });
});

test('PATCH ref: fast-forward only unless forced; a stale update is 422', async () => {
  const sha = (await octokit.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' })).data.object.sha;
  const base = (await octokit.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: sha })).data;
  const commitOn = async (parent: string, message: string) =>
    (await octokit.git.createCommit({ owner: OWNER, repo: REPO, message, tree: base.tree.sha, parents: [parent] })).data.sha;

  const a = await commitOn(sha, 'a');
  const b = await commitOn(sha, 'b (made from the same, now stale, main)');
  expect((await octokit.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: a })).data.object.sha).toBe(a);

  const stale = await status(octokit.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: b }));
  expect(stale).toMatchObject({ status: 422, body: { message: 'Update is not a fast forward' } });
  expect(await runGit(repo.gitDir, ['rev-parse', 'refs/heads/main'])).toBe(a);

  expect((await octokit.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: b, force: true })).data.object.sha).toBe(b);
  expect(await runGit(repo.gitDir, ['rev-parse', 'refs/heads/main'])).toBe(b);
  expect(await status(octokit.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/missing', sha: b }))).toMatchObject({ status: 422, body: { message: 'Reference does not exist' } });
});

test('pull requests: create, list by head, update, label', async () => {
  const main = (await octokit.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' })).data.object.sha;
  await octokit.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/heads/testloom/issue-1', sha: main });

  const { data: pr } = await octokit.pulls.create({ owner: OWNER, repo: REPO, title: 'Tests for #1', head: 'testloom/issue-1', base: 'main', body: 'Generated', draft: true });
  expect(pr).toMatchObject({ number: 2, state: 'open', draft: true, head: { ref: 'testloom/issue-1', sha: main }, base: { ref: 'main' } });

  const list = async (head: string) => (await octokit.pulls.list({ owner: OWNER, repo: REPO, head, state: 'open' })).data.map((p) => p.number);
  expect(await list(`${OWNER}:testloom/issue-1`)).toEqual([2]);
  expect(await list(`${OWNER}:other`)).toEqual([]);

  const again = await status(octokit.pulls.create({ owner: OWNER, repo: REPO, title: 'again', head: 'testloom/issue-1', base: 'main' }));
  expect(again.status).toBe(422);
  expect(again.body.errors[0].message).toBe(`A pull request already exists for ${OWNER}:testloom/issue-1.`);
  expect((await status(octokit.pulls.create({ owner: OWNER, repo: REPO, title: 'x', head: 'no-such-branch', base: 'main' }))).status).toBe(422);

  const { data: updated } = await octokit.pulls.update({ owner: OWNER, repo: REPO, pull_number: 2, title: 'Tests for #1 (v2)', body: 'Regenerated' });
  expect(updated).toMatchObject({ title: 'Tests for #1 (v2)', body: 'Regenerated' });

  const { data: labels } = await octokit.issues.addLabels({ owner: OWNER, repo: REPO, issue_number: 2, labels: ['testloom', 'generated-tests'] });
  expect(labels.map((l) => l.name)).toEqual(['testloom', 'generated-tests']);

  await octokit.pulls.update({ owner: OWNER, repo: REPO, pull_number: 2, state: 'closed' });
  expect(await list(`${OWNER}:testloom/issue-1`)).toEqual([]);
});

test('issue comments: create, list, update', async () => {
  const { data: c1 } = await octokit.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: 'testloom: working on it' });
  await octokit.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: 'second' });
  const { data: updated } = await octokit.issues.updateComment({ owner: OWNER, repo: REPO, comment_id: c1.id, body: 'testloom: done, see #2' });
  expect(updated).toMatchObject({ id: c1.id, body: 'testloom: done, see #2', user: { login: 'testloom-bot' } });
  const { data: comments } = await octokit.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 1 });
  expect(comments.map((c) => c.body)).toEqual(['testloom: done, see #2', 'second']);
  expect((await octokit.issues.get({ owner: OWNER, repo: REPO, issue_number: 1 })).data.comments).toBe(2);
});

test('every exchange was checked: a response that breaks the description is caught', async () => {
  await octokit.repos.get({ owner: OWNER, repo: REPO });
  expect(server.requests.at(-1)).toMatchObject({ operationId: 'repos/get', status: 200 });

  server.override('repos/get', () => ({ status: 200, body: { id: 'not-a-number', name: REPO } }));
  const failed = await status(octokit.repos.get({ owner: OWNER, repo: REPO }));
  expect(failed.status).toBe(500);
  expect(failed.message).toMatch(/breaks GitHub's OpenAPI description/);
  expect(server.violations).toHaveLength(1);
  expect(server.violations[0]).toMatchObject({ kind: 'response', operationId: 'repos/get', status: 200 });
  expect(server.violations[0].message).toMatch(/\/id must be integer|must have required property/);

  // An undocumented status is a violation too.
  server.override('git/get-ref', () => ({ status: 418, body: { message: 'teapot' } }));
  expect((await status(octokit.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' }))).status).toBe(500);
  expect(server.violations[1].message).toMatch(/status 418 is not documented for git\/get-ref/);

  // ...and a request that breaks it (state must be open|closed|all).
  expect((await status(octokit.request('GET /repos/{owner}/{repo}/pulls', { owner: OWNER, repo: REPO, state: 'merged' as 'open' }))).status).toBe(422);
  expect(server.violations[2]).toMatchObject({ kind: 'request', operationId: 'pulls/list' });
  expect(server.violations[2].message).toMatch(/query parameter state=merged/);

  // A null where the description says nullable is fine; where it does not, it is not.
  expect(checkResponse({ method: 'GET', template: '/repos/{owner}/{repo}/git/ref/{ref}', operationId: 'git/get-ref', path: '/', status: 200, body: { ref: 'refs/heads/main', node_id: 'x', url: 'http://x', object: { type: 'commit', sha: null, url: 'http://x' } } })).toHaveLength(1);

  server.violations.length = 0;
});

describe('faults', () => {
  test.each([500, 502] as const)('%i, then the next request succeeds', async (code) => {
    const fault = server.faults.inject({ method: 'POST', path: '/repos/{owner}/{repo}/git/blobs', status: code });
    const failed = await status(octokit.git.createBlob({ owner: OWNER, repo: REPO, content: 'x' }));
    expect(failed).toMatchObject({ status: code, body: { message: 'Server Error' } });
    expect(fault.remaining).toBe(0);
    expect((await octokit.git.createBlob({ owner: OWNER, repo: REPO, content: 'x' })).status).toBe(201);
  });

  test('429 with retry-after, twice, only for the matching path', async () => {
    server.faults.inject({ path: /\/issues\/1$/, status: 429, retryAfter: 7, times: 2 });
    expect((await octokit.repos.get({ owner: OWNER, repo: REPO })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const failed = await status(octokit.issues.get({ owner: OWNER, repo: REPO, issue_number: 1 }));
      expect(failed).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
      expect(failed.body.message).toMatch(/API rate limit exceeded/);
    }
    expect((await octokit.issues.get({ owner: OWNER, repo: REPO, issue_number: 1 })).status).toBe(200);
  });

  test('secondary rate limit 403', async () => {
    server.faults.inject({ method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 403, secondary: true, retryAfter: 60 });
    const failed = await status(octokit.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: 'hi' }));
    expect(failed).toMatchObject({ status: 403, headers: { 'retry-after': '60' } });
    expect(failed.body.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect(failed.body.documentation_url).toMatch(/secondary-rate-limits/);
    expect((await octokit.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: 'hi' })).status).toBe(201);
  });

  test('primary rate limit 403', async () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    server.faults.inject({ method: 'GET', status: 403, secondary: false, rateLimitReset: reset });
    const failed = await status(octokit.repos.get({ owner: OWNER, repo: REPO }));
    expect(failed).toMatchObject({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    expect(failed.body.message).toMatch(/^API rate limit exceeded/);
    expect(failed.headers['retry-after']).toBeUndefined();
    expect((await octokit.repos.get({ owner: OWNER, repo: REPO })).status).toBe(200);
  });

  test('401 injected, and a wrong or missing token is 401', async () => {
    server.faults.inject({ status: 401 });
    expect(await status(octokit.repos.get({ owner: OWNER, repo: REPO }))).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
    expect((await octokit.repos.get({ owner: OWNER, repo: REPO })).status).toBe(200);

    expect(await status(client('wrong-token').repos.get({ owner: OWNER, repo: REPO }))).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
    const anonymous = new Octokit({ baseUrl: server.url, log: { debug() {}, info() {}, warn() {}, error() {} } });
    expect(await status(anonymous.repos.get({ owner: OWNER, repo: REPO }))).toMatchObject({ status: 401 });
    expect(server.faults.pending()).toEqual([]);
  });
});
