/**
 * Executing a generated suite end to end: run it repeatedly against the live API, triage what
 * fails, repair the tests that are at fault, and decide what is delivered — flaky and unrepaired
 * tests are removed from their files, so are the cases derived from a baseline (happy path) that
 * failed, tests that expose a possible API defect stay (failing) and are reported, and the coverage
 * is that of the suite as delivered. An API that answers (almost) none of the baseline requests
 * ends the execution with an ApiUnreachableError instead.
 */
import { frameworkFor, frameworkOfSuite, type FrameworkName, type SuiteFile, type TestFramework } from '../frameworks';
import { listOperations } from '../openapi';
import type { ExecutionSummary, TestRef } from '../core/contract';
import { measureCoverage, type CoverageReport } from './coverage';
import { healTests, type HealedTest, type HealOutcome, type TestRepairer, type UnhealedTest } from './heal';
import { caseLookup, expectationOfKind, type SuiteCase } from './suite-cases';
import { BASELINE_KIND, baselineFailures, failureLine } from './baseline';
import { ApiUnreachableError, unreachableReason } from './reachability';
import type { TargetConfig } from '../core/target';
import { contradictingExchanges, firstLine, type Finding } from './triage';
import { curlCommand } from './curl';
import type { Stability, TestStability } from './stability';
import type { Exchange, SuiteRun } from './types';
import { dialectOf, validateSuite, type ValidationReport } from './validate-suite';
import { planRun, prioritisationReport, type PrioritisationReport, type PrioritisationRequest } from './prioritised-run';

export interface ExecuteSuiteOptions {
  /** The suite's files as generated (one jest.config.json, or a pytest suite's testloom_api.py and test_*.py), paths relative to the repository root. */
  files: SuiteFile[];
  /** Default: what the files say (see frameworkOfSuite). */
  framework?: FrameworkName;
  /** The dereferenced spec the suite tests. */
  api: object;
  /** With credentials resolved. */
  target: TargetConfig;
  /** The generated cases, to know what the spec says each test's answer must be. */
  cases: SuiteCase[];
  runs: number;
  timeLimitMs?: number;
  healRounds: number;
  /**
   * Absent: no model, failing tests at fault are dropped. Only tests of a framework that can splice
   * a repair (TestSourceEditor.repair: Jest) are repaired; others at fault are dropped.
   */
  repair?: TestRepairer;
  isFatal?: (err: unknown) => boolean;
  /** Quality gates for repaired files (see HealOptions.check). */
  check?: (files: SuiteFile[], changed: string[]) => Promise<Map<string, string>>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /**
   * Later executions only: run the tests most likely to fail first, within a budget, stopping at
   * the first failure with fail-fast. Tests left out are reported skipped: never passes, never
   * flaky, never removed from a file.
   */
  prioritisation?: PrioritisationRequest;
}

/** What validation decided for one file of the suite. */
export interface FileDecision {
  path: string;
  deliveredContent?: string;
  withheldReason?: string;
}

/** Everything stored about one execution. */
export interface ExecutionReport {
  runs: SuiteRun[];
  tests: TestStability[];
  findings: Finding[];
  healed: HealedTest[];
  unhealed: UnhealedTest[];
  /** Of the delivered suite. */
  coverage: CoverageReport;
  exchanges: Exchange[];
  /** A prioritised execution: the order used and whether it was cut. */
  prioritisation?: PrioritisationReport;
}

export interface SuiteExecution {
  summary: ExecutionSummary;
  report: ExecutionReport;
  decisions: FileDecision[];
}

const key = (test: TestRef) => `${test.file}\u0000${test.fullName}`;
const ref = ({ file, fullName }: TestRef): TestRef => ({ file, fullName });


/** Why tests are left out, by file and test name: `flaky`, `dropped` or `baseline failed`. */
type Exclusions = Map<string, Map<string, string>>;

