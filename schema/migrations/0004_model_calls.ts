import { sql, type Kysely } from 'kysely';

/**
 * LLM gateway: every model call (and cache hit, and refusal) with tokens, latency and cost, and
 * the response cache keyed by the sha256 of provider, model, parameters, system, prompt and schema.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table model_calls (
      id bigint generated always as identity primary key,
      run_id text,
      repository text,
      task text not null,
      provider text not null,
      model text not null,
      attempt integer not null default 0,
      tokens_in integer not null default 0,
      tokens_out integer not null default 0,
      latency_ms integer not null default 0,
      cost_usd double precision,
      cache_hit boolean not null default false,
      outcome text not null check (outcome in ('ok', 'invalid', 'unavailable', 'error', 'cancelled', 'budget_exceeded')),
      error text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index model_calls_run on model_calls (run_id)`.execute(db);
  await sql`create index model_calls_repository on model_calls (repository, created_at)`.execute(db);

  await sql`
    create table model_responses (
      key text primary key,
      provider text not null,
      model text not null,
      text text not null,
      json jsonb,
      tokens_in integer not null,
      tokens_out integer not null,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['model_responses', 'model_calls']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
