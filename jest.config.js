/**
 * Two projects, each test file in exactly one: `fast` (test/fast: the workflows' logic on
 * Temporal's time-skipping test server with stub activities; `npm run test:fast`) and `stack`
 * (everything else, on the real stack its global setup starts). `npm test` runs both.
 * Jest runs the TypeScript sources directly through SWC; type-checking is `tsc --noEmit` in `npm test`.
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022' } }];

const shared = {
  rootDir: __dirname,
  testEnvironment: '<rootDir>/test/support/node-environment.js',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc,
    // kysely 0.29, Octokit and the ESM-only packages it depends on outside the @octokit scope,
    // and PGlite's CommonJS build uses dynamic import(); Jest's CommonJS runtime needs them compiled
    // to plain CommonJS.
    '/node_modules/(kysely/.+\\.js|@octokit/.+\\.js|universal-user-agent/.+\\.js|before-after-hook/.+\\.js|content-type/.+\\.js|json-with-bigint/.+\\.js|universal-github-app-jwt/.+\\.js|@electric-sql/pglite/.+\\.cjs)$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(kysely|@octokit|universal-user-agent|before-after-hook|content-type|json-with-bigint|universal-github-app-jwt|@electric-sql/pglite)/)'],
  moduleNameMapper: {
    // Its package.json exports only an `import` entry, which Jest's CommonJS resolver never picks.
    '^@octokit/webhooks-methods$': '<rootDir>/node_modules/@octokit/webhooks-methods/dist-node/index.js',
    // ESM-only and not compilable to CommonJS: imported natively by Node instead (see the file).
    '^node-llama-cpp$': '<rootDir>/test/support/node-llama-cpp.js',
  },
  testTimeout: 120_000,
};

module.exports = {
  testTimeout: 120_000,
  // Three test files at a time on the two-core machines this runs on: much of a file's time is
  // spent waiting (on a heartbeat timeout after a SIGKILL, on child processes, on servers starting),
  // which a third file fills (a fourth measured no faster: the CPU is then busy). Lower it
  // (--maxWorkers=2) if a timing limit a test asserts is missed.
  maxWorkers: 3,
  // A Jest worker keeps what every test file it ran left behind (its module registries) and grew to
  // 2–3 GB by the end of a run: more garbage collection, and every child process a test starts forks
  // that whole address space. A worker past this much heap after a file is replaced by a fresh one.
  // Measured on a 2-core machine: ~6 replacements per run, 636 → 608 s of CPU.
  workerIdleMemoryLimit: '600MB',
  testSequencer: '<rootDir>/test/support/sequencer.js',
  projects: [
    {
      ...shared,
      displayName: 'fast',
      roots: ['<rootDir>/test/fast'],
      globalSetup: '<rootDir>/test/fast/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/fast/support/global-teardown.ts',
      testTimeout: 30_000,
    },
    {
      ...shared,
      displayName: 'stack',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/fast/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
