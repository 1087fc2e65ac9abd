/**
 * Receiving a verified delivery: answered at once from its payload and the database, never from
 * the repository host or Temporal. One that asks for nothing is recorded as ignored; one that may
 * act is stored for the inbox (lib/webhooks/inbox.ts); a redelivery of one that acted already is
 * answered as the first time was.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import { acceptDelivery, ACTED_OUTCOMES, recordDelivery, type AcceptedDelivery } from '../db/deliveries';
import type { Delivery } from './delivery';
import { deliveryFields, triageDelivery } from './handle-delivery';

export type Receipt =
  /** Nothing to do (recorded with the reason). */
  | { kind: 'ignored'; reason: string }
  /** Stored; the inbox handles it. */
  | { kind: 'accepted' }
  /** Handled before (started or signalled a run): `row` says how; nothing is done again. */
  | { kind: 'duplicate'; row: AcceptedDelivery };

/** Throws MalformedPayloadError for a payload that is not the event it claims to be (nothing is stored). */
export async function receiveDelivery(db: Kysely<Tables>, delivery: Delivery & { payload: Record<string, unknown> }): Promise<Receipt> {
  const triage = triageDelivery(delivery.event, delivery.payload);
  const fields = deliveryFields(delivery);
  if (!triage.handle) {
    await recordDelivery(db, { ...fields, outcome: 'ignored', reason: triage.reason });
    return { kind: 'ignored', reason: triage.reason };
  }
  const row = await acceptDelivery(db, { ...fields, payload: delivery.payload });
  return ACTED_OUTCOMES.includes(row.outcome) ? { kind: 'duplicate', row } : { kind: 'accepted' };
}
