import fs from 'node:fs';
import path from 'node:path';
import { git } from '../support/git-cli';
import { listReviews } from '../../lib/db/reviews';
import { apiRequest, createHarness, PETSTORE, waitForRunEnd, type Harness } from '../support/harness';
import { startPetstoreServer } from '../fixtures/petstore-server';
import { uniqueRepository } from '../support/retrieval';

const REPO = uniqueRepository('acme');
const NAME = 'api/shop.yaml';
const revision = (file: string) => fs.readFileSync(path.resolve(__dirname, '../fixtures/specs/revisions', file), 'utf8');

/** Path → blob id of every file the commit holds under `dir`. */
async function blobs(repoDir: string, commit: string, dir: string): Promise<Map<string, string>> {
  const listing = await git(repoDir, ['ls-tree', '-r', commit, '--', dir]);
  return new Map(listing.split('\n').filter(Boolean).map((line) => {
    const [meta, file] = line.split('\t');
    return [file, meta.split(' ')[2]];
  }));
}

describe('a named spec across revisions (PGlite, real Temporal, real git)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite' });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());

  it('updates one branch and one pull request with a commit per revision, a change summary and untouched files left byte-identical', async () => {
    const first = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v1.yaml') }, name: NAME, repository: REPO });
    expect(first.status).toBe(202);
    const v1 = await waitForRunEnd(harness, first.body.runId);
    expect(v1.status).toBe('completed');
    expect(v1.subject).toMatchObject({ name: NAME, slug: 'api-shop-yaml' });
    expect(v1.subject.revision).toBeUndefined();
    const branch = v1.result.commit.branch as string;
    expect(branch).toBe('testloom/spec-api-shop-yaml');

    const second = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v2.yaml') }, name: NAME, repository: REPO });
    expect(second.status).toBe(202);
    expect(second.body.workflowId).not.toBe(first.body.workflowId);
    const v2 = await waitForRunEnd(harness, second.body.runId);
    expect(v2.status).toBe('completed');

    // Exactly the three operations, with the one breaking change flagged.
    const changes = v2.subject.revision.changes;
    expect(v2.subject.revision).toMatchObject({ previousRunId: v1.id, previousSpecId: first.body.specId });
    expect(changes.added.map((c: { operation: string }) => c.operation)).toEqual(['DELETE /pets/{petId}']);
    expect(changes.changed.map((c: { operation: string; breaking: boolean }) => [c.operation, c.breaking])).toEqual([['GET /orders', true]]);
    expect(changes.removed.map((c: { operation: string }) => c.operation)).toEqual(['GET /legacy/report']);

    // Same branch, one new commit on top of the first revision's.
    const repoDir = harness.repoHost.repositoryPath(REPO);
    expect(v2.result.commit.branch).toBe(branch);
    expect(await git(repoDir, ['rev-list', '--count', `main..${branch}`])).toBe('2');
    expect(await git(repoDir, ['rev-parse', `${v2.result.commit.commitSha}^`])).toBe(v1.result.commit.commitSha);
    const message = await git(repoDir, ['log', '-1', '--format=%B', branch]);
    expect(message).toContain('Update generated tests for Revision Shop 2.0.0: 1 added, 1 changed (1 breaking), 1 removed');
    expect(message).toContain('- removed GET /legacy/report (breaking)');

    // The same pull request, its body now summarising the revision.
    const reviews = await listReviews(harness.database.db, REPO);
    expect(reviews).toHaveLength(1);
    expect(v2.result.review.id).toBe(v1.result.review.id);
    expect(v2.result.review.created).toBe(false);
    expect(reviews[0]).toMatchObject({ headBranch: branch, headSha: v2.result.commit.commitSha });
    expect(reviews[0].body).toContain(`Changes since the revision delivered by run \`${v1.id}\`: 1 added, 1 changed (1 breaking), 1 removed.`);
    expect(reviews[0].body).toContain('- added `DELETE /pets/{petId}`');
    expect(reviews[0].body).toContain('- changed `GET /orders` — **breaking**: [Added] required status to required query parameter `status`');
    expect(reviews[0].body).toContain('- removed `GET /legacy/report` — **breaking**');

    // Test files: the removed operation's is gone, the changed tags' differ, the untouched tag's is the same blob.
    const outDir = v2.result.generation.outDir as string;
    const before = await blobs(repoDir, v1.result.commit.commitSha, outDir);
    const after = await blobs(repoDir, v2.result.commit.commitSha, outDir);
    const testFile = (tag: string) => `${outDir}/${tag}.test.ts`;
    expect(before.has(testFile('legacy'))).toBe(true);
    expect(after.has(testFile('legacy'))).toBe(false);
    expect(after.get(testFile('users'))).toBe(before.get(testFile('users')));
    expect(after.get(testFile('pets'))).not.toBe(before.get(testFile('pets')));
    expect(after.get(testFile('orders'))).not.toBe(before.get(testFile('orders')));
    const pets = await git(repoDir, ['show', `${branch}:${testFile('pets')}`]);
    expect(pets).toContain('deletePet');

    // The same revision again is the same run.
    const again = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v2.yaml') }, name: NAME, repository: REPO });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ existing: true, runId: v2.id, workflowId: second.body.workflowId });
    expect(await git(repoDir, ['rev-list', '--count', `main..${branch}`])).toBe('2');
  });

  it('cancels an older revision still running when a newer one starts; the newer one is delivered', async () => {
    const name = 'superseded.yaml';
    const older = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v1.yaml') }, name, repository: REPO });
    const newer = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v2.yaml') }, name, repository: REPO });
    expect([older.status, newer.status]).toEqual([202, 202]);
    const [olderRun, newerRun] = await Promise.all([waitForRunEnd(harness, older.body.runId), waitForRunEnd(harness, newer.body.runId)]);
    expect(olderRun.status).toBe('cancelled');
    expect(olderRun.details.cancelReason).toBe(`superseded by a newer revision of ${name} (run ${newerRun.id})`);
    expect(newerRun.status).toBe('completed');
    const repoDir = harness.repoHost.repositoryPath(REPO);
    expect(await git(repoDir, ['rev-parse', 'testloom/spec-superseded-yaml'])).toBe(newerRun.result.commit.commitSha);
  });

  it("follows the repository's .testloom.yml (output folder, branch prefix, no CI workflow); a bad file is listed in the pull request and the defaults used", async () => {
    const repository = uniqueRepository('configured');
    const commitConfig = async (text: string) => {
      await harness.repoHost.ensureRepository(repository);
      await harness.repoHost.commitFiles({ repository, branch: 'main', ownedDirs: [], message: 'configure testloom', date: new Date(), files: [{ path: '.testloom.yml', content: text }] });
    };
    await commitConfig('version: 1\noutput:\n  dir: qa/api-tests\nbranchPrefix: bots/testloom-\nciWorkflow: false\n');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v1.yaml') }, name: 'shop', repository });
    const run = await waitForRunEnd(harness, started.body.runId);
    expect(run.status).toBe('completed');
    expect(run.result.commit.branch).toBe('bots/testloom-spec-shop');
    expect(run.result.generation.outDir).toBe('qa/api-tests/shop');
    const files = (await git(harness.repoHost.repositoryPath(repository), ['ls-tree', '-r', '--name-only', run.result.commit.branch])).split('\n');
    expect(files).toContain('qa/api-tests/shop/users.test.ts');
    expect(files.some((file) => file.startsWith('.github/'))).toBe(false);

    await commitConfig('version: 1\nbranchPrefix: 7\nexecution:\n  thresholds:\n    maxFlakyTests: -1\n');
    const second = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v2.yaml') }, name: 'other', repository });
    const defaulted = await waitForRunEnd(harness, second.body.runId);
    expect(defaulted.status).toBe('completed');
    expect(defaulted.result.commit.branch).toBe('testloom/spec-other');
    const review = (await listReviews(harness.database.db, repository)).find((r) => r.headBranch === 'testloom/spec-other')!;
    expect(review.body).toContain('testloom could not use `.testloom.yml`');
    expect(review.body).toContain('`branchPrefix`');
    expect(review.body).toContain('`execution.thresholds.maxFlakyTests`');
    expect(review.body).toContain('The run used the defaults instead.');
  });

  it("takes the target, runs and thresholds of .testloom.yml, and reports the thresholds against what the execution found", async () => {
    const repository = uniqueRepository('thresholds');
    const api = await startPetstoreServer();
    try {
      const config = [
        'version: 1',
        'target:', `  baseUrl: ${api.baseUrl}`, '  allowedMethods: [POST, DELETE]',
        'execution:', '  runs: 2', '  thresholds:', '    minStatusCodeCoverage: 100', '    maxFlakyTests: 0',
      ].join('\n');
      await harness.repoHost.ensureRepository(repository);
      await harness.repoHost.commitFiles({ repository, branch: 'main', ownedDirs: [], message: 'configure', date: new Date(), files: [{ path: '.testloom.yml', content: `${config}\n` }] });
      const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { path: PETSTORE }, repository });
      expect(started.status).toBe(202);
      const run = await waitForRunEnd(harness, started.body.runId, 180_000);
      expect(run.status).toBe('completed');
      expect(run.result.execution).toMatchObject({ status: 'executed', baseUrl: api.baseUrl, runs: 2, flaky: [] });
      expect(run.result.execution.coverage.statusCodes.percent).toBe(100);
      const [review] = await listReviews(harness.database.db, repository);
      expect(review.body).toContain('Thresholds of `.testloom.yml`:');
      expect(review.body).toContain('- documented status codes covered: 100%, meets the minimum of 100%');
      expect(review.body).toContain('- flaky tests: 0, within the 0 allowed');
    } finally {
      await api.close();
    }
  });

  it('refuses a name that could climb out of the repository or hide, naming the field', async () => {
    for (const name of ['../shop', '/etc/shop', 'api/.git', 'a//b', '']) {
      const refused = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: revision('shop-v1.yaml') }, name, repository: REPO });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'name' })]);
    }
  });
});
