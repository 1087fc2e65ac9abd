import type { TestStability } from './stability';

export interface Regression {
  file: string;
  fullName: string;
  /** The failing test's last failure message. */
  failure?: string;
}

/** The per-test outcomes of a stored execution report (its `tests`). */
export type RecordedOutcomes = { tests?: Pick<TestStability, 'file' | 'fullName' | 'stability' | 'failureMessage'>[] };

const key = (test: { file: string; fullName: string }) => `${test.file}\u0000${test.fullName}`;

/** A regression and the execution it last passed in. */
export interface FoundRegression extends Regression {
  previousExecutionId: string;
}

/**
 * Tests that failed every run of this execution and passed every run the last time they ran:
 * `history` is the earlier executions, newest first; one that skipped a test (a budget, fail-fast)
 * or did not have it says nothing about it. A flaky test is neither (its outcome changed between
 * runs), and a test that already failed last time is no new regression, however long it keeps failing.
 */
export function findRegressions(history: { id: string; report: RecordedOutcomes }[], current: RecordedOutcomes): FoundRegression[] {
  const earlier = history.map(({ id, report }) => ({ id, tests: new Map((report.tests ?? []).map((t) => [key(t), t.stability])) }));
  const found: FoundRegression[] = [];
  for (const test of current.tests ?? []) {
    if (test.stability !== 'stable-fail') continue;
    const lastRan = earlier.find((execution) => {
      const stability = execution.tests.get(key(test));
      return stability !== undefined && stability !== 'skipped';
    });
    if (lastRan?.tests.get(key(test)) !== 'stable-pass') continue;
    found.push({ file: test.file, fullName: test.fullName, ...(test.failureMessage ? { failure: test.failureMessage } : {}), previousExecutionId: lastRan.id });
  }
  return found;
}
