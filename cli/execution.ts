import { Option, type Command } from 'commander';
import type { ExecutionSummary } from '../lib/core/contract';
import type { ExecutionStatus } from '../lib/core/run';
import type { TargetConfig } from '../lib/core/target';
import type { ApiClient } from './http';

export interface TargetOptions {
  baseUrl?: string;
  allowMethods?: string;
  allowHost?: string[];
  targetEnv?: string[];
}

/** The options that name the API a suite runs against, shared by `run` and `execute`. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('--base-url <url>', 'run the generated suite against this API before committing (e.g. http://127.0.0.1:8080/v1)')
    .option('--allow-methods <list>', 'destructive methods the suite may send, comma-separated (DELETE,PUT,PATCH,POST); none by default')
    .addOption(new Option('--allow-host <host>', 'another host the suite may call (repeatable)').argParser((value: string, previous: string[] = []) => [...previous, value]))
    .addOption(new Option('--target-env <NAME=VALUE>', "an API_* variable for the suite (repeatable); credentials as '${WORKER_VARIABLE}'").argParser((value: string, previous: string[] = []) => [...previous, value]));
}

export function targetFromOptions(options: TargetOptions): TargetConfig | undefined {
  if (!options.baseUrl) {
    if (options.allowMethods || options.allowHost || options.targetEnv) throw new Error('--allow-methods, --allow-host and --target-env need --base-url');
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const pair of options.targetEnv ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--target-env ${pair}: expected NAME=VALUE, e.g. API_AUTH_BEARER_AUTH='\${STAGING_TOKEN}'`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const methods = (options.allowMethods ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  return {
    baseUrl: options.baseUrl,
    ...(Object.keys(env).length ? { env } : {}),
    ...(methods.length ? { allowedMethods: methods } : {}),
    ...(options.allowHost?.length ? { allowedHosts: options.allowHost } : {}),
  };
}

const figure = (f: { covered: number; total: number; percent: number | null }) => `${f.covered}/${f.total}${f.percent === null ? '' : ` (${f.percent}%)`}`;

export function printExecution(summary: ExecutionSummary, print: (line?: string) => void): void {
  if (summary.status === 'skipped') {
    print(`  execution   not executed: ${summary.reason}`);
    return;
  }
  print(`  execution   ${summary.baseUrl}, ${summary.runs} runs: ${summary.passed}/${summary.tests} passed${summary.healed.length ? ` (${summary.healed.length} repaired)` : ''}, ` +
    `${summary.apiDefects.length} possible API defects, ${summary.flaky.length} flaky, ${summary.dropped.length} dropped, ` +
    `${summary.baselineFailed?.length ? `${summary.baselineFailed.length} left out (baseline failed), ` : ''}${summary.blocked.length} not verified`);
  if (summary.coverage) {
    const c = summary.coverage;
    print(`  coverage    operations ${figure(c.operations)}, status codes ${figure(c.statusCodes)}, parameters ${figure(c.parameters)}, body properties ${figure(c.requestBodyProperties)}`);
  }
  for (const defect of summary.apiDefects) {
    print(`  API defect  ${defect.fullName}: ${defect.reasons[0]}`);
    if (defect.reproducer) print(`              ${defect.reproducer}`);
  }
  for (const test of summary.flaky) print(`  flaky       ${test.fullName} (${test.outcomes.join(', ')})`);
  for (const test of summary.dropped) print(`  dropped     ${test.fullName}: ${test.reason}${test.failure ? ` (${test.failure})` : ''}`);
  for (const test of summary.baselineFailed ?? []) print(`  left out    ${test.fullName} (${test.outcome}): ${test.reason}`);
  for (const test of summary.healed) print(`  repaired    ${test.fullName}: ${test.explanation}`);
  for (const test of summary.blocked) print(`  unverified  ${test.fullName}: ${test.reason}`);
}

export interface ExecutionView {
  id: string;
  status: ExecutionStatus;
  summary: ExecutionSummary | null;
  error: string | null;
}

/** Polls an execution until it ends. */
export async function followExecution(api: ApiClient, runId: string, executionId: string, print: (line?: string) => void): Promise<ExecutionView> {
  for (;;) {
    const { body } = await api.request<ExecutionView>('GET', `/api/v1/runs/${encodeURIComponent(runId)}/executions/${encodeURIComponent(executionId)}`);
    if (body.status !== 'running') return body;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    print('  … running');
  }
}
