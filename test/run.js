#!/usr/bin/env node
/**
 * `npm test`: Jest, with the static checks (`npm run static`: tsc, ESLint, dependency-cruiser)
 * running beside it at the lowest CPU priority instead of before it. Jest keeps about 80 % of two
 * cores busy (much of a test file's time is spent waiting on servers, child processes and
 * timeouts); the static checks fill the rest. Their output is held and printed after Jest's, and
 * either failing fails the run. Arguments go to Jest.
 */
const { Buffer } = require('node:buffer');
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// Its own process group (detached), so that an interrupted run can stop tsc and ESLint with it.
const staticChecks = spawn('nice', ['-n', '19', 'npm', 'run', '--silent', 'static'], {
  cwd: root,
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
});
const staticOutput = [];
staticChecks.stdout.on('data', (chunk) => staticOutput.push(chunk));
staticChecks.stderr.on('data', (chunk) => staticOutput.push(chunk));
const staticDone = new Promise((resolve) => staticChecks.on('close', (code, signal) => resolve(code ?? `signal ${signal}`)));

const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
const jestDone = new Promise((resolve) => jest.on('close', (code, signal) => resolve(code ?? `signal ${signal}`)));

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = true;
    stopStaticChecks();
    jest.kill(signal);
  });
}

function stopStaticChecks() {
  try {
    process.kill(-staticChecks.pid, 'SIGTERM');
  } catch {
    // Already ended.
  }
}

void (async () => {
  const jestStatus = await jestDone;
  if (interrupted) process.exit(130);
  const staticStatus = await staticDone;
  process.stdout.write(`\nStatic checks (tsc, ESLint, dependency-cruiser): ${staticStatus === 0 ? 'passed' : `FAILED (${staticStatus})`}\n`);
  process.stdout.write(Buffer.concat(staticOutput));
  process.exit(jestStatus !== 0 ? (typeof jestStatus === 'number' ? jestStatus : 1) : staticStatus === 0 ? 0 : 1);
})();
