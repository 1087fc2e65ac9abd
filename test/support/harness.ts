/**
 * A complete testloom on the test run's Temporal dev server: real database (PGlite or a fresh
 * Postgres database), real local git host, real retrieval (Chroma + embedding weights), real
 * worker, real HTTP API on an ephemeral port.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { listen, type RunningServer } from '../../api/server';
import { loadConfig, type Config, type StageSettingsMap } from '../../lib/config';
import type { Database } from '../../lib/db/open';
import type { GitHubRepoHost } from '../../lib/repohost/github';
import type { LocalGitHost } from '../../lib/repohost/local-git';
import type { RepoHost } from '../../lib/repohost/types';
import type { CaseRetriever } from '../../lib/retrieval';
import { createServices } from '../../lib/services';
import type { SuiteChecker } from '../../lib/generation/gates/check-process';
import { installQuietRuntime } from '../../lib/temporal/runtime';
import { createClient } from '../../lib/temporal/client';
import { STAGES } from '../../lib/core/run';
import { createWorker, type TestloomWorker } from '../../workers/worker';
import { createTestPostgres, seedPglite, type TestPostgres } from './databases';
import type { GitHubServer } from './github-server/server';

export interface HarnessOptions {
  database: 'pglite' | 'postgres';
  /** Short timeouts so a killed worker's attempt is retried within seconds. */
  fastRetries?: boolean;
  /** Chroma server for retrieval: the test run's shared one by default; 'off' switches retrieval off. */
  chromaUrl?: string;
  /** Deliver to this local GitHub server through the GitHub host (workers spawned with `harness.env` do too). */
  github?: GitHubServer;
  /** More environment for loadConfig (e.g. GITHUB_WEBHOOK_SECRET). */
  env?: Record<string, string>;
  /** Where the data directory is made: the run's temporary root (in memory, see memory-tmpdir.ts) by default. */
  tmpdir?: string;
}

/** `repoHost`: the local git host by default, the GitHub host with the `github` option. */
export interface Harness<H extends RepoHost = LocalGitHost> {
  config: Config;
  env: Record<string, string>;
  database: Database;
  client: Client;
  repoHost: H;
  retrieval?: CaseRetriever;
  api: RunningServer;
  dataDir: string;
  startWorker(wrap?: (activities: Activities) => Activities): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: TestloomWorker;
  stop(): Promise<void>;
}

installQuietRuntime();

function fastStageSettings(stages: StageSettingsMap): StageSettingsMap {
  return Object.fromEntries(
    STAGES.map((name) => [name, {
      ...stages[name],
      // Short enough to notice a killed worker within seconds; long enough that a loaded CI machine
      // (two test files, each with child processes: type-checks, executed suites) keeps its heartbeats.
      heartbeatTimeout: '5s',
      retry: { ...stages[name].retry, initialInterval: '200ms', maximumInterval: '1s' },
    }]),
  ) as StageSettingsMap;
}

