/** CPU time of a process tree by role, read from /proc (Linux), to say where a bench's CPU went. */
import fs from 'node:fs';
import { processTree } from './process-tree';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcessCpu {
  pid: number;
  command: string;
  cpuMs: number;
}

/** User + system CPU milliseconds in a /proc `stat` file (a process's, or one thread's under task/). */
function statCpuMs(statFile: string): number {
  const stat = fs.readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU milliseconds this process's main thread (its event loop) has used so far. */
export const mainThreadCpuMs = () => statCpuMs(`/proc/${process.pid}/task/${process.pid}/stat`);

function cpuOf(pid: number): ProcessCpu | undefined {
  try {
    const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return { pid, command, cpuMs: statCpuMs(`/proc/${pid}/stat`) };
  } catch {
    return undefined; // ended meanwhile
  }
}

/** `root` and every process below it, each with the CPU (user + system) it has used so far. */
function treeCpu(root: number): ProcessCpu[] {
  return processTree(root).flatMap((pid) => cpuOf(pid) ?? []);
}

/** Names a process of the embedded stack by what it runs; anything else is "other". */
export type Role = (command: string, pid: number) => string;

/** CPU milliseconds per role used since the snapshot was taken (processes started meanwhile count whole). */
export function cpuSnapshot(root: number, role: Role): () => Map<string, number> {
  const before = new Map(treeCpu(root).map((p) => [p.pid, p.cpuMs]));
  return () => {
    const used = new Map<string, number>();
    for (const p of treeCpu(root)) {
      const name = role(p.command, p.pid);
      used.set(name, (used.get(name) ?? 0) + p.cpuMs - (before.get(p.pid) ?? 0));
    }
    return used;
  };
}
