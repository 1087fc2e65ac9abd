import fs from 'node:fs/promises';
import path from 'node:path';
import { listOperations } from '../openapi';
import { specObject } from '../openapi/spec-object';
import { measureCoverage, type CoverageReport } from './coverage';
import { runJest, writeSuiteWorkspace, type SuiteFile } from './jest-runner';
import { startRecordingProxy } from './proxy';
import type { SchemaDialect } from './response-check';
import { compareRuns, type StabilityReport } from './stability';
import { checkTarget, type TargetConfig } from './target';
import { testTaggingSetup } from './test-tagging';
import { triageFailures, type FailingTest, type Finding } from './triage';
import type { Exchange, SuiteRun } from './types';

export interface ValidateSuiteOptions {
  /** The generated suite's files (a Jest suite: one jest.config.json), paths relative to the repository root. */
  files: SuiteFile[];
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
  const workspace = await writeSuiteWorkspace(options.files);
  const proxy = await startRecordingProxy(target);
  try {
    const setupFile = path.join(workspace.repoRoot, '.testloom', 'tag-tests.js');
    await fs.writeFile(setupFile, testTaggingSetup(proxy.origin, workspace.repoRoot));
    const runs: SuiteRun[] = [];
    for (let run = 1; run <= runCount; run++) {
      options.onProgress?.(`run ${run} of ${runCount} started`);
      proxy.setRun(run);
      runs.push(await runJest(workspace, {
        env: { ...target.env, API_BASE_URL: proxy.baseUrl },
        setupFiles: [setupFile],
        timeLimitMs: options.timeLimitMs,
        signal: options.signal,
        label: `run-${run}`,
        ...(options.testFiles ? { testFiles: options.testFiles } : {}),
      }));
      options.onProgress?.(`run ${run} of ${runCount} finished`);
    }
    const stability = compareRuns(runs);
    const exchanges = [...proxy.exchanges];
    const failing = stability.stableFailures.map((test) => {
      const expectation = options.expectationOf?.(test);
      return { ...test, ...(expectation ? { expectation } : {}) };
    });
    const findings = triageFailures({ failing, exchanges, operations, dialect: dialectOf(options.api) });
    return { runs, stability, findings, coverage: measureCoverage(operations, exchanges), exchanges };
  } finally {
    await proxy.close();
    await workspace.remove();
  }
}
