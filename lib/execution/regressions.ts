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

/**
 * Tests that passed every run of the previous execution and failed every run of this one. A flaky
 * test is neither (its outcome changed between runs), and a test that already failed last time is
 * no new regression, however long it keeps failing.
 */
export function findRegressions(previous: RecordedOutcomes, current: RecordedOutcomes): Regression[] {
  const passedBefore = new Set((previous.tests ?? []).filter((t) => t.stability === 'stable-pass').map(key));
  return (current.tests ?? [])
    .filter((t) => t.stability === 'stable-fail' && passedBefore.has(key(t)))
    .map((t) => ({ file: t.file, fullName: t.fullName, ...(t.failureMessage ? { failure: t.failureMessage } : {}) }));
}
