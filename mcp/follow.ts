/**
 * Following a run or an execution for a tool call that waits: polls the API, tells the client
 * through `notifications/progress` (when it sent a progress token) as stages start and end, and
 * stops when it ends, when the time given is up, or when the client cancels the call.
 */
import { EmptyResultSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ENDED_RUN_STATUSES, STAGES } from '../lib/core/run';
import { runPath, type TestloomApi } from '../lib/net/testloom-api';
import type { ApiExecution, ApiRun } from './views';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;
export type Progress = (progress: number, total: number | undefined, message: string) => Promise<void>;

const POLL_MS = 1_000;
/** How long a report waits for the client's answer to its ping (a client that does not answer is not waited for). */
const PING_TIMEOUT_MS = 2_000;

/**
 * Sends progress to the client when it asked for it; each report must be further than the last.
 * The SDK's client handles a notification a microtask after reading it but a response at once: a
 * final report read in the same chunk as the tool's result would reach it after it has retired
 * the token ("unknown token", the report lost). So each report is followed by a ping: the client
 * handles what it reads in order, so its answer means the report has been handled, and the result
 * cannot overtake it, however busy the client is.
 */
export function progressOf(extra: ToolExtra): Progress {
  const token = extra._meta?.progressToken;
  let last = -Infinity;
  return async (progress, total, message) => {
    if (token === undefined || progress <= last) return;
    last = progress;
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total, message } });
    await extra.sendRequest({ method: 'ping' }, EmptyResultSchema, { timeout: PING_TIMEOUT_MS, signal: extra.signal }).catch(() => undefined);
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const ended = (status: string) => (ENDED_RUN_STATUSES as readonly string[]).includes(status);

/** Stages done (and half of one running): where the run is, as a number that only grows. */
function stageProgress(run: ApiRun): { value: number; message: string } {
  const done = new Set(run.stages.filter((e) => e.outcome === 'succeeded').map((e) => e.stage));
  const running = run.stages.find((e) => e.outcome === 'running');
  const latest = run.stages.at(-1);
  const message = latest
    ? `${latest.stage}${latest.attempt > 1 ? ` (attempt ${latest.attempt})` : ''}: ${latest.outcome}${latest.error ? ` — ${latest.error}` : ''}`
    : `run ${run.status}`;
  return { value: done.size + (running && !done.has(running.stage) ? 0.5 : 0), message };
}

export interface FollowOptions {
  waitSeconds: number;
  pollMs?: number;
}

/** The run when it ended or when the time was up (or the call was cancelled), whichever came first. */
export async function followRun(api: TestloomApi, runId: string, extra: ToolExtra, options: FollowOptions): Promise<ApiRun> {
  const progress = progressOf(extra);
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    const run = await api.get<ApiRun>(runPath(runId));
    if (ended(run.status)) {
      await progress(STAGES.length, STAGES.length, `run ${run.status}${run.error ? ` at ${run.error.stage}: ${run.error.message}` : ''}`);
      return run;
    }
    const { value, message } = stageProgress(run);
    await progress(value, STAGES.length, message);
    if (Date.now() >= deadline || extra.signal.aborted) return run;
    await sleep(Math.min(options.pollMs ?? POLL_MS, Math.max(deadline - Date.now(), 0)), extra.signal);
  }
}

/** The execution when it ended, or when the time was up; progress counts the seconds it has run. */
export async function followExecution(api: TestloomApi, runId: string, executionId: string, extra: ToolExtra, options: FollowOptions): Promise<ApiExecution> {
  const progress = progressOf(extra);
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  for (;;) {
    const execution = await api.get<ApiExecution>(runPath(runId, 'executions', executionId));
    const seconds = Math.round((Date.now() - started) / 1000);
    if (execution.status !== 'running') {
      await progress(seconds + 1, undefined, `execution ${execution.status}${execution.error ? `: ${execution.error}` : ''}`);
      return execution;
    }
    await progress(seconds, undefined, `execution against ${execution.target.baseUrl} running (${seconds} s)`);
    if (Date.now() >= deadline || extra.signal.aborted) return execution;
    await sleep(Math.min(options.pollMs ?? POLL_MS, Math.max(deadline - Date.now(), 0)), extra.signal);
  }
}
