import { sql, type Kysely } from 'kysely';

/** The local git host's issue comments: one per (issue, marker), updated in place like testloom's GitHub comment. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table local_issue_comments (
      id bigint generated always as identity primary key,
      repository text not null,
      issue_number integer not null,
      marker text not null,
      body text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (repository, issue_number, marker)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists local_issue_comments`.execute(db);
}
