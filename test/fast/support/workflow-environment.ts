/**
 * The fast tier's Temporal: the time-skipping test server (Temporal's Java test server, the
 * `temporal-test-server` binary setup installs into .venv/), one per test file, with testloom's
 * search attributes registered; the real workflows (bundled once by ./global-setup.ts) on two
 * workers (the I/O and the model task queue, as workers/worker.ts runs them) with stub activities.
 * Timers, retry back-offs and timeouts are skipped, so the stage settings are temporal.yaml's own.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../../activities';
import { loadTemporalConfig } from '../../../lib/config/temporal-config';
import type { ExecuteRunInput, ExecutionRequest, GenerateTestsInput } from '../../../lib/core/contract';
import { testServerPath } from './test-server';

const ROOT = path.resolve(__dirname, '../../..');
export const SETTINGS = loadTemporalConfig(path.join(ROOT, 'temporal.yaml'));

// Errors only: the failures these tests cause on purpose would otherwise print a warning each.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { forward: {}, filter: { core: 'ERROR', other: 'ERROR' } } } });
} catch {
  // This Jest worker already installed a runtime (another test file did); keep it.
}

export async function startTestEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
  try {
    // `testloom up` and the test dev server register these from temporal.yaml; the test server needs them too.
    const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    const searchAttributes = Object.fromEntries(Object.keys(SETTINGS.searchAttributes).map((name) => [name, keyword]));
    await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes });
    return env;
  } catch (err) {
    await env.teardown();
    throw err;
  }
}

export interface TaskQueues {
  io: string;
  llm: string;
}

export function taskQueues(): TaskQueues {
  const io = `fast-${randomBytes(4).toString('hex')}`;
  return { io, llm: `${io}-llm` };
}

/**
 * Runs `fn` while a worker polls each task queue: the workflows and every activity on `io`, the
 * activities on `llm` (generate and execute are scheduled there); both stop when `fn` settles.
 */
export async function withWorkers<T>(env: TestWorkflowEnvironment, queues: TaskQueues, activities: Activities, fn: () => Promise<T>): Promise<T> {
  const bundle = process.env.TESTLOOM_FAST_WORKFLOW_BUNDLE;
  // A cancelled activity hears of it with its next heartbeat; the SDK sends them at most every 80 % of
  // the heartbeat timeout (24 s for generate): here at once, so a cancellation arrives in milliseconds.
  const options = { connection: env.nativeConnection, activities, maxHeartbeatThrottleInterval: '50ms' };
  const io = await Worker.create({
    ...options,
    taskQueue: queues.io,
    ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../../../workflows') }),
  });
  const llm = await Worker.create({ ...options, taskQueue: queues.llm });
  return llm.runUntil(() => io.runUntil(fn));
}

/** A spec run's input as lib/runs/start.ts builds it, with temporal.yaml's stage settings. */
export function specRunInput(queues: TaskQueues, overrides: Partial<GenerateTestsInput> = {}): GenerateTestsInput {
  return {
    trigger: 'spec',
    repository: 'acme/shop',
    spec: { id: 'spec-1', source: { kind: 'upload' } },
    framework: 'jest',
    settings: { taskQueue: queues.io, llmTaskQueue: queues.llm, stages: SETTINGS.stages },
    ...overrides,
  };
}

export const EXECUTION_REQUEST: ExecutionRequest = {
  target: { baseUrl: 'http://127.0.0.1:9999', allowedMethods: ['POST'] },
  runs: 3,
  timeLimitMs: 60_000,
  healRounds: 1,
};

export function executeRunInput(queues: TaskQueues, runId = 'run-1'): ExecuteRunInput {
  return { runId, request: EXECUTION_REQUEST, settings: { taskQueue: queues.io, stage: SETTINGS.stages.execute } };
}

export function workflowId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
