import { type Kysely, sql } from 'kysely';
import type { ReviewRow, Tables } from '../../schema/tables';

export interface ReviewInput {
  repository: string;
  headBranch: string;
  baseBranch: string;
  title: string;
  body: string;
  diff: string;
  headSha: string;
  runId: string | null;
}

/**
 * Opens the review for (repository, headBranch) or updates the existing one, atomically, and says
 * which review it is. `created` is true only for the call that inserted the row. The status of an
 * existing review is kept. The diff (tens of KB) is sent once and not read back.
 */
export async function upsertReview(db: Kysely<Tables>, input: ReviewInput): Promise<{ id: number; created: boolean }> {
  const { repository, headBranch, ...changes } = input;
  const row = await db
    .insertInto('reviews')
    .values({ repository, headBranch, ...changes })
    .onConflict((oc) =>
      oc.columns(['repository', 'headBranch']).doUpdateSet((eb) => ({
        baseBranch: eb.ref('excluded.baseBranch'),
        title: eb.ref('excluded.title'),
        body: eb.ref('excluded.body'),
        diff: eb.ref('excluded.diff'),
        headSha: eb.ref('excluded.headSha'),
        runId: eb.ref('excluded.runId'),
        updatedAt: sql<Date>`now()`,
      })),
    )
    .returning('id')
    // xmax is 0 only on a freshly inserted row version; an ON CONFLICT update sets it to the updating transaction.
    .returning(sql<boolean>`xmax = 0`.as('created'))
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), created: row.created };
}

/** What a run's view shows of its review: not the diff (tens of KB). */
export async function getReviewSummary(db: Kysely<Tables>, repository: string, headBranch: string) {
  return db
    .selectFrom('reviews')
    .select(['id', 'title', 'status', 'headBranch', 'headSha'])
    .where('repository', '=', repository)
    .where('headBranch', '=', headBranch)
    .executeTakeFirst();
}

/** Reviews of a repository, newest first. */
export async function listReviews(db: Kysely<Tables>, repository: string): Promise<ReviewRow[]> {
  return db
    .selectFrom('reviews')
    .selectAll()
    .where('repository', '=', repository)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
