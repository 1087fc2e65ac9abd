import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../lib/config';
import { workerInterceptors, workflowTracingSinks } from '../lib/observability/temporal-tracing';
import { workflowBundle } from './workflow-bundle';

/**
 * On shutdown a running activity has 2 s to finish before it is cancelled; one that ignores the
 * cancellation (or is stuck) is abandoned after 4 s, when run() rejects, so stopping a worker
 * never waits on a stage. Temporal retries an abandoned attempt on the next worker.
 */
export const SHUTDOWN_TIMES = { shutdownGraceTime: 2_000, shutdownForceTime: 4_000 } as const;

export interface WorkerSetup {
  config: Config;
  connection: NativeConnection;
  deps: ActivityDeps;
  /** Replace or wrap activities (fault injection in tests); defaults to the real ones. */
  activities?: ReturnType<typeof createActivities>;
  /** A pre-built workflow bundle; without it, the one kept in the data directory (built first when stale). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  /**
   * How long a workflow task waits for this worker's cache before any worker takes it (the SDK's
   * default: 10 s). Tests that SIGKILL a worker shorten it so the next worker takes over at once.
   * Milliseconds or a string such as `'1s'`: Temporal's own `Duration` type is `any` here, as the
   * `ms` package it names publishes no types for CommonJS.
   */
  stickyQueueScheduleToStartTimeout?: number | string;
}

/**
 * The two Temporal workers of one testloom worker process: the I/O task queue runs the workflow
 * and every stage activity; the model task queue runs the stages that call language models
 * (generate, and execute, which repairs tests and runs suites against APIs), with its own, small concurrency, which is what rate-limits model calls.
 */
export class TestloomWorker {
  constructor(
    readonly io: Worker,
    readonly llm: Worker,
  ) {}

  /** Runs both until shutdown; when one fails, the other is shut down too and the error is thrown. */
  async run(): Promise<void> {
    const stopOther = (other: Worker) => (err: unknown) => {
      if (other.getState() === 'RUNNING') other.shutdown();
      throw err;
    };
    await Promise.all([this.io.run().catch(stopOther(this.llm)), this.llm.run().catch(stopOther(this.io))]);
  }

  getState(): ReturnType<Worker['getState']> {
    return this.io.getState();
  }

  shutdown(): void {
    for (const worker of [this.io, this.llm]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

export async function createWorker(setup: WorkerSetup): Promise<TestloomWorker> {
  const { config } = setup;
  const activities = setup.activities ?? createActivities(setup.deps);
  const io = await createIoWorker(setup, activities);
  const llm = await Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueues.llm,
    interceptors: workerInterceptors(),
    activities,
    maxConcurrentActivityTaskExecutions: config.temporal.worker.llmMaxConcurrentActivityTaskExecutions,
    ...SHUTDOWN_TIMES,
    ...(setup.identity ? { identity: `${setup.identity}-llm` } : {}),
  });
  return new TestloomWorker(io, llm);
}

async function createIoWorker(setup: WorkerSetup, activities: ReturnType<typeof createActivities>): Promise<Worker> {
  const { config } = setup;
  return Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueues.io,
    workflowBundle: setup.workflowBundle ?? { codePath: (await workflowBundle(path.join(config.dataDir, 'cache'))).codePath },
    // OpenTelemetry (no-ops unless tracing is on): activity spans; workflow spans leave the sandbox
    // through the sink. The bundle carries the workflow interceptors (WORKFLOW_INTERCEPTOR_MODULES);
    // they add no commands, so it replays histories recorded without them.
    interceptors: workerInterceptors(),
    sinks: workflowTracingSinks(),
    activities,
    maxConcurrentActivityTaskExecutions: config.temporal.worker.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: config.temporal.worker.maxConcurrentWorkflowTaskExecutions,
    ...SHUTDOWN_TIMES,
    ...(setup.identity ? { identity: setup.identity } : {}),
    ...(setup.stickyQueueScheduleToStartTimeout ? { stickyQueueScheduleToStartTimeout: setup.stickyQueueScheduleToStartTimeout } : {}),
  });
}
