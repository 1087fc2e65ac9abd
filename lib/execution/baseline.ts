/**
 * One fault at a time: every negative, boundary and at-limit case of an operation changes exactly
 * one thing in the operation's baseline request (its happy path). When the baseline itself does not
 * succeed on the API, what its derived cases get proves nothing either way — a 4xx for an invalid
 * value may just be the 4xx every request of the operation gets — so they are withheld from
 * delivery as "baseline failed", whether they passed or failed. A test whose own setup step
 * (creating a resource it needs) failed is withheld the same way.
 */
import type { SuiteCase } from './suite-cases';
import type { Stability, TestStability } from './stability';
import type { Finding } from './triage';

/** The kind of an operation's baseline test. */
export const BASELINE_KIND = 'happy-path';

/** Kinds of cases that change one thing in their operation's baseline request (lib/generation/types.ts TEST_CASE_KINDS). */
export const DERIVED_KINDS: ReadonlySet<string> = new Set([
  'missing-required', 'wrong-type', 'boundary', 'at-boundary', 'not-found', 'missing-auth', 'invalid-auth', 'conflict', 'dangling-reference',
  'required-only', 'behaviour', 'special-characters',
]);

/** What the generated helpers throw when a setup step (a prerequisite request) fails; pytest also reports a failed fixture so. */
const SETUP_FAILED = /^(?:thrown:\s*)?(?:[A-Za-z_][\w.]*:\s+)?(setup failed:.*)$/;
const ERROR_PREFIX = /^(?:thrown:\s*)?(?:Error|AssertionError):\s+/;
const FAILURE_CHARS = 300;

export interface BaselineFailure {
  file: string;
  fullName: string;
  operationId?: string;
  /** How the test itself behaved: it is withheld whatever it was. */
  stability: Stability;
  /** `baseline failed: <the baseline's actual failure>`. */
  reason: string;
  /** The happy path the test derives from; absent when the test's own setup step failed. */
  baseline?: { file: string; fullName: string };
}

const key = (test: { file: string; fullName: string }) => `${test.file}\u0000${test.fullName}`;

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n').find((line) => line.trim())?.trim() ?? '';
}

/** Whether a failure message says a setup step failed. */
export function isSetupFailure(message: string | undefined): boolean {
  return SETUP_FAILED.test(firstLine(message));
}

/**
 * The failure as a reader wants it: the first line of the message (the assertion or the status the
 * test saw), without the generic error class; a setup failure from its `setup failed:`.
 */
export function failureLine(message: string | undefined): string | undefined {
  const line = firstLine(message);
  if (!line) return undefined;
  const text = SETUP_FAILED.exec(line)?.[1] ?? line.replace(ERROR_PREFIX, '');
  return text.length > FAILURE_CHARS ? `${text.slice(0, FAILURE_CHARS)}…` : text;
}

export interface BaselineInput {
  /** Every test of the suite with its behaviour over the runs. */
  tests: TestStability[];
  /** Triage of the stable failures. */
  findings: Finding[];
  cases: SuiteCase[];
  /** The actual failure of a test, for the reason. */
  describe(test: TestStability, finding?: Finding): string;
}

/** The tests to withhold because their baseline (or their own setup step) failed, in the order of `tests`. */
export function baselineFailures(input: BaselineInput): BaselineFailure[] {
  const tests = new Map(input.tests.map((t) => [key(t), t]));
  const findings = new Map(input.findings.map((f) => [key(f), f]));
  const failed = new Map<string, BaselineFailure>();

  // Operations whose happy path failed every run, unless the failure is itself a possible API defect
  // (the API's answer contradicts the spec: what the derived cases get is still evidence) or the
  // safety policy refused the request (the derived ones are refused too: not verified, kept).
  for (const baseline of input.cases.filter((c) => c.kind === BASELINE_KIND && c.operationId)) {
    const test = tests.get(key(baseline));
    if (test?.stability !== 'stable-fail') continue;
    const finding = findings.get(key(test));
    if (!isSetupFailure(test.failureMessage)) {
      if (finding?.classification === 'possible-api-defect') continue;
      if (finding?.classification === 'blocked' && finding.exchange?.refused) continue;
    }
    const reason = `baseline failed: ${input.describe(test, finding)}`;
    for (const derived of input.cases.filter((c) => c.operationId === baseline.operationId && DERIVED_KINDS.has(c.kind))) {
      const own = tests.get(key(derived));
      if (!own || failed.has(key(own))) continue;
      failed.set(key(own), {
        file: own.file, fullName: own.fullName, operationId: baseline.operationId, stability: own.stability, reason,
        baseline: { file: baseline.file, fullName: baseline.fullName },
      });
    }
  }

  // A test whose own setup step failed: its request was never the one it is named for.
  for (const test of input.tests) {
    if (test.stability !== 'stable-fail' || failed.has(key(test)) || !isSetupFailure(test.failureMessage)) continue;
    const operationId = input.cases.find((c) => key(c) === key(test))?.operationId;
    failed.set(key(test), {
      file: test.file, fullName: test.fullName, ...(operationId ? { operationId } : {}), stability: test.stability,
      reason: `baseline failed: ${input.describe(test, findings.get(key(test)))}`,
    });
  }
  return input.tests.filter((t) => failed.has(key(t))).map((t) => failed.get(key(t))!);
}
