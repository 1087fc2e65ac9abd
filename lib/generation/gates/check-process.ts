/**
 * Runs the quality gates in a child process. Type-checking a suite with the compiler API takes
 * seconds of synchronous work; in the worker's own thread it would stop activity heartbeats and
 * every other activity of the process for that long.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Artifact } from '../../core/run';
import type { GateResult } from '../../frameworks';

const ENTRY = path.join(__dirname, 'check-process-main.ts');
const PROJECT_ROOT = path.resolve(__dirname, '../../..');

export function checkSuiteInChildProcess(artifacts: Artifact[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<GateResult> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const abort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      if (code === 0) {
        try {
          return resolve(JSON.parse(stdout) as GateResult);
        } catch (err) {
          return reject(new Error(`quality gates: unreadable result (${(err as Error).message})`));
        }
      }
      const why = signal ? `killed by ${signal}${signal === 'SIGKILL' && !options.signal?.aborted ? ` after ${timeoutMs} ms` : ''}` : `exit code ${code}`;
      reject(new Error(`quality gates failed to run (${why}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
    child.stdin.end(JSON.stringify(artifacts));
  });
}
