/**
 * Dependency probes for GET /api/health. Each answers within its own short time limit with
 * `ok`, `degraded` (works, but runs suffer), `down` (runs cannot work) or `not configured` (switched
 * off or not built yet), always with a reason when it is not ok.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sql, type Kysely } from 'kysely';
import type { Tables } from '../../schema/tables';
import type { Config } from '../config';
import { ChromaCaseStore } from '../retrieval/chroma-store';

const run = promisify(execFile);

export const CHECK_STATUSES = ['ok', 'degraded', 'down', 'not configured'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
/** A report's status: `not configured` checks do not count. */
export type HealthStatus = Exclude<CheckStatus, 'not configured'>;
export const HEALTH_STATUSES = CHECK_STATUSES.filter((status): status is HealthStatus => status !== 'not configured');

export interface CheckResult {
  status: CheckStatus;
  /** Why it is not ok; for ok, what was found. */
  reason?: string;
  /** How long the probe took. */
  durationMs?: number;
}

export type HealthProbe = () => Promise<Omit<CheckResult, 'durationMs'>>;

export const CHECK_NAMES = ['temporal', 'database', 'vectorStore', 'modelProvider', 'repositoryHost'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type HealthProbes = Record<CheckName, HealthProbe>;

export interface HealthReport {
  /** `down` when any check is down (HTTP 503); `degraded` when any is degraded; else `ok`. */
  status: HealthStatus;
  checks: Record<CheckName, CheckResult>;
}

export const PROBE_TIMEOUT_MS = 2_000;

class ProbeTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

async function timed(name: CheckName, probe: HealthProbe, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  let result: Omit<CheckResult, 'durationMs'>;
  try {
    result = await withTimeout(probe(), timeoutMs, name);
  } catch (err) {
    result = { status: 'down', reason: firstLine(err) };
  }
  return { ...result, durationMs: Date.now() - started };
}

/** Runs every probe at once; the report is `down` if any check is down. */
export async function checkHealth(probes: HealthProbes, timeoutMs = PROBE_TIMEOUT_MS): Promise<HealthReport> {
  const results = await Promise.all(CHECK_NAMES.map((name) => timed(name, probes[name], timeoutMs)));
  const checks = Object.fromEntries(CHECK_NAMES.map((name, i) => [name, results[i]])) as Record<CheckName, CheckResult>;
  const statuses = results.map((r) => r.status);
  const status = statuses.includes('down') ? 'down' : statuses.includes('degraded') ? 'degraded' : 'ok';
  return { status, checks };
}

const WORKFLOW_QUEUE = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;

/**
 * Temporal: the frontend answers and the namespace exists (else down); a worker has polled the
 * run task queue recently (else degraded: runs are accepted but wait for a worker).
 */
function temporalProbe(client: Client, config: Config, timeoutMs = PROBE_TIMEOUT_MS): HealthProbe {
  return async () => {
    const service = client.connection.workflowService;
    const { namespace } = config.temporal;
    const taskQueue = config.temporal.taskQueues.io;
    const deadline = Date.now() + timeoutMs;
    await client.withDeadline(deadline, () => service.getSystemInfo({}));
    try {
      await client.withDeadline(deadline, () => service.describeNamespace({ namespace }));
    } catch (err) {
      return { status: 'down', reason: `namespace ${namespace}: ${firstLine(err)}` };
    }
    const queue = await client.withDeadline(deadline, () =>
      service.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: WORKFLOW_QUEUE }),
    );
    const pollers = queue.pollers?.length ?? 0;
    if (pollers === 0) return { status: 'degraded', reason: `no worker has polled task queue ${taskQueue} recently: runs will wait` };
    return { status: 'ok', reason: `${config.temporal.address}, namespace ${namespace}, ${pollers} worker${pollers === 1 ? '' : 's'} polling ${taskQueue}` };
  };
}

/**
 * The database takes a write: a committed upsert of this probe's row (a read-only data directory,
 * a read-only transaction mode or a full disk all answer reads but fail here), down with the
 * database's own message otherwise.
 */
function databaseProbe(db: Kysely<Tables>, config: Config): HealthProbe {
  return async () => {
    await db
      .insertInto('healthProbes')
      .values({ name: 'database', checkedAt: sql`now()` })
      .onConflict((oc) => oc.column('name').doUpdateSet({ checkedAt: sql`now()` }))
      .execute();
    return { status: 'ok', reason: `${config.databaseUrl ? 'Postgres' : 'PGlite'} takes writes` };
  };
}

