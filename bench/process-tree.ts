/** A process and everything below it, read from /proc (Linux), for the benches that measure a whole stack. */
import fs from 'node:fs';

function children(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // ended meanwhile
  }
}

/** `root` and the pids of its children, grandchildren, … as they are now. */
export function processTree(root: number): number[] {
  const all: number[] = [];
  for (const pending = [root]; pending.length > 0;) {
    const pid = pending.pop()!;
    all.push(pid);
    pending.push(...children(pid));
  }
  return all;
}
