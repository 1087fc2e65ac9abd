import { sql, type Kysely } from 'kysely';

/**
 * The webhook inbox: a delivery that asks for work is stored with its payload and acknowledged
 * (`outcome = 'accepted'`), then handled in the background; `next_attempt_at` is when a receiver
 * may claim it next (a claim moves it on by a lease, a failed attempt by a back-off).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table webhook_deliveries add column payload jsonb`.execute(db);
  await sql`alter table webhook_deliveries add column attempts integer not null default 0`.execute(db);
  await sql`alter table webhook_deliveries add column next_attempt_at timestamptz`.execute(db);
  await sql`create index webhook_deliveries_pending on webhook_deliveries (next_attempt_at) where outcome = 'accepted'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists webhook_deliveries_pending`.execute(db);
  await sql`update webhook_deliveries set outcome = 'failed', reason = 'not handled before the inbox was removed' where outcome = 'accepted'`.execute(db);
  for (const column of ['payload', 'attempts', 'next_attempt_at']) {
    await sql`alter table webhook_deliveries drop column if exists ${sql.ref(column)}`.execute(db);
  }
}
