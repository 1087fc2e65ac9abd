import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const SUPERVISOR = path.join(__dirname, 'service-supervisor.sh');
/** Services started by this process and not yet exited. */
const services = new Set<ChildProcess>();
let refusing = false;

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** SIGTERM, then SIGKILL to the service's whole process group if it has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, graceMs))) {
    killGroup(child);
    await waitForExit(child, 2_000);
  }
}

/**
 * Starts a server process whose stdout and stderr are appended to `logFile` (or discarded),
 * through lib/process/service-supervisor.sh, so it cannot outlive this process.
 */
export function spawnService(command: string, args: string[], logFile?: string): ChildProcess {
  if (refusing) throw new Error(`not starting ${path.basename(command)}: testloom is stopping`);
  let output: number | 'ignore' = 'ignore';
  if (logFile) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    output = fs.openSync(logFile, 'a');
  }
  // Its own process group: a Ctrl-C in the terminal reaches testloom only, which stops the
  // services in order; stdin is the pipe whose end tells the supervisor that testloom is gone.
  const child = spawn('/bin/sh', [SUPERVISOR, command, ...args], { stdio: ['pipe', output, output], detached: true });
  if (typeof output === 'number') fs.closeSync(output);
  child.stdin!.on('error', () => undefined);
  services.add(child);
  child.once('exit', () => services.delete(child));
  return child;
}

/** Stops every running service (in parallel, each within `graceMs`) and starts no new one. */
export async function stopAllServices(graceMs: number): Promise<void> {
  refusing = true;
  await Promise.all([...services].map((child) => stopChild(child, graceMs)));
}

/** SIGKILL to every running service's process group, at once: a forced exit. */
export function killAllServices(): void {
  refusing = true;
  for (const child of services) killGroup(child);
}

/** The last lines of a log file, for start-up error messages. */
export function tailOf(file: string | undefined, lines = 15): string {
  if (!file || !fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
}
