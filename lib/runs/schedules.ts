/**
 * Schedules that re-execute a run's delivered suite: a Temporal Schedule per run (its id derived
 * from the run's workflow id, so asking twice finds the first) whose action starts the executeRun
 * workflow against the target checked when it was created. Overlapping firings are skipped.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleSummary } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import type { Config } from '../config';
import { REPOSITORY_ATTRIBUTE } from '../core/search-attributes';
import type { TargetConfig } from '../core/target';
import { WORKFLOW } from '../core/workflows';
import { scheduledStart } from '../temporal/workflows';
import { executableRun, executionSettings } from './execute';
import { checkCron, InvalidScheduleError, parseInterval } from './schedule-spec';

export { InvalidScheduleError } from './schedule-spec';

const SCHEDULE_PREFIX = 'execute-schedule:';

export interface ScheduleRequest {
  cron?: string;
  interval?: string;
  target?: TargetConfig;
}

/** What a schedule holds in its memo: the run it executes and what was asked, as given. */
interface ScheduleMemo {
  runId: string;
  runWorkflowId: string;
  repository: string;
  cron?: string;
  interval?: string;
  target: TargetConfig;
}

export interface ScheduleView extends ScheduleMemo {
  id: string;
  paused: boolean;
  note?: string;
  nextActionTimes: string[];
  recentExecutions: { scheduledAt: string; workflowId: string; executionId: string }[];
}

export class UnknownScheduleError extends Error {
  constructor(readonly scheduleId: string) {
    super(`schedule ${scheduleId} not found`);
    this.name = 'UnknownScheduleError';
  }
}

/** The run's schedule exists with another run, timing or target. */
export class ScheduleConflictError extends Error {
  constructor(readonly scheduleId: string, readonly differences: { field: string; existing: string; requested: string }[]) {
    super(`schedule ${scheduleId} already exists with another ${differences.map((d) => d.field).join(', ')}: delete it first to change it`);
    this.name = 'ScheduleConflictError';
  }
}

type Deps = { db: Kysely<Tables>; client: Client; config: Config };

export const scheduleIdOf = (runWorkflowId: string) => `${SCHEDULE_PREFIX}${runWorkflowId}`;
/** Temporal appends each firing's time to this, so scheduled executions never share an id with requested ones (`execute:…`). */
const scheduledWorkflowId = (runWorkflowId: string) => `scheduled-execute:${runWorkflowId}`;

function timing(request: ScheduleRequest): { cron: string } | { interval: string; ms: number } {
  if (request.cron !== undefined && request.interval !== undefined) throw new InvalidScheduleError('cron', 'cannot be combined with interval: give one of them');
  if (request.cron !== undefined) return { cron: checkCron(request.cron) };
  if (request.interval !== undefined) return { interval: request.interval, ms: parseInterval(request.interval) };
  throw new InvalidScheduleError('cron', 'is required (or interval instead)');
}

function memoOf(summary: { memo?: Record<string, unknown> }): ScheduleMemo | undefined {
  const memo = summary.memo as Partial<ScheduleMemo> | undefined;
  return memo?.runId && memo.target ? (memo as ScheduleMemo) : undefined;
}

function view(id: string, memo: ScheduleMemo, summary: Pick<ScheduleSummary, 'state' | 'info'>): ScheduleView {
  return {
    id,
    ...memo,
    paused: summary.state.paused,
    ...(summary.state.note ? { note: summary.state.note } : {}),
    nextActionTimes: summary.info.nextActionTimes.map((t) => t.toISOString()),
    recentExecutions: summary.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
      executionId: a.action.workflow.firstExecutionRunId,
    })),
  };
}

function differences(existing: ScheduleMemo, requested: ScheduleMemo) {
  const show = (value: unknown) => (value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value));
  return (['runId', 'cron', 'interval', 'target'] as const)
    .filter((field) => JSON.stringify(existing[field]) !== JSON.stringify(requested[field]))
    .map((field) => ({ field, existing: show(existing[field]), requested: show(requested[field]) }));
}

