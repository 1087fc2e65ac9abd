/**
 * N spec runs through the whole workflow on the embedded stack (fresh data directory, PGlite,
 * dev server on free ports). Prints runs/minute, each stage's median and p95, and end-to-end time
 * over the sum of activity times (the orchestration overhead). Usage: tsx bench/pipeline.ts [N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedStack } from '../infra/embedded-stack';
import { loadConfig, PROJECT_ROOT } from '../lib/config';
import { freePort } from '../lib/net/free-port';
import { quantile } from './stats';
import { STAGES } from '../lib/core/run';
import type { RunView } from '../lib/runs/view';

const runs = Number(process.argv[2] ?? 10);

const ms = (from: string | Date, to: string | Date | null) => new Date(to!).getTime() - new Date(from).getTime();

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  return (await response.json()) as T;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-bench-'));
  const temporalPort = await freePort();
  const config = loadConfig({
    ...process.env,
    TESTLOOM_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_UI_PORT: String(await freePort()),
    TESTLOOM_API_PORT: String(await freePort()),
    // Every run is polled ten times a second from this one address: measure the pipeline, not the limiter.
    TESTLOOM_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const stack = await startEmbeddedStack(config, () => undefined);
  const base = fs.readFileSync(path.join(PROJECT_ROOT, 'examples/petstore.yaml'), 'utf8');
  try {
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: runs }, async (_, i) => {
        const body = { spec: { content: base.replace('title: Swagger Petstore', `title: Swagger Petstore ${i}`) }, repository: 'bench/pipeline' };
        const run = await json<{ runId: string }>(`${stack.apiUrl}/api/v1/runs`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
        });
        return run.runId;
      }),
    );
    const views: RunView[] = [];
    for (const id of ids) {
      for (;;) {
        const view = await json<RunView>(`${stack.apiUrl}/api/v1/runs/${id}`);
        if (['completed', 'failed', 'cancelled'].includes(view.status)) {
          views.push(view);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const wallMs = Date.now() - started;
    const completed = views.filter((v) => v.status === 'completed');
    console.log(`runs: ${runs} (${completed.length} completed) in ${(wallMs / 1000).toFixed(1)} s → ${(completed.length / (wallMs / 60_000)).toFixed(1)} runs/minute`);
    console.log('stage       median ms   p95 ms');
    for (const stage of STAGES) {
      const times = completed.flatMap((v) => v.stages.filter((s) => s.stage === stage && s.outcome === 'succeeded').map((s) => ms(s.startedAt, s.endedAt)));
      console.log(`${stage.padEnd(10)} ${String(quantile(times, 0.5)).padStart(9)} ${String(quantile(times, 0.95)).padStart(8)}`);
    }
    const ratios = completed.map((v) => {
      const activity = v.stages.reduce((sum, s) => sum + (s.endedAt ? ms(s.startedAt, s.endedAt) : 0), 0);
      return ms(v.createdAt, v.finishedAt) / activity;
    });
    console.log(`end-to-end / sum of activity times: median ${quantile(ratios, 0.5).toFixed(2)}, p95 ${quantile(ratios, 0.95).toFixed(2)}`);
  } finally {
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
