/**
 * The child process that runs a suite's test runner, the part the Jest and the pytest runner share:
 * its own process group, a time limit, a supervisor that ends the group when this process dies.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

/** Time limit of one run of a suite when the caller sets none. */
export const DEFAULT_TIME_LIMIT_MS = 10 * 60_000;

export interface SuiteProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeLimitMs: number;
  signal?: AbortSignal;
  /** Keep this much of the process's output, for error messages: stderr, and stdout too when `withStdout`. */
  outputTail?: number;
  withStdout?: boolean;
}

export const SUPERVISOR = path.join(__dirname, 'suite-supervisor.js');

/**
 * Runs the suite's test runner in its own process group: when the time limit expires (or `signal`
 * aborts, or this process dies) the whole group is killed, with whatever workers or API clients it started.
 */
export function runSuiteProcess(options: SuiteProcessOptions): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  const tail = options.outputTail ?? 4000;
  return new Promise((resolve, reject) => {
    // Through the supervisor, which leads the process group and kills it if this process dies.
    const child = spawn(process.execPath, [SUPERVISOR, options.command, ...options.args], {
      cwd: options.cwd, env: options.env, stdio: ['pipe', options.withStdout ? 'pipe' : 'ignore', 'pipe'], detached: true,
    });
    let output = '';
    let expired = false;
    const kill = () => killGroup(child);
    const timer = setTimeout(() => {
      expired = true;
      kill();
    }, options.timeLimitMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-tail);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code) => {
      child.stdin?.destroy();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code, output, timedOut: expired });
    });
  });
}

/** Kills the child's process group (it leads one: spawned detached). */
export function killGroup(child: { pid?: number }): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
