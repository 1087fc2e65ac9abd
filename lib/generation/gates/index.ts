import type { Artifact } from '../../core/run';
import { checkPythonSources, type PythonCheckOptions } from './python';
import type { GateFailure, GateResult } from './types';
import { countTypeScriptAssertions, typeCheckArtifacts } from './typescript';

export type { GateFailure, GateName, GateResult } from './types';
export { typeCheckArtifacts, countTypeScriptAssertions } from './typescript';
export { checkPythonSources } from './python';

export type CheckSuiteOptions = PythonCheckOptions;

/**
 * Quality gates before commit: TypeScript type-checks in memory, Python compiles (in a child
 * process, nothing executed), every test file has at least one assertion. Docs and other files
 * pass through. A file failing several gates is reported once per gate.
 */
export async function checkSuite(artifacts: Artifact[], options: CheckSuiteOptions = {}): Promise<GateResult> {
  const failed: GateFailure[] = [];
  const { byPath, global } = typeCheckArtifacts(artifacts);
  for (const artifact of artifacts.filter((a) => a.path.endsWith('.ts'))) {
    const diagnostics = [...(byPath.get(artifact.path) ?? []), ...global];
    if (diagnostics.length) {
      const count = diagnostics.length === 1 ? '1 error' : `${diagnostics.length} errors`;
      failed.push({ path: artifact.path, gate: 'typescript', reason: `does not type-check (${count}): ${diagnostics[0]}`, diagnostics });
    }
  }

  const python = artifacts.filter((a) => a.path.endsWith('.py'));
  const pythonResults = python.length ? await checkPythonSources(Object.fromEntries(python.map((a) => [a.path, a.content])), options) : {};
  for (const artifact of python) {
    const error = pythonResults[artifact.path]?.error;
    if (error) failed.push({ path: artifact.path, gate: 'python-compile', reason: `does not compile: ${error.split('\n')[0]}`, diagnostics: [error] });
  }

  for (const artifact of artifacts.filter((a) => a.kind === 'test')) {
    let assertions: number | undefined;
    if (artifact.path.endsWith('.ts')) assertions = countTypeScriptAssertions(artifact.path, artifact.content);
    else if (artifact.path.endsWith('.py')) assertions = pythonResults[artifact.path]?.assertions;
    if (assertions === 0) {
      failed.push({
        path: artifact.path,
        gate: 'assertions',
        reason: 'has no assertion: a test file must check something (expect/assert calls)',
        diagnostics: [`${artifact.path}: no expect(...), expect…(...) or assert call found`],
      });
    }
  }

  const failedPaths = new Set(failed.map((failure) => failure.path));
  return { passed: artifacts.filter((a) => !failedPaths.has(a.path)), failed };
}
