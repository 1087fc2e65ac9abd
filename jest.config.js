/** Jest runs the TypeScript sources directly through SWC; type-checking is `tsc --noEmit` in `npm test`. */
const swc = ['@swc/jest', { jsc: { target: 'es2022' } }];

module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.js',
  roots: ['<rootDir>/test'],
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
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
};
