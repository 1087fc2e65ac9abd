export { generateSpecSuite, HELPERS_FILE, TEST_CASES_FILE, JEST_CONFIG_FILE, TSCONFIG_FILE, README_FILE } from './spec-suite';
export type { GeneratedSuite, GenerateSpecSuiteOptions, TestCase, TestCaseKind, TestRequest, QueryValue, ScalarValue } from './types';
