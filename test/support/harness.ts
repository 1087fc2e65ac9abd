/**
 * A complete testloom on the test run's Temporal dev server: real database (PGlite or a fresh
 * Postgres database), real local git host, real retrieval (Chroma + embedding weights), real
 * worker, real HTTP API on an ephemeral port.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { listen, type RunningServer } from '../../api/server';
import { loadConfig, type Config, type StageSettingsMap } from '../../lib/config';
import { openDatabase, type Database } from '../../lib/db/open';
import { LocalGitHost } from '../../lib/repohost/local-git';
import { createRetriever, type CaseRetriever } from '../../lib/retrieval';
import { installQuietRuntime } from '../../lib/temporal/runtime';
import { createClient } from '../../lib/temporal/client';
import { STAGES } from '../../lib/runs/types';
import { createWorker } from '../../workers/worker';
import { createTestPostgres, type TestPostgres } from './databases';

export interface HarnessOptions {
  database: 'pglite' | 'postgres';
  /** Short timeouts so a killed worker's attempt is retried within seconds. */
  fastRetries?: boolean;
  /** Chroma server for retrieval: the test run's shared one by default; 'off' switches retrieval off. */
  chromaUrl?: string | 'off';
  /** More environment for loadConfig (e.g. GITHUB_WEBHOOK_SECRET). */
  env?: Record<string, string>;
}

export interface Harness {
  config: Config;
  env: Record<string, string>;
  database: Database;
  client: Client;
  repoHost: LocalGitHost;
  retrieval?: CaseRetriever;
  api: RunningServer;
  dataDir: string;
  startWorker(wrap?: (activities: Activities) => Activities): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

installQuietRuntime();

function fastStageSettings(stages: StageSettingsMap): StageSettingsMap {
  return Object.fromEntries(
    STAGES.map((name) => [name, {
      ...stages[name],
      heartbeatTimeout: '2s',
      retry: { ...stages[name].retry, initialInterval: '200ms', maximumInterval: '1s' },
    }]),
  ) as StageSettingsMap;
}

export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const address = process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TESTLOOM_TEST_TEMPORAL_ADDRESS is unset: run tests through jest (global setup starts Temporal)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-test-'));
  const postgres: TestPostgres | undefined = options.database === 'postgres' ? await createTestPostgres() : undefined;
  const chromaUrl = options.chromaUrl ?? process.env.TESTLOOM_TEST_CHROMA_URL;
  const env: Record<string, string> = {
    TESTLOOM_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: address,
    TESTLOOM_MODELS_OFFLINE: '1',
    ...(chromaUrl === 'off' || !chromaUrl ? { TESTLOOM_RETRIEVAL: 'off' } : { CHROMA_URL: chromaUrl }),
    // waitForRunEnd polls 5 times a second from 127.0.0.1: tests of runs must not meet the rate limit.
    TESTLOOM_RATE_LIMIT_PER_MINUTE: '100000',
    ...options.env,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  const loaded = loadConfig({ ...process.env, ...env, DATABASE_URL: postgres?.url ?? '' });
  const taskQueue = `testloom-test-${randomBytes(4).toString('hex')}`;
  const config: Config = {
    ...loaded,
    temporal: {
      ...loaded.temporal,
      taskQueues: { ...loaded.temporal.taskQueues, io: taskQueue },
      stages: options.fastRetries ? fastStageSettings(loaded.temporal.stages) : loaded.temporal.stages,
    },
  };

  const database = await openDatabase({ databaseUrl: postgres?.url, dataDir });
  const repoHost = new LocalGitHost(config.repos.root, database.db);
  const retrieval = await createRetriever(config.retrieval);
  const connection = await Connection.connect({ address });
  const client = createClient(connection, config.temporal.namespace); // with the OpenTelemetry interceptor, like the API's
  const api = await listen({ db: database.db, client, config, repoHost }, '127.0.0.1', 0);
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
      const deps = { db: database.db, repoHost, retrieval };
      const activities = createActivities(deps);
      const worker = await createWorker({
        config,
        connection: native,
        deps,
        activities: wrap ? wrap(activities) : activities,
        workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! },
      });
      const running = worker.run();
      const handle: RunningWorker = {
        worker,
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
          await native.close();
        },
      };
      workers.push(handle);
      return handle;
    },
    async close() {
      for (const w of workers) await w.stop();
      await api.close();
      await connection.close();
      await database.close();
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON over the real socket of the harness's API. */
export async function apiRequest<T = any>(harness: Harness, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
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
export async function waitForRunEnd(harness: Harness, runId: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await apiRequest(harness, 'GET', `/api/v1/runs/${runId}`);
    if (['completed', 'failed', 'cancelled'].includes(body?.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end in time; last state ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const PETSTORE = path.resolve(__dirname, '../../examples/petstore.yaml');
