/**
 * The fleet, proven with many processes: one Temporal dev server, one Postgres, two `testloom api`
 * processes, two io workers, one llm worker and one execute worker, each its own OS process. 100
 * spec runs are started through both APIs (one in ten with a local target, so the execute queue
 * works too); midway one io worker and one API process are SIGKILLed. Every run completes, and
 * each repository holds exactly one branch with one commit and one review: nothing lost, nothing
 * done twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../lib/config';
import { openDatabase, type Database } from '../../lib/db/open';
import { listReviews } from '../../lib/db/reviews';
import { git } from '../support/git-cli';
import { LocalGitHost } from '../../lib/repohost/local-git';
import { startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { createTestPostgres, type TestPostgres } from '../support/databases';
import { fetchJson, startFleet, startFleetTemporal, type Fleet } from '../support/fleet';
import type { DevServer } from '../../lib/temporal/dev-server';
import { PETSTORE, SPEC_ROOTS } from '../support/harness';

const RUNS = 100;
const WITH_TARGET = (i: number) => i % 10 === 0;

interface RunView { id: string; status: string; result?: { commit?: { branch: string }; execution?: { status: string } } }

describe('a fleet of API and worker processes', () => {
  let dir: string;
  let postgres: TestPostgres;
  let target: PetstoreServer;
  let fleet: Fleet;
  let temporal: DevServer;
  let database: Database | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-fleet-'));
    [postgres, target, temporal] = await Promise.all([createTestPostgres(), startPetstoreServer(), startFleetTemporal(dir)]);
    fleet = await startFleet({
      dir,
      temporalAddress: temporal.address,
      databaseUrl: postgres.url,
      queue: `testloom-fleet-${randomBytes(4).toString('hex')}`,
      apis: 2,
      workers: [['io'], ['io'], ['llm'], ['execute']],
      env: { TESTLOOM_SPEC_ROOTS: SPEC_ROOTS.join(',') },
    });
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await temporal?.stop();
    await database?.close();
    await target?.close();
    await postgres?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`${RUNS} runs through both APIs, an io worker and an API SIGKILLed midway: all complete, each with one branch, one commit, one review`, async () => {
    const [doomedApi, survivor] = fleet.apis;
    const doomedWorker = fleet.workers.find((w) => w.queues.includes('io'))!;
    const start = async (i: number) => {
      const api = i % 2 === 0 && doomedApi.process.child.exitCode === null && doomedApi.process.child.signalCode === null ? doomedApi : survivor;
      const body = {
        spec: { path: PETSTORE },
        repository: `fleet/r${i}`,
        ...(WITH_TARGET(i) ? { target: { baseUrl: target.baseUrl, allowedMethods: ['POST', 'DELETE'] } } : {}),
      };
      const started = await fetchJson<{ runId: string }>(`${api.url}/api/v1/runs`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect(started.status).toBe(202);
      return started.body.runId;
    };

    const runIds: string[] = [];
    for (let i = 0; i < RUNS / 2; i += 10) runIds.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => start(i + k)))));
    // Midway: half the runs started, many still in flight, when the io worker and the API die.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = await Promise.all(runIds.map(async (id) => (await fetchJson<RunView>(`${survivor.url}/api/v1/runs/${id}`)).body.status));
    await Promise.all([doomedWorker.process.kill(), doomedApi.process.kill()]);
    expect(before.filter((status) => status !== 'completed').length).toBeGreaterThan(0);
    for (let i = RUNS / 2; i < RUNS; i += 10) runIds.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => start(i + k)))));
    expect(new Set(runIds).size).toBe(RUNS);

    const ended = new Map<string, RunView>();
    const deadline = Date.now() + 240_000;
    while (ended.size < RUNS && Date.now() < deadline) {
      for (const id of runIds.filter((runId) => !ended.has(runId))) {
        const { body } = await fetchJson<RunView>(`${survivor.url}/api/v1/runs/${id}`);
        if (['completed', 'failed', 'cancelled'].includes(body.status)) ended.set(id, body);
      }
      if (ended.size < RUNS) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const runs = runIds.map((id) => ended.get(id));
    expect(runs.filter((run) => run?.status !== 'completed').map((run) => run ? `${run.id}: ${run.status}` : 'not ended')).toEqual([]);
    runIds.forEach((_, i) => expect(runs[i]!.result?.execution?.status !== undefined).toBe(WITH_TARGET(i)));

    const config = loadConfig({ ...process.env, ...fleet.env });
    database = await openDatabase({ databaseUrl: postgres.url, dataDir: config.dataDir, migrations: 'verify' });
    const host = new LocalGitHost(config.repos.root, database.db);
    for (let i = 0; i < RUNS; i++) {
      const repository = `fleet/r${i}`;
      const repoDir = host.repositoryPath(repository);
      const branch = runs[i]!.result!.commit!.branch;
      expect([repository, await git(repoDir, ['for-each-ref', '--format=%(refname)', 'refs/heads/testloom/'])]).toEqual([repository, `refs/heads/${branch}`]);
      expect([repository, await git(repoDir, ['rev-list', '--count', `main..${branch}`])]).toEqual([repository, '1']);
      expect([repository, (await listReviews(database.db, repository)).length]).toEqual([repository, 1]);
    }
  }, 360_000);
});
