import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ExecuteRunInput, ExecutionSummary } from '../lib/core/contract';
import { executionStatusQuery, type ExecutionState } from '../lib/core/workflows';

/**
 * A later execution of a finished run's suite (`POST /api/v1/runs/:id/execute`, `testloom execute`):
 * one retried activity that runs, triages and stores; it repairs and delivers nothing.
 */
export async function executeRun(input: ExecuteRunInput): Promise<ExecutionSummary> {
  let status: ExecutionState['status'] = 'running';
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
