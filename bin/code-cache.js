'use strict';
/**
 * A V8 code cache for the CommonJS files of node_modules, in every process testloom starts
 * (bin/register-typescript.js turns it on). Node 20 parses and compiles each file it requires at
 * every start (`module.enableCompileCache` came with Node 22); given the code V8 made for the same
 * file in an earlier process, it skips that work. Each entry is keyed by the file's path and text
 * (Node's version and architecture name the folder) and written whole or not at all, a few seconds
 * after loading settles and at exit, for the files that had none or whose entry V8 rejected.
 * TypeScript sources stay on Node's own path (their source maps make stack traces show TypeScript
 * lines), and so does a file that may call `import()` (see below) or that the script compiler
 * refuses (an ES module Node 20 loads through `require`): Node then compiles it, or reports its
 * syntax error, as without this.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const IN_NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const FLUSH_AFTER_MS = 3_000;
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** A `require` for `module`, as Node gives each CommonJS file. */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Writes `file` beside its name and renames it into place: a reader never sees half of it. */
function writeWhole(file, data) {
  const partial = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true });
  }
}

/** Compiles node_modules' CommonJS files through a code cache kept in `dir`. */
function enableCodeCache(dir) {
  const cacheDir = path.join(dir, `v8-${process.version}-${process.arch}`);
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  } catch {
    return;
  }
  /** Scripts compiled without a usable entry, by the file their entry goes to. */
  const unsaved = new Map();
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const [file, script] of unsaved) writeWhole(file, script.createCachedData());
    unsaved.clear();
  };
  process.once('exit', flush);

  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    // A file that may call import() stays on Node's path too: a script V8 made from a cache entry
    // has lost its dynamic-import callback (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, Node 20).
    if (!filename.includes(IN_NODE_MODULES) || !/\.c?js$/.test(filename) || DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename);
    const file = path.join(cacheDir, crypto.createHash('sha256').update(filename).update('\0').update(content).digest('hex'));
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      // none yet
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      return compile.call(this, content, filename);
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      unsaved.set(file, script);
      // After start-up, not at exit only: a long-lived process may end by SIGKILL.
      timer ??= setTimeout(flush, FLUSH_AFTER_MS).unref();
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
}

module.exports = { enableCodeCache, writeWhole };
