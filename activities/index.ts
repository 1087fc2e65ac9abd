import { commitActivity } from './commit';
import { createPrActivity } from './create-pr';
import { executeActivity, executeRunActivity } from './execute';
import type { ActivityDeps } from './stage';
import { finalizeActivity, indexRunCasesActivity, recordRunEndActivity } from './finalize';
import { generateActivity } from './generate';
import { receiveActivity } from './receive';
import { reportRegressionsActivity } from './regressions';
import { retrieveActivity } from './retrieve';

export type { ActivityDeps } from './stage';

export function createActivities(deps: ActivityDeps) {
  return {
    receive: receiveActivity(deps),
    retrieve: retrieveActivity(deps),
    generate: generateActivity(deps),
    execute: executeActivity(deps),
    executeRun: executeRunActivity(deps),
    reportRegressions: reportRegressionsActivity(deps),
    commit: commitActivity(deps),
    createPr: createPrActivity(deps),
    indexRunCases: indexRunCasesActivity(deps),
    finalize: finalizeActivity(deps),
    recordRunEnd: recordRunEndActivity(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
