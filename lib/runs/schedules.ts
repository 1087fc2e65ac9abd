/**
 * Schedules that re-execute a delivered suite: a Temporal Schedule per spec identity (repository
 * and name; other runs: per run), so asking twice finds the first, and a later revision's run takes
 * the schedule over. Its action starts the executeRun workflow against the target checked when it
 * was created. Overlapping firings are skipped.
 */
import {
  ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription,
} from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { RunRow, Tables } from '../../schema/tables';
import type { Config } from '../config';
import type { ConfiguredSchedule, ExecuteRunInput, ExecutionRequest } from '../core/contract';
import type { ScheduleOutcome } from '../core/run-details';
import { REPOSITORY_ATTRIBUTE } from '../core/search-attributes';
import type { TargetConfig } from '../core/target';
import { WORKFLOW } from '../core/workflows';
import { getRun } from '../db/runs';
import { rootLogger } from '../observability/logger';
import { scheduledStart } from '../temporal/workflows';
import { executableRun, executionSettings, RunNotExecutableError, type PrioritisedExecution } from './execute';
import { checkCron, InvalidScheduleError, parseInterval } from './schedule-spec';

export { InvalidScheduleError } from './schedule-spec';

const SCHEDULE_PREFIX = 'execute-schedule:';
const SCHEDULED_PREFIX = 'scheduled-execute:';

export interface ScheduleRequest extends PrioritisedExecution {
  cron?: string;
  interval?: string;
  target?: TargetConfig;
}

/** What a schedule's memo holds (fixed when it is created): its timing as given. Older schedules also hold the run. */
interface ScheduleMemo {
  repository: string;
  cron?: string;
  interval?: string;
}

export interface ScheduleView extends ScheduleMemo, PrioritisedExecution {
  id: string;
  /** The run whose suite it executes now: a later revision of the same spec takes it over. */
  runId: string;
  runWorkflowId: string;
  target: TargetConfig;
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

/** The schedule exists with another timing or target, or executes a later revision than the run asked for. */
export class ScheduleConflictError extends Error {
  constructor(readonly scheduleId: string, readonly differences: Difference[]) {
    super(`schedule ${scheduleId} already exists with another ${differences.map((d) => d.field).join(', ')}: delete it first to change it`);
    this.name = 'ScheduleConflictError';
  }
}

type Deps = { db: Kysely<Tables>; client: Client; config: Config };

/** A spec run's workflow id is `spec:<repository>:<name>@<content hash>`: its schedule is the identity's. */
export const scheduleIdOf = (runWorkflowId: string) => `${SCHEDULE_PREFIX}${runWorkflowId.startsWith('spec:') ? runWorkflowId.replace(/@[^@]*$/, '') : runWorkflowId}`;
/** Temporal appends each firing's time to this, so scheduled executions never share an id with requested ones (`execute:…`). */
const scheduledWorkflowId = (runWorkflowId: string) => `${SCHEDULED_PREFIX}${runWorkflowId}`;

function timing(request: ScheduleRequest): { cron: string } | { interval: string; ms: number } {
  if (request.cron !== undefined && request.interval !== undefined) throw new InvalidScheduleError('cron', 'cannot be combined with interval: give one of them');
  if (request.cron !== undefined) return { cron: checkCron(request.cron) };
  if (request.interval !== undefined) return { interval: request.interval, ms: parseInterval(request.interval) };
  throw new InvalidScheduleError('cron', 'is required (or interval instead)');
}

function view(id: string, description: ScheduleDescription): ScheduleView | undefined {
  const memo = description.memo as Partial<ScheduleMemo> | undefined;
  const { action } = description;
  const input = action.type === 'startWorkflow' ? (action.args?.[0] as ExecuteRunInput | undefined) : undefined;
  if (!memo?.repository || !input?.runId || !action.workflowId.startsWith(SCHEDULED_PREFIX)) return undefined;
  const { failFast, budget } = input.request;
  return {
    id,
    runId: input.runId,
    runWorkflowId: action.workflowId.slice(SCHEDULED_PREFIX.length),
    repository: memo.repository,
    ...(memo.cron !== undefined ? { cron: memo.cron } : { interval: memo.interval }),
    target: input.request.target,
    ...(failFast ? { failFast } : {}),
    ...(budget !== undefined ? { budget } : {}),
    paused: description.state.paused,
    ...(description.state.note ? { note: description.state.note } : {}),
    nextActionTimes: description.info.nextActionTimes.map((t) => t.toISOString()),
    recentExecutions: description.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
      executionId: a.action.workflow.firstExecutionRunId,
    })),
  };
}

