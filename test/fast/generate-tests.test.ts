/**
 * generateTests on the time-skipping test server with stub activities: the order of the stages and
 * what each is handed, the optional execute stage, the task queues, the status query and the search
 * attributes, retries (temporal.yaml's policies, back-offs skipped) and failures that end the run.
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunResult, RunState } from '../../lib/core/contract';
import { STAGES } from '../../lib/core/run';
import { STAGE_ATTRIBUTE, STATUS_ATTRIBUTE } from '../../lib/core/search-attributes';
import { statusQuery, WORKFLOW } from '../../lib/core/workflows';
import { startWorkflow } from '../../lib/temporal/workflows';
import { COMMIT, EXECUTION, failing, GENERATION, gate, INDEXING, RETRIEVAL, REVIEW, stubActivities, SUBJECT, type StubActivities } from './support/stub-activities';
import {
  EXECUTION_REQUEST,
  SETTINGS,
  specRunInput,
  startTestEnvironment,
  taskQueues,
  withWorkers,
  workflowId,
  type TaskQueues,
} from './support/workflow-environment';
import type { GenerateTestsInput } from '../../lib/core/contract';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(() => env?.teardown());

function start(queues: TaskQueues, input: GenerateTestsInput) {
  return startWorkflow(env.client, WORKFLOW.generateTests, { workflowId: workflowId('run'), taskQueue: queues.io, args: [input] });
}
type RunHandle = Awaited<ReturnType<typeof start>>;

/** Starts a run with `input` on workers with `stubs` and hands its handle to `fn` while they poll. */
function withRun<T>(stubs: StubActivities, queues: TaskQueues, input: GenerateTestsInput, fn: (handle: RunHandle) => Promise<T>): Promise<T> {
  return withWorkers(env, queues, stubs.activities, async () => fn(await start(queues, input)));
}

async function searchAttributes(handle: RunHandle) {
  const { typedSearchAttributes } = await handle.describe();
  return { status: typedSearchAttributes.get(STATUS_ATTRIBUTE), stage: typedSearchAttributes.get(STAGE_ATTRIBUTE) };
}

