'use strict';
/**
 * Runs a suite's test runner (`node suite-supervisor.js [--session] <command> <args…>`) as the
 * leader of its own process group and ends the whole group when the testloom worker that started it
 * goes away: the worker holds this process's stdin open, and the pipe closes when the worker dies,
 * even by SIGKILL. Without it, a killed worker would leave the test runner and its workers behind.
 * With `--session` the runner takes commands: what arrives on stdin is passed on to its stdin, and
 * it answers on file descriptor 3, which it shares with this process.
 * Plain CommonJS: it runs with node alone, before any TypeScript loader.
 */
const { spawn } = require('node:child_process');

const session = process.argv[2] === '--session';
const [command, ...args] = process.argv.slice(session ? 3 : 2);
const killGroup = () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(137);
  }
};

const runner = spawn(command, args, { stdio: session ? ['pipe', 'inherit', 'inherit', 3] : ['ignore', 'inherit', 'inherit'] });
runner.on('error', (err) => {
  process.stderr.write(`testloom: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});
runner.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1)));
if (session) {
  runner.stdin.on('error', () => undefined); // the runner ended; its exit ends this process
  process.stdin.on('data', (chunk) => runner.stdin.write(chunk));
}
process.stdin.on('end', killGroup);
process.stdin.on('error', killGroup);
process.stdin.resume();