/** Chroma's heartbeat; `not configured` when retrieval is switched off. */
function vectorStoreProbe(config: Config): HealthProbe {
  return async () => {
    const { retrieval } = config;
    if (!retrieval.enabled) return { status: 'not configured', reason: 'retrieval is switched off (TESTLOOM_RETRIEVAL=off)' };
    await new ChromaCaseStore(retrieval.chroma.url).heartbeat();
    return { status: 'ok', reason: `Chroma at ${retrieval.chroma.url}` };
  };
}

/** An HTTP GET with the probe's time limit; the JSON body, or an error naming the status. */
async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
  return response.json();
}

/**
 * The first model provider of the fallback order (the one runs use while it answers). Unreachable
 * or missing its model is `degraded`, not down: spec runs still deliver their deterministic suite,
 * only issue runs (and scenario tests) need the model.
 */
export function modelProviderProbe(config: Config): HealthProbe {
  return async () => {
    const { llm } = config;
    const first = llm.providers[0];
    const model = llm.models['issue-test-cases'];
    const others = llm.providers.length > 1 ? ` (then ${llm.providers.slice(1).join(', ')})` : '';
    try {
      switch (first) {
        case undefined:
          return { status: 'not configured', reason: 'no model provider is configured (TESTLOOM_LLM_PROVIDERS=none): spec runs use the deterministic generators only, issue runs cannot run' };
        case 'ollama': {
          const tags = (await getJson(`${llm.ollamaHost.replace(/\/+$/, '')}/api/tags`)) as { models?: { name?: string; model?: string }[] };
          const names = (tags.models ?? []).flatMap((m) => [m.name, m.model]).filter(Boolean) as string[];
          const pulled = names.some((name) => name === model || name === `${model}:latest`);
          return pulled
            ? { status: 'ok', reason: `Ollama at ${llm.ollamaHost} has ${model}${others}` }
            : { status: 'degraded', reason: `Ollama at ${llm.ollamaHost} answers but has no model ${model} (ollama pull ${model})${others}` };
        }
        case 'openai': {
          const base = llm.openai!.baseUrl.replace(/\/+$/, '');
          await getJson(`${base}/models`, llm.openai!.apiKey ? { authorization: `Bearer ${llm.openai!.apiKey}` } : {});
          return { status: 'ok', reason: `OpenAI-compatible API at ${base}${others}` };
        }
        case 'llama-cpp':
          await fs.access(llm.llamaModelPath!, fs.constants.R_OK);
          return { status: 'ok', reason: `llama.cpp in process with ${llm.llamaModelPath}${others}` };
      }
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      return { status: 'degraded', reason: `model provider ${first} unavailable: ${(err as Error).message}${code ? ` (${code})` : ''}${others}; spec runs go on without model-written tests, issue runs fail` };
    }
  };
}

async function nearestExisting(dir: string): Promise<string> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      await fs.stat(current);
      return current;
    } catch {
      if (path.dirname(current) === current) return current;
    }
  }
}

/**
 * The repository host. Local git (the only host so far): git runs and the repositories folder is
 * writable (or can be created). A GitHub host would check its token or App installation here.
 */
function repositoryHostProbe(config: Config, kind: 'local' | 'github' = 'local'): HealthProbe {
  return async () => {
    if (kind !== 'local') return { status: 'not configured', reason: `no health probe for repository host ${kind} yet` };
    const root = config.repos.root;
    const { stdout } = await run('git', ['--version'], { timeout: PROBE_TIMEOUT_MS });
    const existing = await nearestExisting(root);
    try {
      await fs.access(existing, fs.constants.W_OK);
    } catch {
      return { status: 'down', reason: `local git host: ${existing === root ? root : `${existing} (parent of ${root})`} is not writable` };
    }
    return { status: 'ok', reason: `local git host in ${root} (${stdout.trim()})` };
  };
}

export interface HealthDeps {
  db: Kysely<Tables>;
  client: Client;
  config: Config;
  repoHost?: { kind: 'local' | 'github' };
}

export function defaultProbes(deps: HealthDeps): HealthProbes {
  return {
    temporal: temporalProbe(deps.client, deps.config),
    database: databaseProbe(deps.db, deps.config),
    vectorStore: vectorStoreProbe(deps.config),
    modelProvider: modelProviderProbe(deps.config),
    repositoryHost: repositoryHostProbe(deps.config, deps.repoHost?.kind),
  };
}
