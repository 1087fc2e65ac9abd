import { sql, type Kysely } from 'kysely';

/**
 * Issue runs: the local git host's issues and collaborators (what GitHub keeps for a GitHub
 * repository), and every webhook delivery the receiver accepted, keyed by GitHub's delivery id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table local_issues (
      repository text not null,
      number integer not null check (number > 0),
      title text not null,
      body text not null default '',
      labels jsonb not null default '[]',
      author text not null,
      state text not null check (state in ('open', 'closed')),
      updated_at timestamptz not null default now(),
      primary key (repository, number)
    )`.execute(db);

  await sql`
    create table local_collaborators (
      repository text not null,
      login text not null,
      permission text not null check (permission in ('admin', 'maintain', 'write', 'triage', 'read')),
      primary key (repository, login)
    )`.execute(db);

  await sql`
    create table webhook_deliveries (
      id text primary key,
      event text not null,
      action text,
      repository text,
      issue_number integer,
      sender text,
      outcome text not null,
      reason text,
      workflow_id text,
      run_id text,
      deliveries integer not null default 1,
      received_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index webhook_deliveries_workflow on webhook_deliveries (workflow_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['webhook_deliveries', 'local_collaborators', 'local_issues']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
