import path from 'node:path';
import { Context } from '@temporalio/activity';
import { listArtifacts } from '../lib/db/artifacts';
import { updateRun } from '../lib/db/runs';
import { checkTarget, validateSuite, type CoverageReport, type Finding, type SuiteRun, type TargetConfig, type TestStability } from '../lib/validation';
import { permanent, type ActivityDeps } from './deps';
import { loadDereferencedSpec } from './receive';

export interface ExecuteInput {
  runId: string;
  specId: string;
  target: TargetConfig;
  /** Default 3. */
  runs?: number;
  /** Time limit of one run of the suite. */
  timeLimitMs?: number;
}

export type ExecutionOutcome =
  | { status: 'skipped'; reason: string }
  | {
      status: 'executed';
      baseUrl: string;
      runs: SuiteRun[];
      tests: TestStability[];
      summary: { stablePasses: number; stableFailures: number; flaky: number };
      findings: Finding[];
      coverage: CoverageReport;
      exchanges: number;
    };

/**
 * Runs the run's generated Jest suite against the user's API (see lib/validation) and stores the
 * outcome under the run's `details.execution`, replacing an earlier attempt's. Reads artifacts and
 * spec only, so a retry repeats the same work; what it does to the API is bounded by the target's
 * allowed methods.
 */
export function executeActivity(deps: ActivityDeps) {
  return async function execute(input: ExecuteInput): Promise<ExecutionOutcome> {
    try {
      checkTarget(input.target);
    } catch (err) {
      throw permanent((err as Error).message, 'InvalidTarget');
    }
    const artifacts = await listArtifacts(deps.db, input.runId);
    const configs = artifacts.filter((a) => path.posix.basename(a.path) === 'jest.config.json');
    let outcome: ExecutionOutcome;
    if (configs.length !== 1) {
      outcome = { status: 'skipped', reason: configs.length ? `${configs.length} Jest suites in one run: ${configs.map((c) => c.path).join(', ')}` : 'the run holds no Jest suite (only Jest suites can be executed so far)' };
    } else {
      const suiteDir = `${path.posix.dirname(configs[0].path)}/`;
      const { api } = await loadDereferencedSpec(deps, input.specId);
      const context = Context.current();
      const report = await validateSuite({
        files: artifacts.filter((a) => a.path.startsWith(suiteDir)).map(({ path: file, content }) => ({ path: file, content })),
        api,
        target: input.target,
        runs: input.runs,
        timeLimitMs: input.timeLimitMs,
        signal: context.cancellationSignal,
        onProgress: (message) => context.heartbeat(message),
      });
      outcome = {
        status: 'executed',
        baseUrl: input.target.baseUrl,
        runs: report.runs,
        tests: report.stability.tests,
        summary: { stablePasses: report.stability.stablePasses.length, stableFailures: report.stability.stableFailures.length, flaky: report.stability.flaky.length },
        findings: report.findings,
        coverage: report.coverage,
        exchanges: report.exchanges.length,
      };
    }
    await updateRun(deps.db, input.runId, { details: { execution: outcome } });
    return outcome;
  };
}
