import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Tables } from '../schema/tables';
import { endStage, startStage } from '../lib/db/stage-events';
import { updateRun } from '../lib/db/runs';
import type { RepoHost } from '../lib/repohost/types';
import type { CaseRetriever } from '../lib/retrieval/retriever';
import type { StageName } from '../lib/runs/types';

/** Everything the stage activities touch, passed in so tests can wrap or fault any of it. */
export interface ActivityDeps {
  db: Kysely<Tables>;
  repoHost: RepoHost;
  /** Similar past tests (embeddings + Chroma); absent when retrieval is switched off. */
  retrieval?: CaseRetriever;
}

export function currentRun(): { runId: string; workflowId: string; attempt: number } {
  const { workflowExecution, attempt } = Context.current().info;
  if (!workflowExecution) throw new Error('stage activities run only inside a workflow');
  return { runId: workflowExecution.runId, workflowId: workflowExecution.workflowId, attempt };
}

/**
 * Records a stage attempt (start, end, outcome, error) around `work` and keeps the run's current
 * stage up to date. An attempt a dead worker never finished is marked abandoned by the next one.
 */
export async function recordStage<T>(deps: ActivityDeps, stage: StageName, work: () => Promise<T>): Promise<T> {
  const { runId, attempt } = currentRun();
  const stopHeartbeat = keepHeartbeating();
  await startStage(deps.db, { runId, stage, attempt });
  await updateRun(deps.db, runId, { status: 'running', stage });
  try {
    const result = await work();
    await endStage(deps.db, { runId, stage, attempt, outcome: 'succeeded' });
    return result;
  } catch (err) {
    const outcome = err instanceof CancelledFailure ? 'cancelled' : 'failed';
    await endStage(deps.db, { runId, stage, attempt, outcome, error: (err as Error).message });
    throw err;
  } finally {
    stopHeartbeat();
  }
}

/**
 * Heartbeats while this process is alive, so a killed worker is noticed within the heartbeat
 * timeout instead of the much longer start-to-close timeout. A hung call is still caught by
 * start-to-close; stages that stream (model calls) heartbeat on progress themselves.
 */
function keepHeartbeating(): () => void {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return () => undefined;
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeoutMs / 3)));
  return () => clearInterval(timer);
}

/** A failure retrying cannot fix (bad input, missing permission): ends the run at this stage. */
export function permanent(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}