/** Creates the run's schedule, or finds it (`existing`) when it was created with the same request. */
export async function createSchedule(deps: Deps, runId: string, request: ScheduleRequest): Promise<{ schedule: ScheduleView; existing: boolean }> {
  const when = timing(request);
  const { run, request: execution } = await executableRun(deps, runId, request.target);
  const id = scheduleIdOf(run.workflowId);
  const memo: ScheduleMemo = {
    runId: run.id, runWorkflowId: run.workflowId, repository: run.repository, ...('cron' in when ? { cron: when.cron } : { interval: when.interval }), target: execution.target,
  };
  const found = await describeSchedule(deps, id).catch((err: unknown) => {
    if (err instanceof UnknownScheduleError) return undefined;
    throw err;
  });
  if (found) {
    const changed = differences(found, memo);
    if (changed.length) throw new ScheduleConflictError(id, changed);
    return { schedule: found, existing: true };
  }
  await deps.client.schedule.create({
    scheduleId: id,
    spec: 'cron' in when ? { cronExpressions: [when.cron] } : { intervals: [{ every: when.ms }] },
    action: scheduledStart(WORKFLOW.executeRun, {
      workflowId: scheduledWorkflowId(run.workflowId),
      taskQueue: deps.config.temporal.taskQueues.io,
      args: [{ runId: run.id, request: execution, settings: executionSettings(deps.config), kind: 'schedule' }],
    }),
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    memo: { ...memo },
    typedSearchAttributes: [{ key: REPOSITORY_ATTRIBUTE, value: run.repository }],
  }).catch((err: unknown) => {
    // Another request created it meanwhile: the next describe finds it.
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
  });
  return { schedule: await describeSchedule(deps, id), existing: false };
}

export async function describeSchedule(deps: Pick<Deps, 'client'>, id: string): Promise<ScheduleView> {
  if (!id.startsWith(SCHEDULE_PREFIX)) throw new UnknownScheduleError(id);
  try {
    const description = await deps.client.schedule.getHandle(id).describe();
    const memo = memoOf(description);
    if (!memo) throw new UnknownScheduleError(id);
    return view(id, memo, description);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UnknownScheduleError(id);
    throw err;
  }
}

/** testloom's schedules in the namespace (Temporal lists them from its visibility store: a new one may take a moment to appear). */
export async function listSchedules(deps: Pick<Deps, 'client'>): Promise<ScheduleView[]> {
  const schedules: ScheduleView[] = [];
  for await (const summary of deps.client.schedule.list()) {
    const memo = memoOf(summary);
    if (summary.scheduleId.startsWith(SCHEDULE_PREFIX) && memo) schedules.push(view(summary.scheduleId, memo, summary));
  }
  return schedules.sort((a, b) => a.id.localeCompare(b.id));
}

async function withSchedule(deps: Pick<Deps, 'client'>, id: string, change: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<void>): Promise<void> {
  if (!id.startsWith(SCHEDULE_PREFIX)) throw new UnknownScheduleError(id);
  try {
    await change(deps.client.schedule.getHandle(id));
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UnknownScheduleError(id);
    throw err;
  }
}

export async function pauseSchedule(deps: Pick<Deps, 'client'>, id: string, note = 'paused through testloom'): Promise<ScheduleView> {
  await withSchedule(deps, id, (handle) => handle.pause(note));
  return describeSchedule(deps, id);
}

export async function resumeSchedule(deps: Pick<Deps, 'client'>, id: string, note = 'resumed through testloom'): Promise<ScheduleView> {
  await withSchedule(deps, id, (handle) => handle.unpause(note));
  return describeSchedule(deps, id);
}

/** Deletes the schedule; executions it started keep running and stay stored. */
export async function deleteSchedule(deps: Pick<Deps, 'client'>, id: string): Promise<void> {
  await withSchedule(deps, id, (handle) => handle.delete());
}
