'use strict';
/**
 * Bundles the workflows on a worker thread (workers/workflow-bundle.ts) and posts back the code
 * and every file webpack read to build it. Webpack and its loaders take some 100 MB of heap that
 * a long-lived worker process would otherwise keep; the thread's heap goes when it ends.
 * Plain CommonJS: a worker thread runs with node alone, without the TypeScript loader (webpack
 * compiles the workflows' TypeScript itself).
 */
const { parentPort, workerData } = require('node:worker_threads');
const { bundleWorkflowCode } = require('@temporalio/worker');

const files = new Set();

/** Records what the compilation read: the bundle is stale when one of these changes. */
class RecordFileDependencies {
  apply(compiler) {
    compiler.hooks.afterCompile.tap('RecordFileDependencies', (compilation) => {
      for (const file of compilation.fileDependencies) files.add(file);
    });
  }
}

bundleWorkflowCode({
  workflowsPath: workerData.workflowsPath,
  workflowInterceptorModules: workerData.interceptorModules,
  webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), new RecordFileDependencies()] }),
  logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
}).then(({ code }) => parentPort.postMessage({ code, files: [...files].sort() })); // a failure ends the thread with its error
