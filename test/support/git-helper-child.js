'use strict';
/**
 * Runs git commands for a test process (test/support/git-helper.js): one request per stdin line
 * ({ id, cwd, args, env, input }), one answer per stdout line ({ id, code, error, stdout, stderr }),
 * stdout and input in base64. A small process, so each git it starts is cheap to fork. It ends
 * when its parent closes stdin (or dies).
 */
const { Buffer } = require('node:buffer');
const { execFile } = require('node:child_process');
const readline = require('node:readline');

const MAX_BUFFER = 64 * 1024 * 1024;

function answer(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function run({ id, cwd, args, env, input }) {
  const child = execFile('git', args, { cwd, env: { ...process.env, ...env }, encoding: 'buffer', maxBuffer: MAX_BUFFER }, (error, stdout, stderr) => {
    answer({
      id,
      code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
      error: error ? error.message : undefined,
      stdout: stdout.toString('base64'),
      stderr: stderr.toString('utf8'),
    });
  });
  // git may exit without reading stdin (EPIPE); its exit status is what counts.
  child.stdin.on('error', () => {});
  child.stdin.end(input === undefined ? undefined : Buffer.from(input, 'base64'));
}

readline.createInterface({ input: process.stdin }).on('line', (line) => run(JSON.parse(line)));
process.stdin.on('end', () => process.exit(0));
