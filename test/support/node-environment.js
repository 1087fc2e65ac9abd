/**
 * Jest's node environment gives each test file its own copies of the typed-array constructors.
 * onnxruntime-node (under transformers.js) builds tensors in the host realm and checks them with
 * `instanceof Float32Array`, which fails across realms. Sharing the host's constructors makes a
 * tensor created by the native runtime pass that check, as it does in a plain Node process.
 *
 * It also lends test code the host's own `import()` (see test/support/node-llama-cpp.js): Jest's
 * CommonJS runtime has no dynamic import, and this file is loaded by Node itself.
 *
 * And it lends every test file of this Jest worker process one quality-gate checker
 * (lib/generation/gates/check-process.ts): a checker child spends ~2 s of CPU loading TypeScript's
 * library files before its first check, which each test file's harness would otherwise pay again.
 * Likewise one git helper process (test/support/git-helper.js), from which git forks cheaply.
 */
const { TestEnvironment } = require('jest-environment-node');

let gateChecker;
const gitHelper = require('./git-helper');

/** Loaded by Node through tsx (not by Jest), so it outlives each test file's module registry. */
function sharedGateChecker() {
  if (!gateChecker) {
    const { WarmChecker } = require('tsx/cjs/api').require('../../lib/generation/gates/check-process.ts', __filename);
    gateChecker = new WarmChecker();
  }
  return gateChecker;
}

const TYPED_ARRAYS = [
  'ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
    this.global.__importInHost = (specifier) => import(specifier);
    this.global.__sharedGateChecker = sharedGateChecker;
    this.global.__gitHelper = gitHelper;
  }
}

module.exports = SharedTypedArrayEnvironment;
