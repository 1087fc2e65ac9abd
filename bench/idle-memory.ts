/**
 * Resident memory of an idle `testloom up`: the whole process tree (testloom, the Temporal dev
 * server, Chroma, their children), read from /proc once start-up has printed "testloom is up" and
 * the stack has settled, then again after one spec run (what a used, idle stack holds).
 *
 * Usage: tsx bench/idle-memory.ts [--settle seconds]   (Linux only)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/config';
import { freePort } from '../lib/net/free-port';
import { processTree } from './process-tree';

const settleFlag = process.argv.indexOf('--settle');
const settleMs = (settleFlag >= 0 ? Number(process.argv[settleFlag + 1]) : 10) * 1000;

interface ProcessMemory {
  pid: number;
  name: string;
  rssKb: number;
}

function memoryOf(pid: number): ProcessMemory | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const name = cmdline.slice(0, 3).map((part) => path.basename(part)).join(' ').slice(0, 60);
    return { pid, name, rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined; // ended meanwhile
  }
}

function tree(root: number): ProcessMemory[] {
  return processTree(root).flatMap((pid) => memoryOf(pid) ?? []);
}

function report(label: string, processes: ProcessMemory[]): number {
  const total = processes.reduce((sum, p) => sum + p.rssKb, 0);
  console.log(`${label}: ${(total / 1024).toFixed(0)} MB resident in ${processes.length} processes`);
  for (const p of [...processes].sort((a, b) => b.rssKb - a.rssKb)) {
    if (p.rssKb > 0) console.log(`  ${String(Math.round(p.rssKb / 1024)).padStart(6)} MB  ${p.name}`);
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-memory-'));
  const apiPort = await freePort();
  const env = {
    ...process.env,
    TESTLOOM_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    TEMPORAL_UI_PORT: String(await freePort()),
    TESTLOOM_API_PORT: String(apiPort),
    TESTLOOM_LOG_LEVEL: 'warn',
  };
  const up = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/testloom'), 'up'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      up.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('testloom is up')) resolve();
      });
      up.on('exit', (code) => reject(new Error(`testloom up exited (${code}) before it was up:\n${output}`)));
    });
    await sleep(settleMs);
    report('idle after start-up', tree(up.pid!));

    const spec = fs.readFileSync(path.join(PROJECT_ROOT, 'examples/petstore.yaml'), 'utf8');
    const api = `http://127.0.0.1:${apiPort}/api/v1/runs`;
    const started = (await (await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec: { content: spec } }) })).json()) as { runId: string };
    for (;;) {
      const view = (await (await fetch(`${api}/${started.runId}`)).json()) as { status: string };
      if (['completed', 'failed', 'cancelled'].includes(view.status)) break;
      await sleep(250);
    }
    await sleep(settleMs);
    report('idle after one spec run', tree(up.pid!));
  } finally {
    up.kill('SIGINT');
    await new Promise((resolve) => up.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
