import { reportRegressions, type RegressionOutcome } from '../lib/runs/regressions';
import { currentRun, type ActivityDeps } from './stage';

/**
 * After an execution of a run's suite (executeRun): stores and reports the tests that passed last
 * time and fail now. The execution is the workflow's own run; a retry reports nothing twice.
 */
export function reportRegressionsActivity(deps: ActivityDeps) {
  return async function reportRegressionsOfExecution(): Promise<RegressionOutcome> {
    return reportRegressions(deps, currentRun().runId);
  };
}
