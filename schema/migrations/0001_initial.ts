import { type Kysely, sql } from 'kysely';

// Migrations are history: keep the enumerations spelled out here rather than imported,
// so a later change to the TypeScript unions cannot silently rewrite this migration.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table specs (
      id text primary key,
      content text not null,
      format text not null check (format in ('json', 'yaml')),
      source_kind text not null check (source_kind in ('upload', 'path', 'url')),
      source_location text,
      title text,
      openapi_version text,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table runs (
      id text primary key,
      workflow_id text not null,
      trigger text not null check (trigger in ('spec', 'issue')),
      repository text not null,
      spec_id text references specs (id),
      subject jsonb,
      status text not null default 'queued'
        check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
      stage text,
      error text,
      error_stage text,
      details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
      result jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index runs_workflow_id_idx on runs (workflow_id)`.execute(db);
  await sql`create index runs_status_idx on runs (status)`.execute(db);
  await sql`create index runs_trigger_idx on runs (trigger)`.execute(db);
  await sql`create index runs_repository_idx on runs (repository)`.execute(db);
  await sql`create index runs_created_at_id_idx on runs (created_at desc, id desc)`.execute(db);

  await sql`
    create table stage_events (
      id bigint generated always as identity primary key,
      run_id text not null references runs (id) on delete cascade,
      stage text not null,
      attempt integer not null check (attempt >= 1),
      started_at timestamptz not null default now(),
      ended_at timestamptz,
      outcome text not null check (outcome in ('running', 'succeeded', 'failed', 'abandoned', 'cancelled')),
      error text,
      details jsonb,
      unique (run_id, stage, attempt)
    )`.execute(db);

  await sql`
    create table artifacts (
      id bigint generated always as identity primary key,
      run_id text not null references runs (id) on delete cascade,
      path text not null,
      kind text not null check (kind in ('test', 'helper', 'doc')),
      content text not null,
      sha256 text not null,
      created_at timestamptz not null default now(),
      unique (run_id, path)
    )`.execute(db);

  await sql`
    create table reviews (
      id bigint generated always as identity primary key,
      repository text not null,
      head_branch text not null,
      base_branch text not null,
      title text not null,
      body text not null,
      diff text not null,
      head_sha text not null,
      status text not null default 'open' check (status in ('open', 'closed', 'merged')),
      run_id text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (repository, head_branch)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['reviews', 'artifacts', 'stage_events', 'runs', 'specs']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
