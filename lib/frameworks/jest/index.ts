/** Jest + TypeScript with global fetch: the default framework. */
import type { TestFramework } from '../types';
import { typescriptGate } from './gate';
import { jestRendering } from './render';
import { jestRunner } from './runner';
import { listTests, parseTestStatement, removeTests, replaceTest } from './test-source';

export { JEST_CONFIG_FILE, JEST_HELPERS_FILE, JEST_SCENARIOS, TSCONFIG_FILE } from './render';

export const jestFramework: TestFramework & { name: 'jest' } = {
  name: 'jest',
  title: 'Jest',
  rendering: jestRendering,
  gate: typescriptGate,
  runner: jestRunner,
  testSource: {
    listTests: (source) => Promise.resolve(listTests(source).map(({ fullName, title }) => ({ fullName, title }))),
    removeTests: (source, fullNames) => Promise.resolve(removeTests(source, fullNames)),
    repair: { listTests, parseTestStatement, replaceTest },
  },
  // Jest's fullName: the describe block (the operation's id) and the test's title.
  caseFullName: (operationId, title) => `${operationId} ${title}`,
};
