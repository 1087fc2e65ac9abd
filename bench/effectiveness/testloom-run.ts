import { credentialVariable } from '../../lib/generation';
import { DESTRUCTIVE_METHODS, validateSuite, type SuiteFile, type TargetConfig, type TestStability, type ValidationReport } from '../../lib/validation';
import { SAMPLE_API_TOKEN } from './sample-api';

/** The generated suite run with validateSuite against one sample API, and what its runs say against the correct API's. */

export interface TestloomRun {
  report: ValidationReport;
  ms: number;
}

/**
 * The suite's credentials, and every destructive method allowed: the sample API is throw-away.
 * Model scenarios send no `auth` of their own, so with them the token also goes into API_HEADERS
 * (the helpers still strip or replace it for the missing/invalid-credential cases).
 */
export function sampleTarget(baseUrl: string, withScenarios: boolean): TargetConfig {
  const env: Record<string, string> = { [credentialVariable('bearerAuth')]: SAMPLE_API_TOKEN };
  if (withScenarios) env.API_HEADERS = JSON.stringify({ Authorization: `Bearer ${SAMPLE_API_TOKEN}` });
  return { baseUrl, env, allowedMethods: [...DESTRUCTIVE_METHODS] };
}

export async function runTestloom(files: SuiteFile[], api: object, target: TargetConfig, runs: number): Promise<TestloomRun> {
  const started = performance.now();
  const report = await validateSuite({ files, api, target, runs });
  return { report, ms: performance.now() - started };
}

export const testKey = (test: Pick<TestStability, 'file' | 'fullName'>) => `${test.file}\u0000${test.fullName}`;

/** Tests that passed in every run against the correct API and failed in some run against this one. */
export function newlyFailing(correct: ValidationReport, faulty: ValidationReport): TestStability[] {
  const passed = new Set(correct.stability.stablePasses.map(testKey));
  return faulty.stability.tests.filter((test) => test.outcomes.includes('failed') && passed.has(testKey(test)));
}
