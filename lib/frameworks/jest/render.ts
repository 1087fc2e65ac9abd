import type { SuiteRendering } from '../types';

export const JEST_HELPERS_FILE = 'helpers.ts';
/** The spec's own values helpers.ts reads, so helpers.ts itself is the same in every suite (and type-checked once per checker). */
export const JEST_SUITE_SETTINGS_FILE = 'suite-settings.json';
export const JEST_CONFIG_FILE = 'jest.config.json';
export const TSCONFIG_FILE = 'tsconfig.json';
/** Model-planned scenarios: one file rendered over the suite's request helper. */
export const JEST_SCENARIOS = { file: 'scenarios.test.ts', template: 'jest/scenarios.test.ts' };

/** Jest + TypeScript with global fetch: the default output. */
export const jestRendering: SuiteRendering = {
  testFileName: (slug) => `${slug}.test.ts`,
  testTemplate: 'jest/operation.test.ts',
  supportFiles: [
    { file: JEST_HELPERS_FILE, kind: 'helper', template: 'jest/helpers.ts' },
    { file: JEST_SUITE_SETTINGS_FILE, kind: 'helper', template: 'jest/suite-settings.json' },
    { file: JEST_CONFIG_FILE, kind: 'helper', template: 'jest/jest.config.json' },
    { file: TSCONFIG_FILE, kind: 'helper', template: 'jest/tsconfig.json' },
  ],
  helpersModule: `./${JEST_HELPERS_FILE.replace(/\.ts$/, '')}`,
  bodyVariable: (responseVar, singleStep) => (singleStep ? 'body' : `${responseVar}Body`),
  requestContext: (call) => ({ request: call }),
  caseContext: () => ({}),
  operationContext: () => ({}),
  runCommand: (outDir) => `API_BASE_URL=<your API> npx jest ${outDir}`,
  readmeContext: { jestConfig: JEST_CONFIG_FILE },
  modelScenarios: JEST_SCENARIOS,
};
