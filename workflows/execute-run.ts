import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ExecuteRunInput, ExecutionSummary } from '../lib/core/contract';
import { executionStatusQuery, type ExecutionState } from '../lib/core/workflows';

/** Reporting is database writes and repository-host calls: retried on the workflow's own (I/O) task queue. */
const { reportRegressions } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * A later execution of a finished run's suite (`POST /api/v1/runs/:id/execute`, `testloom execute`,
 * a schedule): one retried activity that runs, triages and stores; it repairs and delivers nothing.
 * Then the tests that passed last time and fail now are reported (histories from before that
 * step replay without it).
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
    const summary = await execute({ runId: input.runId, request: input.request, ...(input.kind ? { kind: input.kind } : {}) });
    if (patched('report-regressions') && summary.status === 'executed') await reportRegressions();
    status = 'completed';
    return summary;
  } catch (err) {
    status = 'failed';
    throw err;
  }
}
