/**
 * The local git host's issue tracker: issues and collaborators of repositories that live on this
 * machine. Webhook deliveries keep it current for repositories whose issues live on GitHub.
 */
import { sql, type Kysely } from 'kysely';
import type { LocalIssueCommentRow, LocalIssueRow, Permission, Tables } from '../../schema/tables';
import { jsonb } from './json';

export interface LocalIssue {
  repository: string;
  number: number;
  title: string;
  body?: string;
  labels: string[];
  author: string;
  state: 'open' | 'closed';
}

export async function saveLocalIssue(db: Kysely<Tables>, issue: LocalIssue): Promise<void> {
  const values = {
    title: issue.title,
    body: issue.body ?? '',
    labels: jsonb(issue.labels),
    author: issue.author,
    state: issue.state,
  };
  await db
    .insertInto('localIssues')
    .values({ repository: issue.repository, number: issue.number, ...values })
    .onConflict((oc) => oc.columns(['repository', 'number']).doUpdateSet({ ...values, updatedAt: new Date() }))
    .execute();
}

export async function getLocalIssue(db: Kysely<Tables>, repository: string, number: number): Promise<LocalIssueRow | undefined> {
  return db.selectFrom('localIssues').selectAll().where('repository', '=', repository).where('number', '=', number).executeTakeFirst();
}

export async function setCollaborator(db: Kysely<Tables>, repository: string, login: string, permission: Permission): Promise<void> {
  await db
    .insertInto('localCollaborators')
    .values({ repository, login, permission })
    .onConflict((oc) => oc.columns(['repository', 'login']).doUpdateSet({ permission }))
    .execute();
}

export async function getCollaboratorPermission(db: Kysely<Tables>, repository: string, login: string): Promise<Permission | undefined> {
  const row = await db
    .selectFrom('localCollaborators')
    .select('permission')
    .where('repository', '=', repository)
    .where((eb) => eb(eb.fn('lower', ['login']), '=', login.toLowerCase()))
    .executeTakeFirst();
  return row?.permission;
}

/** Creates the issue's comment holding `marker`, or replaces its body; `created` only for the insert. */
export async function upsertLocalIssueComment(
  db: Kysely<Tables>,
  comment: { repository: string; issueNumber: number; marker: string; body: string },
): Promise<{ comment: LocalIssueCommentRow; created: boolean }> {
  const row = await db
    .insertInto('localIssueComments')
    .values(comment)
    .onConflict((oc) => oc.columns(['repository', 'issueNumber', 'marker']).doUpdateSet({ body: comment.body, updatedAt: sql<Date>`now()` }))
    .returningAll()
    // xmax is 0 only on a freshly inserted row version; an ON CONFLICT update sets it.
    .returning(sql<boolean>`xmax = 0`.as('created'))
    .executeTakeFirstOrThrow();
  const { created, ...stored } = row;
  return { comment: stored, created };
}

export async function listLocalIssueComments(db: Kysely<Tables>, repository: string, issueNumber: number): Promise<LocalIssueCommentRow[]> {
  return db.selectFrom('localIssueComments').selectAll().where('repository', '=', repository).where('issueNumber', '=', issueNumber).orderBy('id').execute();
}

/**
 * The repository's issue whose body holds `marker`, or a new one numbered after the last: a
 * retried caller finds what it opened before. `created` only for the insert.
 */
export async function createLocalIssueOnce(
  db: Kysely<Tables>,
  issue: { repository: string; title: string; body: string; labels: string[]; author: string; marker: string },
): Promise<{ number: number; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('localIssues')
      .select('number')
      .where('repository', '=', issue.repository)
      .where(sql<number>`strpos(body, ${issue.marker})`, '>', 0)
      .orderBy('number')
      .executeTakeFirst();
    if (existing) return { number: existing.number, created: false };
    const last = await trx.selectFrom('localIssues').select((eb) => eb.fn.max('number').as('number')).where('repository', '=', issue.repository).executeTakeFirst();
    const number = Number(last?.number ?? 0) + 1;
    await trx
      .insertInto('localIssues')
      .values({ repository: issue.repository, number, title: issue.title, body: issue.body, labels: jsonb(issue.labels), author: issue.author, state: 'open' })
      .execute();
    return { number, created: true };
  });
}
