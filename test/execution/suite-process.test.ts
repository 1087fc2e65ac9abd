import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TYPESCRIPT_LOADER } from '../support/testloom-processes';

/** `ps` state of a process: '' when it is gone, 'Z…' for a zombie waiting to be reaped. */
function stateOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const alive = (pid: number) => !['', 'Z'].includes(stateOf(pid).charAt(0));

describe('a suite process whose worker dies', () => {
  it('is ended with its whole process group when the parent is SIGKILLed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-suite-process-'));
    const pidFile = path.join(dir, 'runner.pid');
    const parent = spawn(process.execPath, [...TYPESCRIPT_LOADER, path.join(__dirname, 'support/suite-process-parent.ts'), pidFile], { stdio: 'ignore' });
    try {
      for (const deadline = Date.now() + 30_000; !fs.existsSync(pidFile) || !fs.readFileSync(pidFile, 'utf8');) {
        if (Date.now() > deadline) throw new Error('the runner never started');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const runner = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(alive(runner)).toBe(true);
      parent.kill('SIGKILL');
      for (const deadline = Date.now() + 5_000; alive(runner);) {
        if (Date.now() > deadline) throw new Error(`runner ${runner} outlived its parent (state ${stateOf(runner)})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(alive(runner)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