const progress = (state: RunState) => Object.fromEntries(STAGES.map((name) => [name, state.stages[name].progress]));

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('generateTests: the stages', () => {
  it('runs receive → retrieve → generate → commit → createPr → finalize, each handed what the stages before it returned', async () => {
    const stubs = stubActivities();
    const queues = taskQueues();
    const input = specRunInput(queues);
    const { result, state, attributes } = await withRun(stubs, queues, input, async (handle) => ({
      result: await handle.result(),
      state: await handle.query(statusQuery),
      attributes: await searchAttributes(handle),
    }));

    expect(stubs.names()).toEqual(['receive', 'retrieve', 'generate', 'commit', 'createPr', 'indexRunCases', 'finalize']);
    const expected: RunResult = { status: 'completed', subject: SUBJECT, retrieval: RETRIEVAL, generation: GENERATION, commit: COMMIT, review: REVIEW, indexing: INDEXING };
    expect(result).toEqual(expected);
    expect(stubs.of('receive')[0].args).toEqual([input]);
    expect(stubs.of('retrieve')[0].args).toEqual([SUBJECT]);
    expect(stubs.of('generate')[0].args).toEqual([SUBJECT, RETRIEVAL, []]);
    expect(stubs.of('commit')[0].args).toEqual([{ subject: SUBJECT, generation: GENERATION }]);
    expect(stubs.of('createPr')[0].args).toEqual([{ subject: SUBJECT, retrieval: RETRIEVAL, generation: GENERATION, commit: COMMIT }]);
    expect(stubs.of('indexRunCases')[0].args).toEqual([SUBJECT]);
    expect(stubs.of('finalize')[0].args).toEqual([expected]);
    // The model stage on the model task queue (its worker's concurrency is the rate limit), the rest on the I/O queue.
    expect(stubs.calls.map((call) => [call.name, call.taskQueue, call.attempt])).toEqual([
      ['receive', queues.io, 1],
      ['retrieve', queues.io, 1],
      ['generate', queues.llm, 1],
      ['commit', queues.io, 1],
      ['createPr', queues.io, 1],
      ['indexRunCases', queues.io, 1],
      ['finalize', queues.io, 1],
    ]);

    expect(state).toMatchObject({ status: 'completed', stage: 'finalize', retrieval: 'ok', feedback: [] });
    expect(state.error).toBeUndefined();
    expect(progress(state)).toEqual({ receive: 'completed', retrieve: 'completed', generate: 'completed', execute: 'skipped', commit: 'completed', createPr: 'completed', finalize: 'completed' });
    for (const name of STAGES.filter((stage) => stage !== 'execute')) {
      const { startedAt, endedAt } = state.stages[name];
      expect(Date.parse(endedAt!)).toBeGreaterThanOrEqual(Date.parse(startedAt!));
    }
    expect(attributes).toEqual({ status: 'completed', stage: 'finalize' });
  });

  it('with a target: executes the suite on the model task queue between generate and commit, and delivers what execution kept', async () => {
    const stubs = stubActivities();
    const queues = taskQueues();
    const { result, state } = await withRun(stubs, queues, specRunInput(queues, { execution: EXECUTION_REQUEST }), async (handle) => ({
      result: await handle.result(),
      state: await handle.query(statusQuery),
    }));

    expect(stubs.names()).toEqual(['receive', 'retrieve', 'generate', 'execute', 'commit', 'createPr', 'indexRunCases', 'finalize']);
    const execute = stubs.of('execute')[0];
    expect(execute.args).toEqual([{ subject: SUBJECT, generation: GENERATION, request: EXECUTION_REQUEST }]);
    expect(execute.taskQueue).toBe(queues.llm);
    expect(stubs.of('createPr')[0].args).toEqual([{ subject: SUBJECT, retrieval: RETRIEVAL, generation: GENERATION, commit: COMMIT, execution: EXECUTION }]);
    expect(result.execution).toEqual(EXECUTION);
    expect(stubs.of('finalize')[0].args[0].execution).toEqual(EXECUTION);
    expect(state.stages.execute.progress).toBe('completed');
  });

  it('a run started before the model task queue existed keeps every stage on its one task queue', async () => {
    const stubs = stubActivities();
    const queues = taskQueues();
    const input = specRunInput(queues, { execution: EXECUTION_REQUEST });
    delete input.settings.llmTaskQueue;
    await withRun(stubs, queues, input, (handle) => handle.result());
    expect(new Set(stubs.calls.map((call) => call.taskQueue))).toEqual(new Set([queues.io]));
    expect(stubs.names()).toContain('execute');
  });

  it('answers the status query and shows its stage and status as search attributes while a stage runs', async () => {
    const held = gate();
    const stubs = stubActivities({
      generate: async (...args) => {
        await held.wait();
        return { ...GENERATION, caseCount: args[0].kind === 'spec' ? GENERATION.caseCount : 0 };
      },
    });
    const queues = taskQueues();
    await withRun(stubs, queues, specRunInput(queues, { feedback: ['cover the 404s'] }), async (handle) => {
      await held.reached;
      const state = await handle.query(statusQuery);
      expect(state).toMatchObject({ status: 'running', stage: 'generate', retrieval: 'ok', feedback: ['cover the 404s'] });
      expect(progress(state)).toEqual({ receive: 'completed', retrieve: 'completed', generate: 'running', execute: 'pending', commit: 'pending', createPr: 'pending', finalize: 'pending' });
      expect(state.stages.generate.startedAt).toEqual(expect.any(String));
      expect(state.stages.generate.endedAt).toBeUndefined();
      expect(await searchAttributes(handle)).toEqual({ status: 'running', stage: 'generate' });
      held.open();
      expect((await handle.result()).status).toBe('completed');
    });
    // Feedback the run started with reaches the (first) generation.
    expect(stubs.of('generate')[0].args[2]).toEqual(['cover the 404s']);
  });
});

