/**
 * Retrying a run that failed or was cancelled: the same workflow id starts again with the input the
 * run was started with (read from its history), so it delivers to the same branch and review. The
 * run retried keeps its history, in Temporal and in the database.
 */
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { GenerateTestsInput } from '../core/contract';
import { getRun, updateRun } from '../db/runs';
import { runOptionsOf } from './run-options';
import { startRun, type StartDeps, type StartedRun } from './start';

export class RunNotRetryableError extends Error {
  constructor(readonly reason: 'unknown-run' | 'not-failed' | 'no-input', message: string) {
    super(message);
    this.name = 'RunNotRetryableError';
  }
}

async function startedInput(deps: StartDeps, workflowId: string, runId: string): Promise<GenerateTestsInput | undefined> {
  const history = await deps.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return decodeFromPayloadsAtIndex<GenerateTestsInput>(deps.client.options.loadedDataConverter, 0, started?.input?.payloads);
}

/**
 * Starts the run again. When the workflow id has moved on since (a retry, a rerun or a new request
 * started it again), that newer run is the answer (`existing`) and nothing new starts.
 */
export async function retryRun(deps: StartDeps, runId: string): Promise<StartedRun & { retryOf: string }> {
  const run = await getRun(deps.db, runId);
  if (!run) throw new RunNotRetryableError('unknown-run', `run ${runId} does not exist`);
  if (run.status !== 'failed' && run.status !== 'cancelled') {
    throw new RunNotRetryableError('not-failed', `run ${runId} is ${run.status}: only a failed or cancelled run can be retried`);
  }
  const latest = await deps.client.workflow.getHandle(run.workflowId).describe();
  if (latest.runId !== run.id) {
    return { runId: latest.runId, workflowId: run.workflowId, existing: true, retryOf: run.id, ...(run.specId ? { specId: run.specId } : {}) };
  }
  const input = await startedInput(deps, run.workflowId, run.id);
  if (!input) throw new RunNotRetryableError('no-input', `run ${runId}: its start input cannot be read from its history`);
  const started = await startRun(deps, {
    workflowId: run.workflowId,
    input,
    ...(run.specId ? { specId: run.specId } : {}),
    // The run has ended; a run that started meanwhile is found, never replaced.
    reuse: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    ...(input.trigger === 'spec' ? { options: runOptionsOf(input) } : {}),
  });
  if (!started.existing) await updateRun(deps.db, started.runId, { details: { retryOf: run.id } });
  return { ...started, retryOf: run.id };
}
