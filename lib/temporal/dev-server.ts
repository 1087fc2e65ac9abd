import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { spawnService, stopChild, tailOf } from '../process/child';
import { ensureSearchAttributes } from './search-attributes';

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

async function tryConnect(address: string, timeoutMs: number): Promise<Connection | undefined> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch {
    return undefined;
  }
}

/** Reuses a Temporal server at `address` if one answers; otherwise starts `temporal server start-dev`. */
export async function ensureDevServer(opts: DevServerOptions): Promise<DevServer> {
  const names = Object.keys(opts.searchAttributes);
  const running = await tryConnect(opts.address, 1_000);
  if (running) {
    await ensureSearchAttributes(running.operatorService, opts.namespace, opts.searchAttributes);
    await running.close();
    return { address: opts.address, reused: true, stop: () => Promise.resolve() };
  }

  const [ip, port] = [opts.address.slice(0, opts.address.lastIndexOf(':')), opts.address.split(':').pop()!];
  const args = ['server', 'start-dev', '--ip', ip, '--port', port, '--namespace', opts.namespace, '--log-level', 'warn'];
  // An activity on the workflow's own task queue goes back with the workflow task's answer to the
  // worker that scheduled it, instead of through the matching service: one hop and one write less
  // per stage (the SDK asks for it by default; the server needs this switch).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    // Write-ahead log, synced at checkpoints rather than at every commit: a killed process loses
    // nothing (the log survives it), only a power cut can drop the last transactions; each workflow
    // or activity task transition stops paying for fsyncs (a run's eight hops: ~75 ms less).
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  for (const name of names) args.push('--search-attribute', `${name}=Keyword`);

  const child = spawnService(opts.cliPath, args, opts.logFile);
  const stop = () => stopChild(child);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}.\n${tailOf(opts.logFile)}`);
    }
    const connection = await tryConnect(opts.address, 1_000);
    if (connection) {
      // A reopened SQLite database keeps attributes registered earlier; make sure all are there.
      await ensureSearchAttributes(connection.operatorService, opts.namespace, opts.searchAttributes);
      await connection.close();
      const uiUrl = opts.headless ? undefined : `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${opts.uiPort}`;
      return { address: opts.address, reused: false, uiUrl, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`temporal server start-dev did not answer at ${opts.address} within the time limit.\n${tailOf(opts.logFile)}`);
}
