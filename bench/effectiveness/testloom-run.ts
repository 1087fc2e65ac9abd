import { credentialVariable } from '../../lib/generation';
import { DESTRUCTIVE_METHODS, type SuiteFile, type TargetConfig, type TestStability } from '../../lib/execution';
import { executeSuite, type SuiteExecution } from '../../lib/execution/execute-suite';
import type { SuiteCase } from '../../lib/execution/suite-cases';
import type { BenchApi } from './apis';

/**
 * The generated suite run through the execute stage's own pipeline (executeSuite: runs, triage,
 * findings, coverage; no model repairs) against one sample API, and what it says against the
 * correct API's.
 */

export interface TestloomRun {
  execution: SuiteExecution;
  ms: number;
}

/**
 * The suite's credentials, and every destructive method allowed: the sample API is throw-away.
 * Model scenarios send no `auth` of their own, so with them the credential also goes into
 * API_HEADERS (the helpers still strip or replace it for the missing/invalid-credential cases).
 */
export function sampleTarget(api: BenchApi, baseUrl: string, withScenarios: boolean): TargetConfig {
  const env: Record<string, string> = { [credentialVariable(api.auth.scheme)]: api.auth.credential };
  if (withScenarios) env.API_HEADERS = JSON.stringify({ [api.auth.header]: api.auth.value });
  return { baseUrl, env, allowedMethods: [...DESTRUCTIVE_METHODS] };
}

export async function runTestloom(files: SuiteFile[], api: object, cases: SuiteCase[], target: TargetConfig, runs: number): Promise<TestloomRun> {
  const started = performance.now();
  const execution = await executeSuite({ files, api, cases, target, runs, healRounds: 0 });
  return { execution, ms: performance.now() - started };
}

export const testKey = (test: Pick<TestStability, 'file' | 'fullName'>) => `${test.file}\u0000${test.fullName}`;

/** Tests that passed in every run against the correct API and failed in some run against this one. */
export function newlyFailing(correct: SuiteExecution, faulty: SuiteExecution): TestStability[] {
  const passed = new Set(correct.report.tests.filter((t) => t.stability === 'stable-pass').map(testKey));
  return faulty.report.tests.filter((test) => test.outcomes.includes('failed') && passed.has(testKey(test)));
}

/** Possible API defects reported against this API, in tests that passed against the correct one without any. */
export function newFindings(correct: SuiteExecution, faulty: SuiteExecution): string[] {
  const before = new Set(correct.summary.apiDefects.map(testKey));
  return faulty.summary.apiDefects.filter((d) => d.testPasses && !before.has(testKey(d))).map((d) => `${d.fullName} (passes, but ${d.reasons[0]})`);
}
