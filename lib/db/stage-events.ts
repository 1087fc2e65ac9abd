import { type Kysely, sql } from 'kysely';
import type { StageEventRow, StageOutcome, Tables } from '../../schema/tables';
import type { JsonObject } from '../core/json';
import type { StageName } from '../core/run';
import { nullableJsonb } from './json';

export interface StageAttempt {
  runId: string;
  stage: StageName;
  /** Temporal activity attempt, starting at 1. */
  attempt: number;
}

export interface StageEnd extends StageAttempt {
  outcome: Exclude<StageOutcome, 'running'>;
  error?: string | null;
  details?: JsonObject;
}

export const ABANDONED_ERROR = 'worker lost before the attempt finished';

/**
 * Records the start of an attempt and makes it the run's current stage (status `running`). An
 * earlier attempt of the same stage that never ended belonged to a worker that died; it is closed
 * as 'abandoned'. Re-starting the same attempt resets it to 'running'.
 */
export async function startStage(db: Kysely<Tables>, at: StageAttempt): Promise<StageEventRow> {
  // One statement (data-modifying WITHs), so atomic without a transaction: one round trip instead of five.
  return db
    .with('abandoned', (qb) =>
      qb
        .updateTable('stageEvents')
        .set({ outcome: 'abandoned', endedAt: sql<Date>`now()`, error: ABANDONED_ERROR })
        .where('runId', '=', at.runId)
        .where('stage', '=', at.stage)
        .where('attempt', '<', at.attempt)
        .where('endedAt', 'is', null)
        .returning('id'),
    )
    .with('current', (qb) =>
      qb
        .updateTable('runs')
        .set({ status: 'running', stage: at.stage, updatedAt: sql<Date>`now()` })
        .where('id', '=', at.runId)
        .returning('id'),
    )
    .insertInto('stageEvents')
    .values({ runId: at.runId, stage: at.stage, attempt: at.attempt, startedAt: sql<Date>`now()`, outcome: 'running' })
    .onConflict((oc) =>
      oc.columns(['runId', 'stage', 'attempt']).doUpdateSet({
        startedAt: sql<Date>`now()`,
        outcome: 'running',
        endedAt: null,
        error: null,
        details: null,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Records the end of an attempt (creating the row if its start was never recorded). */
export async function endStage(db: Kysely<Tables>, end: StageEnd): Promise<StageEventRow> {
  const fields = { outcome: end.outcome, error: end.error ?? null, details: nullableJsonb(end.details) };
  return db
    .insertInto('stageEvents')
    .values({ runId: end.runId, stage: end.stage, attempt: end.attempt, endedAt: sql<Date>`now()`, ...fields })
    .onConflict((oc) => oc.columns(['runId', 'stage', 'attempt']).doUpdateSet({ endedAt: sql<Date>`now()`, ...fields }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listStageEvents(db: Kysely<Tables>, runId: string): Promise<StageEventRow[]> {
  return db.selectFrom('stageEvents').selectAll().where('runId', '=', runId).orderBy('startedAt').orderBy('id').execute();
}
