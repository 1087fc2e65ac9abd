/**
 * Regressions of a run's suite, found from stored executions and reported through the local git
 * host on a real database (PGlite and Postgres): stored once per execution and test, one comment on
 * the run's issue and one new issue per execution however often the report is retried, and nothing
 * new for a test that keeps failing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finishExecution, startExecution } from '../../lib/db/executions';
import { getLocalIssue, listLocalIssueComments, saveLocalIssue } from '../../lib/db/local-issues';
import { openDatabase, type Database } from '../../lib/db/open';
import { listRegressions } from '../../lib/db/regressions';
import { upsertRun } from '../../lib/db/runs';
import type { ExecutionSummary, IssueSubject } from '../../lib/core/contract';
import type { ExecutionKind } from '../../lib/core/run';
import { LocalGitHost } from '../../lib/repohost/local-git';
import { regressionMarker, reportRegressions } from '../../lib/runs/regressions';
import { createTestPostgres, seedPglite, type TestPostgres } from '../support/databases';

const REPOSITORY = 'acme/shop';
const FILE = 'tests/testloom/issue-7/api/items.test.ts';
const BASE_URL = 'http://127.0.0.1:9/v1';
const SUBJECT: IssueSubject = {
  kind: 'issue', repository: REPOSITORY, number: 7, title: 'Paging the item list', body: '', labels: ['generate-tests'], author: 'alice', url: 'local://acme/shop/issues/7', acceptanceCriteria: [], slug: 'issue-7',
};

type Outcome = 'stable-pass' | 'stable-fail' | 'flaky' | 'skipped';
const SUMMARY = { status: 'executed', baseUrl: BASE_URL, runs: 3, tests: 3, passed: 0, healed: [], flaky: [], dropped: [], apiDefects: [], blocked: [], withheldFiles: [] } as ExecutionSummary;

describe.each(['pglite', 'postgres'] as const)('regressions on %s', (kind) => {
  let dataDir: string;
  let postgres: TestPostgres | undefined;
  let database: Database;
  let host: LocalGitHost;
  const runId = `run-${kind}`;

  async function execution(id: string, tests: Record<string, Outcome>, options: { kind?: ExecutionKind; baseUrl?: string; run?: string } = {}) {
    const target = { baseUrl: options.baseUrl ?? BASE_URL };
    await startExecution(database.db, { id, runId: options.run ?? runId, workflowId: `wf-${id}`, kind: options.kind ?? 'schedule', target });
    const report = { tests: Object.entries(tests).map(([fullName, stability]) => ({ file: FILE, fullName, stability, outcomes: [], ...(stability === 'stable-fail' ? { failureMessage: `${fullName}: expected 200, got 500\n  at items.test.ts:12` } : {}) })) };
    await finishExecution(database.db, id, { status: 'completed', summary: { ...SUMMARY, baseUrl: target.baseUrl }, report });
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-regressions-'));
    if (kind === 'pglite') seedPglite(dataDir);
    else postgres = await createTestPostgres();
    database = await openDatabase({ dataDir, databaseUrl: postgres?.url });
    host = new LocalGitHost(path.join(dataDir, 'repos'), database.db);
    await saveLocalIssue(database.db, { repository: REPOSITORY, number: 7, title: SUBJECT.title, labels: ['generate-tests'], author: 'alice', state: 'open' });
    await upsertRun(database.db, { id: runId, workflowId: `issue:${REPOSITORY}#7`, trigger: 'issue', repository: REPOSITORY, subject: SUBJECT, status: 'completed' });
  });
  afterAll(async () => {
    await database?.close();
    await postgres?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports a test that passed last time and fails now once, and a test that keeps failing never again', async () => {
    const deps = { db: database.db, repoHost: host, regressionIssues: true };
    await execution(runId, { 'lists items': 'stable-pass', 'pages by one': 'stable-pass', 'rejects limit 0': 'stable-fail', 'shows status': 'stable-pass' }, { kind: 'pipeline' });
    // The pipeline's own execution is the first: nothing earlier to compare with.
    expect((await reportRegressions(deps, runId)).regressions).toEqual([]);

    await execution('exec-2', { 'lists items': 'stable-pass', 'pages by one': 'stable-fail', 'rejects limit 0': 'stable-fail', 'shows status': 'flaky' });
    const first = await reportRegressions(deps, 'exec-2');
    // A retried report (the activity retried after a crash) finds what the first one stored and posted.
    const again = await reportRegressions(deps, 'exec-2');
    expect(first).toEqual({
      executionId: 'exec-2',
      previousExecutionId: runId,
      regressions: [{ file: FILE, fullName: 'pages by one', failure: 'pages by one: expected 200, got 500\n  at items.test.ts:12' }],
      comment: { url: expect.stringMatching(/^local:\/\/acme\/shop\/issues\/7#comment-\d+$/) },
      issue: { number: 8, url: 'local://acme/shop/issues/8' },
    });
    expect(again).toEqual(first);

    const comments = await listLocalIssueComments(database.db, REPOSITORY, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].marker).toBe(regressionMarker('exec-2'));
    expect(comments[0].body).toContain(`### Regressions against ${BASE_URL}`);
    expect(comments[0].body).toContain(`- **pages by one** in \`${FILE}\` (passed in execution ${runId}): pages by one: expected 200, got 500`);
    expect(comments[0].body).not.toContain('at items.test.ts:12');
    const issue = await getLocalIssue(database.db, REPOSITORY, 8);
    expect(issue).toMatchObject({ title: `Regression: 1 test of #7 ${SUBJECT.title} fails against ${BASE_URL}`, labels: ['testloom-regression'], author: 'testloom', state: 'open' });
    expect(issue!.body).toContain(regressionMarker('exec-2'));
    expect(await getLocalIssue(database.db, REPOSITORY, 9)).toBeUndefined();

    // Still failing: no new regression, no comment, no issue.
    await execution('exec-3', { 'lists items': 'stable-pass', 'pages by one': 'stable-fail', 'rejects limit 0': 'stable-fail', 'shows status': 'stable-pass' });
    expect(await reportRegressions(deps, 'exec-3')).toEqual({ executionId: 'exec-3', previousExecutionId: 'exec-2', regressions: [] });
    // Against another API: compared only with executions against that one (none yet).
    await execution('exec-other', { 'lists items': 'stable-fail' }, { baseUrl: 'http://127.0.0.1:10/v1' });
    expect(await reportRegressions(deps, 'exec-other')).toEqual({ executionId: 'exec-other', regressions: [] });

    expect(await listLocalIssueComments(database.db, REPOSITORY, 7)).toHaveLength(1);
    expect(await getLocalIssue(database.db, REPOSITORY, 9)).toBeUndefined();
    const stored = await listRegressions(database.db, { runId });
    expect(stored.map((r) => [r.executionId, r.fullName, r.previousExecutionId, r.commentUrl, r.issueUrl])).toEqual([
      ['exec-2', 'pages by one', runId, first.comment!.url, 'local://acme/shop/issues/8'],
    ]);
  });

  it('opens no issue unless the operator asked for it (TESTLOOM_REGRESSION_ISSUES)', async () => {
    await execution('exec-4', { 'lists items': 'stable-fail', 'pages by one': 'stable-fail', 'rejects limit 0': 'stable-fail', 'shows status': 'stable-pass' });
    const outcome = await reportRegressions({ db: database.db, repoHost: host }, 'exec-4');
    expect(outcome.regressions.map((r) => r.fullName)).toEqual(['lists items']);
    expect(outcome.issue).toBeUndefined();
    expect(outcome.comment).toBeDefined();
    expect(await listLocalIssueComments(database.db, REPOSITORY, 7)).toHaveLength(2);
    expect(await getLocalIssue(database.db, REPOSITORY, 9)).toBeUndefined();
  });

  it('compares a test with the last execution that ran it: one that skipped it (a budget) or an earlier revision of the spec', async () => {
    const deps = { db: database.db, repoHost: host };
    const specRun = (id: string, hash: string) => upsertRun(database.db, {
      id, workflowId: `spec:${REPOSITORY}:api/openapi.yaml@${hash}`, trigger: 'spec', repository: REPOSITORY, status: 'completed',
    });
    await specRun(`v1-${kind}`, 'aaa');
    await specRun(`v2-${kind}`, 'bbb');
    // Another spec of the same repository, whose name only looks alike (`_` is a LIKE wildcard): never compared with.
    await upsertRun(database.db, { id: `other-${kind}`, workflowId: `spec:${REPOSITORY}:api_openapi.yaml@ccc`, trigger: 'spec', repository: REPOSITORY, status: 'completed' });
    const spec = { baseUrl: 'http://127.0.0.1:11/v1' };
    await execution('s-1', { 'lists items': 'stable-pass', 'pages by one': 'stable-pass' }, { ...spec, run: `v1-${kind}` });
    await execution('s-other', { 'lists items': 'stable-fail', 'pages by one': 'stable-fail' }, { ...spec, run: `other-${kind}` });
    // The next revision's first execution ran with a budget: 'pages by one' was not run.
    await execution('s-2', { 'lists items': 'stable-pass', 'pages by one': 'skipped' }, { ...spec, run: `v2-${kind}` });
    expect((await reportRegressions(deps, 's-2')).regressions).toEqual([]);
    await execution('s-3', { 'lists items': 'stable-fail', 'pages by one': 'stable-fail' }, { ...spec, run: `v2-${kind}` });
    const outcome = await reportRegressions(deps, 's-3');
    expect(outcome.previousExecutionId).toBe('s-2');
    expect(outcome.regressions.map((r) => r.fullName)).toEqual(['lists items', 'pages by one']);
    const stored = await listRegressions(database.db, { executionId: 's-3' });
    expect(stored.map((r) => [r.fullName, r.previousExecutionId]).sort()).toEqual([['lists items', 's-2'], ['pages by one', 's-1']]);
  });
});
