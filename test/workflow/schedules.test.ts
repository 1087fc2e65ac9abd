/**
 * Schedules on the real Temporal dev server, worker, database and local git host: a schedule
 * created through the API fires (`trigger()`: a firing by the server, now) and each firing is a
 * stored execution of the delivered suite against a real local API. The API then breaks: the test
 * that passed before and fails now is stored as a regression and reported once (one issue, with
 * TESTLOOM_REGRESSION_ISSUES=on), although the report's first attempt dies after posting; the next
 * execution, still failing, reports nothing new.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Context } from '@temporalio/activity';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { ExecutionSummary } from '../../lib/core/contract';
import { getLocalIssue } from '../../lib/db/local-issues';
import { regressionMarker } from '../../lib/runs/regressions';
import { suiteSchedules } from '../../lib/runs/schedules';
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
    const id = `execute-schedule:${run.workflowId.replace(/@[^@]*$/, '')}`; // one schedule per spec identity
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
    if (process.env.RECORD_HISTORY) {
      // `npm run record-history`: an executeRun that reported a regression (its first report attempt failed) for the replay test.
      const history = await harness.client.workflow.getHandle(second.workflowId, second.executionId).fetchHistory();
      fs.writeFileSync(path.resolve(__dirname, '../fixtures/histories/execute-run-with-regression.json'), historyToJSON(history));
    }
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

  it('follows the spec: a .testloom.yml schedule is made when the suite is delivered, and each later revision takes it over', async () => {
    delete faults.serverErrorForLimit;
    const repository = uniqueRepository('schedule-config');
    await harness.repoHost.ensureRepository(repository);
    const configFile = (interval: string) => `version: 1\nschedule:\n  interval: ${interval}\ntarget:\n  baseUrl: ${api.baseUrl}\n  allowedMethods: [POST, DELETE]\n`;
    await harness.repoHost.commitFiles({
      repository, branch: 'main', ownedDirs: [], message: 'Configure testloom', date: new Date(),
      files: [{ path: '.testloom.yml', content: configFile('12h') }],
    });
    const deliver = async (version: string) => {
      const spec = JSON.parse(SPEC);
      spec.info.version = version;
      const started = await apiRequest(harness, 'POST', '/api/v1/runs', { spec: { content: JSON.stringify(spec) }, repository, name: 'inventory' });
      const run = await waitForRunEnd(harness, started.body.runId, 240_000);
      expect(run.status).toBe('completed');
      return run;
    };
    const id = `execute-schedule:spec:${repository}:inventory`;

    // v1 delivered: finalize made the schedule .testloom.yml asks for, against its target.
    const v1 = await deliver('1.0.0');
    expect(v1.details.schedule).toEqual({ status: 'created', scheduleId: id });
    const self = `/api/v1/schedules/${encodeURIComponent(id)}`;
    expect((await apiRequest(harness, 'GET', self)).body).toMatchObject({ id, runId: v1.id, runWorkflowId: v1.workflowId, repository, interval: '12h', target: { baseUrl: api.baseUrl } });

    // v2 delivered: the same schedule now executes v2's suite, same timing and target.
    const v2 = await deliver('1.0.1');
    expect(v2.workflowId).not.toBe(v1.workflowId);
    expect(v2.details.schedule).toEqual({ status: 'retargeted', scheduleId: id });
    expect((await apiRequest(harness, 'GET', self)).body).toMatchObject({ id, runId: v2.id, runWorkflowId: v2.workflowId, interval: '12h' });
    const fired = await fire(id);
    expect(fired.workflowId.startsWith(`scheduled-execute:${v2.workflowId}-`)).toBe(true);
    expect(fired.summary).toMatchObject({ status: 'executed', tests: 22, passed: 22 });
    const executions = (await apiRequest(harness, 'GET', `/api/v1/runs/${v2.id}/executions`)).body.executions;
    expect(executions.filter((e: { kind: string }) => e.kind === 'schedule').map((e: { id: string }) => e.id)).toEqual([fired.executionId]);

    // Asking again (a retried finalize) changes nothing; the older revision cannot take the schedule back.
    const schedules = suiteSchedules(harness.database.db, harness.config);
    const configured = { interval: '12h', target: { baseUrl: api.baseUrl, allowedMethods: ['POST', 'DELETE'] } };
    expect(await schedules.followDeliveredRun(harness.client, v2.id, configured)).toEqual({ status: 'unchanged', scheduleId: id });
    expect(await schedules.followDeliveredRun(harness.client, v1.id, configured)).toEqual({ status: 'unchanged', scheduleId: id });
    const back = await apiRequest(harness, 'POST', `/api/v1/runs/${v1.id}/schedule`, { interval: '12h', target: configured.target });
    expect(back.status).toBe(409);
    expect(back.body.error.details.map((d: { field: string }) => d.field)).toEqual(['runId']);

    // A changed timing in .testloom.yml replaces the schedule; fail-fast and a budget are refused as a conflict through the API.
    expect(await schedules.followDeliveredRun(harness.client, v2.id, { ...configured, interval: '6h' })).toEqual({ status: 'replaced', scheduleId: id });
    expect((await apiRequest(harness, 'GET', self)).body).toMatchObject({ runId: v2.id, interval: '6h', recentExecutions: [] });
    const cut = await apiRequest(harness, 'POST', `/api/v1/runs/${v2.id}/schedule`, { interval: '6h', target: configured.target, failFast: true, budget: 5 });
    expect(cut.status).toBe(409);
    expect(cut.body.error.details.map((d: { field: string }) => d.field)).toEqual(['failFast', 'budget']);
    expect((await apiRequest(harness, 'DELETE', self)).status).toBe(204);
    const withCut = await apiRequest(harness, 'POST', `/api/v1/runs/${v2.id}/schedule`, { interval: '6h', target: configured.target, failFast: true, budget: 5 });
    expect(withCut.status).toBe(201);
    expect(withCut.body).toMatchObject({ id, runId: v2.id, failFast: true, budget: 5 });
    const described = await harness.client.schedule.getHandle(id).describe();
    const action = described.action as unknown as { args: [{ request: { failFast?: boolean; budget?: number } }] };
    expect(action.args[0].request).toMatchObject({ failFast: true, budget: 5 });
    await harness.client.schedule.getHandle(id).delete();
  });
});