type Difference = { field: string; existing: string; requested: string };

function differences(existing: ScheduleView, requested: Pick<ScheduleView, 'cron' | 'interval' | 'target' | 'failFast' | 'budget'>): Difference[] {
  const show = (value: unknown) => (value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value));
  return (['cron', 'interval', 'target', 'failFast', 'budget'] as const)
    .filter((field) => JSON.stringify(existing[field]) !== JSON.stringify(requested[field]))
    .map((field) => ({ field, existing: show(existing[field]), requested: show(requested[field]) }));
}

/** The executeRun input a schedule's action starts for `run`. */
function scheduledInput(config: Config, run: RunRow, request: ExecutionRequest, cut: PrioritisedExecution): ExecuteRunInput {
  const withCut: ExecutionRequest = { ...request, ...(cut.failFast ? { failFast: true } : {}), ...(cut.budget !== undefined ? { budget: cut.budget } : {}) };
  return { runId: run.id, request: withCut, settings: executionSettings(config), kind: 'schedule' };
}

async function findSchedule(deps: Pick<Deps, 'client'>, id: string): Promise<ScheduleView | undefined> {
  return describeSchedule(deps, id).catch((err: unknown) => {
    if (err instanceof UnknownScheduleError) return undefined;
    throw err;
  });
}

/** Points the schedule at `run`, a later revision of the spec it executed: same timing, target and cut. */
async function retarget(deps: Deps, id: string, run: RunRow): Promise<ScheduleView> {
  await deps.client.schedule.getHandle(id).update((current) => {
    if (current.action.type !== 'startWorkflow') return current;
    const input = current.action.args?.[0] as ExecuteRunInput;
    return { ...current, action: { ...current.action, workflowId: scheduledWorkflowId(run.workflowId), args: [{ ...input, runId: run.id }] } };
  });
  return describeSchedule(deps, id);
}

/** True when `run` started after the run the schedule executes (or that run is gone). */
async function isLaterRevision(deps: Pick<Deps, 'db'>, run: RunRow, scheduled: ScheduleView): Promise<boolean> {
  if (scheduled.runId === run.id) return false;
  const current = await getRun(deps.db, scheduled.runId);
  return !current || current.createdAt < run.createdAt;
}

/** Creates the schedule; false when one with this id exists already (another request or finalize made it since the describe). */
async function create(deps: Deps, id: string, run: RunRow, memo: ScheduleMemo, input: ExecuteRunInput): Promise<boolean> {
  const when = timing(memo);
  try {
    await deps.client.schedule.create({
      scheduleId: id,
      spec: 'cron' in when ? { cronExpressions: [when.cron] } : { intervals: [{ every: when.ms }] },
      action: scheduledStart(WORKFLOW.executeRun, {
        workflowId: scheduledWorkflowId(run.workflowId), taskQueue: deps.config.temporal.taskQueues.io, args: [input],
      }),
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      memo: { ...memo },
      typedSearchAttributes: [{ key: REPOSITORY_ATTRIBUTE, value: run.repository }],
    });
    return true;
  } catch (err) {
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
    return false;
  }
}

/**
 * Creates the run's schedule, or finds it (`existing`) when it was created with the same request;
 * a schedule of an earlier revision of the same spec is taken over by this run.
 */
export async function createSchedule(deps: Deps, runId: string, request: ScheduleRequest): Promise<{ schedule: ScheduleView; existing: boolean }> {
  const when = timing(request);
  const { run, request: execution } = await executableRun(deps, runId, request.target);
  const id = scheduleIdOf(run.workflowId);
  const memo: ScheduleMemo = { repository: run.repository, ...('cron' in when ? { cron: when.cron } : { interval: when.interval }) };
  const input = scheduledInput(deps.config, run, execution, request);
  const found = await findSchedule(deps, id);
  if (found) {
    const changed = differences(found, { ...memo, target: execution.target, failFast: input.request.failFast, budget: input.request.budget });
    if (found.runId !== run.id && !(await isLaterRevision(deps, run, found))) {
      changed.push({ field: 'runId', existing: found.runId, requested: run.id });
    }
    if (changed.length) throw new ScheduleConflictError(id, changed);
    return { schedule: found.runId === run.id ? found : await retarget(deps, id, run), existing: true };
  }
  // Created meanwhile by another request: the describe finds it.
  await create(deps, id, run, memo, input);
  return { schedule: await describeSchedule(deps, id), existing: false };
}

