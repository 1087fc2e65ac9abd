import type { Artifact } from '../../core/run';
import { TEST_FRAMEWORKS, type GateFailure, type GateOptions, type GateResult } from '../../frameworks';

export type { GateFailure, GateName, GateResult } from '../../frameworks';

export type CheckSuiteOptions = GateOptions;

/**
 * Quality gates before commit: each framework's compile gate over its files (TypeScript
 * type-checks in memory, Python compiles in a child process, nothing executed), then every test
 * file has at least one assertion. Docs and other files pass through. A file failing several gates
 * is reported once per gate.
 */
export async function checkSuite(artifacts: Artifact[], options: CheckSuiteOptions = {}): Promise<GateResult> {
  const failed: GateFailure[] = [];
  const assertions = new Map<string, number>();
  for (const { gate } of TEST_FRAMEWORKS) {
    if (!artifacts.some((a) => gate.checks(a.path))) continue;
    const checked = await gate.check(artifacts, options);
    failed.push(...checked.failed);
    for (const [path, count] of checked.assertions) assertions.set(path, count);
  }

  for (const artifact of artifacts.filter((a) => a.kind === 'test')) {
    if (assertions.get(artifact.path) === 0) {
      failed.push({
        path: artifact.path,
        gate: 'assertions',
        reason: 'has no assertion: a test file must check something (expect/assert calls)',
        diagnostics: [`${artifact.path}: no expect(...), expect…(...) or assert call found`],
      });
    }
  }

  return gateResult(artifacts, failed);
}

/** The artifacts that failed no gate pass. */
export function gateResult(artifacts: Artifact[], failed: GateFailure[]): GateResult {
  const failedPaths = new Set(failed.map((failure) => failure.path));
  return { passed: artifacts.filter((a) => !failedPaths.has(a.path)), failed };
}
