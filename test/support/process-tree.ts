/** Linux process trees read from /proc, to prove that no process outlives the one a test stopped. */
import fs from 'node:fs';

export interface ProcessRecord {
  pid: number;
  /** Start time in clock ticks since boot: tells a reused pid from the process seen before. */
  start: string;
  command: string;
}

interface Stat {
  ppid: number;
  state: string;
  start: string;
}

function statOf(pid: number): Stat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces or parentheses itself.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every process below `root` right now (children, grandchildren, …), found through the ppid links. */
export function descendantsOf(root: number): ProcessRecord[] {
  const children = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (!stat) continue;
    stats.set(Number(entry), stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: ProcessRecord[] = [];
  for (let queue = [...(children.get(root) ?? [])]; queue.length;) {
    const pid = queue.shift()!;
    found.push({ pid, start: stats.get(pid)!.start, command: commandOf(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** The same process (not a later one with its pid) still runs; a zombie counts as ended. */
export function isAlive(record: ProcessRecord): boolean {
  const stat = statOf(record.pid);
  return stat !== undefined && stat.start === record.start && stat.state !== 'Z';
}

/**
 * Keeps adding `root`'s descendants every `everyMs` until stopped: those that existed at any time.
 * A process is recorded again when its command changed: a child seen between its fork and its exec
 * (a shell about to become `temporal server start-dev`) shows its parent's command until then; an
 * exiting process whose command can no longer be read keeps the one recorded.
 */
export function watchDescendants(root: number, everyMs = 50): { seen: Map<number, ProcessRecord>; stop(): void } {
  const seen = new Map<number, ProcessRecord>();
  const sample = () => {
    for (const record of descendantsOf(root)) {
      const known = seen.get(record.pid);
      if (!known || known.start !== record.start || (record.command && known.command !== record.command)) seen.set(record.pid, record);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return { seen, stop: () => clearInterval(timer) };
}

/** Processes whose environment holds `marker` (NAME=value): every descendant inherits it, even re-parented ones. */
export function processesWithEnv(marker: string): ProcessRecord[] {
  const found: ProcessRecord[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) continue;
    } catch {
      continue;
    }
    const stat = statOf(Number(entry));
    if (stat && stat.state !== 'Z') found.push({ pid: Number(entry), start: stat.start, command: commandOf(Number(entry)) });
  }
  return found;
}
