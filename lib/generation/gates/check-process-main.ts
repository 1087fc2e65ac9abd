/**
 * Child-process side of check-process.ts: a suite's artifacts as one JSON line on stdin, its gate
 * result as one JSON line on stdout, for as long as stdin stays open.
 */
import { createHash } from 'node:crypto';
import readline from 'node:readline';
import { checkSuite, gateResult, type GateFailure, type GateResult } from './index';
import type { Artifact } from '../../core/run';

/**
 * What the gates found, by the suite's content, for the last few suites checked. A check is a
 * function of the files alone (the library files it reads do not change while this process runs),
 * and the same suite comes back often: a spec run again, a later revision that leaves the suite as
 * it was, many runs of one spec. A warm check still costs ~0.3 s of CPU; a remembered one nothing.
 */
const FOUND = new Map<string, GateFailure[]>();
const REMEMBERED = 64;

async function check(artifacts: Artifact[]): Promise<GateResult> {
  // Documents are never checked: a suite whose test-case document alone changed is the same suite.
  const key = createHash('sha256').update(JSON.stringify(artifacts.filter((a) => a.kind !== 'doc'))).digest('hex');
  const failed = FOUND.get(key) ?? (await checkSuite(artifacts)).failed;
  FOUND.delete(key); // re-inserted last: the least recently used goes first
  FOUND.set(key, failed);
  if (FOUND.size > REMEMBERED) FOUND.delete(FOUND.keys().next().value!);
  return gateResult(artifacts, failed);
}

async function main(): Promise<void> {
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    process.stdout.write(`${JSON.stringify(await check(JSON.parse(line) as Artifact[]))}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
