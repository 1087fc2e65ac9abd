/** What one run of a suite reports, whatever its framework: every runner turns its own report into this. */

export type TestOutcome = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** The test file, relative to the suite's repository root (e.g. `tests/testloom/petstore/pets.test.ts`). */
  file: string;
  /** Jest: describe titles and test title joined by spaces, as Jest reports it. pytest: class names and docstring (see pytest/testloom_pytest_plugin.py). */
  fullName: string;
  outcome: TestOutcome;
  durationMs: number;
  /** All failure messages of the test, colourless; absent when it passed. */
  failureMessage?: string;
}

/** A test file that did not run at all (syntax error, failing import…). */
export interface FileError {
  file: string;
  message: string;
}

export interface SuiteRun {
  tests: TestResult[];
  fileErrors: FileError[];
  exitCode: number | null;
  durationMs: number;
}
