/**
 * Spec runs through the whole workflow on the embedded stack (fresh data directory, PGlite, dev
 * server on free ports), at several levels of concurrency in one stack. For each level: runs/minute,
 * each stage's median, and the orchestration overhead: the workflow's time over the sum of its
 * activities' times, both read from the Temporal history (every activity, including those a stage
 * runs besides its own, such as finalize's indexing); also, as printed before, the run record's
 * end-to-end time over its stages' times. Side by side, with one run at a time as the baseline. One unmeasured run warms the
 * stack first (workflow bundle, quality-gate child, embedding model).
 *
 * Usage: tsx bench/pipeline.ts [levels] [--runs N] [--verbose]
 *   levels   comma-separated concurrent runs, default 1,10,50
 *   --runs   runs per level (default: 5 at level 1, else the level itself)
 *   --verbose the server's JSON logs too (quiet by default: warnings and errors only)
 *
 * CPU per run is each process's user + system time over the level (from /proc), divided by the
 * runs completed: this process (API, worker, PGlite), the Temporal dev server, Chroma, the
 * quality-gate checker; and of this process's main thread alone, with how busy it was (near 100 %,
 * it is what limits the level: one event loop runs the API, the activities and PGlite).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startEmbeddedStack } from '../infra/embedded-stack';
import { loadConfig, PROJECT_ROOT } from '../lib/config';
import { freePort } from '../lib/net/free-port';
import { configureLogging } from '../lib/observability/logger';
import { createClient } from '../lib/temporal/client';
import { quantile } from './stats';
import { cpuSnapshot, mainThreadCpuMs } from './process-cpu';
import { STAGES } from '../lib/core/run';
import type { RunView } from '../lib/runs/view';
import type { temporal } from '@temporalio/proto';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const runsFlag = args.indexOf('--runs');
const runsPerLevel = runsFlag >= 0 ? Number(args[runsFlag + 1]) : undefined;
const positional = args.filter((arg, i) => !arg.startsWith('--') && !(runsFlag >= 0 && i === runsFlag + 1));
const levels = (positional[0] ?? '1,10,50').split(',').map(Number).filter((level) => level > 0);

const ms = (from: string | Date, to: string | Date | null) => new Date(to!).getTime() - new Date(from).getTime();

interface LevelResult {
  concurrency: number;
  runs: number;
  completed: number;
  runsPerMinute: number;
  stageMedians: Record<string, number>;
  overheadMedian: number;
  overheadP95: number;
  recordOverheadMedian: number;
  endToEndMedian: number;
  /** CPU milliseconds per completed run, by process of the stack. */
  cpuPerRun: Map<string, number>;
  /** This process's main thread (API, activities, PGlite; not the workflow thread): CPU ms per run, and its share of the level's wall time. */
  mainThread: { perRun: number; busy: number };
}

const PROCESS_ROLES = ['testloom', 'Temporal', 'Chroma', 'gate checker', 'other'] as const;

function processRole(command: string, pid: number): string {
  if (pid === process.pid) return 'testloom';
  if (command.includes('temporal server')) return 'Temporal';
  if (command.includes('chromadb')) return 'Chroma';
  if (command.includes('check-process-main')) return 'gate checker';
  return 'other';
}

