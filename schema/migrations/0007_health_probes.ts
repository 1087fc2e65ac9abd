import { sql, type Kysely } from 'kysely';

/** One row per probe, rewritten by every health check: proves the database takes writes, not only reads. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table health_probes (
      name text primary key,
      checked_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists health_probes`.execute(db);
}
