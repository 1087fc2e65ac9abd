/**
 * `testloom up` as a real process (retrieval on: Chroma, the Temporal dev server, the worker, the
 * API), stopped by a signal at each phase of start-up and shutdown: it must exit within 10 s and
 * leave no process behind; SIGKILLed, its children must follow within seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../lib/net/free-port';
import { seedPglite, seedWorkflowBundle } from '../support/databases';
import { isAlive, processesWithEnv, watchDescendants, type ProcessRecord } from '../support/process-tree';

const ROOT = path.resolve(__dirname, '../..');
const STOP_LIMIT_MS = 10_000;

type Seeded = boolean | 'database';

interface Up {
  child: ChildProcess;
  reached(line: string): Promise<void>;
  exited: Promise<{ code: number | null; at: number }>;
  output(): string;
  seen: Map<number, ProcessRecord>;
  /** Every process `up` starts inherits this environment entry. */
  marker: string;
  dispose(): void;
}

/**
 * `seeded`: the data directory starts with the migrated database and the workflow bundle global
 * setup made, as on a second `testloom up`, so start-up skips the ~5 s of creating the database
 * (for the phases after it) and the bundling; `'database'` seeds the database only.
 */
async function startUp({ seeded }: { seeded: Seeded }): Promise<Up> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-up-'));
  if (seeded) seedPglite(dataDir);
  if (seeded === true) seedWorkflowBundle(dataDir);
  const [temporal, ui, api, chroma] = await freePorts(4);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|CHROMA_URL|GITHUB_|OTEL_|TESTLOOM_TEST_)/.test(name)));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/testloom'), 'up'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      TESTLOOM_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
      TEMPORAL_UI_PORT: String(ui),
      TESTLOOM_API_HOST: '127.0.0.1',
      TESTLOOM_API_PORT: String(api),
      TESTLOOM_API_URL: `http://127.0.0.1:${api}`,
      TESTLOOM_CHROMA_PORT: String(chroma),
      TESTLOOM_RETRIEVAL: 'on',
      TESTLOOM_MODELS_OFFLINE: '1',
      TESTLOOM_LLM_PROVIDERS: 'none',
      TESTLOOM_REPO_HOST: 'local',
      TESTLOOM_LOG_LEVEL: 'warn',
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const watch = watchDescendants(child.pid!);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => {
    child.once('exit', (code) => {
      watch.stop();
      resolve({ code, at: Date.now() });
    });
  });
  const up: Up = {
    child,
    exited,
    output: () => output,
    seen: watch.seen,
    marker: `TESTLOOM_DATA_DIR=${dataDir}`,
    reached: (line) => new Promise((resolve, reject) => {
      const check = () => {
        if (!output.includes(line)) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      check();
      void exited.then(() => reject(new Error(`testloom up exited before "${line}":\n${output}`)));
    }),
    dispose() {
      for (const record of leftOver(up)) process.kill(record.pid, 'SIGKILL');
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return up;
}

/** Processes of this `up` still running: found through the tree while it ran, or by their environment. */
function leftOver(up: Up): ProcessRecord[] {
  const byPid = new Map([...up.seen.values()].filter(isAlive).map((record) => [record.pid, record]));
  for (const record of processesWithEnv(up.marker)) if (record.pid !== up.child.pid) byPid.set(record.pid, record);
  return [...byPid.values()];
}

/** Nothing of this `up` runs within `withinMs` (tsx's esbuild service, for one, ends when it reads the end of its stdin). */
async function expectNothingLeft(up: Up, withinMs = 1_000): Promise<void> {
  for (const deadline = Date.now() + withinMs; leftOver(up).length && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(leftOver(up).map((record) => `${record.pid} ${record.command}`)).toEqual([]);
}
const runs = (up: Up, fragment: string) => [...up.seen.values()].some((record) => isAlive(record) && record.command.includes(fragment));

async function exitTime(up: Up, signalledAt: number): Promise<number> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`still running ${STOP_LIMIT_MS + 5_000} ms after the signal:\n${up.output()}`)), STOP_LIMIT_MS + 5_000).unref();
  });
  const { at } = await Promise.race([up.exited, timeout]);
  return at - signalledAt;
}

