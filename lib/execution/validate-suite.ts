import fs from 'node:fs/promises';
import path from 'node:path';
import { listOperations } from '../openapi';
import { specObject } from '../openapi/spec-object';
import { measureCoverage, type CoverageReport } from './coverage';
import { runJest } from './jest-runner';
import { startRecordingProxy, type RecordingProxy } from './proxy';
import { pytestEnvironment, runPytest } from './pytest-runner';
import { pytestPython } from './python';
import type { SchemaDialect } from './response-check';
import { compareRuns, type StabilityReport } from './stability';
import { checkTarget, type CheckedTarget, type TargetConfig } from '../core/target';
import { writeSuiteWorkspace, type SuiteFile, type SuiteFramework, type SuiteWorkspace } from './suite-workspace';
import { testTaggingSetup } from './test-tagging';
import { triageFailures, type FailingTest, type Finding } from './triage';
import type { Exchange, SuiteRun } from './types';

export interface ValidateSuiteOptions {
  /** The generated suite's files (a Jest suite: one jest.config.json; a pytest suite: testloom_api.py beside test_*.py), paths relative to the repository root. */
  files: SuiteFile[];
  /** Default: what the files say (see suiteFramework). */
  framework?: SuiteFramework;
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
}

export interface ValidationReport {
  runs: SuiteRun[];
  stability: StabilityReport;
  /** Triage of the tests that failed in every run. */
  findings: Finding[];
  coverage: CoverageReport;
  exchanges: Exchange[];
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
  const workspace = await writeSuiteWorkspace(options.files, options.framework);
  try {
    const { runs, exchanges } = await runThroughProxy(workspace, target, runCount, options);
    const stability = compareRuns(runs);
    const failing = stability.stableFailures.map((test) => {
      const expectation = options.expectationOf?.(test);
      return { ...test, ...(expectation ? { expectation } : {}) };
    });
    const findings = triageFailures({ failing, exchanges, operations, dialect: dialectOf(options.api) });
    return { runs, stability, findings, coverage: measureCoverage(operations, exchanges), exchanges };
  } finally {
    await workspace.remove();
  }
}

/** One run of the suite with the runner of its framework, every request through the proxy. */
type SuiteRunner = (run: number) => Promise<SuiteRun>;

async function suiteRunner(workspace: SuiteWorkspace, target: CheckedTarget, proxy: RecordingProxy, options: ValidateSuiteOptions): Promise<SuiteRunner> {
  const env = { ...target.env, API_BASE_URL: proxy.baseUrl };
  const common = { env, timeLimitMs: options.timeLimitMs, signal: options.signal, ...(options.testFiles ? { testFiles: options.testFiles } : {}) };
  if (workspace.framework === 'pytest') {
    // Before any run: without pytest and requests the execution ends here, saying what to install.
    const python = await pytestPython(pytestEnvironment(workspace, env));
    return (run) => runPytest(workspace, { ...common, python, proxyOrigin: proxy.origin, label: `run-${run}` });
  }
  const setupFile = path.join(workspace.privateDir, 'tag-tests.js');
  await fs.writeFile(setupFile, testTaggingSetup(proxy.origin, workspace.repoRoot));
  return (run) => runJest(workspace, { ...common, setupFiles: [setupFile], label: `run-${run}` });
}

/** Runs the suite `runCount` times through a recording proxy of its own. */
async function runThroughProxy(workspace: SuiteWorkspace, target: CheckedTarget, runCount: number, options: ValidateSuiteOptions): Promise<{ runs: SuiteRun[]; exchanges: Exchange[] }> {
  const proxy = await startRecordingProxy(target);
  try {
    const runSuite = await suiteRunner(workspace, target, proxy, options);
    const runs: SuiteRun[] = [];
    for (let run = 1; run <= runCount; run++) {
      options.onProgress?.(`run ${run} of ${runCount} started`);
      proxy.setRun(run);
      runs.push(await runSuite(run));
      options.onProgress?.(`run ${run} of ${runCount} finished`);
    }
    return { runs, exchanges: [...proxy.exchanges] };
  } finally {
    await proxy.close();
  }
}
