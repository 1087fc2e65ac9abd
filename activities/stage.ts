import { trace } from '@opentelemetry/api';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { rootLogger, type Logger } from '../lib/observability/logger';
import { endStage, startStage } from '../lib/db/stage-events';
import { idleTimer } from '../lib/llm/idle-timer';
import type { TemplateRenderer } from '../lib/templates';
import { blameRepositoryTemplate, InvalidRepositoryTemplateError, repositoryTemplates, type RepositoryTemplates } from '../lib/templates/repository-overrides';
import type { StageName } from '../lib/core/run';
import type { StageServices } from '../lib/services';

/** Everything the stage activities touch, built by the composition root (lib/services.ts). */
export type ActivityDeps = StageServices;

export function currentRun(): { runId: string; workflowId: string; attempt: number } {
  const { workflowExecution, attempt } = Context.current().info;
  if (!workflowExecution) throw new Error('stage activities run only inside a workflow');
  return { runId: workflowExecution.runId, workflowId: workflowExecution.workflowId, attempt };
}

/**
 * The log of one stage attempt: every line carries the run id, workflow id, stage and attempt (and
 * the trace id when tracing is on), so `runId=…` finds a run's lines across workers.
 */
function stageLogger(stage: StageName): Logger {
  const { runId, workflowId, attempt } = currentRun();
  const { activityId, activityType, taskQueue } = Context.current().info;
  const span = trace.getActiveSpan()?.spanContext();
  return rootLogger().child({
    runId,
    workflowId,
    stage,
    attempt,
    activityId,
    activityType,
    taskQueue,
    ...(span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {}),
  });
}

/**
 * Records a stage attempt (start, end, outcome, error) around `work` and keeps the run's current
 * stage up to date. An attempt a dead worker never finished is marked abandoned by the next one.
 * Logs the attempt's start and end; `work` gets the attempt's logger for its own lines.
 */
export async function recordStage<T>(deps: ActivityDeps, stage: StageName, work: (log: Logger) => Promise<T>): Promise<T> {
  const { runId, attempt } = currentRun();
  const log = stageLogger(stage);
  const started = Date.now();
  const stopHeartbeat = keepHeartbeating();
  log.info('stage started');
  await startStage(deps.db, { runId, stage, attempt });
  try {
    const result = await work(log);
    await endStage(deps.db, { runId, stage, attempt, outcome: 'succeeded' });
    log.info({ outcome: 'succeeded', durationMs: Date.now() - started }, 'stage succeeded');
    return result;
  } catch (err) {
    const outcome = err instanceof CancelledFailure ? 'cancelled' : 'failed';
    await endStage(deps.db, { runId, stage, attempt, outcome, error: (err as Error).message });
    const retryable = !(err instanceof ApplicationFailure && err.nonRetryable) && outcome === 'failed';
    if (outcome === 'cancelled') log.info({ outcome, durationMs: Date.now() - started, reason: (err as Error).message }, 'stage cancelled');
    else log.warn({ outcome, durationMs: Date.now() - started, retryable, err }, 'stage failed');
    throw err;
  } finally {
    stopHeartbeat();
  }
}

/** The timer heartbeat of each running stage attempt, so a streamed model call can pause it. */
interface TimerHeartbeat {
  /** Streamed model calls under way: while any is, only their progress heartbeats. */
  paused: number;
  /** The latest reportProgress message, sent with each beat. */
  progress?: string;
}
const timerHeartbeats = new WeakMap<Context, TimerHeartbeat>();

/**
 * Heartbeats while this process is alive, so a killed worker is noticed within the heartbeat
 * timeout instead of the much longer start-to-close timeout. A hung call is still caught by
 * start-to-close; streamed model calls pause it and heartbeat on progress instead.
 *
 * The first beat comes a third of the timeout after the start, not at it: Temporal counts the
 * heartbeat timeout from the attempt's start, and most stages end well before then, so they
 * never pay the server a heartbeat (each one is a write of the workflow's state).
 */
export function keepHeartbeating(): () => void {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return () => undefined;
  const state: TimerHeartbeat = { paused: 0 };
  timerHeartbeats.set(context, state);
  const timer = setInterval(() => {
    if (!state.paused) context.heartbeat(state.progress);
  }, Math.max(100, Math.floor(timeoutMs / 3)));
  return () => {
    clearInterval(timer);
    timerHeartbeats.delete(context);
  };
}

/** What the stage is doing, sent with its next timer heartbeat (shown as the pending activity's details). */
export function reportProgress(message: string): void {
  const state = timerHeartbeats.get(Context.current());
  if (state) state.progress = message;
}

/**
 * For the length of a streamed model call: only progress (tokens) heartbeats, so a model that
 * stalls misses the heartbeat timeout and Temporal retries the attempt. Returns the resume call.
 */
function heartbeatOnProgressOnly(): () => void {
  const state = timerHeartbeats.get(Context.current());
  if (!state) return () => undefined;
  state.paused += 1;
  return () => {
    state.paused -= 1;
  };
}

/**
 * For one model call: its streamed tokens are the stage's heartbeats (the timer pauses), so a
 * model that stalls for the heartbeat timeout gets the attempt retried by Temporal; this also
 * aborts the hung call so it does not hold a worker slot.
 */
export function progressWatchdog(): { signal: AbortSignal; onProgress: () => void; stop: () => void } {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  const idle = idleTimer(timeoutMs, () => new Error(`the model produced no output for ${timeoutMs} ms (heartbeat timeout)`));
  const resumeTimer = heartbeatOnProgressOnly();
  context.heartbeat();
  return {
    signal: AbortSignal.any([idle.signal, context.cancellationSignal]),
    onProgress: () => {
      context.heartbeat();
      idle.touch();
    },
    stop: () => {
      idle.stop();
      resumeTimer();
    },
  };
}

/**
 * Runs `work` with the target repository's templates (its `.testloom/templates/` over the built-in
 * ones). A broken template in the repository ends the run: only a change there can fix it.
 */
export async function withRepositoryTemplates<T>(
  deps: ActivityDeps,
  repository: string,
  work: (renderer: TemplateRenderer, templates: RepositoryTemplates) => Promise<T> | T,
): Promise<T> {
  let templates: RepositoryTemplates | undefined;
  try {
    templates = await repositoryTemplates(deps.repoHost, repository);
    return await work(templates.renderer, templates);
  } catch (err) {
    const blamed = templates ? blameRepositoryTemplate(err, templates, repository) : err;
    if (blamed instanceof InvalidRepositoryTemplateError) throw permanent(blamed.message, 'InvalidRepositoryTemplate');
    throw blamed;
  } finally {
    await templates?.dispose();
  }
}

/** A failure retrying cannot fix (bad input, missing permission): ends the run at this stage. */
export function permanent(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}
