/**
 * The webhook inbox on its own (the harness runs no receiver, so no other inbox takes these
 * deliveries): deliveries stored as the receiver stores them are handled by whichever inbox runs,
 * each once, across processes sharing Postgres; a Temporal that refuses leaves them waiting and
 * retried, then handled; one that keeps refusing ends as `failed` with the reason.
 */
import { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { acceptDeliveries, getDelivery } from '../../lib/db/deliveries';
import { issueWorkflowId } from '../../lib/issues';
import { deliveryFields } from '../../lib/webhooks/handle-delivery';
import { WebhookInbox, type InboxOptions } from '../../lib/webhooks/inbox';
import { createHarness, type Harness } from '../support/harness';
import { eventually, handledDeliveries, handledDelivery, issuesEvent, TRIGGER_LABEL } from '../support/github-deliveries';
import { uniqueRepository } from '../support/retrieval';

describe('webhook inbox', () => {
  let harness: Harness;
  const inboxes: WebhookInbox[] = [];

  beforeAll(async () => {
    harness = await createHarness({ database: 'postgres' });
  });
  afterEach(async () => {
    await Promise.all(inboxes.splice(0).map((inbox) => inbox.stop()));
  });
  afterAll(() => harness?.close());

  const inbox = (client: Client, options: InboxOptions = {}) => {
    const started = new WebhookInbox({ db: harness.database.db, client, config: harness.config, repoHost: harness.repoHost }, { pollMs: 100, ...options });
    inboxes.push(started);
    started.start();
    return started;
  };

  /** Stores a labelled-issue delivery exactly as the receiver does before it answers 202. */
  const store = async (repository: string, number: number) => {
    const payload = issuesEvent('labeled', { repository, number, labels: [TRIGGER_LABEL] });
    const id = `inbox-${repository}-${number}`;
    await acceptDeliveries(harness.database.db, [{ ...deliveryFields({ id, event: 'issues', payload }), payload }]);
    return id;
  };

  const handled = (id: string) => handledDelivery(harness, id, 30_000);

  it('handles deliveries stored before it started (a receiver that crashed after answering), each once across two inboxes', async () => {
    const repository = uniqueRepository('inbox');
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => store(repository, i + 1)));
    // Two processes' inboxes on one Postgres: each delivery is claimed by one of them.
    inbox(harness.client, { batchSize: 3 });
    inbox(harness.client, { batchSize: 3 });
    const rows = await handledDeliveries(harness, ids, 30_000);
    expect(rows.map((row) => [row.outcome, row.attempts, row.payload, row.nextAttemptAt])).toEqual(ids.map(() => ['started', 1, null, null]));
    expect(rows.map((row) => row.workflowId)).toEqual(ids.map((_, i) => issueWorkflowId({ repository, number: i + 1 })));
    // Temporal's visibility store lags the starts a little: wait until it lists them all, then count.
    const executions = await eventually(async () => {
      const listed = [];
      for await (const execution of harness.client.workflow.list({ query: `TestloomRepository = "${repository}"` })) listed.push(execution.workflowId);
      return listed.length >= 20 ? listed : undefined;
    });
    expect(executions).toHaveLength(20);
  });

  it('keeps a delivery Temporal refuses, retries it, and handles it once Temporal answers', async () => {
    const repository = uniqueRepository('inbox');
    const id = await store(repository, 1);
    // A namespace Temporal does not have: every start is refused, as in an outage.
    const refused = new Client({ connection: harness.client.connection, namespace: 'no-such-namespace' });
    const failing = inbox(refused, { retryDelayMs: () => 300 });
    const waited = await eventually(async () => {
      const row = (await getDelivery(harness.database.db, id))!;
      return row.attempts >= 2 ? row : undefined;
    });
    expect(waited).toMatchObject({ outcome: 'accepted', reason: expect.stringMatching(/^attempt \d+ failed, will retry: .*no-such-namespace/) });
    expect(waited.payload).not.toBeNull();
    await failing.stop();

    inbox(harness.client, { retryDelayMs: () => 300 });
    const row = await handled(id);
    expect(row).toMatchObject({ outcome: 'started', reason: null, workflowId: issueWorkflowId({ repository, number: 1 }), payload: null });
    expect(row.attempts).toBeGreaterThanOrEqual(3);
  });

  it('keeps the later deliveries about an issue back while an earlier one waits to be retried, then handles them in order', async () => {
    const repository = uniqueRepository('inbox');
    const labelled = await store(repository, 1);
    const closed = 'inbox-closed';
    const closing = issuesEvent('closed', { repository, number: 1 });
    await acceptDeliveries(harness.database.db, [{ ...deliveryFields({ id: closed, event: 'issues', payload: closing }), payload: closing }]);
    const refused = new Client({ connection: harness.client.connection, namespace: 'no-such-namespace' });
    const failing = inbox(refused, { retryDelayMs: () => 300 });
    await eventually(async () => ((await getDelivery(harness.database.db, labelled))!.attempts >= 2 ? true : undefined));
    await failing.stop();
    // The close came later: it was never handled (a cancel before the start would leave the run going).
    expect(await getDelivery(harness.database.db, closed)).toMatchObject({ outcome: 'accepted', attempts: 0 });

    inbox(harness.client, { retryDelayMs: () => 300 });
    expect(await handled(labelled)).toMatchObject({ outcome: 'started' });
    expect(await handled(closed)).toMatchObject({ outcome: 'cancelled', attempts: 1 });
  });

  it('gives a delivery up as failed, saying why, after its last attempt', async () => {
    const repository = uniqueRepository('inbox');
    const id = await store(repository, 1);
    const refused = new Client({ connection: harness.client.connection, namespace: 'no-such-namespace' });
    inbox(refused, { maxAttempts: 2, retryDelayMs: () => 100 });
    const row = await handled(id);
    expect(row).toMatchObject({ outcome: 'failed', attempts: 2, payload: null, nextAttemptAt: null, reason: expect.stringMatching(/^attempt 2: .*no-such-namespace/) });
  });

  it('deletes the records of deliveries handled longer ago than the retention, never one still waiting', async () => {
    const repository = uniqueRepository('inbox');
    const [oldStarted, oldIgnored, oldWaiting, recent] = await Promise.all([1, 2, 3, 4].map((number) => store(repository, number)));
    const { db } = harness.database;
    const ended = { payload: null, nextAttemptAt: null };
    await db.updateTable('webhookDeliveries').set({ ...ended, outcome: 'started' }).where('id', 'in', [oldStarted, recent]).execute();
    await db.updateTable('webhookDeliveries').set({ ...ended, outcome: 'ignored' }).where('id', '=', oldIgnored).execute();
    // Still waiting, its next attempt an hour away (an outage being ridden out).
    await db.updateTable('webhookDeliveries').set({ nextAttemptAt: new Date(Date.now() + 3_600_000) }).where('id', '=', oldWaiting).execute();
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await sql`update webhook_deliveries set received_at = ${longAgo} where id in (${sql.join([oldStarted, oldIgnored, oldWaiting])})`.execute(db);

    inbox(harness.client, { retentionMs: 30 * 86_400_000, purgeEveryMs: 0 });
    await eventually(async () => ((await getDelivery(db, oldStarted)) || (await getDelivery(db, oldIgnored)) ? undefined : true));
    expect(await getDelivery(db, oldWaiting)).toMatchObject({ outcome: 'accepted', attempts: 0 });
    expect(await getDelivery(db, recent)).toMatchObject({ outcome: 'started' });
  });
});
