/**
 * Receiving a verified delivery: answered at once from its payload and the database, never from
 * the repository host or Temporal. One that asks for nothing is recorded as ignored; one that may
 * act is stored for the inbox (lib/webhooks/inbox.ts); a redelivery of one that acted already is
 * answered as the first time was.
 */
import type { Kysely } from 'kysely';
import type { Tables, WebhookDeliveryRow } from '../../schema/tables';
import {
  acceptDeliveries,
  ACTED_OUTCOMES,
  recordDeliveries,
  type AcceptedDelivery,
  type DeliveryRecord,
  type DeliveryToAccept,
} from '../db/deliveries';
import { WriteGroups } from '../db/write-groups';
import type { Delivery } from './delivery';
import { deliveryFields, triageDelivery } from './handle-delivery';

export type Receipt =
  /** Nothing to do (recorded with the reason). */
  | { kind: 'ignored'; reason: string }
  /** Stored; the inbox handles it. */
  | { kind: 'accepted' }
  /** Handled before (started or signalled a run): `row` says how; nothing is done again. */
  | { kind: 'duplicate'; row: AcceptedDelivery };

/**
 * One per process and database. Deliveries that arrive together are stored in one statement
 * (lib/db/write-groups.ts); each is answered once its own row has committed.
 */
export class DeliveryReceiver {
  private readonly accepted: WriteGroups<DeliveryToAccept, AcceptedDelivery>;
  private readonly recorded: WriteGroups<DeliveryRecord, WebhookDeliveryRow>;

  constructor(db: Kysely<Tables>) {
    this.accepted = new WriteGroups((deliveries) => acceptDeliveries(db, deliveries), (delivery) => delivery.id);
    this.recorded = new WriteGroups((deliveries) => recordDeliveries(db, deliveries), (delivery) => delivery.id);
  }

  /**
   * `bytes`: the size of the payload as received, which bounds how many deliveries share a statement.
   * Throws MalformedPayloadError for a payload that is not the event it claims to be (nothing is stored).
   */
  async receive(delivery: Delivery & { payload: Record<string, unknown>; bytes: number }): Promise<Receipt> {
    const triage = triageDelivery(delivery.event, delivery.payload);
    const fields = deliveryFields(delivery);
    if (!triage.handle) {
      await this.recorded.write({ ...fields, outcome: 'ignored', reason: triage.reason });
      return { kind: 'ignored', reason: triage.reason };
    }
    const row = await this.accepted.write({ ...fields, payload: delivery.payload }, delivery.bytes);
    return ACTED_OUTCOMES.includes(row.outcome) ? { kind: 'duplicate', row } : { kind: 'accepted' };
  }
}
