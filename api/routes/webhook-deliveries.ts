import { Router } from 'express';
import { getDelivery } from '../../lib/db/deliveries';
import type { WebhookDeliveryRow } from '../../schema/tables';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';

/** A delivery as the API shows it: what GitHub sent (not its payload) and what testloom made of it. */
function viewDelivery(row: WebhookDeliveryRow) {
  const present = <T>(value: T | null) => (value === null ? undefined : value);
  return {
    id: row.id,
    event: row.event,
    action: present(row.action),
    repository: present(row.repository),
    issueNumber: present(row.issueNumber),
    sender: present(row.sender),
    outcome: row.outcome,
    reason: present(row.reason),
    workflowId: present(row.workflowId),
    runId: present(row.runId),
    deliveries: row.deliveries,
    attempts: row.attempts,
    nextAttemptAt: present(row.nextAttemptAt)?.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    links: row.runId ? { run: `/api/v1/runs/${row.runId}` } : {},
  };
}

/** `GET /api/v1/webhook-deliveries/:id`: what became of a delivery the receiver answered `accepted`. */
export function webhookDeliveriesRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/webhook-deliveries/:id', async (req, res) => {
    // Postgres text cannot hold NUL: no delivery has such an id.
    const row = req.params.id.includes('\0') ? undefined : await getDelivery(deps.db, req.params.id);
    if (!row) throw notFound(`webhook delivery ${req.params.id}`);
    res.json(viewDelivery(row));
  });
  return router;
}
