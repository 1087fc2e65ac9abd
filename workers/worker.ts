import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../lib/config';
import { WORKFLOW_INTERCEPTOR_MODULES, workerInterceptors, workflowTracingSinks } from '../lib/observability/temporal-tracing';
import { activeTracing } from '../lib/observability/tracing';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface WorkerSetup {
  config: Config;
  connection: NativeConnection;
  deps: ActivityDeps;
  /** Replace or wrap activities (fault injection in tests); defaults to the real ones. */
  activities?: ReturnType<typeof createActivities>;
  /** A pre-built workflow bundle; without it the worker bundles `workflows/` at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
}

/** The worker of the I/O task queue: the workflow and every stage activity. */
export function createWorker(setup: WorkerSetup): Promise<Worker> {
  const { config } = setup;
  return Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueues.io,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // OpenTelemetry (no-ops unless tracing is on): activity spans; workflow spans leave the sandbox
    // through the sink. The workflow interceptors are bundled only when tracing runs (a pre-built
    // bundle has them if it was built with WORKFLOW_INTERCEPTOR_MODULES); either bundle replays the other's histories.
    interceptors: { ...workerInterceptors(), ...(!setup.workflowBundle && activeTracing() ? { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } : {}) },
    sinks: workflowTracingSinks(),
    activities: setup.activities ?? createActivities(setup.deps),
    maxConcurrentActivityTaskExecutions: config.temporal.worker.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: config.temporal.worker.maxConcurrentWorkflowTaskExecutions,
    ...(setup.identity ? { identity: setup.identity } : {}),
  });
}
