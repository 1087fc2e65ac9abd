'use strict';
/**
 * git for test processes, started from a small helper process (git-helper-child.js) instead of the
 * test process itself. Forking copies the parent's page tables: a Jest worker holding 1–2.5 GB
 * (test files' module registries, PGlite's WebAssembly memory) paid 30–150 ms of CPU for every git
 * it started, and the local GitHub server starts hundreds per test file (~45 s of a full run).
 * Loaded by Node itself (test/support/node-environment.js lends it to every test file of a Jest
 * worker), so one helper serves the worker; it ends with the worker.
 */
const { Buffer } = require('node:buffer');
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

let helper;
let nextId = 0;
const pending = new Map();

/** The helper's pipes keep the process alive only while a command is under way. */
function holdOpen(child, hold) {
  for (const stream of [child.stdin, child.stdout]) {
    if (hold) stream.ref();
    else stream.unref();
  }
  if (hold) child.ref();
  else child.unref();
}

function failAll(error) {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

function startHelper() {
  const child = spawn(process.execPath, [path.join(__dirname, 'git-helper-child.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const { id, stdout, ...rest } = JSON.parse(line);
    const request = pending.get(id);
    if (!request) return;
    pending.delete(id);
    if (pending.size === 0) holdOpen(child, false);
    request.resolve({ ...rest, stdout: Buffer.from(stdout, 'base64') });
  });
  child.on('exit', (code, signal) => {
    if (helper === child) helper = undefined;
    failAll(new Error(`the git helper process ended (${signal ?? code}) with commands under way`));
  });
  child.stdin.on('error', () => {}); // reported through 'exit'
  return child;
}

/**
 * Runs `git args` in `cwd`; `env` is added to the helper's environment (the test process's when it
 * started). Resolves { code, error, stdout (Buffer), stderr } whatever git's exit status.
 */
function runGit(cwd, args, { env, input } = {}) {
  helper ??= startHelper();
  const id = nextId++;
  const child = helper;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    holdOpen(child, true);
    const encoded = input === undefined ? undefined : Buffer.from(input).toString('base64');
    child.stdin.write(`${JSON.stringify({ id, cwd, args, env, input: encoded })}\n`);
  });
}

module.exports = { runGit };
