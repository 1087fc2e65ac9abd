import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StageSettings } from '../lib/core/stage-settings';
import type { GenerateTestsInput, IndexingOutcome, RetrievalOutcome, RunResult, RunState } from '../lib/core/contract';
import { STAGE_ATTRIBUTE, STATUS_ATTRIBUTE } from '../lib/core/search-attributes';
import { STAGES, type RunStatus, type StageName } from '../lib/core/run';
import { cancelSignal, regenerateSignal, statusQuery } from '../lib/core/workflows';

function activityOptions(taskQueue: string, stage: StageSettings): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: stage.startToCloseTimeout,
    heartbeatTimeout: stage.heartbeatTimeout,
    retry: {
      initialInterval: stage.retry.initialInterval,
      backoffCoefficient: stage.retry.backoffCoefficient,
      maximumInterval: stage.retry.maximumInterval,
      maximumAttempts: stage.retry.maximumAttempts,
    },
  };
}

/** The message of the failure that ended a stage, without Temporal's wrapping. */
function reasonOf(err: unknown): { message: string; type?: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { message: cause.message, type: cause.type ?? undefined };
  return { message: cause instanceof Error ? cause.message : String(cause) };
}

/**
 * Retrieval only improves a run: when the vector store stays unreachable through all of a
 * stage's retries, the run goes on without it and says so instead of failing the user's request.
 */
function withoutRetrieval<T>(outcome: (reason: string) => T): (err: unknown) => T {
  return (err) => {
    if (isCancellation(err)) throw err;
    return outcome(reasonOf(err).message);
  };
}

const degradedRetrieval = (reason: string): RetrievalOutcome => ({ status: 'degraded', documents: [], reason: `retrieval unavailable: ${reason}` });
const degradedIndexing = (reason: string): IndexingOutcome => ({ status: 'degraded', indexed: 0, reason: `indexing unavailable: ${reason}` });

/**
 * One request (a spec or an issue) becoming tests: receive → retrieve → generate → commit →
 * create-PR → finalize. The workflow id is the idempotency key; every side effect happens in an
 * activity that is safe to run twice.
 */
export async function generateTests(input: GenerateTestsInput): Promise<RunResult> {
  const state: RunState = {
    status: 'running',
    stages: Object.fromEntries(STAGES.map((name) => [name, { progress: 'pending' }])) as RunState['stages'],
    feedback: [...(input.feedback ?? [])],
  };
  let feedbackUsed = 0; // how much of state.feedback the generation took into account
  // Generation calls language models, so it runs on their task queue (rate-limited by that
  // worker's concurrency); execution runs suites, on its own queue. Runs started before those
  // queues existed keep theirs; histories in which execute ran on the model queue (before the
  // `execute-task-queue` patch) replay with it.
  const taskQueueOf = (stage: StageName) => {
    if (stage === 'execute' && input.settings.executeTaskQueue && patched('execute-task-queue')) return input.settings.executeTaskQueue;
    return ((stage === 'generate' || stage === 'execute') && input.settings.llmTaskQueue) || input.settings.taskQueue;
  };
  const stageActivities = (stage: StageName) =>
    proxyActivities<Activities>(activityOptions(taskQueueOf(stage), input.settings.stages[stage]));
  const bookkeeping = proxyActivities<Activities>(activityOptions(input.settings.taskQueue, input.settings.stages.finalize));

  const setStatus = (status: RunStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: STATUS_ATTRIBUTE, value: status }]);
  };

  async function stage<T>(name: StageName, run: (acts: Activities) => Promise<T>): Promise<T> {
    state.stage = name;
    state.stages[name] = { progress: 'running', startedAt: new Date().toISOString() };
    upsertSearchAttributes([{ key: STAGE_ATTRIBUTE, value: name }]);
    try {
      const result = await run(stageActivities(name));
      state.stages[name] = { ...state.stages[name], progress: 'completed', endedAt: new Date().toISOString() };
      return result;
    } catch (err) {
      const progress = isCancellation(err) ? 'cancelled' : 'failed';
      state.stages[name] = { ...state.stages[name], progress, endedAt: new Date().toISOString() };
      throw err;
    }
  }

  const work = new CancellationScope();
  setHandler(statusQuery, () => state);
  setHandler(cancelSignal, (request) => {
    if (state.status !== 'running') return;
    state.cancelReason = request?.reason ?? 'cancel requested';
    work.cancel();
  });
  setHandler(regenerateSignal, (request) => {
    if (state.status === 'running') state.feedback.push(request?.feedback ?? '');
  });

  setStatus('running');
  const result: RunResult = { status: 'completed' };
  try {
    await work.run(async () => {
      result.subject = await stage('receive', (a) => a.receive(input));
      result.retrieval = await stage('retrieve', (a) => a.retrieve(result.subject!).catch(withoutRetrieval(degradedRetrieval)));
      state.retrieval = result.retrieval.status;
      feedbackUsed = state.feedback.length;
      result.generation = await stage('generate', (a) => a.generate(result.subject!, result.retrieval, state.feedback.slice(0, feedbackUsed)));
      // Only runs with a target execute their suite; the commit then delivers what execution kept.
      if (input.execution) {
        const request = input.execution;
        result.execution = await stage('execute', (a) => a.execute({ subject: result.subject!, generation: result.generation!, request }));
      } else {
        state.stages.execute = { progress: 'skipped' };
      }
      result.commit = await stage('commit', (a) => a.commit({ subject: result.subject!, generation: result.generation! }));
      result.review = await stage('createPr', (a) =>
        a.createPr({
          subject: result.subject!,
          retrieval: result.retrieval!,
          generation: result.generation!,
          commit: result.commit!,
          ...(result.execution ? { execution: result.execution } : {}),
        }),
      );
      await stage('finalize', async (a) => {
        // Added after the first release: histories recorded before it replay without the call.
        if (patched('index-run-cases')) {
          // Indexing talks to the vector store, so it gets retrieve's (shorter) retry policy.
          result.indexing = await stageActivities('retrieve')
            .indexRunCases(result.subject!)
            .catch(withoutRetrieval(degradedIndexing));
        }
        await a.finalize(result);
      });
    });
    setStatus('completed');
  } catch (err) {
    // Bookkeeping must happen even though the work scope was cancelled.
    if (isCancellation(err)) {
      const reason = state.cancelReason ?? 'workflow cancellation requested';
      await CancellationScope.nonCancellable(() => bookkeeping.recordRunEnd({ status: 'cancelled', stage: state.stage, reason }));
      setStatus('cancelled');
      if (state.cancelReason === undefined) throw err; // Cancelled through Temporal itself: end as Canceled.
      return { ...result, status: 'cancelled', reason };
    }
    const { message, type } = reasonOf(err);
    const failedStage = state.stage ?? 'receive';
    state.error = { stage: failedStage, message, type };
    await bookkeeping.recordRunEnd({ status: 'failed', stage: failedStage, reason: message });
    setStatus('failed');
    throw ApplicationFailure.nonRetryable(`failed at stage ${failedStage}: ${message}`, 'RunFailed');
  }
  // A regenerate request arrived after generate had started: the next generation is a new run of
  // the same workflow (its own run id and stage history), carrying all feedback so far.
  if (state.feedback.length > feedbackUsed) {
    await continueAsNew<typeof generateTests>({ ...input, feedback: state.feedback });
  }
  return result;
}
