/** A real worker process (test/support/pausing-worker.ts) that a test can SIGKILL at a chosen point. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Harness } from './harness';
import { TYPESCRIPT_LOADER } from './testloom-processes';

const ROOT = path.resolve(__dirname, '../..');

/** Starts the pausing worker as its own process and resolves once it reports `line`. */
export function spawnWorker(
  harness: Harness, pauseAt: string, env: Record<string, string> = {},
): { child: ChildProcess; reached: (line: string) => Promise<void> } {
  // The TypeScript loader in this very process (not a CLI that would fork a grandchild surviving
  // the SIGKILL).
  const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, 'test/support/pausing-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...harness.env, ...env, PAUSE_AT: pauseAt },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) if (output.includes(waiter.line)) waiter.resolve();
  });
  return {
    child,
    reached: (line) => new Promise((resolve, reject) => {
      if (output.includes(line)) return resolve();
      waiters.push({ line, resolve });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before "${line}"; output: ${output}`)));
    }),
  };
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

