import { type Kysely, sql } from 'kysely';
import type { RunRow, Tables } from '../../schema/tables';
import type { RunResult, Subject } from '../core/contract';
import type { RunDetails } from '../core/run-details';
import type { RunStatus, StageName, TriggerKind } from '../core/run';
import { jsonb, nullableJsonb } from './json';

export interface NewRun {
  /** Temporal run id. */
  id: string;
  workflowId: string;
  trigger: TriggerKind;
  repository: string;
  specId?: string | null;
  subject?: Subject;
  status?: RunStatus;
}

/** Fields to change; `undefined` leaves a column alone, `null` clears it. */
export interface RunPatch {
  status?: RunStatus;
  stage?: StageName | null;
  error?: string | null;
  errorStage?: StageName | null;
  subject?: Subject | null;
  result?: RunResult | null;
  finishedAt?: Date | null;
  /** Shallow-merged into the stored details (top-level keys replace, others stay). */
  details?: RunDetails;
}

export interface ListRunsOptions {
  status?: RunStatus;
  trigger?: TriggerKind;
  repository?: string;
  /** Page size: default 20, at most 100. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface RunPage {
  runs: RunRow[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`invalid cursor: ${JSON.stringify(cursor)}`);
    this.name = 'InvalidCursorError';
  }
}

/**
 * Records a run if it is not recorded yet; both the API and the workflow's receive stage call it.
 * An existing row is left unchanged (use `updateRun` to change it) and not read back: no caller
 * needs it, and the webhook inbox records an already-started run for every repeated `labeled` event.
 */
export async function upsertRun(db: Kysely<Tables>, run: NewRun): Promise<void> {
  await db
    .insertInto('runs')
    .values({
      id: run.id,
      workflowId: run.workflowId,
      trigger: run.trigger,
      repository: run.repository,
      specId: run.specId ?? null,
      subject: nullableJsonb(run.subject),
      status: run.status,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Applies `patch` and returns the updated run, or undefined when no run has this id. */
export async function updateRun(db: Kysely<Tables>, id: string, patch: RunPatch): Promise<RunRow | undefined> {
  return db
    .updateTable('runs')
    .set((eb) => ({
      updatedAt: sql<Date>`now()`,
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.stage !== undefined && { stage: patch.stage }),
      ...(patch.error !== undefined && { error: patch.error }),
      ...(patch.errorStage !== undefined && { errorStage: patch.errorStage }),
      ...(patch.subject !== undefined && { subject: nullableJsonb(patch.subject) }),
      ...(patch.result !== undefined && { result: nullableJsonb(patch.result) }),
      ...(patch.finishedAt !== undefined && { finishedAt: patch.finishedAt }),
      // Merged in SQL so concurrent writers of different keys do not overwrite each other.
      ...(patch.details !== undefined && { details: sql`${eb.ref('details')} || ${jsonb(patch.details)}` }),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** The run with this run id or, failing that, the most recent run of the workflow with this id. */
export async function getRun(db: Kysely<Tables>, id: string): Promise<RunRow | undefined> {
  if (id.includes('\0')) return undefined; // Postgres text cannot hold NUL: no run has such an id
  return db
    .selectFrom('runs')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', id), eb('workflowId', '=', id)]))
    .orderBy(sql`id = ${id}`, 'desc')
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Newest runs first, keyset-paged on (created_at, id). */
export async function listRuns(db: Kysely<Tables>, opts: ListRunsOptions = {}): Promise<RunPage> {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 20), 1), 100);
  let query = db
    .selectFrom('runs')
    .selectAll()
    // Full microsecond precision: a JS Date would round to milliseconds and skip rows on the next page.
    .select(sql<string>`(extract(epoch from created_at) * 1000000)::bigint::text`.as('cursorTime'))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (opts.status) query = query.where('status', '=', opts.status);
  if (opts.trigger) query = query.where('trigger', '=', opts.trigger);
  if (opts.repository) query = query.where('repository', '=', opts.repository);
  if (opts.cursor) {
    const { seconds, micros, id } = decodeCursor(opts.cursor);
    query = query.where(sql<boolean>`(created_at, id) < (to_timestamp(${seconds}::bigint) + ${micros}::int * interval '1 microsecond', ${id})`);
  }

  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    runs: page.map(({ cursorTime: _, ...run }) => run),
    nextCursor: rows.length > limit && last ? encodeCursor(last.cursorTime, last.id) : null,
  };
}

/**
 * A cursor is the position after the page's last run: `<epoch seconds>.<microseconds>.<base64url run id>`.
 * Every string of that form is a position (the API's description states the form as a pattern), so
 * any such cursor pages on from there; anything else is an InvalidCursorError.
 */
export const CURSOR_PATTERN = '^[0-9]{1,10}\\.[0-9]{6}\\.[A-Za-z0-9_-]{1,400}$';

function encodeCursor(epochMicros: string, id: string): string {
  const digits = epochMicros.padStart(7, '0');
  return `${digits.slice(0, -6)}.${digits.slice(-6)}.${Buffer.from(id).toString('base64url')}`;
}

function decodeCursor(cursor: string): { seconds: number; micros: number; id: string } {
  if (!new RegExp(CURSOR_PATTERN).test(cursor)) throw new InvalidCursorError(cursor);
  const [seconds, micros, id] = cursor.split('.');
  // Postgres text cannot hold NUL: no run id has one, so dropping it from a made-up cursor changes no real position.
  return { seconds: Number(seconds), micros: Number(micros), id: Buffer.from(id, 'base64url').toString('utf8').replace(/\0/g, '') };
}

/** Runs still going whose workflow id starts with `prefix` (e.g. every revision of one named spec), except `exceptId`. */
export async function activeRunsWithWorkflowPrefix(db: Kysely<Tables>, prefix: string, exceptId: string): Promise<RunRow[]> {
  const escaped = prefix.replace(/[\\%_]/g, (char) => `\\${char}`);
  return db
    .selectFrom('runs')
    .selectAll()
    .where('workflowId', 'like', `${escaped}%`)
    .where('status', 'not in', ['completed', 'failed', 'cancelled'])
    .where('id', '!=', exceptId)
    .execute();
}

export interface FailureGroup {
  stage: StageName | null;
  /** The error with ids and hashes blanked, so runs that failed alike fall into one group. */
  reason: string;
  count: number;
  /** The newest first, at most ten. */
  runIds: string[];
  lastFailedAt: Date;
}

const VARYING_PARTS = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[0-9a-f]{12,}\b/gi;

/** Failed runs (the newest thousand), grouped by the stage they failed in and why; the largest group first. */
export async function failedRunGroups(db: Kysely<Tables>, filter: { repository?: string } = {}): Promise<FailureGroup[]> {
  const rows = await db
    .selectFrom('runs')
    .select(['id', 'errorStage', 'error', 'createdAt'])
    .where('status', '=', 'failed')
    .$if(filter.repository !== undefined, (query) => query.where('repository', '=', filter.repository!))
    .orderBy('createdAt', 'desc')
    .limit(1000)
    .execute();
  const groups = new Map<string, FailureGroup>();
  for (const row of rows) {
    const reason = (row.error ?? 'no reason recorded').split('\n')[0].replace(VARYING_PARTS, '…').slice(0, 300);
    const key = `${row.errorStage ?? ''}\u0000${reason}`;
    const group = groups.get(key) ?? { stage: row.errorStage, reason, count: 0, runIds: [], lastFailedAt: row.createdAt };
    group.count += 1;
    if (group.runIds.length < 10) group.runIds.push(row.id);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.lastFailedAt.getTime() - a.lastFailedAt.getTime());
}

/**
 * The newest completed run of a named spec in a repository: the revision its branch holds. With
 * `before`, the revision delivered before that run: started earlier, with another spec.
 */
export async function deliveredRevision(
  db: Kysely<Tables>,
  spec: { repository: string; name: string },
  before?: { runId: string; specId: string },
): Promise<{ runId: string; specId: string } | undefined> {
  const current = before && (await db.selectFrom('runs').select('createdAt').where('id', '=', before.runId).executeTakeFirst());
  const row = await db
    .selectFrom('runs')
    .select(['id', 'specId'])
    .where('repository', '=', spec.repository)
    .where('trigger', '=', 'spec')
    .where('status', '=', 'completed')
    .where(sql<string>`subject->>'name'`, '=', spec.name)
    .$if(before !== undefined, (query) => query.where('specId', '!=', before!.specId))
    .$if(current !== undefined, (query) => query.where('createdAt', '<', current!.createdAt))
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.specId ? { runId: row.id, specId: row.specId } : undefined;
}