function leftOut(reasons: Map<string, string>): string {
  const counts = new Map<string, number>();
  for (const reason of reasons.values()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ');
}

/** Removes excluded tests from each test file; a file left with none, or one that never ran, is withheld. */
async function decide(
  framework: TestFramework,
  generated: SuiteFile[],
  validated: SuiteFile[],
  excluded: Exclusions,
  fileErrors: Map<string, string>,
): Promise<FileDecision[]> {
  const decisions: FileDecision[] = [];
  for (const file of validated) {
    const original = generated.find((g) => g.path === file.path)!.content;
    const fileError = fileErrors.get(file.path);
    if (fileError) {
      decisions.push({ path: file.path, withheldReason: `it did not run against the API: ${firstLine(fileError)}` });
      continue;
    }
    const reasons = excluded.get(file.path) ?? new Map<string, string>();
    const edited = reasons.size ? await framework.testSource.removeTests(file.content, [...reasons.keys()]) : { source: file.content, remaining: 1 };
    if (edited.remaining === 0) decisions.push({ path: file.path, withheldReason: `every test in it was left out (${leftOut(reasons)})` });
    else if (edited.source !== original) decisions.push({ path: file.path, deliveredContent: edited.source });
  }
  return decisions;
}

/** Model repairs splice a Jest `test(...)` statement: a pytest test at fault is given up at once, with the reason. */
function unrepairableDefects(defects: Finding[]): UnhealedTest[] {
  return defects.map((finding) => ({
    file: finding.file,
    fullName: finding.fullName,
    rounds: 0,
    reason: `the test fails through its own fault (${finding.reasons[0]}); model repairs are Jest-only so far`,
  }));
}

const OUTCOMES: Record<Stability, 'passed' | 'failed' | 'flaky' | 'skipped'> = { 'stable-pass': 'passed', 'stable-fail': 'failed', flaky: 'flaky', skipped: 'skipped' };

export async function executeSuite(options: ExecuteSuiteOptions): Promise<SuiteExecution> {
  const operations = listOperations(options.api);
  const dialect = dialectOf(options.api);
  const caseOf = caseLookup(options.cases);
  const expectationOf = (test: TestRef) => expectationOfKind(caseOf(test)?.kind);
  const isBaseline = (test: TestRef) => caseOf(test)?.kind === BASELINE_KIND;
  const common = {
    api: options.api,
    framework: options.framework,
    target: options.target,
    runs: options.runs,
    timeLimitMs: options.timeLimitMs,
    signal: options.signal,
    onProgress: options.onProgress,
    expectationOf,
  };

  const framework = options.framework ? frameworkFor(options.framework) : frameworkOfSuite(options.files);
  const plan = options.prioritisation
    ? await planRun({ framework, files: options.files, cases: options.cases, request: options.prioritisation })
    : undefined;
  const validation = await validateSuite({
    ...common,
    files: options.files,
    ...(plan ? { plan } : {}),
    // Fails fast: a run in which the API answered (almost) none of the baseline requests ends the execution.
    checkRun: (run, exchanges) => {
      const when = run > 1 ? ` in run ${run} of ${options.runs}` : '';
      const reason = unreachableReason({ baseUrl: options.target.baseUrl, exchanges, isBaseline, when });
      if (reason) throw new ApiUnreachableError(reason);
    },
  });
  // Failure messages name the recording proxy the suite was pointed at: the reader knows the target.
  const targetOrigin = new URL(options.target.baseUrl).origin;
  const stabilityOf = new Map(validation.stability.tests.map((t) => [key(t), t]));
  const findingOf = new Map(validation.findings.map((f) => [key(f), f]));
  const describe = (test: TestRef): string => {
    const message = stabilityOf.get(key(test))?.failureMessage;
    const line = failureLine(message)?.split(validation.proxyOrigin).join(targetOrigin);
    return line ?? findingOf.get(key(test))?.reasons[0] ?? 'failed without a message';
  };
  const baselineFailed = baselineFailures({ tests: validation.stability.tests, findings: validation.findings, cases: options.cases, describe });
  const baselineKeys = new Set(baselineFailed.map(key));
  const counted = (test: TestRef) => !baselineKeys.has(key(test));
  const defects = validation.findings.filter((f) => f.classification === 'test-defect' && counted(f));
  const editor = framework.testSource.repair;
  const verifications: ValidationReport[] = [];
  // A framework that cannot splice a repaired test in (no TestSourceEditor.repair: pytest) gives its tests at fault up at once.
  const healing: HealOutcome = !editor ? { files: options.files, healed: [], unhealed: unrepairableDefects(defects) } : await healTests({
    files: options.files,
    defects,
    editor,
    rounds: options.healRounds,
    repair: options.healRounds > 0 ? options.repair : undefined,
    verify: async (files, testFiles) => {
      options.onProgress?.(`verifying repairs in ${testFiles.join(', ')}`);
      const report = await validateSuite({ ...common, files, testFiles });
      verifications.push(report);
      return report;
    },
    operations,
    dialect,
    expectationOf,
    isFatal: options.isFatal,
    check: options.check,
  });
  const { unhealed } = healing;

  const flaky = validation.stability.flaky.filter(counted);
  const excludedTests = [...flaky.map(ref), ...unhealed.map(ref), ...baselineFailed.map(ref)];
  const excluded: Exclusions = new Map();
  const exclude = (tests: TestRef[], reason: string) => {
    for (const test of tests) excluded.set(test.file, (excluded.get(test.file) ?? new Map<string, string>()).set(test.fullName, reason));
  };
  exclude(flaky, 'flaky');
  exclude(unhealed, 'failed through its own fault');
  exclude(baselineFailed, 'baseline failed');
  const fileErrors = new Map(validation.runs.flatMap((run) => run.fileErrors).map((e) => [e.file, e.message]));
  const testFiles = healing.files.filter((file) => validation.runs.some((run) => run.tests.some((t) => t.file === file.path)) || fileErrors.has(file.path));
  const decisions = await decide(framework, options.files, testFiles, excluded, fileErrors);

  // Coverage of what is delivered: the kept tests' requests, and the healed tests' from their verifying run.
  const withheld = new Set(decisions.filter((d) => d.withheldReason).map((d) => d.path));
  const excludedKeys = new Set(excludedTests.map(key));
  const healedKeys = new Set(healing.healed.map(key));
  const delivered = (e: Exchange) => e.test !== undefined && !withheld.has(e.test.file) && !excludedKeys.has(key(e.test));
  const exchanges = [
    ...validation.exchanges.filter((e) => delivered(e) && !healedKeys.has(key(e.test!))),
    ...verifications.flatMap((report) => report.exchanges.filter((e) => delivered(e) && healedKeys.has(key(e.test!)))),
  ];
  const coverage = measureCoverage(operations, exchanges);

  const stablePasses = validation.stability.stablePasses.filter((t) => !withheld.has(t.file) && counted(t));
  // A test can pass on an answer that still breaks the spec (it asserts less than the spec says).
  const lastRun = (test: TestRef) => validation.exchanges.filter((e) => e.test && key(e.test) === key(test) && e.run === options.runs);
  const passingDefects = stablePasses.flatMap((test) => {
    const [first] = contradictingExchanges({ exchanges: lastRun(test), operations, dialect, expectation: expectationOf(test) });
    if (!first) return [];
    return [{ ...ref(test), operationId: first.operation.operationId, reasons: first.reasons, reproducer: curlCommand(first.exchange), testPasses: true }];
  });
  const summary: ExecutionSummary = {
    status: 'executed',
    baseUrl: options.target.baseUrl,
    runs: options.runs,
    tests: validation.stability.tests.length,
    passed: stablePasses.length + healing.healed.length,
    healed: healing.healed.map((h) => ({ ...ref(h), rounds: h.rounds, explanation: h.explanation })),
    flaky: flaky.map((t) => ({ ...ref(t), outcomes: t.outcomes, ...(t.failureMessage ? { failure: describe(t) } : {}) })),
    dropped: unhealed.map((u) => ({ ...ref(u), reason: u.reason, failure: describe(u) })),
    baselineFailed: baselineFailed.map((b) => ({
      ...ref(b),
      ...(b.operationId ? { operationId: b.operationId } : {}),
      outcome: OUTCOMES[b.stability],
      reason: b.reason,
      ...(b.baseline ? { baseline: ref(b.baseline) } : {}),
    })),
    apiDefects: [
      ...validation.findings.filter((f) => f.classification === 'possible-api-defect' && counted(f)).map((f) => ({
        ...ref(f), reasons: f.reasons, ...(f.operationId ? { operationId: f.operationId } : {}), ...(f.reproducer ? { reproducer: f.reproducer } : {}),
      })),
      ...passingDefects,
    ],
    blocked: validation.findings.filter((f) => f.classification === 'blocked' && counted(f)).map((f) => ({ ...ref(f), reason: f.reasons[0] ?? 'not sent' })),
    withheldFiles: decisions.filter((d) => d.withheldReason).map((d) => ({ path: d.path, reason: d.withheldReason! })),
    coverage: {
      operations: coverage.operations,
      statusCodes: coverage.statusCodes,
      parameters: coverage.parameters,
      requestBodyProperties: coverage.requestBodyProperties,
    },
  };
  return {
    summary,
    report: {
      runs: validation.runs,
      tests: validation.stability.tests,
      findings: validation.findings,
      healed: healing.healed,
      unhealed,
      coverage,
      exchanges: validation.exchanges,
      ...(plan && options.prioritisation ? { prioritisation: prioritisationReport(plan, options.prioritisation, validation.runs) } : {}),
    },
    decisions,
  };
}
