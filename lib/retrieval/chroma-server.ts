import fs from 'node:fs';
import path from 'node:path';
import { spawnService, stopChild, tailOf } from '../process/child';
import { ChromaCaseStore } from './chroma-store';

export interface ChromaServerOptions {
  /** http://host:port the server listens on. */
  url: string;
  /** Persistence directory (created if missing). */
  dataDir: string;
  logFile?: string;
  startTimeoutMs?: number;
}

export interface ChromaServer {
  url: string;
  /** True when a server was already answering and was reused instead of started. */
  reused: boolean;
  stop(): Promise<void>;
}

/** The `chroma` command of the chromadb npm package (a Rust server behind a Node launcher). */
function chromaCliPath(): string {
  // The package exports no subpath for its CLI (dist/cli.mjs, its `bin`); find it from the entry point.
  return path.resolve(path.dirname(require.resolve('chromadb')), '..', 'cli.mjs');
}

async function answers(store: ChromaCaseStore): Promise<boolean> {
  try {
    await store.heartbeat();
    return true;
  } catch {
    return false;
  }
}

/** Reuses a Chroma server at `url` if one answers; otherwise starts `chroma run` with data in `dataDir`. */
export async function ensureChromaServer(opts: ChromaServerOptions): Promise<ChromaServer> {
  const store = new ChromaCaseStore(opts.url);
  if (await answers(store)) return { url: opts.url, reused: true, stop: () => Promise.resolve() };

  const { hostname, port } = new URL(opts.url);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const child = spawnService(process.execPath, [chromaCliPath(), 'run', '--path', opts.dataDir, '--host', hostname, '--port', port], opts.logFile);
  const stop = () => stopChild(child);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chroma run exited with code ${child.exitCode}.\n${tailOf(opts.logFile)}`);
    if (await answers(store)) return { url: opts.url, reused: false, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`chroma run did not answer at ${opts.url} within the time limit.\n${tailOf(opts.logFile)}`);
}
