'use strict';
/**
 * Bundles the workflows in a child process (workers/workflow-bundle.ts) and sends back the code
 * and every file webpack read to build it. Webpack, its loaders and SWC's native compiler take
 * some 100 MB that a long-lived worker process would otherwise keep: a worker thread's heap goes
 * when it ends, but the native libraries it loads and the allocator arenas it grows stay resident
 * (~50 MB of an idle `testloom up`); a process gives all of it back.
 * Plain CommonJS: it runs with node alone, without the TypeScript loader (webpack compiles the
 * workflows' TypeScript itself).
 */
const { bundleWorkflowCode } = require('@temporalio/worker');

const [workflowsPath, interceptorModules] = JSON.parse(process.argv[2]);
const files = new Set();

// The caller is gone: nobody wants the bundle.
process.on('disconnect', () => process.exit(1));

/** Records what the compilation read: the bundle is stale when one of these changes. */
class RecordFileDependencies {
  apply(compiler) {
    compiler.hooks.afterCompile.tap('RecordFileDependencies', (compilation) => {
      for (const file of compilation.fileDependencies) files.add(file);
    });
  }
}

bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules: interceptorModules,
  webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), new RecordFileDependencies()] }),
  logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
})
  // Exits once the message is handed over (the IPC channel would keep the process alive).
  .then(({ code }) => process.send({ code, files: [...files].sort() }, () => process.exit(0)))
  .catch((err) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
