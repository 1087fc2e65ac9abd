export { generateSpecSuite, TEST_CASES_FILE, README_FILE } from './spec-suite';
export { checkSuite, type CheckSuiteOptions, type GateFailure, type GateName, type GateResult } from './gates';
export { credentialVariable } from './security-table';
export { TEST_CASE_KINDS } from './types';
export type {
  FrameworkName, GeneratedSuite, GenerateSpecSuiteOptions, RequestAuth, TestCase, TestCaseKind, TestRequest, TestStep, QueryValue, ScalarValue,
} from './types';
