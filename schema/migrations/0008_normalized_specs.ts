import { sql, type Kysely } from 'kysely';

/**
 * A spec's validated, dereferenced form, written once by the receive stage: later stages read it
 * instead of parsing and validating the spec again. Cycles are kept as internal $refs, so it is plain JSON.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table specs add column normalized text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table specs drop column if exists normalized`.execute(db);
}
