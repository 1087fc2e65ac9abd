/**
 * testloom's own processes (`node bin/testloom api|worker|migrate`) as separate OS processes, the
 * way a deployment runs them: each with its environment, stopped with SIGTERM (or SIGKILLed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

/** Node's arguments to run a TypeScript file (or an `-e` script requiring one) as testloom's own processes do. */
export const TYPESCRIPT_LOADER = ['--require', path.join(ROOT, 'bin/register-typescript.js')];

export interface TestloomProcess {
  child: ChildProcess;
  name: string;
  output(): string;
  /** Resolves once the output contains `text`; rejects if the process exits first or `timeoutMs` passes. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal). */
  stop(graceMs?: number): Promise<number | string | null>;
  kill(): Promise<void>;
}

export function startTestloom(name: string, args: string[], env: Record<string, string>): TestloomProcess {
  const child = spawn(process.execPath, ['bin/testloom', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    name,
    output: () => output,
    waitFor: (text, timeoutMs = 90_000) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${name}: "${text}" did not appear within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
      const check = () => output.includes(text) && done();
      function done(err?: Error) {
        clearTimeout(timer);
        listeners.delete(check);
        if (err) reject(err);
        else resolve();
      }
      listeners.add(check);
      void exited.then((code) => done(new Error(`${name} exited (${code}) before "${text}"; output:\n${output}`)));
      check();
    }),
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `testloom <args>` to its end; resolves with its exit code and output. */
export async function runTestloom(args: string[], env: Record<string, string>): Promise<{ code: number | string | null; output: string }> {
  const proc = startTestloom(args.join(' '), args, env);
  const code = await new Promise<number | string | null>((resolve) => proc.child.once('exit', (c, s) => resolve(c ?? s)));
  return { code, output: proc.output() };
}

/**
 * A copy of the project's temporal.yaml with task queues of their own (`<prefix>`, `<prefix>-llm`,
 * `<prefix>-execute`), so processes of one test poll only that test's queues on the shared dev
 * server; `changes` adjusts the rest (e.g. shorter heartbeats for tests that SIGKILL a worker).
 */
export function writeTemporalConfig(dir: string, prefix: string, changes: (doc: Record<string, any>) => void = () => undefined): string {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, 'temporal.yaml'), 'utf8')) as Record<string, any>;
  doc.taskQueues = { io: prefix, llm: `${prefix}-llm`, execute: `${prefix}-execute` };
  changes(doc);
  const file = path.join(dir, 'temporal.yaml');
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}
