/**
 * A prioritised later execution: the suite's tests ordered by prioritise.ts from the repository's
 * execution history (tests of operations this revision changed first), cut to a budget, stopping at
 * the first failure with fail-fast. Builds the runner's RunPlan and, after the runs, what the stored
 * report says about the order and the cut.
 *
 * Only later executions (`POST /api/v1/runs/:id/execute`, schedules) are prioritised: the execute
 * stage before commit decides what is delivered, so it always runs every test.
 */
import type { RunPlan, SuiteFile, TestFramework } from '../frameworks';
import type { TestRef } from '../core/contract';
import { prioritise, selectForRun, type ExecutionHistory, type OutcomeRecord, type PrioritisedTest, type RecordedOutcome } from './prioritise';
import type { SuiteCase } from './suite-cases';
import type { Stability } from './stability';
import type { SuiteRun } from './types';

/** One earlier execution's per-test stability, as its stored report holds it (`report.tests`). */
export interface RecordedExecutionTests {
  tests: { file: string; fullName: string; stability: Stability }[];
}

export interface PrioritisationRequest {
  /** Earlier executions of the same repository and spec, oldest first. */
  history: RecordedExecutionTests[];
  /** Operations this revision added or changed: their tests run first. */
  changedOperations?: string[];
  /** The same seed gives the same order (the execution id: a retried attempt runs the same tests). */
  seed: string;
  /** Run only this many tests, the top of the order. */
  budget?: number;
  /** Stop each run at its first failing test. */
  failFast?: boolean;
}

/** What the stored report says about a prioritised execution. */
export interface PrioritisationReport {
  /** The first tests of the order (at most ORDER_SHOWN). */
  order: TestRef[];
  /** Tests in the order: every test the suite's files declare. */
  tests: number;
  /** Tests within the budget (all without one). */
  selected: number;
  budget?: number;
  failFast: boolean;
  changedOperations: string[];
  /** Earlier executions the order learned from. */
  historyExecutions: number;
  /** Why tests did not run: `budget` left some out, `fail-fast` stopped a run at a failure; empty: every test ran. */
  cut: ('budget' | 'fail-fast')[];
  /** Per run: the tests it reached (passed or failed). */
  reached: number[];
}

export const ORDER_SHOWN = 50;

export const testId = (test: { file: string; fullName: string }) => `${test.file}\u0000${test.fullName}`;

/** A stored execution's outcome of a test, as the bench records it (bench/prioritisation/record.ts). */
function outcomeOf(stability: Stability): RecordedOutcome {
  if (stability === 'stable-pass') return 'passed';
  if (stability === 'stable-fail') return 'failed';
  return stability === 'flaky' ? 'flaky' : 'skipped';
}

/** Executions oldest first → each test's outcomes, numbered 1, 2, … in that order. */
export function historyOf(executions: RecordedExecutionTests[]): ExecutionHistory {
  const history = new Map<string, OutcomeRecord[]>();
  executions.forEach((execution, index) => {
    for (const test of execution.tests ?? []) {
      const outcome = outcomeOf(test.stability);
      if (outcome === 'skipped') continue;
      const id = testId(test);
      history.set(id, [...(history.get(id) ?? []), { execution: index + 1, outcome }]);
    }
  });
  return history;
}

/** Every test the suite's test files declare, in the order to run them, as the runner's plan. */
export async function planRun(input: {
  framework: TestFramework;
  files: SuiteFile[];
  cases: SuiteCase[];
  request: PrioritisationRequest;
}): Promise<RunPlan> {
  const { framework, request } = input;
  const operationOf = new Map(input.cases.filter((c) => c.operationId).map((c) => [testId(c), c.operationId!]));
  const tests: (PrioritisedTest & { fullName: string })[] = [];
  for (const file of input.files.filter((f) => framework.runner.isTestFile(f.path))) {
    for (const { fullName } of await framework.testSource.listTests(file.content)) {
      const id = testId({ file: file.path, fullName });
      const operationId = operationOf.get(id);
      tests.push({ id, file: file.path, fullName, ...(operationId ? { operationId } : {}) });
    }
  }
  const ordered = prioritise(tests, historyOf(request.history), {
    seed: request.seed,
    changedOperations: new Set(request.changedOperations ?? []),
    currentExecution: request.history.length + 1,
  });
  // Validates the budget (a whole number, not negative).
  selectForRun(ordered, { budget: request.budget });
  return {
    order: ordered.map(({ file, fullName }) => ({ file, fullName })),
    ...(request.budget !== undefined ? { budget: request.budget } : {}),
    ...(request.failFast ? { failFast: true } : {}),
  };
}

export function prioritisationReport(plan: RunPlan, request: PrioritisationRequest, runs: SuiteRun[]): PrioritisationReport {
  const selected = selectForRun(plan.order, { budget: plan.budget });
  const selectedIds = new Set(selected.map(testId));
  const reached = runs.map((run) => run.tests.filter((t) => selectedIds.has(testId(t)) && (t.outcome === 'passed' || t.outcome === 'failed')).length);
  const stopped = plan.failFast === true && runs.some((run, i) => reached[i] < selected.length && run.tests.some((t) => t.outcome === 'failed'));
  return {
    order: plan.order.slice(0, ORDER_SHOWN),
    tests: plan.order.length,
    selected: selected.length,
    ...(plan.budget !== undefined ? { budget: plan.budget } : {}),
    failFast: plan.failFast === true,
    changedOperations: [...(request.changedOperations ?? [])].sort(),
    historyExecutions: request.history.length,
    cut: [...(selected.length < plan.order.length ? ['budget' as const] : []), ...(stopped ? ['fail-fast' as const] : [])],
    reached,
  };
}
