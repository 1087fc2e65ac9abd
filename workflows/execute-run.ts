import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StageSettings } from '../lib/core/stage-settings';
import type { ExecutionRequest, ExecutionSummary } from '../lib/core/contract';

export interface ExecuteRunInput {
  /** The run whose generated suite is executed. */
  runId: string;
  request: ExecutionRequest;
  /** Snapshot of the execute stage's settings at start, so history replays identically. */
  settings: { taskQueue: string; stage: StageSettings };
}

export const executionStatusQuery = defineQuery<{ status: 'running' | 'completed' | 'failed' }>('status');

/**
 * A later execution of a finished run's suite (`POST /api/v1/runs/:id/execute`, `testloom execute`):
 * one retried activity that runs, triages and stores; it repairs and delivers nothing.
 */
export async function executeRun(input: ExecuteRunInput): Promise<ExecutionSummary> {
  let status: 'running' | 'completed' | 'failed' = 'running';
  setHandler(executionStatusQuery, () => ({ status }));
  const { stage, taskQueue } = input.settings;
  const { executeRun: execute } = proxyActivities<Activities>({
    taskQueue,
    startToCloseTimeout: stage.startToCloseTimeout,
    heartbeatTimeout: stage.heartbeatTimeout,
    retry: { ...stage.retry },
  });
  try {
    const summary = await execute({ runId: input.runId, request: input.request });
    status = 'completed';
    return summary;
  } catch (err) {
    status = 'failed';
    throw err;
  }
}
