import type { SuiteRun, TestOutcome, TestResult } from './types';

/** How a test behaved over repeated runs of the same suite. */
export type Stability = 'stable-pass' | 'stable-fail' | 'flaky' | 'skipped';

export interface TestStability {
  file: string;
  fullName: string;
  stability: Stability;
  /** One entry per run; `missing` when a run did not report the test. */
  outcomes: (TestOutcome | 'missing')[];
  /** The last failure message seen. */
  failureMessage?: string;
}

export interface StabilityReport {
  runs: number;
  tests: TestStability[];
  stablePasses: TestStability[];
  stableFailures: TestStability[];
  flaky: TestStability[];
}

function key(test: Pick<TestResult, 'file' | 'fullName'>): string {
  return `${test.file}\u0000${test.fullName}`;
}

function stabilityOf(all: (TestOutcome | 'missing')[], cut: boolean): Stability {
  // In a run cut short (a budget, fail-fast) a skipped test was not reached: no evidence, not a change of outcome.
  const outcomes = cut ? all.filter((o) => o === 'passed' || o === 'failed') : all;
  if (!outcomes.length) return 'skipped';
  if (new Set(outcomes).size > 1) return 'flaky';
  if (outcomes[0] === 'passed') return 'stable-pass';
  if (outcomes[0] === 'failed') return 'stable-fail';
  return 'skipped';
}

/**
 * A test whose outcome differs between runs (or that a run did not report) is flaky. With `cut`
 * (runs of a prioritised execution, cut by a budget or fail-fast), runs in which a test was skipped
 * or not reported are left out of its stability: it is judged by the runs that reached it.
 */
export function compareRuns(runs: SuiteRun[], options: { cut?: boolean } = {}): StabilityReport {
  const byTest = new Map<string, TestStability>();
  runs.forEach((run, index) => {
    for (const test of run.tests) {
      let entry = byTest.get(key(test));
      if (!entry) {
        entry = { file: test.file, fullName: test.fullName, stability: 'skipped', outcomes: runs.map(() => 'missing') };
        byTest.set(key(test), entry);
      }
      entry.outcomes[index] = test.outcome;
      if (test.failureMessage) entry.failureMessage = test.failureMessage;
    }
  });
  const tests = [...byTest.values()];
  for (const test of tests) test.stability = stabilityOf(test.outcomes, options.cut ?? false);
  return {
    runs: runs.length,
    tests,
    stablePasses: tests.filter((t) => t.stability === 'stable-pass'),
    stableFailures: tests.filter((t) => t.stability === 'stable-fail'),
    flaky: tests.filter((t) => t.stability === 'flaky'),
  };
}