const measured: string[] = [];
afterAll(() => console.log(`testloom up stop times:\n${measured.join('\n')}`));

/**
 * Up to the Temporal dev server, start-up has not opened the database: those phases start from an
 * empty data directory (the last one is stopped while the database is being created).
 */
const PHASES: { line: string; running: string[]; seeded: Seeded }[] = [
  { line: 'checking embedding model', running: [], seeded: false },
  { line: 'started Chroma', running: ['cli.mjs run'], seeded: false },
  { line: 'started Temporal dev server', running: ['cli.mjs run', 'start-dev'], seeded: false },
  { line: 'preparing the workflow bundle', running: ['cli.mjs run', 'start-dev'], seeded: 'database' }, // while bundling
  { line: 'Press Ctrl-C to stop.', running: ['cli.mjs run', 'start-dev'], seeded: true },
];

describe('testloom up stopped by a signal', () => {
  it.each(PHASES)('SIGINT after "$line": exits within 10 s, no process left', async ({ line, running, seeded }) => {
    const up = await startUp({ seeded });
    try {
      await up.reached(line);
      for (const fragment of running) expect(runs(up, fragment)).toBe(true);
      const signalledAt = Date.now();
      up.child.kill('SIGINT');
      const took = await exitTime(up, signalledAt);
      measured.push(`  SIGINT after "${line}": ${took} ms`);
      expect(took).toBeLessThan(STOP_LIMIT_MS);
      expect((await up.exited).code).toBe(130);
      await expectNothingLeft(up);
    } finally {
      up.dispose();
    }
  });

  it('SIGTERM with the Temporal server frozen (every shutdown step hangs): exits within 10 s, no process left', async () => {
    const up = await startUp({ seeded: true });
    try {
      await up.reached('Press Ctrl-C to stop.');
      const server = [...up.seen.values()].find((record) => record.command.includes('start-dev') && !record.command.includes('service-supervisor'))!;
      process.kill(server.pid, 'SIGSTOP');
      const signalledAt = Date.now();
      up.child.kill('SIGTERM');
      const took = await exitTime(up, signalledAt);
      measured.push(`  SIGTERM, Temporal server frozen: ${took} ms`);
      expect(took).toBeLessThan(STOP_LIMIT_MS);
      expect([143, 1]).toContain((await up.exited).code); // 1: the 9 s limit forced the exit
      await expectNothingLeft(up);
    } finally {
      up.dispose();
    }
  });

  it('a second SIGINT while stopping exits at once, after killing every service', async () => {
    const up = await startUp({ seeded: true });
    try {
      await up.reached('Press Ctrl-C to stop.');
      const server = [...up.seen.values()].find((record) => record.command.includes('start-dev') && !record.command.includes('service-supervisor'))!;
      process.kill(server.pid, 'SIGSTOP'); // so that the first stop is still going on
      up.child.kill('SIGINT');
      await up.reached('stopping…');
      const signalledAt = Date.now();
      up.child.kill('SIGINT');
      const took = await exitTime(up, signalledAt);
      measured.push(`  second SIGINT: ${took} ms`);
      expect(took).toBeLessThan(1_500);
      expect((await up.exited).code).toBe(1);
      expect(up.output()).toContain('SIGINT again: stopping at once');
      await expectNothingLeft(up);
    } finally {
      up.dispose();
    }
  });

  it('SIGKILL: Chroma and the Temporal server are gone within 5 s', async () => {
    const up = await startUp({ seeded: true });
    try {
      await up.reached('Press Ctrl-C to stop.');
      const killedAt = Date.now();
      up.child.kill('SIGKILL');
      await up.exited;
      await expectNothingLeft(up, 5_000);
      measured.push(`  children gone after SIGKILL: ${Date.now() - killedAt} ms`);
    } finally {
      up.dispose();
    }
  });
});
