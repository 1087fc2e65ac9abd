/**
 * Fleet throughput (`npm run bench:fleet -- [runs]`): a Temporal dev server, a fresh Postgres
 * database (TEST_POSTGRES_URL's server) and, as separate OS processes, one `testloom api`, one llm
 * worker, one execute worker and first one, then two io workers; `runs` spec runs of the petstore
 * spec (no target, no model: the deterministic suite) started at once, each into its own repository.
 * Prints runs/minute for each io worker count: what one io worker sustains, and what a second adds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PROJECT_ROOT } from '../lib/config';
import { workflowBundle } from '../workers/workflow-bundle';
import { createTestPostgres } from '../test/support/databases';
import { fetchJson, startFleet, startFleetTemporal } from '../test/support/fleet';

const PETSTORE = path.join(PROJECT_ROOT, 'examples', 'petstore.yaml');

async function measure(ioWorkers: number, runs: number, dir: string, temporalAddress: string): Promise<number> {
  const postgres = await createTestPostgres();
  const fleet = await startFleet({
    dir: path.join(dir, `io-${ioWorkers}`),
    temporalAddress,
    databaseUrl: postgres.url,
    queue: `testloom-bench-${randomBytes(4).toString('hex')}`,
    apis: 1,
    workers: [...Array.from({ length: ioWorkers }, () => ['io' as const]), ['llm'], ['execute']],
    env: { TESTLOOM_SPEC_ROOTS: path.dirname(PETSTORE) },
  });
  try {
    const api = fleet.apis[0].url;
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: runs }, async (_, i) => {
      const { status, body } = await fetchJson<{ runId: string }>(`${api}/api/v1/runs`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { path: PETSTORE }, repository: `bench/io${ioWorkers}-r${i}` }),
      });
      if (status !== 202) throw new Error(`starting run ${i} answered ${status}: ${JSON.stringify(body)}`);
      return body.runId;
    }));
    const pending = new Set(ids);
    while (pending.size) {
      for (const id of [...pending]) {
        const { body } = await fetchJson<{ status: string }>(`${api}/api/v1/runs/${id}`);
        if (body.status === 'completed') pending.delete(id);
        else if (body.status === 'failed' || body.status === 'cancelled') throw new Error(`run ${id} ${body.status}`);
      }
      if (pending.size) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return runs / ((performance.now() - started) / 60_000);
  } finally {
    await fleet.stop();
    await postgres.drop();
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 60);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-bench-fleet-'));
  const server = await startFleetTemporal(dir);
  // Bundled once here: each fleet's data directory gets a copy (bundling twice in one process crashes it).
  process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE ??= (await workflowBundle(path.join(dir, 'workflow-cache'))).codePath;
  try {
    console.log(`${runs} spec runs (petstore, deterministic suite, local repository host), ${os.cpus().length} cores`);
    for (const ioWorkers of [1, 2]) {
      const perMinute = await measure(ioWorkers, runs, dir, server.address);
      console.log(`  ${ioWorkers} io worker${ioWorkers === 1 ? ' ' : 's'}  ${perMinute.toFixed(1)} runs/minute`);
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
