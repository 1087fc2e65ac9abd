import { fork, spawn, type ChildProcess } from 'node:child_process';
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

/**
 * SIGTERM, then SIGKILL to the service's whole process group if it has not exited after `graceMs`.
 * Once the supervisor has exited, whatever is left in its group is SIGKILLed too: a supervisor
 * ended without stopping its server (killed, or signalled in the instant it started it) leaves the
 * server there, with no one else to stop it while this process lives.
 */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, graceMs))) killGroup(child);
    await waitForExit(child, 2_000);
  }
  killGroup(child); // normally an empty group by now: nothing happens
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

/**
 * Runs `script` (plain JavaScript, with node alone) in a child process with an IPC channel, for
 * one-off work whose memory should go back to the system when it is done. The child ends with this
 * process: it is SIGKILLed when this process exits (a stop while it works: a child busy with
 * seconds of synchronous work would see its channel close only after them), and a script should
 * also leave when its channel closes (this process killed). Resolves, once the child has exited
 * with 0, with its pid and the last message it sent; rejects naming `what`, the exit and its stderr.
 */
export function runHelperProcess<T>(script: string, args: string[], what: string): Promise<{ pid: number; message: T | undefined }> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const endChild = () => child.kill('SIGKILL');
    process.once('exit', endChild);
    let stderr = '';
    let message: T | undefined;
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.on('message', (sent) => (message = sent as T));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('exit', endChild);
      if (code === 0) resolve({ pid: child.pid!, message });
      else reject(new Error(`${what} failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`));
    });
  });
}
