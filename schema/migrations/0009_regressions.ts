import { sql, type Kysely } from 'kysely';

/**
 * Executions started by a Temporal Schedule (`schedule`), and regressions: tests that passed in the
 * previous completed execution of a run's suite against the same API and fail in this one. One row
 * per test and execution, so a retried report stores and posts nothing twice; the URLs say where it
 * was reported.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table executions drop constraint if exists executions_kind_check`.execute(db);
  await sql`alter table executions add constraint executions_kind_check check (kind in ('pipeline', 'request', 'schedule'))`.execute(db);
  await sql`
    create table regressions (
      execution_id text not null references executions (id) on delete cascade,
      run_id text not null references runs (id) on delete cascade,
      file text not null,
      full_name text not null,
      previous_execution_id text not null,
      failure text,
      comment_url text,
      issue_url text,
      created_at timestamptz not null default now(),
      primary key (execution_id, file, full_name)
    )`.execute(db);
  await sql`create index regressions_run_id_idx on regressions (run_id, created_at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists regressions`.execute(db);
  await sql`alter table executions drop constraint if exists executions_kind_check`.execute(db);
  await sql`alter table executions add constraint executions_kind_check check (kind in ('pipeline', 'request'))`.execute(db);
}
