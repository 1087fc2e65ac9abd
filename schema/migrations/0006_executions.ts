import { sql, type Kysely } from 'kysely';

/**
 * Executions of a run's generated suite against a live API (the pipeline's execute stage, or a later
 * request), and what validation decided about each generated file: delivered as generated, delivered
 * edited (flaky or unrepairable tests removed, repaired tests in), or withheld with the reason.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table executions (
      id text primary key,
      run_id text not null references runs (id) on delete cascade,
      workflow_id text not null,
      kind text not null check (kind in ('pipeline', 'request')),
      target jsonb not null,
      status text not null check (status in ('running', 'completed', 'skipped', 'failed')),
      summary jsonb,
      report jsonb,
      error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index executions_run_id_idx on executions (run_id, created_at desc)`.execute(db);
  await sql`alter table artifacts add column delivered_content text`.execute(db);
  await sql`alter table artifacts add column withheld_reason text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table artifacts drop column if exists withheld_reason`.execute(db);
  await sql`alter table artifacts drop column if exists delivered_content`.execute(db);
  await sql`drop table if exists executions`.execute(db);
}
