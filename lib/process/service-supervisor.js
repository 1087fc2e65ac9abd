'use strict';
/**
 * Runs a server that testloom starts (Chroma, the Temporal dev server) as
 * `node service-supervisor.js <command> <args…>`, spawned as the leader of its own process group
 * with a pipe on stdin. When testloom goes away, even by SIGKILL or with its event loop stuck
 * and then killed, the pipe closes: the server gets SIGTERM, and the whole group SIGKILL if it
 * has not exited after GRACE_MS. SIGTERM/SIGINT sent to the supervisor are passed on to the
 * server, and the supervisor exits when the server does.
 * Plain CommonJS: it runs with node alone, before any TypeScript loader.
 */
const { spawn } = require('node:child_process');
const os = require('node:os');

const GRACE_MS = 3_000;
const [command, ...args] = process.argv.slice(2);

const killGroup = () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(137);
  }
};

const service = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
service.on('error', (err) => {
  process.stderr.write(`testloom: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});
service.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => service.kill(signal));

let orphaned = false;
const parentGone = () => {
  if (orphaned) return;
  orphaned = true;
  service.kill('SIGTERM');
  setTimeout(killGroup, GRACE_MS);
};
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
process.stdin.resume();
