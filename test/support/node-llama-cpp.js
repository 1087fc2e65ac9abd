/**
 * What `import('node-llama-cpp')` gives under Jest (mapped in jest.config.js). The package is
 * ESM-only and cannot be compiled to CommonJS as the other ESM packages are: its modules declare
 * their own `require` and `__dirname`, which clash with the CommonJS module wrapper. So Node
 * imports it natively, through the host `import()` the test environment lends
 * (test/support/node-environment.js).
 *
 * Jest turns `await import(x)` into `Promise.resolve().then(() => require(x))`; a required module
 * that is thenable makes that promise resolve to what its `then` delivers: the real module.
 * Its objects (errors included) come from the host realm.
 */
module.exports = {
  __esModule: true,
  then(resolve, reject) {
    return globalThis.__importInHost('node-llama-cpp').then(resolve, reject);
  },
};
