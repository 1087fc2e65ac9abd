'use strict';
/**
 * Lets node require testloom's TypeScript sources directly, with no build step: every process
 * testloom starts (bin/testloom, the quality-gate checker) loads this first, as `--require` or
 * `require`. Each `.ts` file is compiled to CommonJS by SWC (the compiler Jest and Temporal's
 * workflow bundler use here too) and the result kept in node_modules/.cache, keyed by the source,
 * so a process starting again compiles nothing. Only `.ts` files are touched: dependencies load
 * exactly as node loads them (tsx, used before, parsed every .js file of node_modules at each start
 * to tell ESM from CommonJS: ~0.7 s of a 1.7 s `testloom --help`, ~1 s of a worker's start).
 * `import()` stays native, so ESM-only packages load as ESM; stack traces show TypeScript lines.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { enableCodeCache, writeWhole } = require('./code-cache');

const OPTIONS = {
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  module: { type: 'commonjs', ignoreDynamic: true },
  sourceMaps: 'inline',
};
// SWC's version from its package.json: its native compiler (~20 MB resident, ~25 ms to load) is
// loaded only when a file is not in the cache, which after the first start is never.
const CACHE_KEY = JSON.stringify([require('@swc/core/package.json').version, OPTIONS]);
const CACHE_DIRS = [
  path.join(__dirname, '..', 'node_modules', '.cache', 'testloom-typescript'),
  // A read-only install (the container image): this user's own directory, as tsx kept its cache.
  path.join(os.tmpdir(), `testloom-typescript-${process.getuid?.() ?? 'user'}`),
];

/** The first cache directory this process may write and nobody else could (or none: compile in memory). */
const cacheDir = CACHE_DIRS.find((dir) => {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
    const { uid, mode } = fs.statSync(dir);
    return (process.getuid === undefined || uid === process.getuid()) && (mode & 0o022) === 0;
  } catch {
    return false;
  }
});

function compile(source, filename) {
  return require('@swc/core').transformSync(source, { ...OPTIONS, filename }).code;
}

function compileCached(source, filename) {
  if (!cacheDir) return compile(source, filename);
  const hash = crypto.createHash('sha256').update(CACHE_KEY).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${hash}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const code = compile(source, filename);
    // Written whole or not at all: processes starting together may compile the same file.
    writeWhole(cached, code);
    return code;
  }
}

if (!Module._extensions['.ts']) {
  if (cacheDir) enableCodeCache(cacheDir);
  process.setSourceMapsEnabled(true);
  Module._extensions['.ts'] = function loadTypeScript(module, filename) {
    module._compile(compileCached(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
}
