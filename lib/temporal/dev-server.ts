import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface DevServerOptions {
  cliPath: string;
  address: string;
  namespace: string;
  uiPort: number;
  /** SQLite file that keeps the server's state; omitted = in memory. */
  dbFile?: string;
  /** Where the server's own output goes; omitted = discarded. */
  logFile?: string;
  searchAttributes: Record<string, 'Keyword'>;
  headless?: boolean;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  /** True when a server was already listening and was reused instead of started. */
  reused: boolean;
  uiUrl?: string;
  stop(): Promise<void>;
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

async function tryConnect(address: string, timeoutMs: number): Promise<Connection | undefined> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch {
    return undefined;
  }
}

/** Adds the custom search attributes a namespace lacks; existing ones are left alone. */
export async function registerSearchAttributes(connection: Connection, namespace: string, names: string[]): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = names.filter((name) => !(name in (existing.customAttributes ?? {})));
  if (!missing.length) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
  });
}

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

function tail(file: string | undefined): string {
  if (!file || !fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n');
}

/** Reuses a Temporal server at `address` if one answers; otherwise starts `temporal server start-dev`. */
export async function ensureDevServer(opts: DevServerOptions): Promise<DevServer> {
  const names = Object.keys(opts.searchAttributes);
  const running = await tryConnect(opts.address, 1_000);
  if (running) {
    await registerSearchAttributes(running, opts.namespace, names);
    await running.close();
    return { address: opts.address, reused: true, stop: async () => undefined };
  }

  const [ip, port] = [opts.address.slice(0, opts.address.lastIndexOf(':')), opts.address.split(':').pop()!];
  const args = ['server', 'start-dev', '--ip', ip, '--port', port, '--namespace', opts.namespace, '--log-level', 'warn'];
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  for (const name of names) args.push('--search-attribute', `${name}=Keyword`);

  let output: number | 'ignore' = 'ignore';
  if (opts.logFile) {
    fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
    output = fs.openSync(opts.logFile, 'a');
  }
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', output, output] });
  if (typeof output === 'number') fs.closeSync(output);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 10_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}.\n${tail(opts.logFile)}`);
    }
    const connection = await tryConnect(opts.address, 1_000);
    if (connection) {
      // A reopened SQLite database keeps attributes registered earlier; make sure all are there.
      await registerSearchAttributes(connection, opts.namespace, names);
      await connection.close();
      const uiUrl = opts.headless ? undefined : `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${opts.uiPort}`;
      return { address: opts.address, reused: false, uiUrl, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`temporal server start-dev did not answer at ${opts.address} within the time limit.\n${tail(opts.logFile)}`);
}
