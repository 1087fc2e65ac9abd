import { commitActivity } from './commit';
import { createPrActivity } from './create-pr';
import type * as ExecuteModule from './execute';
import type { ActivityDeps } from './stage';
import { finalizeActivity, indexRunCasesActivity, recordRunEndActivity } from './finalize';
import type * as GenerateModule from './generate';
import type * as ReceiveModule from './receive';
import { reportRegressionsActivity } from './regressions';
import type * as RetrieveModule from './retrieve';

export type { ActivityDeps } from './stage';

/* eslint-disable @typescript-eslint/no-require-imports -- the stages that read specs, generate and
   run suites bring the OpenAPI intake, the generators and the framework adapters along: loaded by
   their first activity, not by a worker (or `testloom up`) waiting idle. */
const receiveStage = () => require('./receive') as typeof ReceiveModule;
const retrieveStage = () => require('./retrieve') as typeof RetrieveModule;
const generateStage = () => require('./generate') as typeof GenerateModule;
const executeStage = () => require('./execute') as typeof ExecuteModule;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The activity `make` returns, made on its first call. */
function onFirstCall<Activity extends (...args: never[]) => Promise<unknown>>(make: () => Activity): Activity {
  let activity: Activity | undefined;
  return ((...args: Parameters<Activity>) => (activity ??= make())(...args)) as Activity;
}

export function createActivities(deps: ActivityDeps) {
  return {
    receive: onFirstCall(() => receiveStage().receiveActivity(deps)),
    retrieve: onFirstCall(() => retrieveStage().retrieveActivity(deps)),
    generate: onFirstCall(() => generateStage().generateActivity(deps)),
    execute: onFirstCall(() => executeStage().executeActivity(deps)),
    executeRun: onFirstCall(() => executeStage().executeRunActivity(deps)),
    reportRegressions: reportRegressionsActivity(deps),
    commit: commitActivity(deps),
    createPr: createPrActivity(deps),
    indexRunCases: indexRunCasesActivity(deps),
    finalize: finalizeActivity(deps),
    recordRunEnd: recordRunEndActivity(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
