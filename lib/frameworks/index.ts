/**
 * The registry of test frameworks: one adapter per folder (jest/, pytest/), each a TestFramework
 * (types.ts). Adding a framework is adding its folder, its name to FRAMEWORKS in lib/core/frameworks.ts
 * and its object here; the registry's type fails to compile until both agree.
 */
import { DEFAULT_FRAMEWORK, FRAMEWORKS, type FrameworkName } from '../core/frameworks';
import { jestFramework } from './jest';
import { pytestFramework } from './pytest';
import type { SuiteFile } from './shared/workspace';
import type { TestFramework } from './types';

export { DEFAULT_FRAMEWORK, FRAMEWORKS, isFrameworkName, type FrameworkName } from '../core/frameworks';
export type {
  ListedTest, QualityGate, RemovedTests, RequestCall, RunOptions, RunPlan, SuiteRendering, SuiteRunner, TestFramework,
  TestRepairEditor, TestSourceEditor, TestStatement,
} from './types';
export type { CompileCheck, GateFailure, GateName, GateOptions, GateResult } from './shared/gate';
export type { FileError, SuiteRun, TestOutcome, TestResult } from './shared/results';
export { FrameworkUnavailableError } from './shared/errors';
export { CLEANUP_HEADER, FORWARD_PREFIX, REFUSED_HEADER, TEST_HEADER } from './shared/proxy-protocol';
export { SuiteRunError, writeSuiteWorkspace, type SuiteFile, type SuiteWorkspace } from './shared/workspace';

/** Every name of FRAMEWORKS, each with the adapter of that name, and nothing else. */
const REGISTRY: { [N in FrameworkName]: TestFramework & { name: N } } = { jest: jestFramework, pytest: pytestFramework };

/** In the order of FRAMEWORKS (the quality gates run in this order, and a suite's framework is looked for in it). */
export const TEST_FRAMEWORKS: readonly TestFramework[] = FRAMEWORKS.map((name) => REGISTRY[name]);

export function frameworkFor(name: FrameworkName = DEFAULT_FRAMEWORK): TestFramework {
  const framework = (REGISTRY as Partial<Record<string, TestFramework>>)[name];
  if (!framework) throw new Error(`unknown test framework "${String(name)}": use ${FRAMEWORKS.map((n) => `"${n}"`).join(' or ')}`);
  return framework;
}

/**
 * The suite's framework from its files (a Jest suite has a jest.config.json, a pytest suite its
 * testloom_api.py or requirements.txt beside test_*.py files).
 */
export function frameworkOfSuite(files: SuiteFile[]): TestFramework {
  const found = TEST_FRAMEWORKS.find((framework) => framework.runner.recognises(files));
  if (!found) throw new Error(`cannot tell the suite's framework: ${TEST_FRAMEWORKS.map((framework) => framework.runner.suiteDescription).join(', ')}`);
  return found;
}
