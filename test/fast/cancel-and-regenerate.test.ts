/**
 * generateTests stopped and asked again, on the time-skipping test server with stub activities:
 * the cancel signal and Temporal's own cancellation; the regenerate signal before and after
 * generation started (continue-as-new), and signal-with-start as `/testloom regenerate` sends it.
 */
import { CancelledFailure, WorkflowFailedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { GenerateTestsInput } from '../../lib/core/contract';
import { STATUS_ATTRIBUTE } from '../../lib/core/search-attributes';
import { cancelSignal, regenerateSignal, statusQuery, WORKFLOW } from '../../lib/core/workflows';
import { signalWithStartWorkflow, startWorkflow } from '../../lib/temporal/workflows';
import { gate, GENERATION, heldUntilCancelled, RETRIEVAL, stubActivities, SUBJECT } from './support/stub-activities';
import { specRunInput, startTestEnvironment, taskQueues, withWorkers, workflowId, type TaskQueues } from './support/workflow-environment';

const PIPELINE = ['receive', 'retrieve', 'generate', 'commit', 'createPr', 'indexRunCases', 'finalize'];

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(() => env?.teardown());

function start(queues: TaskQueues, input: GenerateTestsInput, id = workflowId('run')) {
  return startWorkflow(env.client, WORKFLOW.generateTests, { workflowId: id, taskQueue: queues.io, args: [input] });
}

describe('cancel', () => {
  it('the cancel signal stops the running stage; the run ends cancelled with the reason, at its stage, nothing committed', async () => {
    const held = heldUntilCancelled();
    const stubs = stubActivities({ generate: held.run });
    const queues = taskQueues();
    await withWorkers(env, queues, stubs.activities, async () => {
      const handle = await start(queues, specRunInput(queues));
      await held.started;
      await handle.signal(cancelSignal, { reason: 'wrong spec' });
      await held.cancelled;

      expect(await handle.result()).toEqual({ status: 'cancelled', reason: 'wrong spec', subject: SUBJECT, retrieval: RETRIEVAL });
      const state = await handle.query(statusQuery);
      expect(state).toMatchObject({ status: 'cancelled', stage: 'generate', cancelReason: 'wrong spec' });
      expect(state.stages.generate.progress).toBe('cancelled');
      expect(state.stages.commit.progress).toBe('pending');
      expect(state.error).toBeUndefined();
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED'); // ended by testloom, with its result
      expect(description.typedSearchAttributes.get(STATUS_ATTRIBUTE)).toBe('cancelled');
    });
    const generate = stubs.of('generate');
    expect(generate).toHaveLength(1);
    expect((generate[0].outcome as { error: Error }).error).toBeInstanceOf(CancelledFailure);
    expect(stubs.names()).toEqual(['receive', 'retrieve', 'generate', 'recordRunEnd']);
    expect(stubs.of('recordRunEnd')[0].args).toEqual([{ status: 'cancelled', stage: 'generate', reason: 'wrong spec' }]);
  });

  it('cancelled through Temporal itself: the same bookkeeping, and the workflow ends as Canceled', async () => {
    const held = heldUntilCancelled();
    const stubs = stubActivities({ commit: held.run });
    const queues = taskQueues();
    await withWorkers(env, queues, stubs.activities, async () => {
      const handle = await start(queues, specRunInput(queues));
      await held.started;
      await handle.cancel();

      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      const state = await handle.query(statusQuery);
      expect(state).toMatchObject({ status: 'cancelled', stage: 'commit' });
      expect(state.cancelReason).toBeUndefined();
      expect(state.stages.commit.progress).toBe('cancelled');
    });
    expect(stubs.names()).toEqual(['receive', 'retrieve', 'generate', 'commit', 'recordRunEnd']);
    expect(stubs.of('recordRunEnd')[0].args).toEqual([{ status: 'cancelled', stage: 'commit', reason: 'workflow cancellation requested' }]);
  });
});

describe('regenerate', () => {
  it('feedback that arrives while generate runs: the run delivers, then continues as a new run that generates with it', async () => {
    const firstGeneration = gate();
    let generations = 0;
    const stubs = stubActivities({
      generate: async () => {
        if (generations++ === 0) await firstGeneration.wait();
        return GENERATION;
      },
    });
    const queues = taskQueues();
    const input = specRunInput(queues);
    await withWorkers(env, queues, stubs.activities, async () => {
      const handle = await start(queues, input);
      await firstGeneration.reached;
      await handle.signal(regenerateSignal, { feedback: 'add tests for 409 conflicts' });
      expect((await handle.query(statusQuery)).feedback).toEqual(['add tests for 409 conflicts']);
      firstGeneration.open();

      // result() follows the chain to the last run.
      expect(await handle.result()).toMatchObject({ status: 'completed', generation: GENERATION });
      const first = handle.firstExecutionRunId;
      expect((await env.client.workflow.getHandle(handle.workflowId, first).describe()).status.name).toBe('CONTINUED_AS_NEW');
      const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
      expect(latest.runId).not.toBe(first);
      expect(latest.status.name).toBe('COMPLETED');
      expect(await env.client.workflow.getHandle(handle.workflowId).query(statusQuery)).toMatchObject({ status: 'completed', feedback: ['add tests for 409 conflicts'] });
    });

    // The first run delivered its generation in full; the second ran every stage again.
    expect(stubs.names()).toEqual([...PIPELINE, ...PIPELINE]);
    const runIds = [...new Set(stubs.calls.map((call) => call.runId))];
    expect(runIds).toHaveLength(2);
    expect(stubs.calls.slice(0, PIPELINE.length).every((call) => call.runId === runIds[0])).toBe(true);
    const [firstGenerate, secondGenerate] = stubs.of('generate');
    expect(firstGenerate.args[2]).toEqual([]);
    expect(secondGenerate.args[2]).toEqual(['add tests for 409 conflicts']);
    expect(stubs.of('receive')[1].args).toEqual([{ ...input, feedback: ['add tests for 409 conflicts'] }]);
  });

  it('feedback that arrives before generate starts is used by this generation: no second run', async () => {
    const receiving = gate();
    const stubs = stubActivities({
      receive: async () => {
        await receiving.wait();
        return SUBJECT;
      },
    });
    const queues = taskQueues();
    await withWorkers(env, queues, stubs.activities, async () => {
      const handle = await start(queues, specRunInput(queues, { feedback: ['first note'] }));
      await receiving.reached;
      await handle.signal(regenerateSignal, { feedback: 'second note' });
      receiving.open();
      expect((await handle.result()).status).toBe('completed');
      expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
      expect((await handle.query(statusQuery)).feedback).toEqual(['first note', 'second note']);
    });
    expect(stubs.names()).toEqual(PIPELINE);
    expect(stubs.of('generate')[0].args[2]).toEqual(['first note', 'second note']);
  });

  it('signal-with-start (`/testloom regenerate`): starts a run with the feedback, and after a finished run starts the next one', async () => {
    const stubs = stubActivities();
    const queues = taskQueues();
    const input = specRunInput(queues, { trigger: 'issue', spec: undefined, issue: { number: 7 } });
    const id = workflowId('issue');
    const regenerate = (feedback: string) =>
      signalWithStartWorkflow(env.client, WORKFLOW.generateTests, {
        workflowId: id,
        taskQueue: queues.io,
        args: [input],
        signal: regenerateSignal,
        signalArgs: [{ feedback }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
    await withWorkers(env, queues, stubs.activities, async () => {
      const first = await regenerate('cover pagination');
      expect((await first.result()).status).toBe('completed');
      const second = await regenerate('and the empty page');
      expect(second.signaledRunId).not.toBe(first.signaledRunId);
      expect((await second.result()).status).toBe('completed');
    });
    expect(stubs.names()).toEqual([...PIPELINE, ...PIPELINE]);
    expect(stubs.of('generate').map((call) => call.args[2])).toEqual([['cover pagination'], ['and the empty page']]);
    expect(stubs.of('receive').map((call) => call.args[0])).toEqual([input, input]);
  });
});
