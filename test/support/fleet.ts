/**
 * A local fleet of testloom processes, as a deployment runs them: `testloom migrate` once, then
 * API processes and worker processes (one queue each, or any mix) as separate OS processes sharing
 * one Temporal server, one Postgres database and one data directory (the local repository host).
 * Used by test/fleet and bench/fleet.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/config';
import { loadTemporalConfig } from '../../lib/config/temporal-config';
import { freePorts } from '../../lib/net/free-port';
import { requireTemporalCli } from '../../lib/temporal/cli';
import { ensureDevServer, type DevServer } from '../../lib/temporal/dev-server';
import { workflowBundle } from '../../workers/workflow-bundle';
import type { QueueKind } from '../../workers/worker';
import { seedWorkflowBundle } from './databases';
import { runTestloom, startTestloom, writeTemporalConfig, type TestloomProcess } from './testloom-processes';

export interface FleetOptions {
  dir: string;
  temporalAddress: string;
  databaseUrl: string;
  /** Task queue prefix on the shared server. */
  queue: string;
  /** The queues of each worker process, e.g. [['io'], ['io'], ['llm'], ['execute']]. */
  workers: QueueKind[][];
  apis: number;
  /** More environment for every process. */
  env?: Record<string, string>;
}

export interface FleetApi {
  url: string;
  process: TestloomProcess;
}

export interface Fleet {
  env: Record<string, string>;
  apis: FleetApi[];
  workers: { queues: QueueKind[]; process: TestloomProcess }[];
  /** Starts one more worker process and waits until it polls. */
  addWorker(queues: QueueKind[]): Promise<TestloomProcess>;
  stop(): Promise<void>;
}

/**
 * A Temporal dev server of the fleet's own: a hundred runs on the test run's shared server would
 * slow every other test file's calls to it.
 */
export async function startFleetTemporal(dir: string): Promise<DevServer> {
  const [port, uiPort] = await freePorts(2);
  return ensureDevServer({
    cliPath: requireTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, projectRoot: PROJECT_ROOT }).path,
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    uiPort,
    headless: true,
    logFile: path.join(dir, 'temporal.log'),
    searchAttributes: loadTemporalConfig(path.join(PROJECT_ROOT, 'temporal.yaml')).searchAttributes,
  });
}

/** Short heartbeats and retries: a SIGKILLed worker's stage is retried within seconds. */
function quickRecovery(doc: Record<string, any>): void {
  doc.defaults.heartbeatTimeout = '5s';
  doc.defaults.retry = { ...doc.defaults.retry, initialInterval: '200ms', maximumInterval: '2s' };
  for (const stage of Object.values<Record<string, any>>(doc.stages ?? {})) {
    if (stage.heartbeatTimeout) stage.heartbeatTimeout = '5s';
  }
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dataDir = path.join(options.dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  // Built (or copied from the test run's) once, before the io workers, which would otherwise each bundle the workflows.
  if (process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE) seedWorkflowBundle(dataDir);
  else await workflowBundle(path.join(dataDir, 'cache'));
  const env: Record<string, string> = {
    TESTLOOM_DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TESTLOOM_TEMPORAL_CONFIG: writeTemporalConfig(options.dir, options.queue, quickRecovery),
    TESTLOOM_RETRIEVAL: 'off',
    TESTLOOM_MODELS_OFFLINE: '1',
    TESTLOOM_LLM_PROVIDERS: 'none',
    TESTLOOM_REPO_HOST: 'local',
    TESTLOOM_LOG_LEVEL: 'warn',
    TESTLOOM_RATE_LIMIT_PER_MINUTE: '100000',
    ...options.env,
  };
  const migrated = await runTestloom(['migrate'], env);
  if (migrated.code !== 0) throw new Error(`testloom migrate failed:\n${migrated.output}`);

  const apis: FleetApi[] = [];
  const workers: Fleet['workers'] = [];
  let started = 0;
  const addWorker = async (queues: QueueKind[]) => {
    const identity = `fleet-${queues.join('-')}-${++started}`;
    const worker = startTestloom(identity, ['worker', '--queues', queues.join(','), '--identity', identity], env);
    workers.push({ queues, process: worker });
    await worker.waitFor('testloom worker polling', 120_000);
    return worker;
  };
  try {
    const ports = await freePorts(options.apis);
    for (const port of ports) {
      const url = `http://127.0.0.1:${port}`;
      apis.push({ url, process: startTestloom(`api :${port}`, ['api'], { ...env, TESTLOOM_API_PORT: String(port), TESTLOOM_API_URL: url }) });
    }
    await Promise.all([
      ...apis.map((api) => api.process.waitFor(`testloom API listening on ${api.url}`, 120_000)),
      ...options.workers.map((queues) => addWorker(queues)),
    ]);
  } catch (err) {
    await Promise.all([...apis, ...workers].map((p) => p.process.kill()));
    throw err;
  }
  return {
    env,
    apis,
    workers,
    addWorker,
    stop: async () => {
      await Promise.all([...apis, ...workers].map((p) => p.process.stop()));
    },
  };
}

/** Polls `GET /api/v1/runs?status=…` style endpoints of any live API until `done` says so. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
