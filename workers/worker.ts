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
  /** The task queues to poll; default all three. */
  queues?: readonly QueueKind[];
  /**
   * How long a workflow task waits for this worker's cache before any worker takes it (the SDK's
   * default: 10 s). Tests that SIGKILL a worker shorten it so the next worker takes over at once.
   * Milliseconds or a string such as `'1s'`: Temporal's own `Duration` type is `any` here, as the
   * `ms` package it names publishes no types for CommonJS.
   */
  stickyQueueScheduleToStartTimeout?: number | string;
}

/** The task queues a worker process can poll (temporal.yaml `taskQueues`); `testloom up` polls all three. */
export const QUEUE_KINDS = ['io', 'llm', 'execute'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/**
 * The Temporal workers of one testloom worker process, one per task queue it polls: `io` runs the
 * workflows and the I/O stages; `llm` the stage that calls language models (generate), with its
 * own, small concurrency, which is what rate-limits model calls; `execute` the suites run against
 * APIs (the execute stage and later executions), so two slow suites never hold up generation.
 * Every worker registers every activity: the workflow's choice of task queue routes each stage.
 */
export class TestloomWorker {
  readonly workers: Worker[];

  constructor(readonly byQueue: Partial<Record<QueueKind, Worker>>) {
    this.workers = QUEUE_KINDS.flatMap((kind) => byQueue[kind] ?? []);
  }

  /** Runs all until shutdown; when one fails, the others are shut down too and the error is thrown. */
  async run(): Promise<void> {
    const stopOthers = (failed: Worker) => (err: unknown) => {
      for (const other of this.workers) if (other !== failed && other.getState() === 'RUNNING') other.shutdown();
      throw err;
    };
    await Promise.all(this.workers.map((worker) => worker.run().catch(stopOthers(worker))));
  }

  getState(): ReturnType<Worker['getState']> {
    return this.workers[0].getState();
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

export async function createWorker(setup: WorkerSetup): Promise<TestloomWorker> {
  const { config } = setup;
  const queues = setup.queues ?? QUEUE_KINDS;
  if (!queues.length) throw new Error('a worker must poll at least one task queue (io, llm, execute)');
  const activities = setup.activities ?? createActivities(setup.deps);
  const activityWorker = (kind: 'llm' | 'execute', maxConcurrent: number) => Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueues[kind],
    interceptors: workerInterceptors(),
    activities,
    maxConcurrentActivityTaskExecutions: maxConcurrent,
    ...SHUTDOWN_TIMES,
    ...(setup.identity ? { identity: `${setup.identity}-${kind}` } : {}),
  });
  const byQueue: Partial<Record<QueueKind, Worker>> = {};
  if (queues.includes('io')) byQueue.io = await createIoWorker(setup, activities);
  if (queues.includes('llm')) byQueue.llm = await activityWorker('llm', config.temporal.worker.llmMaxConcurrentActivityTaskExecutions);
  if (queues.includes('execute')) byQueue.execute = await activityWorker('execute', config.temporal.worker.executeMaxConcurrentActivityTaskExecutions);
  return new TestloomWorker(byQueue);
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
