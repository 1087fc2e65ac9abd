export { generateSpecSuite, HELPERS_FILE, TEST_CASES_FILE, JEST_CONFIG_FILE, TSCONFIG_FILE, README_FILE } from './spec-suite';
export { frameworkAdapter, PYTEST_HELPERS_FILE, PYTEST_REQUIREMENTS_FILE, type FrameworkAdapter } from './frameworks';
export { checkSuite, type CheckSuiteOptions, type GateFailure, type GateName, type GateResult } from './gates';
export { credentialVariable } from './security-table';
export { TEST_CASE_KINDS } from './types';
export type {
  FrameworkName, GeneratedSuite, GenerateSpecSuiteOptions, RequestAuth, TestCase, TestCaseKind, TestRequest, TestStep, QueryValue, ScalarValue,
} from './types';
