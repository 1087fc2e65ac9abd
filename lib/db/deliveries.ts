import { sql, type Kysely } from 'kysely';
import type { DeliveryOutcome, Tables, WebhookDeliveryRow } from '../../schema/tables';
import { jsonb } from './json';

export interface DeliveryRecord {
  /** GitHub's `X-GitHub-Delivery`; a redelivery carries the same id. */
  id: string;
  event: string;
  action?: string;
  repository?: string;
  issueNumber?: number;
  sender?: string;
  outcome: DeliveryOutcome;
  reason?: string;
  workflowId?: string;
  runId?: string;
}

/** Outcomes that started or signalled a run: a redelivery of such a delivery is answered as before, never acted on again. */
export const ACTED_OUTCOMES: readonly DeliveryOutcome[] = ['started', 'existing', 'signalled', 'cancelled'];

/** The columns a delivery's headers and payload fill. */
function whatGithubSent(delivery: Pick<DeliveryRecord, 'event' | 'action' | 'repository' | 'issueNumber' | 'sender'>) {
  return {
    event: delivery.event,
    action: delivery.action ?? null,
    repository: delivery.repository ?? null,
    issueNumber: delivery.issueNumber ?? null,
    sender: delivery.sender ?? null,
  };
}

/**
 * Records deliveries (of different ids) in one statement; a redelivery of an id updates its row and
 * counts it. Rows in the order given.
 */
export async function recordDeliveries(db: Kysely<Tables>, deliveries: DeliveryRecord[]): Promise<WebhookDeliveryRow[]> {
  const rows = deliveries.map((delivery) => ({
    id: delivery.id,
    ...whatGithubSent(delivery),
    outcome: delivery.outcome,
    reason: delivery.reason ?? null,
    workflowId: delivery.workflowId ?? null,
    runId: delivery.runId ?? null,
  }));
  const written = await db
    .insertInto('webhookDeliveries')
    .values(rows)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        event: eb.ref('excluded.event'),
        action: eb.ref('excluded.action'),
        repository: eb.ref('excluded.repository'),
        issueNumber: eb.ref('excluded.issueNumber'),
        sender: eb.ref('excluded.sender'),
        outcome: eb.ref('excluded.outcome'),
        reason: eb.ref('excluded.reason'),
        workflowId: eb.ref('excluded.workflowId'),
        runId: eb.ref('excluded.runId'),
        deliveries: sql<number>`webhook_deliveries.deliveries + 1`,
        updatedAt: new Date(),
      })),
    )
    .returningAll()
    .execute();
  return inOrderOf(deliveries, written);
}

/** Rows returned by a multi-row statement (in no set order), in the order of what was written. */
function inOrderOf<Row extends { id: string }>(asked: { id: string }[], rows: Row[]): Row[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return asked.map(({ id }) => {
    const row = byId.get(id);
    if (!row) throw new Error(`webhook delivery ${id} was not written`);
    return row;
  });
}

