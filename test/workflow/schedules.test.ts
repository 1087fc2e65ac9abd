/**
 * Schedules on the real Temporal dev server, worker, database and local git host: a schedule
 * created through the API fires (`trigger()`: a firing by the server, now) and each firing is a
 * stored execution of the delivered suite against a real local API. The API then breaks: the test
 * that passed before and fails now is stored as a regression and reported once (one issue, with
 * TESTLOOM_REGRESSION_ISSUES=on), although the report's first attempt dies after posting; the next
 * execution, still failing, reports nothing new.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Context } from '@temporalio/activity';
import type { ExecutionSummary } from '../../lib/core/contract';
import { getLocalIssue } from '../../lib/db/local-issues';
import { regressionMarker } from '../../lib/runs/regressions';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { uniqueRepository } from '../support/retrieval';
import { INVENTORY_SPEC, startInventoryApi, type InventoryFaults, type InventoryServer } from '../execution/support/inventory-api';

/** The inventory spec with an example for showItem's id (as the execute-stage tests use it). */
const SPEC = (() => {
  const spec = JSON.parse(JSON.stringify(INVENTORY_SPEC));
  spec.paths['/items/{itemId}'].get.parameters[0].example = 1;
  return JSON.stringify(spec, null, 2);
})();
const ROOT = path.resolve(__dirname, '../..');
const execFileAsync = promisify(execFile);
const BROKEN_TEST = 'listItems accepts query parameter "limit" set to 1 (minimum 1)';

