/**
 * GitHubRepoHost.createIssue through @octokit/rest against the local GitHub server (requests and
 * answers checked against GitHub's OpenAPI description): one issue per marker, found again when
 * asked twice or after the issue was closed; pull requests and issues without the labels are not searched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitHubRepoHost } from '../../lib/repohost/github';
import { startGitHubServer, type GitHubServer, type StoredRepo } from '../support/github-server/server';

const REPOSITORY = 'octo-org/shop-api';
const MARKER = '<!-- testloom:regressions=exec-1 -->';

let dir: string;
let server: GitHubServer;
let repo: StoredRepo;
let host: GitHubRepoHost;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-gh-issue-'));
  server = await startGitHubServer({ dir });
  repo = await server.state.createRepo('octo-org', 'shop-api', { files: { 'README.md': '# shop\n' } });
  server.state.addIssue(repo, { title: 'Orders endpoint returns 500', body: `quoting ${MARKER} without the label`, user: 'alice' });
  host = new GitHubRepoHost({ apiUrl: server.url, auth: { kind: 'token', token: 'test-token' } });
});
afterEach(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('opens one labelled issue per marker, and finds it when asked again, closed or not', async () => {
  const request = { repository: REPOSITORY, title: 'Regression: 1 test fails', body: `- **pages by one**\n\n${MARKER}`, marker: MARKER, labels: ['testloom-regression'] };
  const first = await host.createIssue(request);
  expect(first).toEqual({ number: 2, url: 'https://github.com/octo-org/shop-api/issues/2', created: true });
  expect(await host.createIssue(request)).toEqual({ ...first, created: false });
  repo.issues.get(2)!.state = 'closed';
  expect(await host.createIssue(request)).toEqual({ ...first, created: false });

  const stored = repo.issues.get(2)!;
  expect({ title: stored.title, body: stored.body, labels: stored.labels, user: stored.user }).toEqual({ title: request.title, body: request.body, labels: ['testloom-regression'], user: 'testloom-bot' });
  expect([...repo.issues.keys()]).toEqual([1, 2]);
  expect(server.requests.filter((r) => r.operationId === 'issues/create').map((r) => r.status)).toEqual([201]);
  expect(server.violations).toEqual([]);
  await expect(host.createIssue({ ...request, body: 'no marker' })).rejects.toThrow('must contain its marker');
});
