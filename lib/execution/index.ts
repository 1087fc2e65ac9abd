export { validateSuite, DEFAULT_RUNS, type ValidateSuiteOptions, type ValidationReport } from './validate-suite';
export {
  frameworkOfSuite, FrameworkUnavailableError, writeSuiteWorkspace, SuiteRunError, type SuiteFile, type SuiteWorkspace,
} from '../frameworks';
export { startRecordingProxy, type RecordingProxy, type RecordingProxyOptions } from './proxy';
export { checkTarget, DESTRUCTIVE_METHODS, type TargetConfig, type CheckedTarget } from '../core/target';
export { compareRuns, type Stability, type StabilityReport, type TestStability } from './stability';
export { triageFailures, type Classification, type Finding, type FailingTest } from './triage';
export { measureCoverage, type CoverageFigure, type CoverageReport, type OperationCoverage } from './coverage';
export { curlCommand } from './curl';
export type { Exchange, FileError, RefusalReason, SuiteRun, TestOutcome, TestResult } from './types';
