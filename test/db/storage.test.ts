import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { Client } from 'pg';
import {
  acceptDeliveries,
  ABANDONED_ERROR,
  type Database,
  type DeliveryToAccept,
  endStage,
  finishDeliveries,
  getCollaboratorPermission,
  getDelivery,
  getLocalIssue,
  getReviewSummary,
  getRun,
  getSpec,
  InvalidCursorError,
  listArtifacts,
  listArtifactSummaries,
  listDeliveries,
  listReviews,
  listRuns,
  listStageEvents,
  listStoredTestCases,
  listTestCases,
  migrateToLatest,
  type NewRun,
  openDatabase,
  type OpenDatabaseOptions,
  replaceArtifacts,
  recordDeliveries,
  replaceTestCases,
  saveLocalIssue,
  saveSpec,
  setCollaborator,
  setDelivery,
  startStage,
  type Tables,
  updateRun,
  upsertReview,
  upsertRun,
} from '../../lib/db';
import type { RunResult, Subject } from '../../lib/core/contract';
import { migrations } from '../../schema/migrations';
import { WriteGroups } from '../../lib/db/write-groups';
import { createTestPostgres } from '../support/databases';
import { TYPESCRIPT_LOADER } from '../support/testloom-processes';

interface Backend {
  name: 'pglite' | 'postgres';
  setup(): Promise<{ opts: OpenDatabaseOptions; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'pglite',
    async setup() {
      const dataDir = await mkdtemp(join(tmpdir(), 'testloom-db-'));
      return { opts: { dataDir }, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    async setup() {
      const pg = await createTestPostgres();
      const dataDir = await mkdtemp(join(tmpdir(), 'testloom-db-'));
      return {
        opts: { databaseUrl: pg.url, dataDir },
        cleanup: async () => {
          await pg.drop();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

const uid = (prefix: string) => `${prefix}-${randomUUID()}`;

describe.each(backends)('storage on $name', (backend) => {
  let opts: OpenDatabaseOptions;
  let cleanup: () => Promise<void>;
  let database: Database;
  let db: Kysely<Tables>;

  beforeAll(async () => {
    ({ opts, cleanup } = await backend.setup());
    database = await openDatabase(opts);
    db = database.db;
  });

  afterAll(async () => {
    await database?.close();
    await cleanup?.();
  });

  async function newRun(overrides: Partial<NewRun> = {}) {
    const run = { id: uid('run'), workflowId: uid('wf'), trigger: 'spec' as const, repository: 'acme/api', ...overrides };
    await upsertRun(db, run);
    return (await getRun(db, run.id))!;
  }

  test('opens the requested backend', () => {
    expect(database.dialect).toBe(backend.name);
  });

  test('migrations are recorded once and re-running them is a no-op, also after reopening', async () => {
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await migrateToLatest(db)).toEqual([]);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    expect(Object.keys(migrations)).toEqual(['0001_initial', '0002_test_cases', '0003_issues_and_deliveries', '0004_model_calls', '0005_local_issue_comments', '0006_executions', '0007_health_probes', '0008_normalized_specs', '0009_regressions', '0010_webhook_inbox']);

    const run = await newRun({ repository: 'acme/persist' });
    await database.close();
    await database.close(); // idempotent
    database = await openDatabase(opts);
    db = database.db;

    expect((await getRun(db, run.id))?.repository).toBe('acme/persist');
    const again = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(db);
    expect(again.rows[0].n).toBe(Object.keys(migrations).length);
  });

  test('saveSpec is idempotent: the first content stays', async () => {
    const content = 'openapi: 3.0.3\ninfo: { title: Pets, version: "1" }\npaths: {}\n';
    const id = createHash('sha256').update(content).digest('hex');
    const first = await saveSpec(db, { id, content, format: 'yaml', sourceKind: 'upload', title: 'Pets', openapiVersion: '3.0.3' });
    const second = await saveSpec(db, { id, content, format: 'yaml', sourceKind: 'path', sourceLocation: '/x.yaml', title: 'Other' });

    expect(second).toEqual(first);
    expect(first).toMatchObject({ id, content, format: 'yaml', sourceKind: 'upload', sourceLocation: null, title: 'Pets', openapiVersion: '3.0.3' });
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(await getSpec(db, id)).toEqual(first);
    expect(await getSpec(db, 'f'.repeat(64))).toBeUndefined();
    const count = await db.selectFrom('specs').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '=', id).executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });

  test('runs can reference a saved spec', async () => {
    const spec = await saveSpec(db, { id: 'a'.repeat(64), content: '{}', format: 'json', sourceKind: 'url', sourceLocation: 'http://x/spec.json' });
    const run = await newRun({ specId: spec.id });
    expect(run.specId).toBe(spec.id);
    await expect(newRun({ specId: 'b'.repeat(64) })).rejects.toThrow(/foreign key/);
  });

  test('upsertRun is idempotent and keeps the first row', async () => {
    const input = { id: uid('run'), workflowId: uid('spec:'), trigger: 'spec' as const, repository: 'acme/api' };
    await upsertRun(db, input);
    const first = await getRun(db, input.id);
    await upsertRun(db, { ...input, repository: 'acme/other', status: 'running' });

    expect(await getRun(db, input.id)).toEqual(first);
    expect(first).toMatchObject({ ...input, status: 'queued', stage: null, error: null, details: {}, subject: null, result: null, finishedAt: null });
    const rows = await db.selectFrom('runs').select('id').where('id', '=', input.id).execute();
    expect(rows).toHaveLength(1);
  });

  test('updateRun merges details shallowly, sets and clears columns', async () => {
    const run = await newRun();
    await updateRun(db, run.id, { status: 'running', stage: 'receive', details: { retrieval: { status: 'ok', documents: [] }, feedback: ['cover 404s'] } });
    await updateRun(db, run.id, { stage: 'retrieve', error: 'boom', errorStage: 'retrieve', details: { retrieval: { status: 'degraded', documents: [], reason: 'down' }, cancelReason: 'stop' } });
    const updated = await updateRun(db, run.id, { error: null, errorStage: null });

    expect(updated).toMatchObject({
      status: 'running',
      stage: 'retrieve',
      error: null,
      errorStage: null,
      details: { retrieval: { status: 'degraded', documents: [], reason: 'down' }, feedback: ['cover 404s'], cancelReason: 'stop' },
    });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(run.updatedAt.getTime());
    expect(await updateRun(db, uid('missing'), { status: 'failed' })).toBeUndefined();
  });

  test('concurrent details writers do not lose each other’s keys', async () => {
    const run = await newRun();
    await Promise.all(Array.from({ length: 10 }, (_, i) => updateRun(db, run.id, { details: { [`k${i}`]: i } })));
    const stored = await getRun(db, run.id);
    expect(stored!.details).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])));
  });

  test('getRun finds by run id, else the newest run of a workflow id', async () => {
    const workflowId = uid('issue:acme/api#');
    // Temporal run ids are UUIDv7, ordered by time: the id breaks a tie in created_at.
    const base = uid('run');
    const older = { id: `${base}-1`, workflowId, trigger: 'issue' as const, repository: 'acme/api' };
    const newer = { ...older, id: `${base}-2` };
    await upsertRun(db, older);
    await upsertRun(db, newer);

    expect((await getRun(db, older.id))?.id).toBe(older.id);
    expect((await getRun(db, workflowId))?.id).toBe(newer.id);
    expect(await getRun(db, uid('nope'))).toBeUndefined();
  });

  test('listRuns filters and pages through every row exactly once, newest first', async () => {
    const repository = uid('acme/paging');
    const ids: string[] = [];
    for (let i = 0; i < 13; i++) {
      const run = await newRun({ repository, trigger: i % 3 === 0 ? 'issue' : 'spec', status: i % 2 === 0 ? 'completed' : 'failed' });
      ids.push(run.id);
    }
    // Same created_at for several rows (one transaction): ordering falls back to id.
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 6; i++) {
        const id = `tie-${i}-${randomUUID()}`;
        await upsertRun(tx, { id, workflowId: 'wf', trigger: 'spec', repository, status: 'completed' });
        ids.push(id);
      }
    });
    await newRun({ repository: uid('acme/elsewhere') });

    const expected = await db
      .selectFrom('runs')
      .select('id')
      .where('repository', '=', repository)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(expected.map((r) => r.id).sort()).toEqual([...ids].sort());

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listRuns(db, { repository, limit: 4, cursor });
      expect(page.runs.length).toBeLessThanOrEqual(4);
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(5); // 19 rows, 4 per page
    expect(seen).toEqual(expected.map((r) => r.id));

    const first = await listRuns(db, { repository });
    expect(first.runs).toHaveLength(19);
    expect(first.nextCursor).toBeNull();
    expect(first.runs[0]).not.toHaveProperty('cursorTime');
    expect(first.runs[0].createdAt).toBeInstanceOf(Date);

    const failed = await listRuns(db, { repository, status: 'failed' });
    expect(failed.runs.map((r) => r.id).sort()).toEqual(ids.filter((_, i) => i < 13 && i % 2 === 1).sort());
    const completedIssues = await listRuns(db, { repository, status: 'completed', trigger: 'issue' });
    expect(completedIssues.runs.map((r) => r.id).sort()).toEqual(ids.filter((_, i) => i < 13 && i % 2 === 0 && i % 3 === 0).sort());
    expect((await listRuns(db, { repository, trigger: 'issue', status: 'queued' })).runs).toEqual([]);
  });

  test('listRuns keeps microsecond order across pages and caps the limit', async () => {
    const repository = uid('acme/micro');
    // Same millisecond, different microseconds; ids sort opposite to time.
    const times = ['2024-05-01T10:00:00.123100Z', '2024-05-01T10:00:00.123200Z', '2024-05-01T10:00:00.123300Z'];
    await db
      .insertInto('runs')
      .values(times.map((t, i) => ({ id: `micro-${9 - i}-${repository}`, workflowId: 'wf', trigger: 'spec' as const, repository, createdAt: t })))
      .execute();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(db, { repository, limit: 1, cursor });
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([`micro-7-${repository}`, `micro-8-${repository}`, `micro-9-${repository}`]);

    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 105; i++) await upsertRun(tx, { id: `cap-${i}-${repository}`, workflowId: 'wf', trigger: 'spec', repository });
    });
    const capped = await listRuns(db, { repository, limit: 1000 });
    expect(capped.runs).toHaveLength(100);
    expect(capped.nextCursor).not.toBeNull();
    expect((await listRuns(db, { repository, cursor: capped.nextCursor! })).runs).toHaveLength(8);

    await expect(listRuns(db, { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  test('startStage makes the stage the run\'s current one and abandons an unfinished earlier attempt; endStage records outcomes', async () => {
    const run = await newRun();
    const first = await startStage(db, { runId: run.id, stage: 'generate', attempt: 1 });
    expect(first).toMatchObject({ outcome: 'running', endedAt: null, attempt: 1 });
    expect(typeof first.id).toBe('number');
    expect(await getRun(db, run.id)).toMatchObject({ status: 'running', stage: 'generate' });
    await startStage(db, { runId: run.id, stage: 'receive', attempt: 1 });
    expect(await getRun(db, run.id)).toMatchObject({ status: 'running', stage: 'receive' });

    await startStage(db, { runId: run.id, stage: 'generate', attempt: 2 });
    let events = await listStageEvents(db, run.id);
    const byKey = (stage: string, attempt: number) => events.find((e) => e.stage === stage && e.attempt === attempt)!;
    expect(byKey('generate', 1)).toMatchObject({ outcome: 'abandoned', error: ABANDONED_ERROR });
    expect(byKey('generate', 1).endedAt).toBeInstanceOf(Date);
    expect(byKey('receive', 1)).toMatchObject({ outcome: 'running', endedAt: null }); // other stage untouched

    const failed = await endStage(db, { runId: run.id, stage: 'generate', attempt: 2, outcome: 'failed', error: 'LLM timeout', details: { tokens: [12, 34] } });
    expect(failed).toMatchObject({ outcome: 'failed', error: 'LLM timeout', details: { tokens: [12, 34] } });
    expect(failed.endedAt).toBeInstanceOf(Date);

    // A properly ended attempt is not rewritten as abandoned.
    await startStage(db, { runId: run.id, stage: 'generate', attempt: 3 });
    // Restarting the same attempt resets it instead of adding a row.
    await endStage(db, { runId: run.id, stage: 'generate', attempt: 3, outcome: 'failed', error: 'x' });
    const restarted = await startStage(db, { runId: run.id, stage: 'generate', attempt: 3 });
    expect(restarted).toMatchObject({ outcome: 'running', endedAt: null, error: null, details: null });
    await endStage(db, { runId: run.id, stage: 'generate', attempt: 3, outcome: 'succeeded' });

    events = await listStageEvents(db, run.id);
    expect(events.map((e) => [e.stage, e.attempt, e.outcome])).toEqual([
      ['generate', 1, 'abandoned'],
      ['receive', 1, 'running'],
      ['generate', 2, 'failed'],
      ['generate', 3, 'succeeded'],
    ]);
    for (const e of events) expect(e.startedAt).toBeInstanceOf(Date);
  });

  test('endStage without a recorded start still records the attempt', async () => {
    const run = await newRun();
    const ended = await endStage(db, { runId: run.id, stage: 'commit', attempt: 1, outcome: 'cancelled' });
    expect(ended).toMatchObject({ stage: 'commit', attempt: 1, outcome: 'cancelled', error: null, details: null });
    expect(ended.startedAt).toBeInstanceOf(Date);
    expect(ended.endedAt).toBeInstanceOf(Date);
  });

  test('replaceArtifacts leaves exactly the latest set', async () => {
    const run = await newRun();
    const set1 = [
      { path: 'tests/pets.test.ts', kind: 'test' as const, content: 'test("a", () => {});\n' },
      { path: 'docs/pets.md', kind: 'doc' as const, content: '# Pets ✓\n' },
    ];
    await replaceArtifacts(db, run.id, set1);
    const set2 = [
      { path: 'tests/pets.test.ts', kind: 'test' as const, content: 'test("b", () => {});\n' },
      { path: 'tests/helpers/client.ts', kind: 'helper' as const, content: 'export const x = 1;\n' },
    ];
    await replaceArtifacts(db, run.id, set2);
    await replaceArtifacts(db, run.id, set2);
    const stored = await listArtifacts(db, run.id);

    expect(stored.map((a) => [a.path, a.kind, a.content])).toEqual([
      ['tests/helpers/client.ts', 'helper', 'export const x = 1;\n'],
      ['tests/pets.test.ts', 'test', 'test("b", () => {});\n'],
    ]);
    for (const a of stored) {
      expect(a.sha256).toBe(createHash('sha256').update(a.content).digest('hex'));
      expect(a.createdAt).toBeInstanceOf(Date);
      expect(a.runId).toBe(run.id);
    }
    expect((await listArtifactSummaries(db, run.id)).map((a) => [a.path, a.kind, a.sha256, a.edited, a.withheldReason])).toEqual(
      stored.map((a) => [a.path, a.kind, a.sha256, false, null]),
    );
    const all = await db.selectFrom('artifacts').select('path').where('runId', '=', run.id).execute();
    expect(all).toHaveLength(2);

    await expect(replaceArtifacts(db, run.id, [set1[0], set1[0]])).rejects.toThrow(/duplicate artifact path/);
    await replaceArtifacts(db, run.id, []);
    expect(await listArtifacts(db, run.id)).toEqual([]);
  });

  test('a run\'s file summaries say which files validation edited or withheld, without their content', async () => {
    const run = await newRun();
    await replaceArtifacts(db, run.id, [
      { path: 'tests/a.test.ts', kind: 'test', content: 'a' },
      { path: 'tests/b.test.ts', kind: 'test', content: 'b' },
      { path: 'tests/c.test.ts', kind: 'test', content: 'c' },
    ]);
    await setDelivery(db, run.id, [{ path: 'tests/a.test.ts', deliveredContent: 'a, repaired' }, { path: 'tests/b.test.ts', withheldReason: 'flaky' }]);
    expect(await listArtifactSummaries(db, run.id)).toEqual([
      { path: 'tests/a.test.ts', kind: 'test', sha256: expect.any(String), edited: true, withheldReason: null },
      { path: 'tests/b.test.ts', kind: 'test', sha256: expect.any(String), edited: false, withheldReason: 'flaky' },
      { path: 'tests/c.test.ts', kind: 'test', sha256: expect.any(String), edited: false, withheldReason: null },
    ]);
  });

  test('replaceTestCases leaves exactly the latest set of a run', async () => {
    const run = await newRun();
    const other = await newRun();
    const create = { caseId: 'createPet/happy-path', kind: 'happy-path', title: 'creates a pet', operationId: 'createPet', method: 'post', path: '/pets', expectedStatus: '201', file: 'tests/pets.test.ts' };
    const missing = { caseId: 'createPet/missing-required/body.name', kind: 'missing-required', title: 'rejects a pet without "name" | 4xx', file: 'tests/pets.test.ts' };
    await replaceTestCases(db, run.id, [create, missing]);
    await replaceTestCases(db, other.id, [create]);
    await replaceTestCases(db, run.id, [missing]);
    await replaceTestCases(db, run.id, [missing]); // a retried generate

    const stored = await listTestCases(db, run.id);
    expect(stored.map(({ caseId, kind, title, operationId, method, path, expectedStatus, file }) => (
      { caseId, kind, title, operationId, method, path, expectedStatus, file }
    )))
      .toEqual([{ ...missing, operationId: null, method: null, path: null, expectedStatus: null }]);
    expect((await listTestCases(db, other.id)).map((c) => c.caseId)).toEqual(['createPet/happy-path']);
    expect(await listStoredTestCases(db, other.id)).toEqual([create]);
    expect(await listStoredTestCases(db, run.id)).toEqual([missing]);
    await replaceTestCases(db, run.id, []);
    expect(await listTestCases(db, run.id)).toEqual([]);
  });

  test('deleting a run cascades to its stage events, artifacts and test cases', async () => {
    const run = await newRun();
    await startStage(db, { runId: run.id, stage: 'receive', attempt: 1 });
    await replaceArtifacts(db, run.id, [{ path: 'a.md', kind: 'doc', content: 'a' }]);
    await replaceTestCases(db, run.id, [{ caseId: 'a', kind: 'happy-path', title: 'a', file: 'a.test.ts' }]);
    await db.deleteFrom('runs').where('id', '=', run.id).execute();
    expect(await listStageEvents(db, run.id)).toEqual([]);
    expect(await listArtifacts(db, run.id)).toEqual([]);
    expect(await listTestCases(db, run.id)).toEqual([]);
  });

  test('recordDeliveries keeps one row per delivery id and counts redeliveries', async () => {
    const id = uid('delivery');
    await recordDeliveries(db, [{ id, event: 'issues', action: 'labeled', repository: 'octo/shop', issueNumber: 12, sender: 'octo', outcome: 'started', workflowId: 'issue:octo/shop#12', runId: 'r1' }]);
    const [again] = await recordDeliveries(db, [{ id, event: 'issues', action: 'labeled', repository: 'octo/shop', issueNumber: 12, sender: 'octo', outcome: 'existing', workflowId: 'issue:octo/shop#12', runId: 'r1' }]);
    expect(again).toMatchObject({ id, outcome: 'existing', deliveries: 2, issueNumber: 12, reason: null });
    expect(await getDelivery(db, id)).toEqual(again);
    expect((await listDeliveries(db, { workflowId: 'issue:octo/shop#12' })).map((d) => d.id)).toContain(id);
  });

  test('deliveries that arrive together are stored in one statement; a second delivery of the same id waits for the next', async () => {
    const groups: number[] = [];
    const writes = new WriteGroups(async (deliveries: DeliveryToAccept[]) => {
      groups.push(deliveries.length);
      return acceptDeliveries(db, deliveries);
    }, (delivery) => delivery.id);
    const delivery = (id: string, payload: unknown = { action: 'labeled' }): DeliveryToAccept => ({ id, event: 'issues', action: 'labeled', repository: 'octo/shop', issueNumber: 7, sender: 'octo', payload });
    const ids = Array.from({ length: 30 }, () => uid('together'));
    const answers = await Promise.all([...ids.map((id) => writes.write(delivery(id))), writes.write(delivery(ids[0]))]);
    expect(groups).toEqual([30, 1]);
    expect(answers.map((answer) => answer.outcome)).toEqual(Array(31).fill('accepted'));
    expect(await getDelivery(db, ids[0])).toMatchObject({ outcome: 'accepted', deliveries: 2 });
    expect(await getDelivery(db, ids[29])).toMatchObject({ outcome: 'accepted', deliveries: 1, issueNumber: 7, sender: 'octo' });

    // Text the database cannot store fails its own delivery only; the rest of its group is stored.
    const others = Array.from({ length: 4 }, () => uid('beside'));
    const refused = uid('refused');
    const settled = await Promise.allSettled([...others.map((id) => writes.write(delivery(id))), writes.write(delivery(refused, { title: 'a\u0000b' }))]);
    expect(settled.map((answer) => answer.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    for (const id of others) expect(await getDelivery(db, id)).toMatchObject({ outcome: 'accepted' });
    expect(await getDelivery(db, refused)).toBeUndefined();
  });

  test('a statement carries deliveries up to a payload budget; one larger than the budget goes alone, and one id\'s writes keep their order', async () => {
    const groups: string[][] = [];
    const writes = new WriteGroups(async (deliveries: DeliveryToAccept[]) => {
      groups.push(deliveries.map((delivery) => delivery.id));
      return acceptDeliveries(db, deliveries);
    }, (delivery) => delivery.id, { maxGroup: 200, maxWeight: 100 });
    const [a, b, c, huge] = ['a', 'b', 'c', 'huge'].map((name) => uid(name));
    const delivery = (id: string): DeliveryToAccept => ({ id, event: 'issues', action: 'labeled', repository: 'octo/shop', issueNumber: 8, payload: { id } });
    await Promise.all([
      writes.write(delivery(a), 60), writes.write(delivery(b), 60), writes.write(delivery(c), 30),
      writes.write(delivery(a), 0), writes.write(delivery(huge), 500),
    ]);
    // b does not fit beside a (60 + 60 > 100), c does; a's second write waits for the next statement; huge goes alone.
    expect(groups).toEqual([[a, c], [b, a], [huge]]);
    expect(await getDelivery(db, a)).toMatchObject({ deliveries: 2 });
  });

  test('finishDeliveries writes each accepted delivery\'s own outcome in one statement and leaves a finished one alone', async () => {
    const delivery = (id: string): DeliveryToAccept => ({ id, event: 'issues', action: 'labeled', repository: 'octo/shop', issueNumber: 9, payload: { id } });
    const [started, failed, done] = ['started', 'failed', 'done'].map((name) => uid(name));
    await acceptDeliveries(db, [delivery(started), delivery(failed), delivery(done)]);
    await finishDeliveries(db, [{ id: done, outcome: 'existing', workflowId: 'issue:octo/shop#9', runId: 'r0' }]);
    await finishDeliveries(db, [
      { id: started, outcome: 'started', workflowId: 'issue:octo/shop#9', runId: 'r1' },
      { id: failed, outcome: 'failed', reason: 'attempt 25: Temporal is unavailable' },
      { id: done, outcome: 'started', workflowId: 'issue:octo/shop#9', runId: 'r2' },
    ]);
    expect(await getDelivery(db, started)).toMatchObject({ outcome: 'started', workflowId: 'issue:octo/shop#9', runId: 'r1', reason: null, payload: null, nextAttemptAt: null });
    expect(await getDelivery(db, failed)).toMatchObject({ outcome: 'failed', reason: 'attempt 25: Temporal is unavailable', workflowId: null, runId: null, payload: null });
    expect(await getDelivery(db, done)).toMatchObject({ outcome: 'existing', runId: 'r0' });
  });

  test('local issues are upserted and collaborators matched case-insensitively', async () => {
    const repository = uid('octo/shop');
    await saveLocalIssue(db, { repository, number: 3, title: 'Old', labels: ['bug'], author: 'octo', state: 'open' });
    await saveLocalIssue(db, { repository, number: 3, title: 'New title', body: 'Body ✓', labels: ['bug', 'generate-tests'], author: 'octo', state: 'closed' });
    expect(await getLocalIssue(db, repository, 3)).toMatchObject({ title: 'New title', body: 'Body ✓', labels: ['bug', 'generate-tests'], state: 'closed' });
    expect(await getLocalIssue(db, repository, 4)).toBeUndefined();
    await setCollaborator(db, repository, 'Mona', 'read');
    await setCollaborator(db, repository, 'Mona', 'write');
    expect(await getCollaboratorPermission(db, repository, 'mona')).toBe('write');
    expect(await getCollaboratorPermission(db, repository, 'hubot')).toBeUndefined();
  });

  test('upsertReview creates once, then updates the same row', async () => {
    const repository = uid('local/repo');
    const input = { repository, headBranch: 'testloom/spec-abc', baseBranch: 'main', title: 'Tests v1', body: 'b1', diff: 'd1', headSha: 'sha1', runId: 'run-1' };
    const first = await upsertReview(db, input);
    const reviewOn = async (branch: string) => (await listReviews(db, repository)).find((review) => review.headBranch === branch);
    const created = (await reviewOn('testloom/spec-abc'))!;
    expect(await getReviewSummary(db, repository, 'testloom/spec-abc')).toEqual({
      id: created.id, title: 'Tests v1', status: 'open', headBranch: 'testloom/spec-abc', headSha: 'sha1',
    });
    const second = await upsertReview(db, { ...input, title: 'Tests v2', body: 'b2', diff: 'd2', headSha: 'sha2', runId: 'run-2' });
    const updated = (await reviewOn('testloom/spec-abc'))!;

    expect(first).toEqual({ id: Number(created.id), created: true });
    expect(second).toEqual({ id: first.id, created: false });
    expect(created).toMatchObject({ status: 'open', title: 'Tests v1', body: 'b1', diff: 'd1', headSha: 'sha1', runId: 'run-1', baseBranch: 'main' });
    expect(updated).toMatchObject({
      id: created.id, status: 'open', title: 'Tests v2', body: 'b2', diff: 'd2', headSha: 'sha2', runId: 'run-2', baseBranch: 'main',
    });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await getReviewSummary(db, repository, 'nope')).toBeUndefined();
    expect((await listReviews(db, repository)).map((r) => Number(r.id))).toEqual([first.id]);
  });

  test('concurrent upsertReview calls create exactly one review', async () => {
    const repository = uid('local/race');
    const input = { repository, headBranch: 'testloom/issue-7', baseBranch: 'main', title: 't', body: 'b', diff: 'd', headSha: 's', runId: null };
    const results = await Promise.all(Array.from({ length: 6 }, () => upsertReview(db, input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await listReviews(db, repository)).toHaveLength(1);
  });

  test('JSON columns round-trip nested objects, arrays and snake_case keys', async () => {
    // The columns' types say what testloom writes; the storage layer keeps whatever JSON it gets.
    const offContract = <T>(value: unknown) => value as T;
    const subject = offContract<Subject>({
      kind: 'spec',
      operations: [{ method: 'get', path: '/pets/{id}', tags: ['pets', 'read'], params: [] }],
      nested: { deep: { list: [1, 'two', null, true, { x: 1.5 }] }, snake_case_key: 'kept' },
      unicode: 'héllo ✓ "quoted"',
    });
    const result = offContract<RunResult>([{ pr: 12, url: 'http://host/pr/12' }, ['a', ['b']], 3]);
    const run = await newRun({ subject });
    expect(run.subject).toEqual(subject);

    const updated = await updateRun(db, run.id, { result, details: offContract({ retrieval_status: 'ok', docs: [{ id: 'd1', score: 0.9 }] }) });
    expect(updated!.result).toEqual(result);
    expect(updated!.details).toEqual({ retrieval_status: 'ok', docs: [{ id: 'd1', score: 0.9 }] });

    const reread = await getRun(db, run.id);
    expect(reread!.subject).toEqual(subject);
    expect(reread!.result).toEqual(result);

    const topArray = await newRun({ subject: offContract(['only', 'an', 'array']) });
    expect((await getRun(db, topArray.id))!.subject).toEqual(['only', 'an', 'array']);
    const text = await updateRun(db, topArray.id, { result: offContract('done'), subject: null });
    expect(text!.result).toBe('done');
    expect(text!.subject).toBeNull();
    const kinds = await sql<{ s: string | null; r: string }>`select jsonb_typeof(subject) as s, jsonb_typeof(result) as r from runs where id = ${topArray.id}`.execute(db);
    expect(kinds.rows[0]).toEqual({ s: null, r: 'string' });
    const arrayKind = await sql<{ k: string }>`select jsonb_typeof(result) as k from runs where id = ${run.id}`.execute(db);
    expect(arrayKind.rows[0].k).toBe('array');
  });

  test('timestamps come back as Date, and finishedAt round-trips exactly', async () => {
    const run = await newRun();
    const finishedAt = new Date('2024-02-29T23:59:58.765Z');
    const done = await updateRun(db, run.id, { status: 'completed', finishedAt });
    expect(done!.createdAt).toBeInstanceOf(Date);
    expect(done!.updatedAt).toBeInstanceOf(Date);
    expect(done!.finishedAt).toBeInstanceOf(Date);
    expect(done!.finishedAt!.toISOString()).toBe('2024-02-29T23:59:58.765Z');
    expect(Math.abs(done!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect((await updateRun(db, run.id, { finishedAt: null }))!.finishedAt).toBeNull();
  });
});

describe('openDatabase on postgres', () => {
  test('reports a failing migration by name and reason', async () => {
    const pg = await createTestPostgres();
    const dataDir = await mkdtemp(join(tmpdir(), 'testloom-db-'));
    try {
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      await client.query('create table specs (id int)');
      await client.end();
      await expect(openDatabase({ databaseUrl: pg.url, dataDir })).rejects.toThrow(
        /database migration "0001_initial" failed: relation "specs" already exists/,
      );
    } finally {
      await pg.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('openDatabase on PGlite', () => {

  test('a process killed while creating the database leaves none half-made: the next open creates it whole', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'testloom-db-'));
    try {
      const creator = spawn(process.execPath, [...TYPESCRIPT_LOADER, '-e', `require(${JSON.stringify(join(__dirname, '../../lib/db/open'))}).openDatabase({ dataDir: ${JSON.stringify(dataDir)} })`]);
      for (let waited = 0; !readdirSync(dataDir).some((name) => name.startsWith('pglite.creating-')); waited += 50) {
        if (waited > 30_000) throw new Error('the database creation never started');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      creator.kill('SIGKILL');
      await new Promise((resolve) => creator.once('exit', resolve));
      expect(existsSync(join(dataDir, 'pglite'))).toBe(false);

      const database = await openDatabase({ dataDir });
      try {
        const { rows } = await sql<{ specs: number }>`select count(*)::int as specs from specs`.execute(database.db);
        expect(rows).toEqual([{ specs: 0 }]); // migrated
        // The killed process's creating child notices and removes what it had made.
        for (let waited = 0; readdirSync(dataDir).length > 1; waited += 100) {
          if (waited > 30_000) throw new Error(`left beside the database: ${readdirSync(dataDir).join(', ')}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(readdirSync(dataDir)).toEqual(['pglite']);
        // Small shared buffers: PGlite touches all of them in its WebAssembly memory (resident memory).
        const { rows: settings } = await sql<{ sharedBuffers: string }>`show shared_buffers`.execute(database.db);
        expect(settings).toEqual([{ sharedBuffers: '8MB' }]); // CamelCasePlugin
      } finally {
        await database.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  test('a directory that is not a PGlite database is refused by name, and left as it was', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'testloom-db-'));
    try {
      await mkdir(join(dataDir, 'pglite'));
      await writeFile(join(dataDir, 'pglite', 'notes.txt'), 'mine');
      await expect(openDatabase({ dataDir })).rejects.toThrow(`${join(dataDir, 'pglite')} is not a PGlite database (it has no PG_VERSION)`);
      expect(readdirSync(join(dataDir, 'pglite'))).toEqual(['notes.txt']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