describe('a schedule re-executing a delivered suite', () => {
  const faults: InventoryFaults = { strictBodies: true };
  const reportAttempts: { workflowId: string; attempt: number; regressions: number }[] = [];
  let harness: Harness;
  let api: InventoryServer;

  beforeAll(async () => {
    api = await startInventoryApi(faults); // `faults` is read per request: the test breaks the API by changing it
    harness = await createHarness({ database: 'pglite', chromaUrl: 'off', env: { TESTLOOM_REGRESSION_ISSUES: 'on' } });
    await harness.startWorker((activities) => ({
      ...activities,
      // The first attempt of a report that found regressions dies after it stored and posted them, as a crashed worker would.
      reportRegressions: async () => {
        const outcome = await activities.reportRegressions();
        const { workflowExecution, attempt } = Context.current().info;
        reportAttempts.push({ workflowId: workflowExecution!.workflowId, attempt, regressions: outcome.regressions.length });
        if (attempt === 1 && outcome.regressions.length) throw new Error('worker lost after reporting');
        return outcome;
      },
    }));
  });
  afterAll(async () => {
    await harness?.close();
    await api?.close();
  });

  /** Fires the schedule on the server and waits for the execution it started to end (regressions reported). */
  async function fire(scheduleId: string): Promise<{ workflowId: string; executionId: string; summary: ExecutionSummary }> {
    const handle = harness.client.schedule.getHandle(scheduleId);
    const before = (await handle.describe()).info.recentActions.length;
    await handle.trigger();
    for (const deadline = Date.now() + 30_000; ;) {
      const actions = (await handle.describe()).info.recentActions;
      if (actions.length > before) {
        const { workflowId, firstExecutionRunId } = actions[actions.length - 1].action.workflow;
        const summary = await harness.client.workflow.getHandle(workflowId, firstExecutionRunId).result();
        return { workflowId, executionId: firstExecutionRunId, summary };
      }
      if (Date.now() > deadline) throw new Error(`schedule ${scheduleId} did not fire`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('fires on the server, stores each execution, and reports a regression once', async () => {
    const repository = uniqueRepository('schedule');
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: SPEC }, repository });
    const run = await waitForRunEnd(harness, started.body.runId, 180_000);
    expect(run.status).toBe('completed');
    const target = { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] };
    const schedulePath = `/api/v1/runs/${run.id}/schedule`;

    // Timing the description allows but testloom does not: 400 naming the field.
    const fieldsOf = async (body: unknown) => {
      const answer = await apiRequest(harness, 'POST', schedulePath, body);
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 400, code: 'invalid_request' });
      return answer.body.error.details;
    };
    expect(await fieldsOf({ interval: '5m', target })).toEqual([{ field: 'interval', message: 'must be at least 15m (each execution runs the whole suite against the API)' }]);
    expect(await fieldsOf({ interval: 'every hour', target })).toEqual([{ field: 'interval', message: 'must be a duration such as 30m, 6h, 1d or 1h30m' }]);
    expect(await fieldsOf({ cron: '*/5 * * * *', target })).toEqual([{ field: 'cron', message: 'fires more often than every 15 minutes (minutes */5)' }]);
    expect(await fieldsOf({ cron: 'daily', target })).toEqual([{ field: 'cron', message: expect.stringContaining('must have 5 fields') }]);
    expect(await fieldsOf({ cron: '@daily', interval: '6h', target })).toEqual([{ field: 'cron', message: 'cannot be combined with interval: give one of them' }]);
    expect(await fieldsOf({ target })).toEqual([{ field: 'cron', message: 'is required (or interval instead)' }]);
    expect(await fieldsOf({ interval: '6h' })).toEqual([{ field: 'target', message: `is required (no target is configured for ${repository} in TESTLOOM_TARGETS_FILE)` }]);
    expect((await apiRequest(harness, 'POST', '/api/v1/runs/no-such-run/schedule', { interval: '6h', target })).status).toBe(404);

    // Created once; the same request again finds it; another timing is a conflict.
    const created = await apiRequest(harness, 'POST', schedulePath, { interval: '6h', target });
    expect(created.status).toBe(201);
    const id = `execute-schedule:${run.workflowId}`;
    expect(created.body).toMatchObject({ id, runId: run.id, runWorkflowId: run.workflowId, repository, interval: '6h', target, paused: false, existing: false, recentExecutions: [] });
    expect(created.headers.get('location')).toBe(`/api/v1/schedules/${encodeURIComponent(id)}`);
    const again = await apiRequest(harness, 'POST', `/api/v1/runs/${encodeURIComponent(run.workflowId)}/schedule`, { interval: '6h', target });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, existing: true });
    const conflict = await apiRequest(harness, 'POST', schedulePath, { cron: '@daily', target });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.details.map((d: { field: string }) => d.field)).toEqual(['cron', 'interval']);
    const described = await harness.client.schedule.getHandle(id).describe();
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.spec.intervals).toMatchObject([{ every: 6 * 3_600_000 }]);

    // Listed (Temporal's visibility store catches up within moments), paused and resumed.
    const self = `/api/v1/schedules/${encodeURIComponent(id)}`;
    for (const deadline = Date.now() + 20_000; ;) {
      const listed = (await apiRequest(harness, 'GET', '/api/v1/schedules')).body.schedules;
      if (listed.some((s: { id: string }) => s.id === id)) break;
      if (Date.now() > deadline) throw new Error(`${id} was not listed`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect((await apiRequest(harness, 'POST', `${self}/pause`)).body).toMatchObject({ id, paused: true, note: 'paused through testloom' });
    expect((await apiRequest(harness, 'GET', self)).body.paused).toBe(true);
    expect((await apiRequest(harness, 'POST', `${self}/resume`)).body).toMatchObject({ id, paused: false });

    // First firing: the API works; nothing to compare with (the run had no target, so no execute stage).
    const first = await fire(id);
    expect(first.workflowId.startsWith(`scheduled-execute:${run.workflowId}-`)).toBe(true);
    expect(first.summary).toMatchObject({ status: 'executed', tests: 22, passed: 22 });
    const stored = (await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/executions/${first.executionId}`)).body;
    expect(stored).toMatchObject({ id: first.executionId, kind: 'schedule', status: 'completed', workflowId: first.workflowId, regressions: [] });

    // The API breaks: the test that passed fails now.
    faults.serverErrorForLimit = 1;
    const second = await fire(id);
    expect(second.summary.passed).toBe(21);
    const regressions = (await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/regressions`)).body.regressions;
    expect(regressions).toEqual([{
      executionId: second.executionId, runId: run.id, file: expect.stringMatching(/^tests\/testloom\/inventory\/.+\.test\.ts$/), fullName: BROKEN_TEST,
      previousExecutionId: first.executionId, failure: expect.stringContaining('500'), commentUrl: null, issueUrl: `local://${repository}/issues/1`,
      createdAt: expect.any(String),
    }]);
    expect((await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/executions/${second.executionId}`)).body.regressions).toEqual(regressions);
    const issue = await getLocalIssue(harness.database.db, repository, 1);
    expect(issue?.title).toMatch(/^Regression: 1 test of .+ fails against http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(issue?.body).toContain(BROKEN_TEST);
    expect(issue?.body).toContain(regressionMarker(second.executionId));
    // Its first report attempt died after opening the issue; the retry found it.
    expect(reportAttempts.filter((a) => a.workflowId === second.workflowId).map((a) => [a.attempt, a.regressions])).toEqual([[1, 1], [2, 1]]);

    // Still broken: an execution, no new regression, no new issue.
    const third = await fire(id);
    expect(third.summary.passed).toBe(21);
    expect((await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/regressions`)).body.regressions).toEqual(regressions);
    expect(await getLocalIssue(harness.database.db, repository, 2)).toBeUndefined();
    const executions = (await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/executions`)).body.executions;
    expect(executions.map((e: { id: string; kind: string }) => [e.id, e.kind])).toEqual([[third.executionId, 'schedule'], [second.executionId, 'schedule'], [first.executionId, 'schedule']]);
    expect((await apiRequest(harness, 'GET', self)).body.recentExecutions.map((e: { executionId: string }) => e.executionId)).toEqual([first.executionId, second.executionId, third.executionId]);

    // The CLI, through the same API.
    const cli = (...args: string[]) => execFileAsync(process.execPath, ['bin/testloom', 'schedule', ...args], {
      cwd: ROOT, env: { ...process.env, ...harness.env, TESTLOOM_API_URL: harness.api.url }, timeout: 60_000,
    }).then((r) => r.stdout);
    expect(await cli(run.id, '--every', '6h', '--base-url', api.baseUrl, '--allow-methods', 'POST,DELETE')).toContain(`Found schedule\n${id}  active  every 6h  run ${run.id}  → ${api.baseUrl}`);
    expect(await cli('pause', id)).toContain(`${id}  paused  every 6h`);
    expect(await cli('resume', id)).toContain(`${id}  active  every 6h`);
    await expect(cli(run.id, '--every', '5m', '--base-url', api.baseUrl)).rejects.toMatchObject({ stderr: expect.stringContaining('interval: must be at least 15m') });

    // Deleted: gone, and deleting again is a 404; the executions stay.
    expect(await cli('delete', id)).toBe(`Deleted schedule ${id}\n`);
    expect((await apiRequest(harness, 'GET', self)).status).toBe(404);
    expect((await apiRequest(harness, 'DELETE', self)).status).toBe(404);
    expect((await apiRequest(harness, 'POST', `${self}/pause`)).status).toBe(404);
    expect((await apiRequest(harness, 'GET', `/api/v1/runs/${run.id}/executions`)).body.executions).toHaveLength(3);
  });
});
