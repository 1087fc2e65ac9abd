/**
 * testloom as a deployment runs it: `testloom migrate`, then `testloom api` and one
 * `testloom worker --queues …` per task queue as separate OS processes, sharing Postgres, the
 * Temporal dev server and the repository host. A spec run with a local target completes, and its
 * history shows each stage ran on its own queue, picked up by the worker process for that queue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { freePort } from '../../lib/net/free-port';
import { startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { createTestPostgres, seedWorkflowBundle, type TestPostgres } from '../support/databases';
import { PETSTORE, SPEC_ROOTS } from '../support/harness';
import { runTestloom, startTestloom, writeTemporalConfig, type TestloomProcess } from '../support/testloom-processes';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Activity name → the task queue it was scheduled on and the identity of the worker that started it. */
function activitiesOf(events: HistoryEvent[]): Record<string, { taskQueue: string; identity: string }> {
  const scheduled = new Map(events.flatMap((e) => {
    const attributes = e.activityTaskScheduledEventAttributes;
    return attributes ? [[String(e.eventId), attributes] as const] : [];
  }));
  const result: Record<string, { taskQueue: string; identity: string }> = {};
  for (const event of events) {
    const started = event.activityTaskStartedEventAttributes;
    if (!started) continue;
    const schedule = scheduled.get(String(started.scheduledEventId))!;
    result[schedule.activityType!.name!] = { taskQueue: schedule.taskQueue!.name!, identity: started.identity! };
  }
  return result;
}

describe('API and workers as separate processes', () => {
  const queue = `testloom-procs-${randomBytes(4).toString('hex')}`;
  let dir: string;
  let postgres: TestPostgres;
  let target: PetstoreServer;
  let env: Record<string, string>;
  let apiUrl: string;
  const processes: TestloomProcess[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-procs-'));
    const dataDir = path.join(dir, 'data');
    seedWorkflowBundle(dataDir); // the io worker would otherwise bundle the workflows first (~20 s)
    [postgres, target] = await Promise.all([createTestPostgres(), startPetstoreServer()]);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = {
      TESTLOOM_DATA_DIR: dataDir,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS!,
      TESTLOOM_TEMPORAL_CONFIG: writeTemporalConfig(dir, queue),
      TESTLOOM_API_PORT: String(port),
      TESTLOOM_API_URL: apiUrl,
      TESTLOOM_RETRIEVAL: 'off',
      TESTLOOM_MODELS_OFFLINE: '1',
      TESTLOOM_LLM_PROVIDERS: 'none',
      TESTLOOM_REPO_HOST: 'local',
      TESTLOOM_SPEC_ROOTS: SPEC_ROOTS.join(','),
      TESTLOOM_LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await target?.close();
    await postgres?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('before `testloom migrate`, the API refuses to start and says what to run', async () => {
    const refused = await runTestloom(['api'], env);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('the database schema is not up to date');
    expect(refused.output).toContain('run `testloom migrate` first, or start this process with --migrate');
  });

  it('a spec run with a target completes; generate runs on the llm worker, execute on the execute worker, the rest on the io worker', async () => {
    const migrated = await runTestloom(['migrate'], env);
    expect(migrated).toMatchObject({ code: 0 });
    expect(migrated.output).toContain('applied migration 0001_initial');

    const api = startTestloom('api', ['api'], env);
    const workers = (['io', 'llm', 'execute'] as const).map((kind) => startTestloom(`worker ${kind}`, ['worker', '--queues', kind, '--identity', `procs-${kind}`], env));
    processes.push(api, ...workers);
    await Promise.all([
      api.waitFor(`testloom API listening on ${apiUrl}`),
      ...workers.map((worker, i) => worker.waitFor(`testloom worker polling ${[queue, `${queue}-llm`, `${queue}-execute`][i]} at`)),
    ]);

    const started = await fetch(`${apiUrl}/api/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { path: PETSTORE }, repository: 'procs/petstore', target: { baseUrl: target.baseUrl, allowedMethods: ['POST', 'DELETE'] } }),
    });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };

    let run: { status: string; workflowId: string; result?: { execution?: { status?: string } } } | undefined;
    const deadline = Date.now() + 150_000;
    while (!['completed', 'failed', 'cancelled'].includes(run?.status ?? '') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      run = (await (await fetch(`${apiUrl}/api/v1/runs/${runId}`)).json()) as typeof run;
    }
    expect(run?.status).toBe('completed');
    expect(run?.result?.execution).toBeDefined();

    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    try {
      const history = await new Client({ connection }).workflow.getHandle(run!.workflowId).fetchHistory();
      if (process.env.RECORD_HISTORY) {
        // A run whose execute stage took the execute queue (the `execute-task-queue` patch): test/workflow/replay.test.ts replays it.
        fs.writeFileSync(path.resolve(__dirname, '../fixtures/histories/spec-run-execute-queue.json'), historyToJSON(history));
      }
      const activities = activitiesOf(history.events ?? []);
      expect(activities.execute).toEqual({ taskQueue: `${queue}-execute`, identity: 'procs-execute-execute' });
      expect(activities.generate).toEqual({ taskQueue: `${queue}-llm`, identity: 'procs-llm-llm' });
      for (const name of ['receive', 'commit', 'createPr', 'finalize']) expect(activities[name]).toEqual({ taskQueue: queue, identity: 'procs-io' });
      // The workflow took the execute queue through the patch, so older histories replay unchanged.
      const patches = (history.events ?? []).flatMap((e) => (e.markerRecordedEventAttributes?.markerName === 'core_patch' ? [e.markerRecordedEventAttributes.details!] : []))
        .map((details) => Object.values(details).map((payloads) => Buffer.from(payloads.payloads![0].data!).toString()).join(' '));
      expect(patches.join('\n')).toContain('execute-task-queue');
    } finally {
      await connection.close();
    }

    // SIGTERM: each process shuts down gracefully (the API after its cleanups with 128 + SIGTERM, as `up` does; workers with 0).
    expect(await Promise.all(processes.map((p) => p.stop()))).toEqual([143, 0, 0, 0]);
  });
});
