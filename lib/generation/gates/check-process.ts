/**
 * Runs the quality gates in a long-lived child process. Type-checking a suite with the compiler API
 * takes a second of synchronous work; in the worker's own thread it would stop activity heartbeats
 * and every other activity of the process for that long. The child stays warm between runs: its
 * TypeScript keeps the parsed library files (lib.*.d.ts, @types/node, @types/jest), so a check
 * after the first costs only the suite's own files. Checks are answered one at a time; one over
 * its time limit, or cancelled while running, kills the child, and the next check starts another.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import type { Artifact } from '../../core/run';
import type { GateResult } from '../../frameworks';

const ENTRY = path.join(__dirname, 'check-process-main.ts');
const PROJECT_ROOT = path.resolve(__dirname, '../../..');
const REGISTER_TYPESCRIPT = path.join(PROJECT_ROOT, 'bin/register-typescript.js');
/** An idle child is stopped after this long, to give its memory back. */
const IDLE_MS = 5 * 60_000;

interface Check {
  artifacts: Artifact[];
  timeoutMs: number;
  signal?: AbortSignal;
  resolve(result: GateResult): void;
  reject(error: Error): void;
  unqueue?: () => void;
}

export interface CheckOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs the quality gates over a suite somewhere other than the calling thread. */
export interface SuiteChecker {
  check(artifacts: Artifact[], options?: CheckOptions): Promise<GateResult>;
}

/** One child process answering checks in order: a JSON line in, a JSON line out. */
export class WarmChecker implements SuiteChecker {
  private child?: ChildProcessWithoutNullStreams;
  private readonly queue: Check[] = [];
  private running?: { check: Check; timer: NodeJS.Timeout; onAbort: () => void };
  private output = '';
  private stderr = '';
  private idle?: NodeJS.Timeout;

  check(artifacts: Artifact[], options: CheckOptions = {}): Promise<GateResult> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new Error('quality gates: cancelled'));
      const check: Check = { artifacts, timeoutMs: options.timeoutMs ?? 180_000, signal: options.signal, resolve, reject };
      // Cancelled while waiting: out of the queue at once.
      check.unqueue = () => {
        const at = this.queue.indexOf(check);
        if (at < 0) return;
        this.queue.splice(at, 1);
        reject(new Error('quality gates: cancelled'));
      };
      options.signal?.addEventListener('abort', check.unqueue, { once: true });
      this.queue.push(check);
      this.next();
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, ['--require', REGISTER_TYPESCRIPT, ENTRY], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.output = '';
    this.stderr = '';
    child.stdout.on('data', (chunk: Buffer) => this.received(child, chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000);
    });
    child.stdin.on('error', () => undefined); // a dead child's pipe; its exit reports why
    child.on('error', (err) => this.ended(child, `could not start (${err.message})`));
    child.on('close', (code, signal) => this.ended(child, signal ? `killed by ${signal}` : `exit code ${code}`));
    return child;
  }

  private next(): void {
    if (this.running) return;
    const check = this.queue.shift();
    if (!check) {
      if (this.child) keepsProcessAlive(this.child, false);
      this.idle = setTimeout(() => this.stop(), IDLE_MS).unref();
      return;
    }
    clearTimeout(this.idle);
    if (check.unqueue) check.signal?.removeEventListener('abort', check.unqueue);
    const child = (this.child ??= this.start());
    keepsProcessAlive(child, true);
    const timer = setTimeout(() => this.kill(`killed by SIGKILL after ${check.timeoutMs} ms`), check.timeoutMs);
    const onAbort = () => this.kill('cancelled');
    check.signal?.addEventListener('abort', onAbort, { once: true });
    this.running = { check, timer, onAbort };
    child.stdin.write(`${JSON.stringify(check.artifacts)}\n`);
  }

  private received(child: ChildProcessWithoutNullStreams, text: string): void {
    if (child !== this.child) return;
    this.output += text;
    const end = this.output.indexOf('\n');
    if (end < 0 || !this.running) return;
    const line = this.output.slice(0, end);
    this.output = this.output.slice(end + 1);
    try {
      this.settle((check) => check.resolve(JSON.parse(line) as GateResult));
    } catch (err) {
      this.settle((check) => check.reject(new Error(`quality gates: unreadable result (${(err as Error).message})`)));
    }
  }

  private settle(outcome: (check: Check) => void): void {
    const running = this.running!;
    this.running = undefined;
    clearTimeout(running.timer);
    running.check.signal?.removeEventListener('abort', running.onAbort);
    outcome(running.check);
    this.next();
  }

  /** The child went away: the check it was answering fails with why; the next check starts a new one. */
  private ended(child: ChildProcessWithoutNullStreams, why: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (!this.running) return;
    const detail = this.stderr.trim().split('\n').slice(-5).join(' | ');
    this.settle((check) => check.reject(new Error(`quality gates failed to run (${why}): ${detail}`)));
  }

  private kill(why: string): void {
    const child = this.child;
    if (!child) return;
    this.stderr = `${this.stderr}\n${why}`;
    child.kill('SIGKILL');
  }

  private stop(): void {
    if (!this.running && !this.queue.length) this.child?.kill('SIGTERM');
  }

  /** Ends the child now; a check still waiting or running fails. */
  close(): void {
    clearTimeout(this.idle);
    for (const check of this.queue.splice(0)) check.reject(new Error('quality gates: the checker was stopped'));
    this.child?.kill('SIGTERM');
  }
}

/** An idle child, its pipes included, must not keep this process from exiting (a CLI run, a benchmark). */
function keepsProcessAlive(child: ChildProcessWithoutNullStreams, alive: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref(): void; unref(): void }[]) {
    if (alive) handle.ref();
    else handle.unref();
  }
}

let checker: WarmChecker | undefined;

/** Stops this process's checker child; a later check starts a new one. */
export function stopCheckerProcess(): void {
  checker?.close();
  checker = undefined;
}

let holders = 0;

/**
 * Marks the checker as in use by a set of services (one per worker or API process, several in a
 * test file); the returned release stops the child when the last holder lets go, instead of leaving
 * it idle for IDLE_MS after its services closed.
 */
export function holdCheckerProcess(): () => void {
  holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) stopCheckerProcess();
  };
}

export function checkSuiteInChildProcess(artifacts: Artifact[], options: CheckOptions = {}): Promise<GateResult> {
  checker ??= new WarmChecker();
  return checker.check(artifacts, options);
}

/** This process's checker child (started on first use, stopped when the last services holding it close). */
export const processChecker: SuiteChecker = { check: checkSuiteInChildProcess };
