/**
 * The embedded dev server keeps its state in a SQLite file written ahead (WAL) and synced at
 * checkpoints: a server killed outright (SIGKILL, no shutdown) loses nothing that was acknowledged.
 * A workflow started and signalled before the kill is still running, with its signal, after a
 * restart on the same file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../lib/config';
import { freePort } from '../../lib/net/free-port';
import { requireTemporalCli } from '../../lib/temporal/cli';
import { ensureDevServer, type DevServer } from '../../lib/temporal/dev-server';

let dir: string;
const servers: DevServer[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-dev-server-'));
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(address: string, dbFile: string): Promise<DevServer> {
  const cli = requireTemporalCli({ projectRoot: PROJECT_ROOT });
  const server = await ensureDevServer({ cliPath: cli.path, address, namespace: 'default', uiPort: 0, headless: true, dbFile, searchAttributes: {} });
  servers.push(server);
  return server;
}

/** The server processes started with `dbFile` (the CLI and the server it runs, by command line). */
function serverPids(dbFile: string): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dbFile) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

it('a workflow started and signalled before a SIGKILL is running, with its signal, after a restart', async () => {
  const dbFile = path.join(dir, 'temporal.db');
  const address = `127.0.0.1:${await freePort()}`;
  await start(address, dbFile);
  let connection = await Connection.connect({ address });
  let client = new Client({ connection });
  // No worker polls this queue: the workflow stays running with its history as the server stored it.
  const handle = await client.workflow.start('neverPolled', { taskQueue: 'nobody-polls', workflowId: 'kept-across-a-kill', args: [] });
  await handle.signal('noted', { n: 42 });
  await connection.close();
  expect(fs.existsSync(`${dbFile}-wal`)).toBe(true);

  const pids = serverPids(dbFile);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && serverPids(dbFile).length; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(serverPids(dbFile)).toEqual([]);

  await start(address, dbFile);
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  const described = await client.workflow.getHandle('kept-across-a-kill').describe();
  expect(described.status.name).toBe('RUNNING');
  const history = await client.workflow.getHandle('kept-across-a-kill').fetchHistory();
  const signals = history.events!.filter((event) => event.workflowExecutionSignaledEventAttributes);
  expect(signals.map((event) => event.workflowExecutionSignaledEventAttributes!.signalName)).toEqual(['noted']);
  await connection.close();
}, 120_000);
