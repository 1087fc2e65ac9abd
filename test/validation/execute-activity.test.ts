import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { executeActivity, type ExecutionOutcome } from '../../activities/execute';
import type { ActivityDeps } from '../../activities/deps';
import { replaceArtifacts } from '../../lib/db/artifacts';
import { openDatabase, type Database } from '../../lib/db/open';
import { getRun, upsertRun } from '../../lib/db/runs';
import { saveSpec } from '../../lib/db/specs';
import { generateSpecSuite } from '../../lib/generation';
import { startPetstoreServer, type PetstoreServer } from '../fixtures/petstore-server';
import { loadSpec, SPECS } from '../generation/spec-fixtures';

describe('the execute activity', () => {
  let dataDir: string;
  let database: Database;
  let server: PetstoreServer;
  let deps: ActivityDeps;
  const runId = 'run-execute-1';
  const specId = 'e'.repeat(64);

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-execute-'));
    database = await openDatabase({ dataDir });
    // Only the database is touched by this activity.
    deps = { db: database.db } as ActivityDeps;
    await saveSpec(database.db, { id: specId, content: await fs.readFile(SPECS.petstore, 'utf8'), format: 'yaml', sourceKind: 'upload' });
    await upsertRun(database.db, { id: runId, workflowId: `spec:${specId}:local`, trigger: 'spec', repository: 'local/petstore', specId });
    const suite = generateSpecSuite({ api: await loadSpec('petstore'), specId: 'swagger-petstore', outDir: 'tests/testloom/swagger-petstore' });
    await replaceArtifacts(database.db, runId, suite.artifacts);
    server = await startPetstoreServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const execute = (allowedMethods: string[]) =>
    new MockActivityEnvironment().run(executeActivity(deps), { runId, specId, runs: 1, target: { baseUrl: server.baseUrl, allowedMethods } }) as Promise<ExecutionOutcome>;

  test('runs the stored suite, stores per-test outcomes under the run, and replaces them when run again', async () => {
    const refusing = await execute([]);
    if (refusing.status !== 'executed') throw new Error(`not executed: ${refusing.reason}`);
    // Without POST and DELETE allowed, every case that creates or deletes is refused and blocked.
    expect(refusing.summary.stableFailures).toBeGreaterThan(0);
    expect(refusing.findings.every((f) => f.classification === 'blocked')).toBe(true);

    const allowed = await execute(['POST', 'DELETE']);
    if (allowed.status !== 'executed') throw new Error(`not executed: ${allowed.reason}`);
    expect(allowed.summary).toEqual({ stablePasses: allowed.tests.length, stableFailures: 0, flaky: 0 });
    expect(allowed.findings).toEqual([]);
    expect(allowed.coverage.operations).toEqual({ covered: 4, total: 4, percent: 100 });

    const stored = (await getRun(database.db, runId))?.details as { execution?: ExecutionOutcome };
    expect(stored.execution).toEqual(JSON.parse(JSON.stringify(allowed)));
    const first = allowed.runs[0].tests[0];
    expect(first).toEqual({ file: expect.stringMatching(/^tests\/testloom\/swagger-petstore\/.+\.test\.ts$/), fullName: expect.any(String), outcome: 'passed', durationMs: expect.any(Number) });
  });

  test('ends with a non-retryable failure naming the bad target setting', async () => {
    await expect(new MockActivityEnvironment().run(executeActivity(deps), { runId, specId, target: { baseUrl: server.baseUrl, env: { GITHUB_TOKEN: 'x' } } }))
      .rejects.toMatchObject({ type: 'InvalidTarget', nonRetryable: true, message: expect.stringContaining('target env "GITHUB_TOKEN" is not allowed') });
  });
});