describe('generateTests: failures', () => {
  it('retries a stage that failed transiently, with temporal.yaml back-off, and completes', async () => {
    let failures = 2;
    const stubs = stubActivities({
      commit: () => (failures-- > 0 ? Promise.reject(new Error('git store unavailable')) : Promise.resolve(COMMIT)),
    });
    const queues = taskQueues();
    const { result, state } = await withRun(stubs, queues, specRunInput(queues), async (handle) => ({
      result: await handle.result(),
      state: await handle.query(statusQuery),
    }));

    expect(result.status).toBe('completed');
    expect(result.commit).toEqual(COMMIT);
    expect(stubs.of('commit').map((call) => [call.attempt, 'error' in call.outcome! ? call.outcome.error.message : 'ok'])).toEqual([
      [1, 'git store unavailable'],
      [2, 'git store unavailable'],
      [3, 'ok'],
    ]);
    expect(stubs.names()).toEqual(['receive', 'retrieve', 'generate', 'commit', 'commit', 'commit', 'createPr', 'indexRunCases', 'finalize']);
    // Two waits of the retry policy (1 s, then 2 s), on the workflow's clock.
    const { initialInterval, backoffCoefficient } = SETTINGS.stages.commit.retry;
    expect([initialInterval, backoffCoefficient]).toEqual(['1s', 2]);
    expect(Date.parse(state.stages.commit.endedAt!) - Date.parse(state.stages.commit.startedAt!)).toBeGreaterThanOrEqual(3_000);
    expect(state.status).toBe('completed');
    expect(state.error).toBeUndefined();
  });

  it('a non-retryable failure ends the run at its stage after one attempt, and records how it ended', async () => {
    const stubs = stubActivities({
      receive: failing(ApplicationFailure.nonRetryable('the spec is not valid OpenAPI: paths is missing', 'InvalidSpec')),
    });
    const queues = taskQueues();
    const handle = await withRun(stubs, queues, specRunInput(queues), async (handle) => {
      const failure = await failureOf(handle.result());
      expect(failure.message).toBe('failed at stage receive: the spec is not valid OpenAPI: paths is missing');
      expect(failure.type).toBe('RunFailed');
      expect(failure.nonRetryable).toBe(true);

      const state = await handle.query(statusQuery);
      expect(state).toMatchObject({ status: 'failed', stage: 'receive', error: { stage: 'receive', message: 'the spec is not valid OpenAPI: paths is missing', type: 'InvalidSpec' } });
      expect(progress(state)).toEqual({ receive: 'failed', retrieve: 'pending', generate: 'pending', execute: 'pending', commit: 'pending', createPr: 'pending', finalize: 'pending' });
      expect(await searchAttributes(handle)).toEqual({ status: 'failed', stage: 'receive' });
      return handle;
    });
    expect(stubs.calls.map((call) => [call.name, call.attempt])).toEqual([['receive', 1], ['recordRunEnd', 1]]);
    expect(stubs.of('recordRunEnd')[0].args).toEqual([{ status: 'failed', stage: 'receive', reason: 'the spec is not valid OpenAPI: paths is missing' }]);
    expect(stubs.of('recordRunEnd')[0].taskQueue).toBe(queues.io);
    expect((await handle.describe()).status.name).toBe('FAILED');
  });

  it('a stage that keeps failing ends the run once temporal.yaml’s attempts are spent; nothing after it runs', async () => {
    const stubs = stubActivities({
      generate: failing(new Error('the model server crashed')),
    });
    const queues = taskQueues();
    await withRun(stubs, queues, specRunInput(queues), async (handle) => {
      const failure = await failureOf(handle.result());
      expect(failure.message).toBe('failed at stage generate: the model server crashed');
      expect((await handle.query(statusQuery)).error).toEqual({ stage: 'generate', message: 'the model server crashed', type: 'Error' });
    });
    const attempts = SETTINGS.stages.generate.retry.maximumAttempts;
    expect(attempts).toBe(10);
    expect(stubs.of('generate').map((call) => call.attempt)).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
    expect(stubs.names().filter((name) => name !== 'generate')).toEqual(['receive', 'retrieve', 'recordRunEnd']);
    expect(stubs.of('recordRunEnd')[0].args).toEqual([{ status: 'failed', stage: 'generate', reason: 'the model server crashed' }]);
  });

  it('an unreachable vector store degrades retrieval and indexing after their retries instead of failing the run', async () => {
    const stubs = stubActivities({ retrieve: failing(new Error('Chroma did not answer')), indexRunCases: failing(new Error('Chroma did not answer')) });
    const queues = taskQueues();
    const { result, state } = await withRun(stubs, queues, specRunInput(queues), async (handle) => ({
      result: await handle.result(),
      state: await handle.query(statusQuery),
    }));

    const degraded = { status: 'degraded', documents: [], reason: 'retrieval unavailable: Chroma did not answer' };
    expect(result).toMatchObject({ status: 'completed', retrieval: degraded, indexing: { status: 'degraded', indexed: 0, reason: 'indexing unavailable: Chroma did not answer' } });
    expect(stubs.of('generate')[0].args).toEqual([SUBJECT, degraded, []]);
    // Indexing gets retrieve's retry policy, not finalize's.
    expect(stubs.of('retrieve')).toHaveLength(SETTINGS.stages.retrieve.retry.maximumAttempts);
    expect(stubs.of('indexRunCases')).toHaveLength(SETTINGS.stages.retrieve.retry.maximumAttempts);
    expect(state).toMatchObject({ status: 'completed', retrieval: 'degraded' });
    expect(state.stages.retrieve.progress).toBe('completed');
    expect(stubs.of('recordRunEnd')).toEqual([]);
  });
});
