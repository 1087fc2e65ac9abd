/** Jest + TypeScript with global fetch: the default framework. */
import type { CiJob, TestFramework } from '../types';
import { typescriptGate } from './gate';
import { JEST_CONFIG_FILE, jestRendering } from './render';
import { jestRunner } from './runner';
import { listTests, parseTestStatement, removeTests, replaceTest } from './test-source';

export { JEST_CONFIG_FILE, JEST_HELPERS_FILE, JEST_SCENARIOS, TSCONFIG_FILE } from './render';

/** What a suite needs to run, at the majors testloom runs its suites with (@swc/jest compiles the TypeScript; type-checking is not CI's job here). */
const JEST_PACKAGES = 'jest@30 @swc/jest@0.2 @swc/core@1';

/**
 * Jest goes into a folder of its own, not the repository's package.json; each suite runs from its
 * folder with its own jest.config.json (the repository's Jest configuration is not involved),
 * resolving jest and @swc/jest through NODE_PATH.
 */
const jestCi: CiJob = {
  title: 'Jest suites',
  setupSteps: [
    { name: 'Set up Node.js', uses: 'actions/setup-node@v4', with: { 'node-version': '22' } },
    {
      name: 'Install Jest',
      run: [
        'tools="$RUNNER_TEMP/testloom-jest"',
        `npm install --prefix "$tools" --no-audit --no-fund ${JEST_PACKAGES}`,
        'echo "TESTLOOM_NODE_MODULES=$tools/node_modules" >> "$GITHUB_ENV"',
      ].join('\n'),
    },
  ],
  runSuite: [
    'cd "$SUITE"',
    `NODE_PATH="$TESTLOOM_NODE_MODULES" node "$TESTLOOM_NODE_MODULES/jest/bin/jest.js" --config ${JEST_CONFIG_FILE} --ci \\`,
    '  --reporters=default --reporters=github-actions --json --outputFile="$REPORT"',
  ].join('\n'),
  reportExtension: 'json',
};

export const jestFramework: TestFramework & { name: 'jest' } = {
  name: 'jest',
  title: 'Jest',
  rendering: jestRendering,
  gate: typescriptGate,
  runner: jestRunner,
  ci: jestCi,
  testSource: {
    listTests: (source) => Promise.resolve(listTests(source).map(({ fullName, title }) => ({ fullName, title }))),
    removeTests: (source, fullNames) => Promise.resolve(removeTests(source, fullNames)),
    repair: { listTests, parseTestStatement, replaceTest },
  },
  // Jest's fullName: the describe block (the operation's id) and the test's title.
  caseFullName: (operationId, title) => `${operationId} ${title}`,
};