interface MeasuredRun {
  view: RunView;
  /** Workflow start to close over the sum of its activities' start-to-completion times. */
  overhead: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const eventMs = (event: HistoryEvent) => Number(event.eventTime!.seconds) * 1000 + (event.eventTime!.nanos ?? 0) / 1e6;

/** The workflow's time over the time its activities ran (each completed attempt: started → completed). */
function historyOverhead(events: HistoryEvent[]): number {
  const byId = new Map(events.map((event) => [Number(event.eventId), event]));
  const activityMs = events
    .filter((event) => event.activityTaskCompletedEventAttributes)
    .reduce((sum, event) => sum + eventMs(event) - eventMs(byId.get(Number(event.activityTaskCompletedEventAttributes!.startedEventId))!), 0);
  return (eventMs(events[events.length - 1]) - eventMs(events[0])) / activityMs;
}

async function main(): Promise<void> {
  const level = verbose ? 'info' : 'warn';
  configureLogging({ level });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-bench-'));
  const temporalPort = await freePort();
  const config = loadConfig({
    ...process.env,
    TESTLOOM_LOG_LEVEL: level,
    TESTLOOM_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_UI_PORT: String(await freePort()),
    TESTLOOM_API_PORT: String(await freePort()),
    // Every run is started from this one address: measure the pipeline, not the limiter.
    TESTLOOM_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const stack = await startEmbeddedStack(config, verbose ? (line) => console.log(line) : () => undefined);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = createClient(connection, config.temporal.namespace);
  const spec = fs.readFileSync(path.join(PROJECT_ROOT, 'examples/petstore.yaml'), 'utf8');
  let serial = 0;

  /** Starts one run of a petstore spec no earlier run had (a new title), waits for it through Temporal, and reads its view. */
  async function oneRun(): Promise<MeasuredRun> {
    const body = { spec: { content: spec.replace('title: Swagger Petstore', `title: Swagger Petstore ${serial++}`) }, repository: 'bench/pipeline' };
    const response = await fetch(`${stack.apiUrl}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST /api/v1/runs: ${response.status} ${await response.text()}`);
    const started = (await response.json()) as { runId: string; workflowId: string };
    const handle = client.workflow.getHandle(started.workflowId, started.runId);
    await handle.result().catch(() => undefined);
    const view = (await (await fetch(`${stack.apiUrl}/api/v1/runs/${started.runId}`)).json()) as RunView;
    return { view, overhead: historyOverhead((await handle.fetchHistory()).events ?? []) };
  }

  async function measure(concurrency: number): Promise<LevelResult> {
    const total = runsPerLevel ?? (concurrency === 1 ? 5 : concurrency);
    const measured: MeasuredRun[] = [];
    let next = 0;
    const cpuUsed = cpuSnapshot(process.pid, processRole);
    const mainThreadBefore = mainThreadCpuMs();
    const started = Date.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        next++;
        measured.push(await oneRun());
      }
    }));
    const wallMs = Date.now() - started;
    const cpu = cpuUsed();
    const mainThreadMs = mainThreadCpuMs() - mainThreadBefore;
    const completedRuns = measured.filter((run) => run.view.status === 'completed');
    const completed = completedRuns.map((run) => run.view);
    const stageMedians = Object.fromEntries(STAGES.map((stage) => [stage, quantile(completed.flatMap((v) =>
      v.stages.filter((s) => s.stage === stage && s.outcome === 'succeeded').map((s) => ms(s.startedAt, s.endedAt))), 0.5)]));
    const ratios = completedRuns.map((run) => run.overhead);
    const stageMs = (v: RunView) => v.stages.reduce((sum, s) => sum + (s.endedAt ? ms(s.startedAt, s.endedAt) : 0), 0);
    const recordRatios = completed.map((v) => ms(v.createdAt, v.finishedAt) / stageMs(v));
    return {
      concurrency,
      runs: total,
      completed: completed.length,
      runsPerMinute: completed.length / (wallMs / 60_000),
      stageMedians,
      overheadMedian: quantile(ratios, 0.5),
      overheadP95: quantile(ratios, 0.95),
      recordOverheadMedian: quantile(recordRatios, 0.5),
      endToEndMedian: quantile(completed.map((v) => ms(v.createdAt, v.finishedAt)), 0.5),
      cpuPerRun: new Map([...cpu].map(([role, cpuMs]) => [role, cpuMs / Math.max(1, completed.length)])),
      mainThread: { perRun: mainThreadMs / Math.max(1, completed.length), busy: mainThreadMs / wallMs },
    };
  }

  try {
    await oneRun(); // warm-up, not measured
    const results: LevelResult[] = [];
    for (const concurrency of levels) results.push(await measure(concurrency));
    print(results);
  } finally {
    await connection.close();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function print(results: LevelResult[]): void {
  const baseline = results[0];
  const row = (label: string, cell: (r: LevelResult) => string) => console.log(label.padEnd(24) + results.map((r) => cell(r).padStart(14)).join(''));
  row('concurrent runs', (r) => String(r.concurrency));
  row('runs (completed)', (r) => `${r.runs} (${r.completed})`);
  row('runs/minute', (r) => r.runsPerMinute.toFixed(1));
  row(`× level ${baseline.concurrency}`, (r) => `×${(r.runsPerMinute / baseline.runsPerMinute).toFixed(2)}`);
  row('end-to-end median ms', (r) => String(r.endToEndMedian));
  for (const stage of STAGES) row(`  ${stage} median ms`, (r) => String(r.stageMedians[stage] ?? '-'));
  row('overhead median (p95)', (r) => `${r.overheadMedian.toFixed(2)} (${r.overheadP95.toFixed(2)})`);
  row('  run record, stages only', (r) => r.recordOverheadMedian.toFixed(2));
  const cpuMs = (r: LevelResult) => [...r.cpuPerRun.values()].reduce((sum, value) => sum + value, 0);
  row('CPU ms per run', (r) => cpuMs(r).toFixed(0));
  for (const role of PROCESS_ROLES) row(`  ${role}`, (r) => (r.cpuPerRun.get(role) ?? 0).toFixed(0));
  row('    its main thread', (r) => r.mainThread.perRun.toFixed(0));
  row('main thread busy', (r) => `${(r.mainThread.busy * 100).toFixed(0)} %`);
  console.log(`non-model time of a single run (receive → finalize, level ${baseline.concurrency} median): ${baseline.endToEndMedian} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
