/**
 * A process whose main thread is stuck in synchronous work when a signal asks it to stop still
 * ends: its own timers cannot fire, so a watchdog thread SIGKILLs it shortly after the stop limit.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TYPESCRIPT_LOADER } from '../support/testloom-processes';

const ROOT = path.resolve(__dirname, '../..');

const SCRIPT = `
const { Cleanups, exitOnSignals } = require(${JSON.stringify(path.join(ROOT, 'lib/process/shutdown.ts'))});
const cleanups = new Cleanups();
exitOnSignals(cleanups, (line) => console.log(line), 1000);
cleanups.add('stuck', async () => { const end = Date.now() + 60000; while (Date.now() < end) {} });
console.log('ready');
setInterval(() => undefined, 1000);
`;

test('a process stuck in synchronous work during shutdown is killed soon after the stop limit', async () => {
  // node with tsx's CommonJS hook, so the signal reaches this process and not a wrapper.
  const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, '-e', SCRIPT], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (output.includes('ready')) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  const signalledAt = Date.now();
  child.kill('SIGINT');
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, exitSignal) => resolve(exitSignal)));
  const ms = Date.now() - signalledAt;
  expect(output).toContain('stopping…');
  expect(signal).toBe('SIGKILL');
  // The 1 s stop limit plus the watchdog's 2 s; the stuck step alone would run for 60 s.
  expect(ms).toBeGreaterThanOrEqual(2_900);
  expect(ms).toBeLessThan(15_000);
});
