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
 * Opens the review for (repository, headBranch) or updates the existing one, atomically.
 * `created` is true only for the call that inserted the row. The status of an existing review is kept.
 */
export async function upsertReview(db: Kysely<Tables>, input: ReviewInput): Promise<{ review: ReviewRow; created: boolean }> {
  const { repository, headBranch, ...changes } = input;
  const row = await db
    .insertInto('reviews')
    .values({ repository, headBranch, ...changes })
    .onConflict((oc) =>
      oc.columns(['repository', 'headBranch']).doUpdateSet({ ...changes, updatedAt: sql<Date>`now()` }),
    )
    .returningAll()
    // xmax is 0 only on a freshly inserted row version; an ON CONFLICT update sets it to the updating transaction.
    .returning(sql<boolean>`xmax = 0`.as('created'))
    .executeTakeFirstOrThrow();
  const { created, ...review } = row;
  return { review, created };
}

export async function getReview(db: Kysely<Tables>, repository: string, headBranch: string): Promise<ReviewRow | undefined> {
  return db
    .selectFrom('reviews')
    .selectAll()
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
