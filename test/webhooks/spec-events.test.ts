/**
 * Spec files changing in a repository: a real `push` payload (from @octokit/webhooks-examples,
 * pointed at a local repository) starts one revision run; a pull request changing the spec gets
 * one comment with the impact on the delivered suite; a bad .testloom.yml one comment naming the
 * key; a signed "spec changed" delivery from a design tool starts the same kind of run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { listLocalIssueComments } from '../../lib/db/local-issues';
import { deliver, deliverAndHandle, issuesEvent, WEBHOOK_SECRET } from '../support/github-deliveries';
import { createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';

const SPEC_SECRET = 'spec-webhook-secret-0123456789';
const SPEC_PATH = 'api/openapi.yaml';
const revision = (file: string) => fs.readFileSync(path.resolve(__dirname, '../fixtures/specs/revisions', file), 'utf8');

type Example = { name: string; examples: Record<string, any>[] };
const example = (event: string, match: (payload: Record<string, any>) => boolean) =>
  structuredClone((examples as unknown as Example[]).find((e) => e.name === event)!.examples.find(match)!);

describe('spec changes in the repository (real payloads, local host, real Temporal)', () => {
  let harness: Harness;
  let repository: string;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, TESTLOOM_SPEC_WEBHOOK_SECRET: SPEC_SECRET } });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());
  beforeEach(() => {
    repository = uniqueRepository('specs');
  });

  /** Commits files on a branch of the local repository (created from main when new). */
  async function commit(branch: string, files: Record<string, string>): Promise<string> {
    await harness.repoHost.ensureRepository(repository);
    const result = await harness.repoHost.commitFiles({
      repository, branch, ownedDirs: [], message: `change ${Object.keys(files).join(', ')}`, date: new Date(),
      files: Object.entries(files).map(([file, content]) => ({ path: file, content })),
    });
    return result.commitSha;
  }

  function pushPayload(after: string, changed: string[], ref = 'refs/heads/main') {
    const payload = example('push', (p) => p.ref === 'refs/heads/master' && p.commits.length === 1);
    Object.assign(payload, { ref, after });
    Object.assign(payload.repository, { full_name: repository, name: repository.split('/')[1], default_branch: 'main' });
    payload.commits[0].added = [];
    payload.commits[0].modified = changed;
    payload.head_commit.modified = changed;
    return payload;
  }

  function pullRequestPayload(number: number, head: string, base: string) {
    const payload = example('pull_request', (p) => p.action === 'synchronize');
    Object.assign(payload, { number });
    Object.assign(payload.repository, { full_name: repository, name: repository.split('/')[1], default_branch: 'main' });
    Object.assign(payload.pull_request, { number });
    payload.pull_request.head.sha = head;
    payload.pull_request.base.sha = base;
    return payload;
  }

  it('starts one revision run for a push to the default branch that changes the spec, and nothing for other pushes', async () => {
    await commit('main', { '.testloom.yml': `version: 1\nspecs:\n  - path: ${SPEC_PATH}\n` });
    const head = await commit('main', { [SPEC_PATH]: revision('shop-v1.yaml') });

    const pushed = await deliverAndHandle(harness, 'push', pushPayload(head, [SPEC_PATH]));
    expect(pushed).toMatchObject({ status: 202, outcome: 'accepted', handled: { outcome: 'started' } });
    const run = await waitForRunEnd(harness, pushed.handled!.runId!);
    expect(run.status).toBe('completed');
    expect(run.subject).toMatchObject({ name: SPEC_PATH, repository, title: 'Revision Shop' });
    expect(run.result.commit.branch).toBe('testloom/spec-api-openapi-yaml');

    // Another delivery of the same push finds that run; other pushes start nothing.
    const again = await deliverAndHandle(harness, 'push', pushPayload(head, [SPEC_PATH]));
    expect(again.handled).toMatchObject({ outcome: 'existing', runId: run.id });
    const readme = await deliverAndHandle(harness, 'push', pushPayload(head, ['README.md']));
    expect(readme.handled).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining(`changes no spec file (${SPEC_PATH})`) });
    // A push to another branch is answered at once, from the payload.
    const otherBranch = await deliver(harness, 'push', pushPayload(head, [SPEC_PATH], 'refs/heads/feature'));
    expect(otherBranch).toMatchObject({ status: 204, reason: 'push to refs/heads/feature, not to the default branch main' });
  });

  it('comments once on a pull request that changes the spec, naming what changes and the delivered test files it touches', async () => {
    const base = await commit('main', { [SPEC_PATH]: revision('shop-v1.yaml') });
    const delivered = await deliverAndHandle(harness, 'push', pushPayload(base, [SPEC_PATH]));
    expect((await waitForRunEnd(harness, delivered.handled!.runId!)).status).toBe('completed');
    const head = await commit('feature', { [SPEC_PATH]: revision('shop-v2.yaml') });

    for (let i = 0; i < 2; i++) {
      const answered = await deliverAndHandle(harness, 'pull_request', pullRequestPayload(5, head, base));
      expect(answered).toMatchObject({ status: 202, handled: { outcome: 'commented' } });
    }
    const comments = await listLocalIssueComments(harness.database.db, repository, 5);
    expect(comments).toHaveLength(1);
    const body = comments[0].body;
    expect(body).toContain(`changes the API spec \`${SPEC_PATH}\`: 1 added, 1 changed (1 breaking), 1 removed.`);
    expect(body).toContain('- removed `GET /legacy/report` — **breaking**');
    expect(body).toContain('- `tests/testloom/api-openapi-yaml/legacy.test.ts`');
    expect(body).toContain('- `tests/testloom/api-openapi-yaml/orders.test.ts`');
    expect(body).not.toContain('users.test.ts');
  });

  it('comments once, naming the key, when .testloom.yml is invalid', async () => {
    const base = await commit('main', { '.testloom.yml': 'version: 1\nspecs:\n  - path: ../outside.yaml\nframwork: jest\n' });
    const head = await commit('feature', { 'README.md': 'changed\n' });
    await deliverAndHandle(harness, 'pull_request', pullRequestPayload(6, head, base));
    await deliverAndHandle(harness, 'pull_request', pullRequestPayload(6, head, base));
    const comments = await listLocalIssueComments(harness.database.db, repository, 6);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('specs[0].path');
    expect(comments[0].body).toContain('framwork');
  });

  it("starts issue runs on the repository's own trigger label (.testloom.yml labels.trigger), not the operator's", async () => {
    await commit('main', { '.testloom.yml': 'version: 1\nlabels:\n  trigger: qa-tests\n' });
    const operators = await deliverAndHandle(harness, 'issues', issuesEvent('labeled', { repository, number: 3, labels: ['generate-tests'] }, { label: 'generate-tests' }));
    expect(operators.handled).toMatchObject({ outcome: 'ignored', reason: 'label "generate-tests" is not the trigger label "qa-tests"' });
    const own = await deliverAndHandle(harness, 'issues', issuesEvent('labeled', { repository, number: 3, labels: ['qa-tests'] }, { label: 'qa-tests' }));
    expect(own.handled).toMatchObject({ outcome: 'started', workflowId: `issue:${repository}#3` });
    await harness.client.workflow.getHandle(own.handled!.workflowId!).cancel();
  });

  it('starts a revision run from a signed "spec changed" delivery, finds it again, and refuses a bad signature or body', async () => {
    const send = (body: unknown, secret = SPEC_SECRET) => {
      const raw = JSON.stringify(body);
      const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      return fetch(`${harness.api.url}/api/webhooks/spec-changed`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-testloom-signature-256': signature }, body: raw,
      });
    };
    const delivery = { event: 'endpoint.created', repository, name: 'shop', spec: { content: revision('shop-v2.yaml') }, endpoint: { method: 'DELETE', path: '/pets/{petId}' } };
    const first = await send(delivery);
    expect(first.status).toBe(202);
    const started = (await first.json()) as { runId: string; workflowId: string };
    expect(started.workflowId).toMatch(new RegExp(`^spec:${repository}:shop@[0-9a-f]{64}$`));
    const again = await send(delivery);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { runId: string }).runId).toBe(started.runId);
    expect((await waitForRunEnd(harness, started.runId)).status).toBe('completed');

    expect((await send(delivery, 'wrong-secret')).status).toBe(401);
    const noName = await send({ ...delivery, name: undefined });
    expect(noName.status).toBe(400);
    expect(((await noName.json()) as { error: { details: { field: string }[] } }).error.details).toEqual([expect.objectContaining({ field: 'name' })]);
  });
});
