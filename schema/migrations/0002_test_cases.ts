import { sql, type Kysely } from 'kysely';

/**
 * The test cases a run generated, one row each: what finalize indexes for retrieval and what later
 * stages (execution, PR body) report on. Replaced as a set, like artifacts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table test_cases (
      id bigint generated always as identity primary key,
      run_id text not null references runs (id) on delete cascade,
      case_id text not null,
      kind text not null,
      title text not null,
      operation_id text,
      method text,
      path text,
      expected_status text,
      file text not null,
      created_at timestamptz not null default now(),
      unique (run_id, case_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists test_cases`.execute(db);
}
