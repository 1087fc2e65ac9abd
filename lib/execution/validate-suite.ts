import { frameworkFor, frameworkOfSuite, writeSuiteWorkspace, type FrameworkName, type RunPlan, type SuiteFile, type SuiteWorkspace, type TestFramework } from '../frameworks';
import { listOperations } from '../openapi';
import { specObject } from '../openapi/spec-object';
import { measureCoverage, type CoverageReport } from './coverage';
import { startRecordingProxy } from './proxy';
import type { SchemaDialect } from './response-check';
import { compareRuns, type StabilityReport } from './stability';
import { checkTarget, type CheckedTarget, type TargetConfig } from '../core/target';
import { triageFailures, type FailingTest, type Finding } from './triage';
import type { Exchange, SuiteRun } from './types';

export interface ValidateSuiteOptions {
  /**
   * The generated suite's files (a Jest suite: one jest.config.json; a pytest suite: testloom_api.py
   * beside test_*.py), paths relative to the repository root.
   */
  files: SuiteFile[];
  /** Default: what the files say (see frameworkOfSuite). */
  framework?: FrameworkName;
  /** The dereferenced spec the suite was generated from. */
  api: object;
  target: TargetConfig;
  /** How many times the suite runs; a test that does not give the same outcome each time is flaky. Default 3. */
  runs?: number;
  /** Time limit of one run. */
  timeLimitMs?: number;
  /** Run only these test files (paths as in `files`); default all. */
  testFiles?: string[];
  signal?: AbortSignal;
  /** Called as runs start and end (e.g. to heartbeat an activity). */
  onProgress?: (message: string) => void;
  /** What the spec says a test's request must get, when its generator knows (see FailingTest.expectation). */
  expectationOf?: (test: { file: string; fullName: string }) => FailingTest['expectation'];
  /**
   * Called with each run's exchanges when the run ends, or when it could not finish (the time limit
   * expired): an error it throws ends the validation instead of the next run (e.g. ApiUnreachableError).
   */
  checkRun?: (run: number, exchanges: Exchange[]) => void;
  /**
   * A prioritised run (see prioritised-run.ts): the tests in this order, only the first `budget`,
   * stopping at the first failure with `failFast`. Tests of `order` a run did not reach are reported
   * skipped, and stability is judged by the runs that reached a test.
   */
  plan?: RunPlan;
}

export interface ValidationReport {
  runs: SuiteRun[];
  stability: StabilityReport;
  /** Triage of the tests that failed in every run. */
  findings: Finding[];
  coverage: CoverageReport;
  exchanges: Exchange[];
  /** Origin of the recording proxy the suite's API_BASE_URL pointed at (failure messages name it instead of the target). */
  proxyOrigin: string;
}

export const DEFAULT_RUNS = 3;

export function dialectOf(api: object): SchemaDialect {
  const version = specObject(api).openapi;
  return typeof version === 'string' && version.startsWith('3.1') ? 'openapi31' : 'openapi30';
}

/** Runs the suite through the recording proxy `runs` times, then compares the runs, triages stable failures and measures coverage. */
export async function validateSuite(options: ValidateSuiteOptions): Promise<ValidationReport> {
  const target = checkTarget(options.target);
  const runCount = options.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runCount) || runCount < 1) throw new Error(`runs must be a positive integer, got ${runCount}`);
  const operations = listOperations(options.api);
  const framework = options.framework ? frameworkFor(options.framework) : frameworkOfSuite(options.files);
  const workspace = await writeSuiteWorkspace(options.files, framework);
  try {
    const { runs, exchanges, proxyOrigin } = await runThroughProxy(framework, workspace, target, runCount, options);
    const stability = compareRuns(runs, { cut: options.plan !== undefined });
    const failing = stability.stableFailures.map((test) => {
      const expectation = options.expectationOf?.(test);
      return { ...test, ...(expectation ? { expectation } : {}) };
    });
    const findings = triageFailures({ failing, exchanges, operations, dialect: dialectOf(options.api) });
    return { runs, stability, findings, coverage: measureCoverage(operations, exchanges), exchanges, proxyOrigin };
  } finally {
    await workspace.remove();
  }
}

/** The run with every test of the plan it did not report (past the budget, after a failure) added as skipped. */
export function withUnreached(run: SuiteRun, plan: RunPlan): SuiteRun {
  const reported = new Set(run.tests.map((t) => `${t.file}\u0000${t.fullName}`));
  const broken = new Set(run.fileErrors.map((e) => e.file));
  const unreached = plan.order
    .filter((t) => !reported.has(`${t.file}\u0000${t.fullName}`) && !broken.has(t.file))
    .map((t) => ({ file: t.file, fullName: t.fullName, outcome: 'skipped' as const, durationMs: 0 }));
  return unreached.length ? { ...run, tests: [...run.tests, ...unreached] } : run;
}

/** Runs the suite `runCount` times with its framework's runner, through a recording proxy of its own. */
async function runThroughProxy(
  framework: TestFramework,
  workspace: SuiteWorkspace,
  target: CheckedTarget,
  runCount: number,
  options: ValidateSuiteOptions,
): Promise<{ runs: SuiteRun[]; exchanges: Exchange[]; proxyOrigin: string }> {
  const proxy = await startRecordingProxy(target);
  try {
    const suite = await framework.runner.prepare(workspace, {
      env: { ...target.env, API_BASE_URL: proxy.baseUrl },
      proxyOrigin: proxy.origin,
      timeLimitMs: options.timeLimitMs,
      signal: options.signal,
      ...(options.testFiles ? { testFiles: options.testFiles } : {}),
      ...(options.plan ? { plan: options.plan } : {}),
    });
    const runs: SuiteRun[] = [];
    try {
      for (let run = 1; run <= runCount; run++) {
        options.onProgress?.(`run ${run} of ${runCount} started`);
        proxy.setRun(run);
        const ofRun = () => proxy.exchanges.filter((e) => e.run === run);
        try {
          const result = await suite.run(`run-${run}`);
          runs.push(options.plan ? withUnreached(result, options.plan) : result);
        } catch (err) {
          // A run stopped at its time limit may be waiting on an API that never answers: that is the better reason.
          options.checkRun?.(run, ofRun());
          throw err;
        }
        options.onProgress?.(`run ${run} of ${runCount} finished`);
        options.checkRun?.(run, ofRun());
      }
    } finally {
      await suite.close();
    }
    return { runs, exchanges: [...proxy.exchanges], proxyOrigin: proxy.origin };
  } finally {
    await proxy.close();
  }
}
