import { updateRun } from '../lib/db/runs';
import type { RunEnd, RunResult } from '../lib/runs/contract';
import { currentRun, recordStage, type ActivityDeps } from './deps';

/** Marks the run completed with its result; running it twice writes the same row. */
export function finalizeActivity(deps: ActivityDeps) {
  return async function finalize(result: RunResult): Promise<void> {
    await recordStage(deps, 'finalize', async () => {
      await updateRun(deps.db, currentRun().runId, { status: 'completed', result, finishedAt: new Date() });
    });
  };
}

/** Records how a run ended when it did not complete: the stage and the reason. */
export function recordRunEndActivity(deps: ActivityDeps) {
  return async function recordRunEnd(end: RunEnd): Promise<void> {
    await updateRun(deps.db, currentRun().runId, {
      status: end.status,
      stage: end.stage,
      error: end.reason,
      errorStage: end.status === 'failed' ? end.stage : undefined,
      finishedAt: new Date(),
    });
  };
}