export async function getDelivery(db: Kysely<Tables>, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhookDeliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listDeliveries(db: Kysely<Tables>, opts: { workflowId?: string; limit?: number } = {}): Promise<WebhookDeliveryRow[]> {
  let query = db.selectFrom('webhookDeliveries').selectAll();
  if (opts.workflowId) query = query.where('workflowId', '=', opts.workflowId);
  return query.orderBy('receivedAt', 'desc').orderBy('id').limit(opts.limit ?? 100).execute();
}

/** What the receiver answers a delivery it stored with: how it was handled, if it was already. */
export type AcceptedDelivery = Pick<WebhookDeliveryRow, 'outcome' | 'workflowId' | 'runId'>;

export type DeliveryToAccept = Omit<DeliveryRecord, 'outcome' | 'reason' | 'workflowId' | 'runId'> & { payload: unknown };

/**
 * Stores deliveries (of different ids) that ask for work as `accepted`, with their payloads, in one
 * statement, to be handled by the inbox. A redelivery is counted; it is queued again only if the
 * delivery neither acted already nor waits to be handled (an ignored or failed one is looked at
 * afresh), so each answer's outcome says which: `accepted`, or the earlier acting outcome. Answers
 * in the order given.
 */
export async function acceptDeliveries(db: Kysely<Tables>, deliveries: DeliveryToAccept[]): Promise<AcceptedDelivery[]> {
  const keep = sql<boolean>`webhook_deliveries.outcome in (${sql.join([...ACTED_OUTCOMES, 'accepted'])})`;
  const keptOr = <T>(column: string, fresh: unknown) => sql<T>`case when ${keep} then ${sql.ref(`webhook_deliveries.${column}`)} else ${fresh} end`;
  const rows = deliveries.map((delivery) => ({
    id: delivery.id,
    ...whatGithubSent(delivery),
    outcome: 'accepted' as const,
    payload: jsonb(delivery.payload),
    nextAttemptAt: sql<Date>`now()`,
  }));
  const written = await db
    .insertInto('webhookDeliveries')
    .values(rows)
    .onConflict((oc) => oc.column('id').doUpdateSet({
      deliveries: sql<number>`webhook_deliveries.deliveries + 1`,
      updatedAt: new Date(),
      outcome: keptOr<DeliveryOutcome>('outcome', 'accepted'),
      payload: keptOr('payload', sql.ref('excluded.payload')),
      attempts: keptOr<number>('attempts', 0),
      nextAttemptAt: keptOr<Date>('next_attempt_at', sql`now()`),
      reason: keptOr<string>('reason', null),
    }))
    // Not the stored payload: reading it back would cost a parse of its ~10 KB per delivery.
    .returning(['id', 'outcome', 'workflowId', 'runId'])
    .execute();
  return inOrderOf(deliveries, written).map(({ outcome, workflowId, runId }) => ({ outcome, workflowId, runId }));
}

/**
 * Claims up to `limit` accepted deliveries that are due, oldest first, none ahead of an earlier
 * waiting delivery about the same issue, for `leaseMs`: until then no
 * other receiver (another API process on the same database) takes them. Counts the attempt.
 */
export async function claimDeliveries(db: Kysely<Tables>, limit: number, leaseMs: number): Promise<WebhookDeliveryRow[]> {
  const due = db
    .selectFrom('webhookDeliveries as d')
    .select('d.id')
    .where('d.outcome', '=', 'accepted')
    .where('d.nextAttemptAt', '<=', sql<Date>`now()`)
    // Never past an earlier delivery about the same issue that waits (claimed elsewhere, or to be retried).
    .where((eb) => eb.not(eb.exists(eb.selectFrom('webhookDeliveries as e')
      .select('e.id')
      .where('e.outcome', '=', 'accepted')
      .whereRef('e.repository', '=', 'd.repository')
      .whereRef('e.issueNumber', '=', 'd.issueNumber')
      .whereRef('e.receivedAt', '<', 'd.receivedAt')
      .where('e.nextAttemptAt', '>', sql<Date>`now()`))))
    .orderBy('d.receivedAt')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  const claimed = await db
    .updateTable('webhookDeliveries')
    .set({ attempts: sql<number>`attempts + 1`, nextAttemptAt: sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return claimed.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id));
}

/**
 * Deletes up to `limit` deliveries received before `before` whose handling has ended (any outcome
 * but `accepted`: one still waiting is never removed); returns how many went.
 */
export async function purgeDeliveries(db: Kysely<Tables>, before: Date, limit = 1_000): Promise<number> {
  const old = db.selectFrom('webhookDeliveries').select('id').where('outcome', '!=', 'accepted').where('receivedAt', '<', before).limit(limit);
  const deleted = await db.deleteFrom('webhookDeliveries').where('id', 'in', old).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/** What handling an accepted delivery came to. */
export type DeliveryFinish = Pick<DeliveryRecord, 'id' | 'outcome' | 'reason' | 'workflowId' | 'runId'>;

/** Writes what handling accepted deliveries (of different ids) came to, in one statement, and lets their payloads go. */
export async function finishDeliveries(db: Kysely<Tables>, finishes: DeliveryFinish[]): Promise<void> {
  const handled = sql.join(finishes.map((f) => sql`(${f.id}::text, ${f.outcome}::text, ${f.reason ?? null}::text, ${f.workflowId ?? null}::text, ${f.runId ?? null}::text)`));
  await sql`
    update webhook_deliveries as d
    set outcome = h.outcome, reason = h.reason, workflow_id = h.workflow_id, run_id = h.run_id,
        payload = null, next_attempt_at = null, updated_at = now()
    from (values ${handled}) as h (id, outcome, reason, workflow_id, run_id)
    where d.id = h.id and d.outcome = 'accepted'`.execute(db);
}

/** An attempt failed: the delivery stays accepted and is due again after `delayMs`, saying why. */
export async function retryDeliveryLater(db: Kysely<Tables>, id: string, delayMs: number, reason: string): Promise<void> {
  await db
    .updateTable('webhookDeliveries')
    .set({ reason, nextAttemptAt: sql<Date>`now() + ${`${delayMs} milliseconds`}::interval`, updatedAt: new Date() })
    .where('id', '=', id)
    .where('outcome', '=', 'accepted')
    .execute();
}

/** Gives claimed deliveries back unhandled (an earlier one about their issue must be retried first); the claim's attempt is not counted. */
export async function releaseDeliveries(db: Kysely<Tables>, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db
    .updateTable('webhookDeliveries')
    .set({ nextAttemptAt: sql<Date>`now()`, attempts: sql<number>`greatest(attempts - 1, 0)` })
    .where('id', 'in', ids)
    .where('outcome', '=', 'accepted')
    .execute();
}
