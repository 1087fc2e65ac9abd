/**
 * Time of one commit of a generated suite to the local git host (`npm run bench:commit -- [files] [rounds]`):
 * a new branch with `files` files, then the same branch with every file changed, each round; prints the
 * median and p95 per commit. The database is not touched by commits, so none is opened.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { LocalGitHost } from '../lib/repohost/local-git';
import type { Tables } from '../schema/tables';
import { quantile } from './stats';

async function main(): Promise<void> {
  const [files = 12, rounds = 10] = process.argv.slice(2).map(Number);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'testloom-bench-commit-'));
  const host = new LocalGitHost(root, undefined as unknown as Kysely<Tables>);
  const suite = (round: number, version: number) => Array.from({ length: files }, (_, i) => ({
    path: `tests/testloom/bench/file-${i}.test.ts`,
    content: `// round ${round}, version ${version}\n${'test("x", () => expect(1).toBe(1));\n'.repeat(200)}`,
  }));
  const timings: number[] = [];
  try {
    await host.ensureRepository('bench/repo');
    for (let round = 0; round < rounds; round++) {
      for (const version of [1, 2]) {
        const started = performance.now();
        await host.commitFiles({ repository: 'bench/repo', branch: `testloom/bench-${round}`, message: `round ${round}`, files: suite(round, version), ownedDirs: ['tests/testloom/bench'], date: new Date() });
        timings.push(performance.now() - started);
      }
    }
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    console.log(`commit of ${files} files, ${timings.length} commits: median ${ms(quantile(timings, 0.5))}, p95 ${ms(quantile(timings, 0.95))}`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

void main();