export async function createHarness(options: HarnessOptions & { github: GitHubServer }): Promise<Harness<GitHubRepoHost>>;
export async function createHarness(options: HarnessOptions): Promise<Harness>;
export async function createHarness(options: HarnessOptions): Promise<Harness<RepoHost>> {
  const address = process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TESTLOOM_TEST_TEMPORAL_ADDRESS is unset: run tests through jest (global setup starts Temporal)');
  const dataDir = fs.mkdtempSync(path.join(options.tmpdir ?? os.tmpdir(), 'testloom-test-'));
  if (options.database === 'pglite') seedPglite(dataDir);
  const postgres: TestPostgres | undefined = options.database === 'postgres' ? await createTestPostgres() : undefined;
  const chromaUrl = options.chromaUrl ?? process.env.TESTLOOM_TEST_CHROMA_URL;
  const env: Record<string, string> = {
    TESTLOOM_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: address,
    TESTLOOM_MODELS_OFFLINE: '1',
    ...(chromaUrl === 'off' || !chromaUrl ? { TESTLOOM_RETRIEVAL: 'off' } : { CHROMA_URL: chromaUrl }),
    // waitForRunEnd polls 5 times a second from 127.0.0.1: tests of runs must not meet the rate limit.
    TESTLOOM_RATE_LIMIT_PER_MINUTE: '100000',
    // No model unless a test brings one (e.g. the local Ollama-speaking server): nothing here may
    // depend on whatever happens to listen on Ollama's default port.
    TESTLOOM_LLM_PROVIDERS: 'none',
    // The repository host: GitHub (through the local server) only when asked, whatever the machine's environment holds.
    ...(options.github ? { TESTLOOM_REPO_HOST: 'github', GITHUB_API_URL: options.github.url, GITHUB_TOKEN: 'test-token' } : { TESTLOOM_REPO_HOST: 'local' }),
    // Tests start runs with { spec: { path } } for the example and fixture specs.
    TESTLOOM_SPEC_ROOTS: SPEC_ROOTS.join(','),
    ...options.env,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  const loaded = loadConfig({ ...process.env, ...env, DATABASE_URL: postgres?.url ?? '' });
  const taskQueue = `testloom-test-${randomBytes(4).toString('hex')}`;
  const config: Config = {
    ...loaded,
    temporal: {
      ...loaded.temporal,
      taskQueues: { io: taskQueue, llm: `${taskQueue}-llm`, execute: `${taskQueue}-execute` },
      stages: options.fastRetries ? fastStageSettings(loaded.temporal.stages) : loaded.temporal.stages,
    },
  };

  // The Jest worker's one checker child (test/support/node-environment.js), kept warm across test files.
  const services = await createServices(config, { gates: sharedGateChecker() });
  const { database, repoHost, retrieval } = services;
  const connection = await Connection.connect({ address });
  const client = createClient(connection, config.temporal.namespace); // with the OpenTelemetry interceptor, like the API's
  const api = await listen({ db: database.db, client, config, repoHost, retrieval }, '127.0.0.1', 0);
  const workers: RunningWorker[] = [];

  return {
    config,
    env: { ...env, TESTLOOM_TEST_TASK_QUEUE: taskQueue },
    database,
    client,
    repoHost,
    retrieval,
    api,
    dataDir,
    async startWorker(wrap) {
      const native = await NativeConnection.connect({ address });
      const activities = createActivities(services);
      const worker = await createWorker({
        config,
        connection: native,
        deps: services,
        activities: wrap ? wrap(activities) : activities,
        workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! },
      });
      const running = worker.run();
      let stopped: Promise<void> | undefined;
      const handle: RunningWorker = {
        worker,
        // Idempotent: a test may stop its worker (to let another process take over) before close() stops them all.
        stop() {
          stopped ??= (async () => {
            if (worker.getState() === 'RUNNING') worker.shutdown();
            await running;
            await native.close();
          })();
          return stopped;
        },
      };
      workers.push(handle);
      await untilPolled(client, config, running);
      return handle;
    },
    async close() {
      for (const w of workers) await w.stop();
      await api.close();
      await connection.close();
      await services.close();
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once the Temporal server has seen the worker poll its workflow task queue. The first poll
 * arrives a moment after run() starts (later on a loaded machine), and until then the server, and
 * GET /api/health with it, says no worker is there. Rejects if the worker stops first.
 */
async function untilPolled(client: Client, config: Config, running: Promise<void>): Promise<void> {
  let ended: Error | undefined;
  running.then(
    () => (ended ??= new Error('the worker stopped before it polled')),
    (err: unknown) => (ended ??= err instanceof Error ? err : new Error(String(err))),
  );
  const taskQueue = config.temporal.taskQueues.io;
  const workflowTasks = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
  const request = { namespace: config.temporal.namespace, taskQueue: { name: taskQueue }, taskQueueType: workflowTasks };
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (ended) throw ended;
    if ((await client.connection.workflowService.describeTaskQueue(request)).pollers?.length) return;
  }
  throw new Error(`the worker did not poll task queue ${taskQueue} within 30 s`);
}

/** JSON over the real socket of the harness's API. */
function sharedGateChecker(): SuiteChecker | undefined {
  return (globalThis as { __sharedGateChecker?: () => SuiteChecker }).__sharedGateChecker?.();
}

export async function apiRequest<T = any>(harness: Harness<RepoHost>, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const isText = typeof body === 'string';
  const response = await fetch(`${harness.api.url}${url}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': isText ? 'application/yaml' : 'application/json', ...headers },
    body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/** Polls the API until the run has ended. */
export async function waitForRunEnd(harness: Harness<RepoHost>, runId: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A keep-alive connection the server closed while its event loop was busy (a huge spec being
    // validated) resets once; the next poll opens a new one.
    const { body } = await apiRequest(harness, 'GET', `/api/v1/runs/${runId}`).catch((err: Error & { cause?: { code?: string } }) => {
      if (err.cause?.code === 'ECONNRESET') return { body: undefined };
      throw err;
    });
    if (['completed', 'failed', 'cancelled'].includes(body?.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end in time; last state ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const PETSTORE = path.resolve(__dirname, '../../examples/petstore.yaml');
/** The directories the harness's API reads spec.path from (TESTLOOM_SPEC_ROOTS). */
export const SPEC_ROOTS = [path.resolve(__dirname, '../../examples'), path.resolve(__dirname, '../fixtures/specs')];