/**
 * After a run is delivered: a schedule of an earlier revision of its spec now executes this run,
 * and a schedule the repository's `.testloom.yml` asks for exists with its timing (a changed timing
 * replaces it). Running it twice changes nothing more.
 */
export async function followDeliveredRun(deps: Deps, runId: string, configured?: ConfiguredSchedule): Promise<ScheduleOutcome> {
  const run = await getRun(deps.db, runId);
  if (!run || !run.workflowId.startsWith('spec:') || !run.details.generation?.executable) return { status: 'none' };
  const id = scheduleIdOf(run.workflowId);
  let wanted: { memo: ScheduleMemo; input: ExecuteRunInput } | undefined;
  if (configured) {
    try {
      const { request } = await executableRun(deps, runId, configured.target);
      const memo = { repository: run.repository, ...(configured.cron !== undefined ? { cron: configured.cron } : { interval: configured.interval }) };
      wanted = { memo, input: scheduledInput(deps.config, run, request, {}) };
    } catch (err) {
      if (err instanceof RunNotExecutableError) return { status: 'skipped', reason: err.message };
      throw err;
    }
  }
  // A create Temporal refuses because the schedule exists (another finalize or request made it since
  // the describe) sends this back to describe it, a bounded number of times.
  for (let attempt = 1; ; attempt++) {
    const found = await findSchedule(deps, id);
    if (found && (!wanted || differences(found, { ...wanted.memo, target: wanted.input.request.target }).length === 0)) {
      if (!(await isLaterRevision(deps, run, found))) return { status: 'unchanged', scheduleId: id };
      await retarget(deps, id, run);
      return { status: 'retargeted', scheduleId: id };
    }
    if (!wanted) return { status: 'none' };
    if (found) await deps.client.schedule.getHandle(id).delete(); // .testloom.yml changed its timing or target
    if (await create(deps, id, run, wanted.memo, wanted.input)) return { status: found ? 'replaced' : 'created', scheduleId: id };
    if (attempt === 3) throw new Error(`schedule ${id} exists but describing it finds none`);
  }
}

/** What the stage activities may do with schedules: bound to the config, given the worker's client. */
export interface SuiteSchedules {
  followDeliveredRun(client: Client, runId: string, configured?: ConfiguredSchedule): Promise<ScheduleOutcome>;
}

export function suiteSchedules(db: Kysely<Tables>, config: Config): SuiteSchedules {
  return { followDeliveredRun: (client, runId, configured) => followDeliveredRun({ db, client, config }, runId, configured) };
}

export async function describeSchedule(deps: Pick<Deps, 'client'>, id: string): Promise<ScheduleView> {
  if (!id.startsWith(SCHEDULE_PREFIX)) throw new UnknownScheduleError(id);
  try {
    const description = await deps.client.schedule.getHandle(id).describe();
    const described = view(id, description);
    if (!described) {
      // Only testloom makes schedules with its prefix, and each holds all view() reads: worth a look.
      const { memo, action } = description;
      rootLogger().warn({ component: 'schedules', scheduleId: id, memo, action }, 'schedules: a schedule testloom cannot read is treated as absent');
      throw new UnknownScheduleError(id);
    }
    return described;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UnknownScheduleError(id);
    throw err;
  }
}

/** testloom's schedules in the namespace (Temporal lists them from its visibility store: a new one may take a moment to appear). */
export async function listSchedules(deps: Pick<Deps, 'client'>): Promise<ScheduleView[]> {
  const ids: string[] = [];
  for await (const summary of deps.client.schedule.list()) {
    if (summary.scheduleId.startsWith(SCHEDULE_PREFIX)) ids.push(summary.scheduleId);
  }
  // A summary does not hold the action's input (which run, which target): each is described.
  const schedules = await Promise.all(ids.map((id) => findSchedule(deps, id)));
  return schedules.filter((s): s is ScheduleView => s !== undefined).sort((a, b) => a.id.localeCompare(b.id));
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
