import fs from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { runLinks } from '../../lib/runs/links';
import { createWorker, SHUTDOWN_TIMES } from '../../workers/worker';
import { apiRequest, createHarness, PETSTORE, type Harness } from '../support/harness';

describe('a worker whose stage is stuck and ignores cancellation', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off' });
  });
  afterAll(() => harness?.close());

  it('still shuts down, at its shutdownForceTime', async () => {
    const connection = await NativeConnection.connect({ address: process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS! });
    const deps = { db: harness.database.db, repoHost: harness.repoHost, links: runLinks(harness.config) };
    let entered!: () => void;
    const stuck = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const activities = {
      ...createActivities(deps),
      receive: () => {
        entered();
        return new Promise<never>(() => undefined); // never settles, whatever Temporal cancels
      },
    };
    const worker = await createWorker({
      config: harness.config, connection, deps, activities, workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! },
    });
    const running = worker.run();
    try {
      const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: fs.readFileSync(PETSTORE, 'utf8') }, repository: 'stuck/shutdown' });
      expect(started.status).toBe(202);
      await stuck;
      const askedAt = Date.now();
      worker.shutdown();
      // Forced: run() rejects (the SDK's GracefulShutdownPeriodExpiredError, or the native worker
      // still referenced by the stuck activity), and the process is expected to exit.
      const outcome = await running.then(() => 'drained', () => 'forced');
      const took = Date.now() - askedAt;
      expect(outcome).toBe('forced');
      expect(took).toBeGreaterThanOrEqual(SHUTDOWN_TIMES.shutdownForceTime - 100);
      expect(took).toBeLessThan(SHUTDOWN_TIMES.shutdownForceTime + 2_000);
    } finally {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await connection.close();
    }
  });
});
