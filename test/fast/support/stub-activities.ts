/**
 * Stand-ins for the stage activities with the real activities' types: each records every call
 * (its arguments, the attempt, the task queue it ran on, how it ended) and answers with a plausible
 * stage result, or runs what a test puts in its place (fail, hold until cancelled, …).
 */
import { Context } from '@temporalio/activity';
import type { Activities } from '../../../activities';
import type {
  CommitOutcome,
  ExecutionSummary,
  GenerationOutcome,
  IndexingOutcome,
  RetrievalOutcome,
  ReviewOutcome,
  SpecSubject,
} from '../../../lib/core/contract';

export type ActivityName = keyof Activities;

export interface Call<Name extends ActivityName = ActivityName> {
  name: Name;
  args: Parameters<Activities[Name]>;
  attempt: number;
  taskQueue: string;
  workflowId: string;
  runId: string;
  /** How the call ended: its result, its error, or undefined while it runs. */
  outcome?: { result: unknown } | { error: Error };
}

export const SUBJECT: SpecSubject = {
  kind: 'spec',
  specId: 'spec-1',
  repository: 'acme/shop',
  title: 'Shop',
  version: '1.0.0',
  openapiVersion: '3.0.3',
  operationCount: 3,
  source: { kind: 'upload' },
  slug: 'shop',
  framework: 'jest',
};
export const RETRIEVAL: RetrievalOutcome = {
  status: 'ok',
  documents: [{ id: 'case-1', title: 'lists pets', score: 0.81, kind: 'happy', path: 'tests/pets.test.ts', origin: 'seed', text: 'GET /pets → 200' }],
};
export const GENERATION: GenerationOutcome = {
  outDir: 'testloom/shop',
  files: [{ path: 'testloom/shop/shop.test.ts', kind: 'test' }, { path: 'testloom/shop/test-cases.md', kind: 'doc' }],
  caseCount: 7,
  casesByKind: { happy: 3, negative: 4 },
  notes: [],
  executable: { suiteDir: 'testloom/shop', specId: 'spec-1', framework: 'jest' },
};
export const EXECUTION: ExecutionSummary = {
  status: 'executed',
  baseUrl: 'http://127.0.0.1:9999',
  runs: 3,
  tests: 7,
  passed: 6,
  healed: [],
  flaky: [{ file: 'testloom/shop/shop.test.ts', fullName: 'getStatus returns 200', outcomes: ['passed', 'failed', 'passed'] }],
  dropped: [],
  apiDefects: [],
  blocked: [],
  withheldFiles: [],
};
export const COMMIT: CommitOutcome = { branch: 'testloom/spec-spec-1', baseBranch: 'main', commitSha: 'c0ffee', created: true };
export const REVIEW: ReviewOutcome = { id: 12, url: 'http://127.0.0.1/reviews/12', created: true };
export const INDEXING: IndexingOutcome = { status: 'ok', indexed: 7 };

/** What each stage answers unless a test says otherwise. */
export function defaultActivities(): Activities {
  return {
    receive: () => Promise.resolve(SUBJECT),
    retrieve: () => Promise.resolve(RETRIEVAL),
    generate: () => Promise.resolve(GENERATION),
    execute: () => Promise.resolve(EXECUTION),
    executeRun: () => Promise.resolve(EXECUTION),
    reportRegressions: () => Promise.resolve({ executionId: 'stub', regressions: [] }),
    commit: () => Promise.resolve(COMMIT),
    createPr: () => Promise.resolve(REVIEW),
    indexRunCases: () => Promise.resolve(INDEXING),
    finalize: () => Promise.resolve(),
    recordRunEnd: () => Promise.resolve(),
  };
}

export interface StubActivities {
  activities: Activities;
  calls: Call[];
  /** The names of the calls so far, in order. */
  names(): ActivityName[];
  /** The calls of one activity, in order. */
  of<Name extends ActivityName>(name: Name): Call<Name>[];
}

type AnyActivity = (...args: unknown[]) => Promise<unknown>;

export function stubActivities(overrides: Partial<Activities> = {}): StubActivities {
  const calls: Call[] = [];
  const implementations = { ...defaultActivities(), ...overrides } as unknown as Record<ActivityName, AnyActivity>;
  const record = (name: ActivityName): AnyActivity => async (...args) => {
    const { attempt, taskQueue, workflowExecution } = Context.current().info;
    const call = { name, args, attempt, taskQueue, workflowId: workflowExecution!.workflowId, runId: workflowExecution!.runId } as Call;
    calls.push(call);
    try {
      const result = await implementations[name](...args);
      call.outcome = { result };
      return result;
    } catch (err) {
      call.outcome = { error: err as Error };
      throw err;
    }
  };
  const activities = Object.fromEntries(Object.keys(implementations).map((name) => [name, record(name as ActivityName)])) as unknown as Activities;
  return {
    activities,
    calls,
    names: () => calls.map((call) => call.name),
    of: <Name extends ActivityName>(name: Name) => calls.filter((call) => call.name === name) as Call<Name>[],
  };
}

/** An activity body that fails every attempt with `error`. */
export function failing(error: Error): () => Promise<never> {
  return () => Promise.reject(error);
}

/**
 * An activity body that heartbeats until the workflow cancels it (then rethrows the cancellation,
 * as a real stage does); `started` resolves once it runs.
 */
export function heldUntilCancelled(): { run: () => Promise<never>; started: Promise<void>; cancelled: Promise<void> } {
  let markStarted!: () => void;
  let markCancelled!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const cancelled = new Promise<void>((resolve) => (markCancelled = resolve));
  return {
    started,
    cancelled,
    async run() {
      markStarted();
      try {
        for (;;) {
          Context.current().heartbeat();
          await Context.current().sleep(20); // rejects with the cancellation once the heartbeat delivers it
        }
      } catch (err) {
        markCancelled();
        throw err;
      }
    },
  };
}

/** A gate an activity waits at until the test opens it; `reached` resolves when the activity arrives. */
export function gate(): { wait: () => Promise<void>; reached: Promise<void>; open: () => void } {
  let markReached!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    reached,
    open,
    async wait() {
      markReached();
      await opened;
    },
  };
}
