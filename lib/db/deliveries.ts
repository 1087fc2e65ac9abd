import { sql, type Kysely } from 'kysely';
import type { DeliveryOutcome, Tables, WebhookDeliveryRow } from '../../schema/tables';

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

/** Records a delivery; a redelivery of the same id updates the row and counts it. */
export async function recordDelivery(db: Kysely<Tables>, delivery: DeliveryRecord): Promise<WebhookDeliveryRow> {
  const fields = {
    event: delivery.event,
    action: delivery.action ?? null,
    repository: delivery.repository ?? null,
    issueNumber: delivery.issueNumber ?? null,
    sender: delivery.sender ?? null,
    outcome: delivery.outcome,
    reason: delivery.reason ?? null,
    workflowId: delivery.workflowId ?? null,
    runId: delivery.runId ?? null,
  };
  return db
    .insertInto('webhookDeliveries')
    .values({ id: delivery.id, ...fields })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ ...fields, deliveries: sql<number>`webhook_deliveries.deliveries + 1`, updatedAt: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getDelivery(db: Kysely<Tables>, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhookDeliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listDeliveries(db: Kysely<Tables>, opts: { workflowId?: string; limit?: number } = {}): Promise<WebhookDeliveryRow[]> {
  let query = db.selectFrom('webhookDeliveries').selectAll();
  if (opts.workflowId) query = query.where('workflowId', '=', opts.workflowId);
  return query.orderBy('receivedAt', 'desc').orderBy('id').limit(opts.limit ?? 100).execute();
}
