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
    const runId = currentRun().runId;
    const finishedAt = new Date();
    if (end.status === 'cancelled') {
      await updateRun(deps.db, runId, { status: 'cancelled', stage: end.stage, details: { cancelReason: end.reason }, finishedAt });
    } else {
      await updateRun(deps.db, runId, { status: 'failed', stage: end.stage, error: end.reason, errorStage: end.stage, finishedAt });
    }
  };
}
