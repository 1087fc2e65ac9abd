import type { FrameworkAdapter } from './types';

export const JEST_HELPERS_FILE = 'helpers.ts';
export const JEST_CONFIG_FILE = 'jest.config.json';
export const TSCONFIG_FILE = 'tsconfig.json';

/** Jest + TypeScript with global fetch: the default output. */
export const jestAdapter: FrameworkAdapter = {
  name: 'jest',
  testFileName: (slug) => `${slug}.test.ts`,
  testTemplate: 'jest/operation.test.ts',
  supportFiles: [
    { file: JEST_HELPERS_FILE, kind: 'helper', template: 'jest/helpers.ts' },
    { file: JEST_CONFIG_FILE, kind: 'helper', template: 'jest/jest.config.json' },
    { file: TSCONFIG_FILE, kind: 'helper', template: 'jest/tsconfig.json' },
  ],
  helpersModule: `./${JEST_HELPERS_FILE.replace(/\.ts$/, '')}`,
  bodyVariable: (responseVar, singleStep) => (singleStep ? 'body' : `${responseVar}Body`),
  requestContext: (call) => ({ request: call }),
  caseContext: () => ({}),
  operationContext: () => ({}),
};
