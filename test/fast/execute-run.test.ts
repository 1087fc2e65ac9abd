/**
 * executeRun (a later execution of a finished run's suite) on the time-skipping test server with
 * stub activities: one activity with the run and the request, its status query, and retries by
 * the execute stage's policy from temporal.yaml.
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { executionStatusQuery, WORKFLOW } from '../../lib/core/workflows';
import { startWorkflow } from '../../lib/temporal/workflows';
import { EXECUTION, gate, stubActivities } from './support/stub-activities';
import { EXECUTION_REQUEST, executeRunInput, SETTINGS, startTestEnvironment, taskQueues, withWorkers, workflowId } from './support/workflow-environment';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(() => env?.teardown());

it('runs the executeRun activity once with the run and the request, answering its status query while it runs', async () => {
  const running = gate();
  const stubs = stubActivities({
    executeRun: async () => {
      await running.wait();
      return EXECUTION;
    },
  });
  const queues = taskQueues();
  await withWorkers(env, queues, stubs.activities, async () => {
    const handle = await startWorkflow(env.client, WORKFLOW.executeRun, { workflowId: workflowId('execute'), taskQueue: queues.io, args: [executeRunInput(queues, 'run-42')] });
    await running.reached;
    expect(await handle.query(executionStatusQuery)).toEqual({ status: 'running' });
    running.open();
    expect(await handle.result()).toEqual(EXECUTION);
    expect(await handle.query(executionStatusQuery)).toEqual({ status: 'completed' });
  });
  // Then the regressions of this execution (the workflow's own run) are reported, on the workflow's task queue.
  expect(stubs.calls.map((call) => [call.name, call.args, call.taskQueue, call.attempt])).toEqual([
    ['executeRun', [{ runId: 'run-42', request: EXECUTION_REQUEST }], queues.io, 1],
    ['reportRegressions', [], queues.io, 1],
  ]);
  expect(stubs.of('reportRegressions')[0].runId).toBe(stubs.of('executeRun')[0].runId);
});

it('passes a schedule’s kind to the execution; reports no regressions of a skipped execution; retries a failed report without executing again', async () => {
  let reportAttempts = 0;
  const stubs = stubActivities({
    executeRun: async (input) => (input.runId === 'run-without-suite' ? { ...EXECUTION, status: 'skipped', reason: 'no suite' } : EXECUTION),
    reportRegressions: async () => {
      if (++reportAttempts === 1) throw new Error('GitHub answered 502');
      return { executionId: 'x', regressions: [] };
    },
  });
  const queues = taskQueues();
  await withWorkers(env, queues, stubs.activities, async () => {
    const scheduled = await startWorkflow(env.client, WORKFLOW.executeRun, { workflowId: workflowId('scheduled'), taskQueue: queues.io, args: [{ ...executeRunInput(queues, 'run-7'), kind: 'schedule' }] });
    expect(await scheduled.result()).toEqual(EXECUTION);
    const skipped = await startWorkflow(env.client, WORKFLOW.executeRun, { workflowId: workflowId('skipped'), taskQueue: queues.io, args: [executeRunInput(queues, 'run-without-suite')] });
    expect((await skipped.result()).status).toBe('skipped');
  });
  expect(stubs.of('executeRun').map((call) => call.args[0])).toEqual([
    { runId: 'run-7', request: EXECUTION_REQUEST, kind: 'schedule' },
    { runId: 'run-without-suite', request: EXECUTION_REQUEST },
  ]);
  expect(stubs.of('executeRun').map((call) => call.attempt)).toEqual([1, 1]);
  expect(stubs.of('reportRegressions').map((call) => [call.attempt, call.workflowId.startsWith('scheduled-')])).toEqual([[1, true], [2, true]]);
});

it('retries by the execute stage’s policy and fails once its attempts are spent; a non-retryable failure at once', async () => {
  const stubs = stubActivities({
    executeRun: (input) =>
      Promise.reject(input.runId === 'run-gone' ? ApplicationFailure.nonRetryable('run run-gone has no generated suite', 'NoSuite') : new Error('the target API did not answer')),
  });
  const queues = taskQueues();
  await withWorkers(env, queues, stubs.activities, async () => {
    for (const runId of ['run-flaky', 'run-gone']) {
      const handle = await startWorkflow(env.client, WORKFLOW.executeRun, { workflowId: workflowId('execute'), taskQueue: queues.io, args: [executeRunInput(queues, runId)] });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(await handle.query(executionStatusQuery)).toEqual({ status: 'failed' });
    }
  });
  const attempts = (runId: string) => stubs.calls.filter((call) => call.name === 'executeRun' && (call.args[0] as { runId: string }).runId === runId).map((call) => call.attempt);
  expect(SETTINGS.stages.execute.retry.maximumAttempts).toBe(3);
  expect(attempts('run-flaky')).toEqual([1, 2, 3]);
  expect(attempts('run-gone')).toEqual([1]);
});
