/** The vocabulary of execution: the exchanges a suite made; one run's results are the frameworks' common shape (lib/frameworks/shared/results.ts). */

export type { FileError, SuiteRun, TestOutcome, TestResult } from '../frameworks';

/** Why the proxy did not forward a request. */
export type RefusalReason = 'other-host' | 'destructive-method';

/** One request of the suite as the proxy saw it, with the API's answer. Secrets are replaced by `<secret:NAME>` markers. */
export interface Exchange {
  /** Order of arrival, from 1, across all runs of one proxy. */
  sequence: number;
  /** The suite run (1-based) the exchange belongs to, as set by the caller of the proxy. */
  run: number;
  /** The test that sent it: file relative to the repository root and full name; absent for requests outside a test and for clean-ups. */
  test?: { file: string; fullName: string };
  /** A request that deleted what a test created, after the test: no evidence of the test's outcome. */
  cleanup?: boolean;
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
