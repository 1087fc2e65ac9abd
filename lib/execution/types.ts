/** The vocabulary of validation: one run of a suite, the exchanges it made, what the runs say together. */

export type TestOutcome = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** The test file, relative to the suite's repository root (e.g. `tests/testloom/petstore/pets.test.ts`). */
  file: string;
  /** Jest: describe titles and test title joined by spaces, as Jest reports it. pytest: class names and docstring (see testloom_pytest_plugin.py). */
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

/** Why the proxy did not forward a request. */
export type RefusalReason = 'other-host' | 'destructive-method';

/** One request of the suite as the proxy saw it, with the API's answer. Secrets are replaced by `<secret:NAME>` markers. */
export interface Exchange {
  /** Order of arrival, from 1, across all runs of one proxy. */
  sequence: number;
  /** The suite run (1-based) the exchange belongs to, as set by the caller of the proxy. */
  run: number;
  /** The test that sent it: file relative to the repository root and full name; absent for requests outside a test. */
  test?: { file: string; fullName: string };
  method: string;
  /** The absolute URL the request was meant for (the target's, or another host's). */
  url: string;
  /** Path relative to the target's base path (`/pets/1` for `http://api/v1/pets/1`); absent for other hosts. */
  path?: string;
  /** Query parameters in order, repeated names kept. */
  query: [string, string][];
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Set when the proxy refused the request; nothing was sent to any API then. */
  refused?: { reason: RefusalReason; message: string };
  /** Set when the API could not be reached or did not answer in time. */
  error?: string;
  status?: number;
  responseContentType?: string;
  /** The response body, cut at the proxy's recording limit. */
  responseBody?: string;
  responseBodyTruncated?: boolean;
  durationMs: number;
}
