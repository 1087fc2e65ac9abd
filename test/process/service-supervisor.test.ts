/**
 * A service (Chroma, the Temporal dev server) runs under lib/process/service-supervisor.sh in a
 * process group of its own. Stopping it leaves nothing of that group behind, even when the
 * supervisor ended without stopping its server.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnService, stopChild } from '../../lib/process/child';

/** Live processes of process group `group` (the supervisor's pid), and whether the server `sleep <marker>` is one. */
function group(leader: number, marker: string): { members: number; server: boolean; others: number[] } {
  let members = 0;
  let server = false;
  const others: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== leader || state === 'Z') continue;
      members++;
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${marker}\0`) server = true;
      else others.push(Number(pid));
    } catch {
      // Exited meanwhile.
    }
  }
  return { members, server, others };
}

async function until(check: () => boolean, withinMs: number): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; !check(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

describe('a supervised service', () => {
  const seconds = () => `${300 + (randomBytes(2).readUInt16BE() % 1000)}.${randomBytes(3).readUIntBE(0, 3)}`;

  it('is gone, with its supervisor, once stopped', async () => {
    const marker = seconds();
    const child = spawnService('sleep', [marker]);
    expect(await until(() => group(child.pid!, marker).server, 5_000)).toBe(true);
    await stopChild(child);
    expect(group(child.pid!, marker)).toEqual({ members: 0, server: false, others: [] });
  });

  it('is gone once stopped even when its supervisor ended without stopping it and without a watcher', async () => {
    const marker = seconds();
    const child = spawnService('sleep', [marker]);
    expect(await until(() => group(child.pid!, marker).server, 5_000)).toBe(true);
    // As when a signal ends the shell in the instant after it started the server: the supervisor
    // (and its pipe watcher, if it had started one) gone, the server left in the group.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (const pid of group(child.pid!, marker).others) process.kill(pid, 'SIGKILL');
    await exited;
    expect(group(child.pid!, marker).server).toBe(true);
    await stopChild(child);
    expect(await until(() => group(child.pid!, marker).members === 0, 1_000)).toBe(true);
  });
});
